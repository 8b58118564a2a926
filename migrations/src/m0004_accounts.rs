//! Accounts: terms consent and a session generation on users, one-time account tokens (email
//! verification, password reset, email change), database sessions (when Redis is not
//! configured) and memberships (a user's role in a tenant, optionally for a city or an
//! organisation).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_accounts"
    }
}

const UP: &str = r#"
ALTER TABLE users ADD COLUMN terms_accepted_at {ts};
ALTER TABLE users ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0;

CREATE TABLE account_tokens (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose VARCHAR(16) NOT NULL,
    token_hash VARCHAR(64) NOT NULL,
    new_email VARCHAR(254),
    expires_at {ts} NOT NULL,
    used_at {ts},
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX account_tokens_tenant_token ON account_tokens (tenant_id, token_hash);
CREATE INDEX account_tokens_tenant_user ON account_tokens (tenant_id, user_id, purpose);

CREATE TABLE sessions (
    id_hash VARCHAR(64) PRIMARY KEY,
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_secret VARCHAR(64) NOT NULL,
    generation INTEGER NOT NULL,
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL
);
CREATE INDEX sessions_tenant_user ON sessions (tenant_id, user_id);
CREATE INDEX sessions_tenant_expires ON sessions (tenant_id, expires_at);

CREATE TABLE memberships (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role VARCHAR(32) NOT NULL,
    city_id BIGINT REFERENCES cities(id),
    organisation_id BIGINT REFERENCES organisations(id),
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX memberships_tenant_user_role_scope
    ON memberships (tenant_id, user_id, role, COALESCE(city_id, 0), COALESCE(organisation_id, 0));
CREATE INDEX memberships_tenant_city ON memberships (tenant_id, city_id)
"#;

const DOWN: &str = r#"
DROP TABLE memberships;
DROP TABLE sessions;
DROP TABLE account_tokens;
ALTER TABLE users DROP COLUMN session_generation;
ALTER TABLE users DROP COLUMN terms_accepted_at
"#;

scripted!();
