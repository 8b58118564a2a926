//! Which version of the text analysis (`jsap_domain::search::ANALYZER_VERSION`) built each
//! tenant's search index: a start-up finding an older one rebuilds the index.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
ALTER TABLE tenants ADD COLUMN search_analyzer INTEGER NOT NULL DEFAULT 1
"#;

const DOWN: &str = r#"
ALTER TABLE tenants DROP COLUMN search_analyzer
"#;

scripted!();
