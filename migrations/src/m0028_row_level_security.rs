//! Row-level security, the second wall around each tenant's rows (the first is the
//! tenant-bound repositories): on every tenant-owned table (one with a `tenant_id` column) a
//! policy lets a statement see and write only the rows of the tenant named by the setting
//! `app.tenant_id`, and `FORCE ROW LEVEL SECURITY` holds the table's owner (the app's role)
//! to it too. The app sets it per transaction (`set_config(..., true)`, so it holds through
//! PgBouncer in transaction mode); the work that crosses tenants (the outbox's delivery, the
//! staff console's figures, the portal's search) sets `app.all_tenants` to `on` instead, and
//! only the store's cross-tenant repositories do. Without either setting a statement sees no
//! row and may write none.
//!
//! Superusers and roles with `BYPASSRLS` are not held by any policy: the app must connect as
//! an ordinary role (the owner of its tables), as `deploy/` does.
//!
//! PostgreSQL only: SQLite has no row-level security.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The rows a statement may see or write: its tenant's, or every tenant's when the work
/// says it crosses them.
pub const RULE: &str = "tenant_id = current_setting('app.tenant_id', true) \
    OR current_setting('app.all_tenants', true) = 'on'";

/// One pass over the tenant-owned tables, `{body}` run for each (`r.tbl`).
const EACH_TABLE: &str = "
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN {owned} SELECT rel::regclass AS tbl FROM owned LOOP
{body}
    END LOOP;
END
$$";

const UP: &str = "
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', r.tbl);
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', r.tbl);
        EXECUTE format('CREATE POLICY tenant_rows ON %s USING ({rule}) WITH CHECK ({rule})', r.tbl);";

const DOWN: &str = "
        EXECUTE format('DROP POLICY IF EXISTS tenant_rows ON %s', r.tbl);
        EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', r.tbl);
        EXECUTE format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY', r.tbl);";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, DOWN).await
    }
}

/// `body` for each tenant-owned table, through the keys migration's runner (PostgreSQL only);
/// inside `format()` the rule's quotes are doubled.
async fn run(manager: &SchemaManager<'_>, body: &str) -> Result<(), DbErr> {
    let body = body.replace("{rule}", &RULE.replace('\'', "''"));
    crate::m0027_distribution_keys::run(manager, &EACH_TABLE.replace("{body}", &body)).await
}
