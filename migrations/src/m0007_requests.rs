//! Requests: a member answers a mission, proposes a project or offers their profile to a city.
//! Each request has one conversation (`request_messages`), a read mark per reader
//! (`request_reads`, for unread counts) and, 15 days on, a satisfaction survey (`surveys`,
//! token stored hashed, one answer). `due_at` is the tenant's promised response date; the
//! delay job stamps `reminded_at`, `escalated_at` and `survey_sent_at` once each.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_requests"
    }
}

const UP: &str = r#"
CREATE TABLE requests (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    kind VARCHAR(16) NOT NULL,
    member_user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    mission_id BIGINT REFERENCES missions(id),
    organisation_id BIGINT REFERENCES organisations(id),
    city_id BIGINT NOT NULL REFERENCES cities(id),
    state VARCHAR(16) NOT NULL,
    locale VARCHAR(5) NOT NULL,
    title VARCHAR(200) NOT NULL,
    body TEXT NOT NULL,
    offer TEXT NOT NULL,
    contribution VARCHAR(64),
    available_from {date},
    available_to {date},
    domain VARCHAR(64),
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    due_at {ts} NOT NULL,
    reminded_at {ts},
    escalated_at {ts},
    survey_sent_at {ts}
);
CREATE INDEX requests_tenant_member ON requests (tenant_id, member_user_id, updated_at);
CREATE INDEX requests_tenant_organisation ON requests (tenant_id, organisation_id, updated_at);
CREATE INDEX requests_tenant_city ON requests (tenant_id, city_id, updated_at);
CREATE INDEX requests_tenant_due ON requests (tenant_id, state, due_at);
CREATE INDEX requests_tenant_created ON requests (tenant_id, created_at);

CREATE TABLE request_messages (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    request_id BIGINT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    author_user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    created_at {ts} NOT NULL
);
CREATE INDEX request_messages_tenant_request ON request_messages (tenant_id, request_id, created_at);

CREATE TABLE request_reads (
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    request_id BIGINT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    last_read_at {ts} NOT NULL,
    PRIMARY KEY (tenant_id, request_id, user_id)
);
CREATE INDEX request_reads_tenant_user ON request_reads (tenant_id, user_id);

CREATE TABLE surveys (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    request_id BIGINT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    organisation_id BIGINT REFERENCES organisations(id),
    token_hash VARCHAR(64) NOT NULL,
    score INTEGER,
    comment TEXT,
    expires_at {ts} NOT NULL,
    answered_at {ts},
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX surveys_tenant_token ON surveys (tenant_id, token_hash);
CREATE UNIQUE INDEX surveys_tenant_request ON surveys (tenant_id, request_id);
CREATE INDEX surveys_tenant_organisation ON surveys (tenant_id, organisation_id)
"#;

const DOWN: &str = r#"
DROP TABLE surveys;
DROP TABLE request_reads;
DROP TABLE request_messages;
DROP TABLE requests
"#;

scripted!();
