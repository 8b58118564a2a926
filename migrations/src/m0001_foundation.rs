//! Tenants, cities, focal-point invitations, users, organisations, missions and the email outbox.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_foundation"
    }
}

const UP: &str = r#"
CREATE TABLE tenants (
    code VARCHAR(12) PRIMARY KEY,
    kind VARCHAR(16) NOT NULL,
    name TEXT NOT NULL,
    canonical_domain TEXT NOT NULL,
    synced_at {ts} NOT NULL
);

CREATE TABLE cities (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    slug VARCHAR(120) NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT,
    name_ar TEXT,
    region TEXT NOT NULL,
    latitude {float} NOT NULL,
    longitude {float} NOT NULL,
    position INTEGER NOT NULL,
    source VARCHAR(16) NOT NULL,
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX cities_tenant_slug ON cities (tenant_id, slug);
CREATE UNIQUE INDEX cities_tenant_id ON cities (tenant_id, id);

CREATE TABLE users (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    email VARCHAR(254) NOT NULL,
    password_hash TEXT,
    display_name TEXT NOT NULL,
    is_staff {bool} NOT NULL DEFAULT {false},
    email_verified_at {ts},
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX users_tenant_email ON users (tenant_id, email);

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

CREATE TABLE organisations (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    city_id BIGINT NOT NULL REFERENCES cities(id),
    slug VARCHAR(120) NOT NULL,
    kind VARCHAR(32) NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    verified {bool} NOT NULL DEFAULT {false},
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX organisations_tenant_slug ON organisations (tenant_id, slug);

CREATE TABLE missions (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    city_id BIGINT NOT NULL REFERENCES cities(id),
    slug VARCHAR(120) NOT NULL,
    domain VARCHAR(64) NOT NULL,
    mission_type VARCHAR(64) NOT NULL,
    remote {bool} NOT NULL,
    urgent {bool} NOT NULL,
    featured {bool} NOT NULL,
    status VARCHAR(16) NOT NULL,
    starts_on {date} NOT NULL,
    ends_on {date} NOT NULL,
    skills TEXT NOT NULL,
    created_at {ts} NOT NULL,
    published_at {ts}
);
CREATE INDEX missions_tenant_status_starts ON missions (tenant_id, status, starts_on);
CREATE INDEX missions_tenant_city ON missions (tenant_id, city_id);
CREATE INDEX missions_tenant_organisation ON missions (tenant_id, organisation_id);
CREATE INDEX missions_tenant_domain ON missions (tenant_id, domain);

CREATE TABLE mission_texts (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    mission_id BIGINT NOT NULL REFERENCES missions(id) ON DELETE CASCADE,
    locale VARCHAR(5) NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    description TEXT NOT NULL
);
CREATE UNIQUE INDEX mission_texts_tenant_mission_locale ON mission_texts (tenant_id, mission_id, locale);

CREATE TABLE mission_contributions (
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    mission_id BIGINT NOT NULL REFERENCES missions(id) ON DELETE CASCADE,
    contribution VARCHAR(64) NOT NULL,
    PRIMARY KEY (tenant_id, mission_id, contribution)
);
CREATE INDEX mission_contributions_tenant_contribution ON mission_contributions (tenant_id, contribution);

CREATE TABLE email_outbox (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    kind VARCHAR(32) NOT NULL,
    to_address VARCHAR(254) NOT NULL,
    from_name TEXT NOT NULL,
    from_address VARCHAR(254) NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    status VARCHAR(16) NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {ts} NOT NULL,
    last_error TEXT,
    created_at {ts} NOT NULL,
    sent_at {ts}
);
CREATE INDEX email_outbox_tenant_created ON email_outbox (tenant_id, created_at);
CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at)
"#;

const DOWN: &str = r#"
DROP TABLE email_outbox;
DROP TABLE mission_contributions;
DROP TABLE mission_texts;
DROP TABLE missions;
DROP TABLE organisations;
DROP TABLE focal_point_invitations;
DROP TABLE users;
DROP TABLE cities;
DROP TABLE tenants
"#;

scripted!();
