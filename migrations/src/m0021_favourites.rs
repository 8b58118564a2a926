//! Favourites: the missions a member saved, to find them again and to be told when one
//! closes. One row per member and mission, with the language of the page it was saved on
//! (the one the member is written to); a mission's savers are read when it closes.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE favourites (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    mission_id BIGINT NOT NULL REFERENCES missions(id) ON DELETE CASCADE,
    locale VARCHAR(5) NOT NULL,
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX favourites_member_mission ON favourites (tenant_id, user_id, mission_id);
CREATE INDEX favourites_mission ON favourites (tenant_id, mission_id)
"#;

const DOWN: &str = r#"
DROP INDEX favourites_mission;
DROP INDEX favourites_member_mission;
DROP TABLE favourites
"#;

scripted!();
