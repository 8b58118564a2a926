//! The triage of each request, as the assistant read it: its topic (a domain slug), its
//! urgency (0 low, 1 normal, 2 high: the inbox sorts on the number), the language it is
//! written in, a suggested reply in that language, and which engine decided (`offline`, or
//! the LLM's model once it has refined the offline reading). Requests sent before this are
//! triaged by the `request_triage` job; until then the columns are empty.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
ALTER TABLE requests ADD COLUMN topic VARCHAR(64);
ALTER TABLE requests ADD COLUMN urgency INTEGER;
ALTER TABLE requests ADD COLUMN language VARCHAR(8);
ALTER TABLE requests ADD COLUMN suggested_reply TEXT;
ALTER TABLE requests ADD COLUMN triaged_by VARCHAR(64);
CREATE INDEX requests_tenant_triaged ON requests (tenant_id, triaged_by)
"#;

const DOWN: &str = r#"
DROP INDEX requests_tenant_triaged;
ALTER TABLE requests DROP COLUMN triaged_by;
ALTER TABLE requests DROP COLUMN suggested_reply;
ALTER TABLE requests DROP COLUMN language;
ALTER TABLE requests DROP COLUMN urgency;
ALTER TABLE requests DROP COLUMN topic
"#;

scripted!();
