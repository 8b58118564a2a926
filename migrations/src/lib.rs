//! Schema migrations. Each migration is plain SQL written once with a few placeholders that
//! differ between SQLite and PostgreSQL (`{id}`, `{ts}`, `{bool}`, `{float}`, `{date}`).
//! Every tenant-owned table carries `tenant_id`, and its keys and indexes lead with it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

/// The `MigrationTrait` of a migration that is two scripts, its module's `UP` and `DOWN`
/// (run by `run_script`). Its `Migration` struct stays in its file, where
/// `DeriveMigrationName` names it after the file: a migration's name never changes.
macro_rules! scripted {
    () => {
        #[async_trait::async_trait]
        impl MigrationTrait for Migration {
            async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                crate::run_script(manager, UP).await
            }

            async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                crate::run_script(manager, DOWN).await
            }
        }
    };
}

mod m0001_foundation;
mod m0002_mission_search;
mod m0003_catalogue;
mod m0004_accounts;
mod m0005_mission_photos;
mod m0006_profiles;
mod m0007_requests;
mod m0008_invitations;
mod m0009_organisation_registration;
mod m0010_organisation_logo;
mod m0011_mission_lifecycle;
mod m0012_access_tokens;
mod m0013_search_analyzer;
mod m0014_city_description;
mod m0015_audit_log;
mod m0016_digests;
mod m0017_moderation;
mod m0018_city_management;
mod m0019_news;
mod m0020_pages;
mod m0021_favourites;
mod m0022_account_lifecycle;
mod m0023_request_triage;
mod m0024_missions_email;
mod m0025_mission_translations;
mod m0026_digest_items;
mod m0027_distribution_keys;
mod m0028_row_level_security;
mod m0029_drop_search_index;

/// The tenant-owned tables, as a PostgreSQL CTE (`m0027_distribution_keys`).
pub use m0027_distribution_keys::OWNED as TENANT_OWNED_TABLES;
/// The row-level security policy's rule (`m0028_row_level_security`).
pub use m0028_row_level_security::RULE as TENANT_ROWS_RULE;

pub use sea_orm_migration::MigratorTrait;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_mission_search::Migration),
            Box::new(m0003_catalogue::Migration),
            Box::new(m0004_accounts::Migration),
            Box::new(m0005_mission_photos::Migration),
            Box::new(m0006_profiles::Migration),
            Box::new(m0007_requests::Migration),
            Box::new(m0008_invitations::Migration),
            Box::new(m0009_organisation_registration::Migration),
            Box::new(m0010_organisation_logo::Migration),
            Box::new(m0011_mission_lifecycle::Migration),
            Box::new(m0012_access_tokens::Migration),
            Box::new(m0013_search_analyzer::Migration),
            Box::new(m0014_city_description::Migration),
            Box::new(m0015_audit_log::Migration),
            Box::new(m0016_digests::Migration),
            Box::new(m0017_moderation::Migration),
            Box::new(m0018_city_management::Migration),
            Box::new(m0019_news::Migration),
            Box::new(m0020_pages::Migration),
            Box::new(m0021_favourites::Migration),
            Box::new(m0022_account_lifecycle::Migration),
            Box::new(m0023_request_triage::Migration),
            Box::new(m0024_missions_email::Migration),
            Box::new(m0025_mission_translations::Migration),
            Box::new(m0026_digest_items::Migration),
            Box::new(m0027_distribution_keys::Migration),
            Box::new(m0028_row_level_security::Migration),
            Box::new(m0029_drop_search_index::Migration),
        ]
    }
}

/// Runs a `;`-separated script after filling in the backend's column types.
pub(crate) async fn run_script(manager: &SchemaManager<'_>, script: &str) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    let sql = render(script, backend);
    let db = manager.get_connection();
    for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}

fn render(script: &str, backend: DatabaseBackend) -> String {
    let types: &[(&str, &str)] = match backend {
        DatabaseBackend::Postgres => &[
            ("{id}", "BIGSERIAL PRIMARY KEY"),
            ("{ts}", "TIMESTAMPTZ"),
            ("{bool}", "BOOLEAN"),
            ("{float}", "DOUBLE PRECISION"),
            ("{date}", "DATE"),
            ("{false}", "FALSE"),
            ("{true}", "TRUE"),
        ],
        _ => &[
            ("{id}", "INTEGER PRIMARY KEY AUTOINCREMENT"),
            ("{ts}", "TEXT"),
            ("{bool}", "BOOLEAN"),
            ("{float}", "REAL"),
            ("{date}", "TEXT"),
            ("{false}", "0"),
            ("{true}", "1"),
        ],
    };
    types
        .iter()
        .fold(script.to_owned(), |sql, (placeholder, ty)| {
            sql.replace(placeholder, ty)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A migration's name is what a database records as applied: each is its file's name, in
    /// order, whatever writes its `MigrationTrait`.
    #[test]
    fn each_migration_is_named_after_its_file_in_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("src")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|f| f.starts_with('m') && f.ends_with(".rs") && f != "mod.rs")
            .map(|f| f.trim_end_matches(".rs").to_owned())
            .collect();
        files.sort();
        let names: Vec<String> = Migrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        assert_eq!(names, files);
        assert_eq!(names.first().map(String::as_str), Some("m0001_foundation"));
    }
}
