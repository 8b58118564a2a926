//! The journal of administrative actions: who did what to what, when, on which tenant.
//! Append-only: the store writes rows and reads them, never changes or deletes one.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE audit_log (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    actor_user_id BIGINT,
    actor VARCHAR(254) NOT NULL,
    action VARCHAR(40) NOT NULL,
    target_kind VARCHAR(20) NOT NULL,
    target_id BIGINT,
    target VARCHAR(200) NOT NULL,
    detail TEXT NOT NULL,
    created_at {ts} NOT NULL
);
CREATE INDEX audit_log_tenant_time ON audit_log (tenant_id, created_at, id);
CREATE INDEX audit_log_time ON audit_log (created_at, id)
"#;

const DOWN: &str = r#"
DROP INDEX audit_log_time;
DROP INDEX audit_log_tenant_time;
DROP TABLE audit_log
"#;

scripted!();
