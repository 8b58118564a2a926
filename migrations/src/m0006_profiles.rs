//! Member profiles (one row per user: residence, home city, skills, languages, interests,
//! phone, optional email preferences), stays (date ranges with the cities visited) and
//! country-operator invitations (like the focal-point ones, without a city).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_profiles"
    }
}

const UP: &str = r#"
CREATE TABLE profiles (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    country_of_residence TEXT NOT NULL DEFAULT '',
    home_city_id BIGINT REFERENCES cities(id),
    home_city_other TEXT NOT NULL DEFAULT '',
    skills TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '',
    domains TEXT NOT NULL DEFAULT '',
    contributions TEXT NOT NULL DEFAULT '',
    phone VARCHAR(32) NOT NULL DEFAULT '',
    email_campaigns {bool} NOT NULL DEFAULT {false},
    email_reminders {bool} NOT NULL DEFAULT {true},
    updated_at {ts} NOT NULL
);
CREATE UNIQUE INDEX profiles_tenant_user ON profiles (tenant_id, user_id);

CREATE TABLE stays (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    starts_on {date} NOT NULL,
    ends_on {date} NOT NULL,
    created_at {ts} NOT NULL
);
CREATE INDEX stays_tenant_user ON stays (tenant_id, user_id, starts_on);

CREATE TABLE stay_cities (
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    stay_id BIGINT NOT NULL REFERENCES stays(id) ON DELETE CASCADE,
    city_id BIGINT NOT NULL REFERENCES cities(id),
    PRIMARY KEY (tenant_id, stay_id, city_id)
);

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
CREATE UNIQUE INDEX operator_invitations_tenant_token ON operator_invitations (tenant_id, token_hash)
"#;

const DOWN: &str = r#"
DROP TABLE operator_invitations;
DROP TABLE stay_cities;
DROP TABLE stays;
DROP TABLE profiles
"#;

scripted!();
