//! The mission catalogue kept in memory per tenant (`store::Catalogue`) is checked against
//! `tenants.catalogue_version`, bumped by every write to missions, organisations and cities.
//! On SQLite the full-text table is rebuilt with `tenant_id` indexed, so a search intersects
//! the tenant's postings inside the index instead of filtering every match afterwards; its
//! rows are derived data, refilled at start-up (`Missions::rebuild_search_index`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_catalogue"
    }
}

const VERSION_UP: &str =
    "ALTER TABLE tenants ADD COLUMN catalogue_version BIGINT NOT NULL DEFAULT 0";

const SQLITE_SEARCH_UP: &str = r#"
DROP TABLE mission_search;
CREATE VIRTUAL TABLE mission_search USING fts5(
    body,
    tenant_id,
    mission_id UNINDEXED,
    locale UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
)
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_script(manager, VERSION_UP).await?;
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            crate::run_script(manager, SQLITE_SEARCH_UP).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            crate::run_script(manager, SQLITE_SEARCH_DOWN).await?;
        }
        crate::run_script(manager, "ALTER TABLE tenants DROP COLUMN catalogue_version").await
    }
}
