//! Cities managed from the country console: a photo (a card and a page variant), the time an
//! operator last edited a city (the tenant file sync then leaves its fields alone) and the
//! time it was retired (gone from the site, kept for its history; it can come back). An
//! invitation the operator withdraws (a focal point replaced) stays, marked, so the tenant file
//! sync does not send it again.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
ALTER TABLE cities ADD COLUMN photo_key TEXT NOT NULL DEFAULT '';
ALTER TABLE cities ADD COLUMN photo_card_key TEXT NOT NULL DEFAULT '';
ALTER TABLE cities ADD COLUMN edited_at {ts} NULL;
ALTER TABLE cities ADD COLUMN retired_at {ts} NULL;
ALTER TABLE invitations ADD COLUMN withdrawn_at {ts} NULL
"#;

const DOWN: &str = r#"
ALTER TABLE invitations DROP COLUMN withdrawn_at;
ALTER TABLE cities DROP COLUMN retired_at;
ALTER TABLE cities DROP COLUMN edited_at;
ALTER TABLE cities DROP COLUMN photo_card_key;
ALTER TABLE cities DROP COLUMN photo_key
"#;

scripted!();
