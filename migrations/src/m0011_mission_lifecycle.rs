//! Missions written by their organisations and reviewed: flexible dates, capacity, a contact
//! person, who created it, when it was submitted, the last review (who, when, its comment,
//! whether a review published it), why it was closed, and the history of every change.
//! Photos get a card-size variant (`card_key`, with its size) beside the page-size one.
//! Existing missions keep their status; those published before reviews existed are not marked
//! as reviewed.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
ALTER TABLE missions ADD COLUMN flexible {bool} NOT NULL DEFAULT {false};
ALTER TABLE missions ADD COLUMN capacity INTEGER;
ALTER TABLE missions ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE missions ADD COLUMN created_by BIGINT;
ALTER TABLE missions ADD COLUMN updated_at {ts};
ALTER TABLE missions ADD COLUMN submitted_at {ts};
ALTER TABLE missions ADD COLUMN reviewed_by BIGINT;
ALTER TABLE missions ADD COLUMN reviewed_at {ts};
ALTER TABLE missions ADD COLUMN review_comment TEXT NOT NULL DEFAULT '';
ALTER TABLE missions ADD COLUMN validated {bool} NOT NULL DEFAULT {false};
ALTER TABLE missions ADD COLUMN closed_reason VARCHAR(16) NOT NULL DEFAULT '';
CREATE INDEX missions_tenant_status_submitted ON missions (tenant_id, status, submitted_at);
CREATE TABLE mission_history (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    mission_id BIGINT NOT NULL REFERENCES missions(id) ON DELETE CASCADE,
    account_id BIGINT,
    at {ts} NOT NULL,
    action VARCHAR(32) NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX mission_history_tenant_mission ON mission_history (tenant_id, mission_id, at);
ALTER TABLE mission_photos ADD COLUMN card_key VARCHAR(200) NOT NULL DEFAULT '';
ALTER TABLE mission_photos ADD COLUMN card_width INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mission_photos ADD COLUMN card_height INTEGER NOT NULL DEFAULT 0
"#;

const DOWN: &str = r#"
ALTER TABLE mission_photos DROP COLUMN card_height;
ALTER TABLE mission_photos DROP COLUMN card_width;
ALTER TABLE mission_photos DROP COLUMN card_key;
DROP INDEX mission_history_tenant_mission;
DROP TABLE mission_history;
DROP INDEX missions_tenant_status_submitted;
ALTER TABLE missions DROP COLUMN closed_reason;
ALTER TABLE missions DROP COLUMN validated;
ALTER TABLE missions DROP COLUMN review_comment;
ALTER TABLE missions DROP COLUMN reviewed_at;
ALTER TABLE missions DROP COLUMN reviewed_by;
ALTER TABLE missions DROP COLUMN submitted_at;
ALTER TABLE missions DROP COLUMN updated_at;
ALTER TABLE missions DROP COLUMN created_by;
ALTER TABLE missions DROP COLUMN contact_name;
ALTER TABLE missions DROP COLUMN capacity;
ALTER TABLE missions DROP COLUMN flexible
"#;

scripted!();
