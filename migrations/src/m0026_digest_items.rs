//! What a recurring email listed (the ids of the weekly email's missions), so that the next
//! one lists only what the member has not been sent yet.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = "ALTER TABLE digest_sends ADD COLUMN items TEXT NOT NULL DEFAULT ''";

const DOWN: &str = "ALTER TABLE digest_sends DROP COLUMN items";

scripted!();
