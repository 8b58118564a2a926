//! Translations of a mission drafted by the assistant (an LLM) into the site's other
//! languages, kept apart from the mission's texts until a person reviews them: `drafted`
//! (waiting for review), `failed` (the LLM gave no usable answer; tried again later) or
//! `discarded` (the reviewer did not want it; not drafted again until the source changes).
//! One row per mission and language.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE mission_translations (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    mission_id BIGINT NOT NULL REFERENCES missions(id) ON DELETE CASCADE,
    locale VARCHAR(5) NOT NULL,
    state VARCHAR(12) NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    description TEXT NOT NULL,
    engine VARCHAR(40) NOT NULL,
    attempted_at {ts} NOT NULL
);
CREATE UNIQUE INDEX mission_translations_mission_locale ON mission_translations (tenant_id, mission_id, locale)
"#;

const DOWN: &str = r#"
DROP INDEX mission_translations_mission_locale;
DROP TABLE mission_translations
"#;

scripted!();
