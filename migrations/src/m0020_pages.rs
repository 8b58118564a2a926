//! Site pages edited from the console (FAQ, à propos, legal notices...): every edit is a new
//! row, never an update, so the history is kept and any version can be restored (a restore
//! is a new row naming the version it copies). The current page of a tenant, slug and locale
//! is its newest row; without one, the repository's default text of the theme.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE page_versions (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    slug VARCHAR(40) NOT NULL,
    locale VARCHAR(5) NOT NULL,
    body_markdown TEXT NOT NULL,
    author_user_id BIGINT NOT NULL,
    author_label VARCHAR(320) NOT NULL,
    created_at {ts} NOT NULL,
    restored_from BIGINT
);
CREATE INDEX page_versions_history ON page_versions (tenant_id, slug, locale, created_at, id)
"#;

const DOWN: &str = r#"
DROP INDEX page_versions_history;
DROP TABLE page_versions
"#;

scripted!();
