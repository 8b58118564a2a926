//! "Missions pour vous", by email and with remote missions or not: whether the member accepts
//! remote missions (they did, implicitly, until now: on by default), whether they asked for
//! the weekly selection of missions by email (opt-in: off), and the language of the page where
//! they last chose their emails (the language that selection is written in).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
ALTER TABLE profiles ADD COLUMN remote_ok {bool} NOT NULL DEFAULT {true};
ALTER TABLE profiles ADD COLUMN email_missions {bool} NOT NULL DEFAULT {false};
ALTER TABLE profiles ADD COLUMN email_locale VARCHAR(5);
CREATE INDEX profiles_tenant_missions ON profiles (tenant_id, email_missions)
"#;

const DOWN: &str = r#"
DROP INDEX profiles_tenant_missions;
ALTER TABLE profiles DROP COLUMN email_locale;
ALTER TABLE profiles DROP COLUMN email_missions;
ALTER TABLE profiles DROP COLUMN remote_ok
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_script(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_script(manager, DOWN).await
    }
}
