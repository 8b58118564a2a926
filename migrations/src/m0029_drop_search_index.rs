//! The database's full-text index goes: searches match in memory since the catalogues index
//! their missions' texts when they load (`store::catalogue::text`), so `mission_search` was
//! written on every mission write and read by nothing. With it go the tenants' `search_key`
//! (the SQLite index's rowid partition) and `search_analyzer` (the analysis that built it):
//! the in-memory index is built by the running code's analysis every time.
//!
//! Down puts back an empty index and columns whose values make the earlier code rebuild the
//! index at its next start (an analyzer version no code wrote).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &str = "
DROP TABLE mission_search;
DROP INDEX tenants_search_key;
ALTER TABLE tenants DROP COLUMN search_key;
ALTER TABLE tenants DROP COLUMN search_analyzer
";

const POSTGRES_UP: &str = "
DROP TABLE mission_search;
ALTER TABLE tenants DROP COLUMN search_key;
ALTER TABLE tenants DROP COLUMN search_analyzer
";

const COLUMNS_DOWN: &str = "
ALTER TABLE tenants ADD COLUMN search_analyzer INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN search_key INTEGER;
CREATE UNIQUE INDEX tenants_search_key ON tenants (search_key);
UPDATE tenants SET search_key = (SELECT COUNT(*) FROM tenants t WHERE t.code <= tenants.code)
";

const SQLITE_DOWN: &str = "
CREATE VIRTUAL TABLE mission_search USING fts5(
    body,
    tokenize = 'unicode61 remove_diacritics 2',
    content = '',
    contentless_delete = 1
)
";

const POSTGRES_DOWN: &str = "
CREATE TABLE mission_search (
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    mission_id BIGINT NOT NULL,
    locale VARCHAR(5) NOT NULL,
    body TEXT NOT NULL,
    tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED,
    PRIMARY KEY (tenant_id, mission_id, locale),
    FOREIGN KEY (tenant_id, mission_id) REFERENCES missions (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX mission_search_tenant_tsv ON mission_search USING GIN (tenant_id, locale, tsv);
ALTER TABLE mission_search ENABLE ROW LEVEL SECURITY;
ALTER TABLE mission_search FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON mission_search USING ({rule}) WITH CHECK ({rule})
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => crate::run_script(manager, POSTGRES_UP).await,
            _ => crate::run_script(manager, SQLITE_UP).await,
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_script(manager, COLUMNS_DOWN).await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                let script = POSTGRES_DOWN.replace("{rule}", crate::TENANT_ROWS_RULE);
                crate::run_script(manager, &script).await
            }
            _ => crate::run_script(manager, SQLITE_DOWN).await,
        }
    }
}
