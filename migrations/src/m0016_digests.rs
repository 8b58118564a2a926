//! Which recurring emails (the focal points' weekday to-do) went to whom on which day: one
//! row per account, kind and local day, so N replicas and restarts send each one once.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE digest_sends (
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    user_id BIGINT NOT NULL,
    kind VARCHAR(20) NOT NULL,
    day {date} NOT NULL,
    sent_at {ts} NOT NULL,
    PRIMARY KEY (tenant_id, user_id, kind, day)
)
"#;

const DOWN: &str = "DROP TABLE digest_sends";

scripted!();
