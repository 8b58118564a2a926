//! An organisation's logo: the blob key of the PNG made from the uploaded image ('' for none).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
ALTER TABLE organisations ADD COLUMN logo_key VARCHAR(200) NOT NULL DEFAULT ''
"#;

const DOWN: &str = r#"
ALTER TABLE organisations DROP COLUMN logo_key
"#;

scripted!();
