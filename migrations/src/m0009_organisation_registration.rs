//! Organisations registered by members: a review status (`pending`, `verified`, `refused`,
//! `suspended`) with its reason and reviewer, public contact details and the facilities they
//! offer. Existing organisations keep their state: verified ones become `verified`, the others
//! `pending`. `verified` stays, kept equal to `status = 'verified'` by the repository, for the
//! readers that only need the badge.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
ALTER TABLE organisations ADD COLUMN status VARCHAR(16) NOT NULL DEFAULT 'pending';
ALTER TABLE organisations ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN reviewed_by BIGINT;
ALTER TABLE organisations ADD COLUMN reviewed_at {ts};
ALTER TABLE organisations ADD COLUMN created_by BIGINT;
ALTER TABLE organisations ADD COLUMN website TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN public_email VARCHAR(254) NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN phone VARCHAR(40) NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN facilities TEXT NOT NULL DEFAULT '';
UPDATE organisations SET status = 'verified' WHERE verified = {true};
CREATE INDEX organisations_tenant_status ON organisations (tenant_id, status)
"#;

const DOWN: &str = r#"
DROP INDEX organisations_tenant_status;
ALTER TABLE organisations DROP COLUMN facilities;
ALTER TABLE organisations DROP COLUMN phone;
ALTER TABLE organisations DROP COLUMN public_email;
ALTER TABLE organisations DROP COLUMN website;
ALTER TABLE organisations DROP COLUMN created_by;
ALTER TABLE organisations DROP COLUMN reviewed_at;
ALTER TABLE organisations DROP COLUMN reviewed_by;
ALTER TABLE organisations DROP COLUMN status_reason;
ALTER TABLE organisations DROP COLUMN status
"#;

scripted!();
