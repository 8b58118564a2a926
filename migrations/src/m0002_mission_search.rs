//! The full-text index of missions: one row per mission text (tenant, mission, locale) whose
//! `body` holds the analysed terms (accents folded, stemmed in Rust, see `domain::search`).
//! SQLite indexes it with FTS5, PostgreSQL with a `tsvector` and a GIN index.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_mission_search"
    }
}

const SQLITE_UP: &str = r#"
CREATE VIRTUAL TABLE mission_search USING fts5(
    body,
    tenant_id UNINDEXED,
    mission_id UNINDEXED,
    locale UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2',
    detail = column
)
"#;

const POSTGRES_UP: &str = r#"
CREATE TABLE mission_search (
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    mission_id BIGINT NOT NULL REFERENCES missions(id) ON DELETE CASCADE,
    locale VARCHAR(5) NOT NULL,
    body TEXT NOT NULL,
    tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED,
    PRIMARY KEY (tenant_id, mission_id, locale)
);
CREATE INDEX mission_search_tsv ON mission_search USING GIN (tsv);
CREATE INDEX missions_tenant_open ON missions (tenant_id, status, ends_on, starts_on)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => crate::run_script(manager, POSTGRES_UP).await,
            _ => {
                crate::run_script(manager, SQLITE_UP).await?;
                crate::run_script(
                    manager,
                    "CREATE INDEX missions_tenant_open ON missions (tenant_id, status, ends_on, starts_on)",
                )
                .await
            }
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_script(
            manager,
            "DROP INDEX missions_tenant_open; DROP TABLE mission_search",
        )
        .await
    }
}
