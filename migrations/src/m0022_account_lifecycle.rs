//! The account's life cycle: when the member was last seen (for the inactivity rule), when an
//! inactive account was warned, when an account was deleted (the row stays, anonymised, so the
//! conversations it took part in keep their other side), and every consent the member gave or
//! withdrew (terms, emails) with its date and version.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
ALTER TABLE users ADD COLUMN last_seen_at {ts};
ALTER TABLE users ADD COLUMN inactivity_warned_at {ts};
ALTER TABLE users ADD COLUMN deleted_at {ts};
CREATE INDEX users_tenant_seen ON users (tenant_id, last_seen_at);
CREATE TABLE consents (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind VARCHAR(32) NOT NULL,
    version VARCHAR(32) NOT NULL,
    granted {bool} NOT NULL,
    recorded_at {ts} NOT NULL
);
CREATE INDEX consents_tenant_user ON consents (tenant_id, user_id, recorded_at);
INSERT INTO consents (tenant_id, user_id, kind, version, granted, recorded_at)
    SELECT tenant_id, id, 'terms', 'before-2026-12', {true}, terms_accepted_at
    FROM users WHERE terms_accepted_at IS NOT NULL
"#;

const DOWN: &str = r#"
DROP INDEX consents_tenant_user;
DROP TABLE consents;
DROP INDEX users_tenant_seen;
ALTER TABLE users DROP COLUMN deleted_at;
ALTER TABLE users DROP COLUMN inactivity_warned_at;
ALTER TABLE users DROP COLUMN last_seen_at
"#;

scripted!();
