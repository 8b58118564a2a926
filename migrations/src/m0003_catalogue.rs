//! The mission catalogue kept in memory per tenant (`store::Catalogue`) is checked against
//! `tenants.catalogue_version`, bumped by every write to missions, organisations and cities.
//!
//! On SQLite the full-text table is rebuilt contentless (it only holds the index: the texts
//! live in `mission_texts`) with full detail, and partitioned by rowid: a row's rowid is
//! `search_key << 40 | mission_id << 2 | locale`, where `tenants.search_key` is a small number
//! per tenant. A search asks for the tenant's rowid range, which FTS5 seeks to inside every
//! posting list, and reads the mission and locale back from the rowid (no table lookup). Full
//! detail because `bm25` over `detail = column` re-tokenized every matching document (8 ms for
//! 415 matches against under 1 ms). The rows are derived data, refilled at start-up
//! (`Missions::rebuild_search_index`).
//!
//! On PostgreSQL the GIN index leads with the tenant and locale (`btree_gin`, a trusted
//! extension shipped with PostgreSQL), so the index scan visits only the tenant's postings:
//! 5.4 ms -> 0.3 ms for the index part of a two-word search over 100,000 missions.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_catalogue"
    }
}

const VERSION_UP: &str = r#"
ALTER TABLE tenants ADD COLUMN catalogue_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN search_key INTEGER;
CREATE UNIQUE INDEX tenants_search_key ON tenants (search_key)
"#;

const SQLITE_SEARCH_UP: &str = r#"
DROP TABLE mission_search;
CREATE VIRTUAL TABLE mission_search USING fts5(
    body,
    tokenize = 'unicode61 remove_diacritics 2',
    content = '',
    contentless_delete = 1
);
UPDATE tenants SET search_key = (SELECT COUNT(*) FROM tenants t WHERE t.code <= tenants.code)
"#;

const SQLITE_SEARCH_DOWN: &str = r#"
DROP TABLE mission_search;
CREATE VIRTUAL TABLE mission_search USING fts5(
    body,
    tenant_id UNINDEXED,
    mission_id UNINDEXED,
    locale UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2',
    detail = column
)
"#;

const POSTGRES_SEARCH_UP: &str = r#"
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX mission_search_tenant_tsv ON mission_search USING GIN (tenant_id, locale, tsv);
DROP INDEX mission_search_tsv
"#;

const POSTGRES_SEARCH_DOWN: &str = r#"
CREATE INDEX mission_search_tsv ON mission_search USING GIN (tsv);
DROP INDEX mission_search_tenant_tsv
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_script(manager, VERSION_UP).await?;
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => crate::run_script(manager, SQLITE_SEARCH_UP).await?,
            DatabaseBackend::Postgres => crate::run_script(manager, POSTGRES_SEARCH_UP).await?,
            _ => {}
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => crate::run_script(manager, SQLITE_SEARCH_DOWN).await?,
            DatabaseBackend::Postgres => crate::run_script(manager, POSTGRES_SEARCH_DOWN).await?,
            _ => {}
        }
        crate::run_script(
            manager,
            "DROP INDEX tenants_search_key; ALTER TABLE tenants DROP COLUMN search_key; \
             ALTER TABLE tenants DROP COLUMN catalogue_version",
        )
        .await
    }
}
