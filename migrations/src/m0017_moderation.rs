//! Moderation: reports on a mission, an organisation or a message (one per member and
//! content), content hidden until reviewed (after three reports from different members, or by
//! an operator's decision), and accounts blocked on their site.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE reports (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    target_kind VARCHAR(20) NOT NULL,
    target_id BIGINT NOT NULL,
    reporter_user_id BIGINT NOT NULL,
    reason VARCHAR(30) NOT NULL,
    comment TEXT NOT NULL,
    created_at {ts} NOT NULL,
    resolved_at {ts},
    decision VARCHAR(20)
);
CREATE UNIQUE INDEX reports_once ON reports (tenant_id, target_kind, target_id, reporter_user_id);
CREATE INDEX reports_open ON reports (tenant_id, resolved_at, target_kind, target_id);
ALTER TABLE missions ADD COLUMN hidden_at {ts};
ALTER TABLE organisations ADD COLUMN hidden_at {ts};
ALTER TABLE request_messages ADD COLUMN hidden_at {ts};
ALTER TABLE users ADD COLUMN blocked_at {ts};
ALTER TABLE users ADD COLUMN blocked_reason TEXT NOT NULL DEFAULT ''
"#;

const DOWN: &str = r#"
ALTER TABLE users DROP COLUMN blocked_reason;
ALTER TABLE users DROP COLUMN blocked_at;
ALTER TABLE request_messages DROP COLUMN hidden_at;
ALTER TABLE organisations DROP COLUMN hidden_at;
ALTER TABLE missions DROP COLUMN hidden_at;
DROP INDEX reports_open;
DROP INDEX reports_once;
DROP TABLE reports
"#;

scripted!();
