//! Personal access tokens for the write API: named by their member, shown once, stored as
//! their SHA-256, bound to one tenant, revocable.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE access_tokens (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name VARCHAR(80) NOT NULL,
    token_hash VARCHAR(64) NOT NULL,
    prefix VARCHAR(16) NOT NULL,
    created_at {ts} NOT NULL,
    last_used_at {ts},
    revoked_at {ts}
);
CREATE UNIQUE INDEX access_tokens_tenant_hash ON access_tokens (tenant_id, token_hash);
CREATE INDEX access_tokens_tenant_user ON access_tokens (tenant_id, user_id)
"#;

const DOWN: &str = r#"
DROP INDEX access_tokens_tenant_user;
DROP INDEX access_tokens_tenant_hash;
DROP TABLE access_tokens
"#;

scripted!();
