//! One table for every invitation, whatever role it grants: a focal point of a city, a country
//! operator, and the roles of an organisation that come next. `scope_key` names what the role
//! is held on (`city:<id>`, `organisation:<id>`, `country`) so one unique index covers every
//! kind: one invitation per (tenant, role, scope, email). The two earlier tables are copied in
//! and dropped.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE invitations (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    role VARCHAR(32) NOT NULL,
    scope_key VARCHAR(40) NOT NULL,
    city_id BIGINT REFERENCES cities(id),
    organisation_id BIGINT REFERENCES organisations(id),
    name TEXT NOT NULL,
    email VARCHAR(254) NOT NULL,
    token_hash VARCHAR(64) NOT NULL,
    expires_at {ts} NOT NULL,
    accepted_at {ts},
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX invitations_tenant_role_scope_email
    ON invitations (tenant_id, role, scope_key, email);
CREATE UNIQUE INDEX invitations_token ON invitations (token_hash);
CREATE INDEX invitations_tenant_city ON invitations (tenant_id, city_id);
CREATE INDEX invitations_tenant_organisation ON invitations (tenant_id, organisation_id);
INSERT INTO invitations
    (tenant_id, role, scope_key, city_id, organisation_id, name, email, token_hash, expires_at,
     accepted_at, created_at)
    SELECT tenant_id, 'focal_point', 'city:' || CAST(city_id AS VARCHAR(20)), city_id, NULL,
           name, email, token_hash, expires_at, accepted_at, created_at
    FROM focal_point_invitations ORDER BY id;
INSERT INTO invitations
    (tenant_id, role, scope_key, city_id, organisation_id, name, email, token_hash, expires_at,
     accepted_at, created_at)
    SELECT tenant_id, 'country_operator', 'country', NULL, NULL,
           name, email, token_hash, expires_at, accepted_at, created_at
    FROM operator_invitations ORDER BY id;
DROP TABLE focal_point_invitations;
DROP TABLE operator_invitations
"#;

const DOWN: &str = r#"
CREATE TABLE focal_point_invitations (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    city_id BIGINT NOT NULL REFERENCES cities(id),
    name TEXT NOT NULL,
    email VARCHAR(254) NOT NULL,
    token_hash VARCHAR(64) NOT NULL,
    expires_at {ts} NOT NULL,
    accepted_at {ts},
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX focal_point_invitations_tenant_city_email
    ON focal_point_invitations (tenant_id, city_id, email);
CREATE UNIQUE INDEX focal_point_invitations_token ON focal_point_invitations (token_hash);
CREATE TABLE operator_invitations (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    name TEXT NOT NULL,
    email VARCHAR(254) NOT NULL,
    token_hash VARCHAR(64) NOT NULL,
    expires_at {ts} NOT NULL,
    accepted_at {ts},
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX operator_invitations_tenant_email ON operator_invitations (tenant_id, email);
CREATE UNIQUE INDEX operator_invitations_tenant_token ON operator_invitations (tenant_id, token_hash);
INSERT INTO focal_point_invitations
    (tenant_id, city_id, name, email, token_hash, expires_at, accepted_at, created_at)
    SELECT tenant_id, city_id, name, email, token_hash, expires_at, accepted_at, created_at
    FROM invitations WHERE role = 'focal_point' ORDER BY id;
INSERT INTO operator_invitations
    (tenant_id, name, email, token_hash, expires_at, accepted_at, created_at)
    SELECT tenant_id, name, email, token_hash, expires_at, accepted_at, created_at
    FROM invitations WHERE role = 'country_operator' ORDER BY id;
DROP TABLE invitations
"#;

scripted!();
