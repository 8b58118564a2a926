//! A city's own words, written by the country operator who adds or edits it from the console
//! (cities from the tenant file start with none).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
ALTER TABLE cities ADD COLUMN description TEXT NOT NULL DEFAULT ''
"#;

const DOWN: &str = r#"
ALTER TABLE cities DROP COLUMN description
"#;

scripted!();
