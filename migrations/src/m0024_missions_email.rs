//! "Missions pour vous", by email, with remote missions or not, and from the focal points:
//! whether the member accepts remote missions (they did, implicitly, until now: on by
//! default), whether they asked for the weekly selection of missions by email (opt-in: off),
//! the language of the page where they last chose their emails (the language those emails are
//! written in), whether focal points may find them and propose a mission (opt-in: off), and
//! each mission proposed to a member (at most one per mission, and few per month).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
ALTER TABLE profiles ADD COLUMN remote_ok {bool} NOT NULL DEFAULT {true};
ALTER TABLE profiles ADD COLUMN email_missions {bool} NOT NULL DEFAULT {false};
ALTER TABLE profiles ADD COLUMN email_locale VARCHAR(5);
ALTER TABLE profiles ADD COLUMN findable {bool} NOT NULL DEFAULT {false};
CREATE INDEX profiles_tenant_missions ON profiles (tenant_id, email_missions);
CREATE INDEX profiles_tenant_findable ON profiles (tenant_id, findable);
CREATE TABLE mission_proposals (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    mission_id BIGINT NOT NULL REFERENCES missions(id) ON DELETE CASCADE,
    proposed_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    sent_at {ts} NOT NULL
);
CREATE UNIQUE INDEX mission_proposals_member_mission ON mission_proposals (tenant_id, user_id, mission_id);
CREATE INDEX mission_proposals_member_sent ON mission_proposals (tenant_id, user_id, sent_at)
"#;

const DOWN: &str = r#"
DROP INDEX mission_proposals_member_sent;
DROP INDEX mission_proposals_member_mission;
DROP TABLE mission_proposals;
DROP INDEX profiles_tenant_findable;
ALTER TABLE profiles DROP COLUMN findable;
DROP INDEX profiles_tenant_missions;
ALTER TABLE profiles DROP COLUMN email_locale;
ALTER TABLE profiles DROP COLUMN email_missions;
ALTER TABLE profiles DROP COLUMN remote_ok
"#;

scripted!();
