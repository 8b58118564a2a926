//! Keys a distributed PostgreSQL can shard by tenant (Citus' rule): on every tenant-owned
//! table (one with a `tenant_id` column), the primary key and every unique index include
//! `tenant_id`, and a foreign key from one tenant-owned table to another carries it on both
//! sides, so a row can only point to a row of its own tenant. The ids stay global (one
//! sequence a table), so `WHERE id = ?` still finds one row and the entities do not change.
//!
//! PostgreSQL only: SQLite is the embedded default, one file on one machine, and never
//! distributed. The change reads the catalogue rather than naming each table, so it holds for
//! every table the earlier migrations made; `tests/it/schema.rs` checks the result the same way.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tenant-owned tables of the current schema and the number of their `tenant_id` column,
/// as a `WITH owned AS (rel, tenant_col)` to put before a catalogue query (the schema test
/// reads the catalogue through it too).
pub const OWNED: &str = "
    WITH owned AS (
        SELECT a.attrelid AS rel, a.attnum AS tenant_col
        FROM pg_attribute a
        JOIN pg_class t ON t.oid = a.attrelid
        WHERE a.attname = 'tenant_id' AND NOT a.attisdropped AND t.relkind = 'r'
          AND t.relnamespace = current_schema()::regnamespace
    )";

const UP: &str = "
DO $$
DECLARE
    r record;
    readd text[] := '{}';
    stmt text;
BEGIN
    -- 1. Foreign keys from a tenant-owned table to another one's key: dropped now (they
    --    depend on the primary keys about to change) and added back with tenant_id.
    FOR r IN {owned}
        SELECT c.conname, c.conrelid::regclass AS src, c.confrelid::regclass AS dst,
               a.attname AS col, d.attname AS dst_col, c.confdeltype AS on_delete
        FROM pg_constraint c
        JOIN owned s ON s.rel = c.conrelid
        JOIN owned o ON o.rel = c.confrelid
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_attribute d ON d.attrelid = c.confrelid AND d.attnum = c.confkey[1]
        WHERE c.contype = 'f' AND cardinality(c.conkey) = 1
        ORDER BY 1
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.src, r.conname);
        readd := readd || format(
            'ALTER TABLE %s ADD CONSTRAINT %I FOREIGN KEY (tenant_id, %I) REFERENCES %s (tenant_id, %I)%s',
            r.src, r.conname, r.col, r.dst, r.dst_col,
            CASE r.on_delete
                WHEN 'c' THEN ' ON DELETE CASCADE'
                -- Only the pointing column is emptied, never the row's tenant.
                WHEN 'n' THEN format(' ON DELETE SET NULL (%I)', r.col)
                ELSE ''
            END);
    END LOOP;

    -- 2. Primary keys without tenant_id get it in front. The old key stays indexed (not
    --    unique, which a distributed table allows): rows found by id alone (`find_by_id`,
    --    an entity's update, the outbox's delivery across tenants) are still one lookup.
    FOR r IN {owned}
        SELECT c.conname, c.conrelid::regclass AS tbl, t.relname,
               (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord)
                FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS cols,
               (SELECT string_agg(a.attname, '_' ORDER BY k.ord)
                FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS suffix
        FROM pg_constraint c
        JOIN owned o ON o.rel = c.conrelid
        JOIN pg_class t ON t.oid = c.conrelid
        WHERE c.contype = 'p' AND NOT (o.tenant_col = ANY (c.conkey))
        ORDER BY 2
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I PRIMARY KEY (tenant_id, %s)',
            r.tbl, r.conname, r.conname, r.cols);
        EXECUTE format('CREATE INDEX %I ON %s (%s)', r.relname || '_by_' || r.suffix, r.tbl, r.cols);
    END LOOP;

    -- 3. Unique indexes without tenant_id: made again with it in front, same name and
    --    predicate. An expression or a unique constraint here would need a hand: refuse.
    FOR r IN {owned}
        SELECT ic.relname AS name, i.indexrelid::regclass AS idx, i.indrelid::regclass AS tbl,
               (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord)
                FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) AS cols,
               0 = ANY (i.indkey::int2[]) AS expression,
               EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) AS constraint_backed,
               pg_get_expr(i.indpred, i.indrelid) AS predicate
        FROM pg_index i
        JOIN owned o ON o.rel = i.indrelid
        JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE i.indisunique AND NOT i.indisprimary AND NOT (o.tenant_col = ANY (i.indkey::int2[]))
        ORDER BY 1
    LOOP
        IF r.expression OR r.constraint_backed THEN
            RAISE EXCEPTION 'unique index % on % needs tenant_id by hand', r.name, r.tbl;
        END IF;
        EXECUTE format('DROP INDEX %s', r.idx);
        EXECUTE format('CREATE UNIQUE INDEX %I ON %s (tenant_id, %s)%s', r.name, r.tbl, r.cols,
            coalesce(' WHERE ' || r.predicate, ''));
    END LOOP;

    FOREACH stmt IN ARRAY readd LOOP
        EXECUTE stmt;
    END LOOP;
END
$$";

const DOWN: &str = "
DO $$
DECLARE
    r record;
    readd text[] := '{}';
    stmt text;
BEGIN
    -- Foreign keys of two columns, tenant_id first, go back to the pointing column alone.
    FOR r IN {owned}
        SELECT c.conname, c.conrelid::regclass AS src, c.confrelid::regclass AS dst,
               a.attname AS col, d.attname AS dst_col, c.confdeltype AS on_delete
        FROM pg_constraint c
        JOIN owned s ON s.rel = c.conrelid
        JOIN owned o ON o.rel = c.confrelid
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[2]
        JOIN pg_attribute d ON d.attrelid = c.confrelid AND d.attnum = c.confkey[2]
        WHERE c.contype = 'f' AND cardinality(c.conkey) = 2 AND c.conkey[1] = s.tenant_col
        ORDER BY 1
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.src, r.conname);
        readd := readd || format(
            'ALTER TABLE %s ADD CONSTRAINT %I FOREIGN KEY (%I) REFERENCES %s (%I)%s',
            r.src, r.conname, r.col, r.dst, r.dst_col,
            CASE r.on_delete WHEN 'c' THEN ' ON DELETE CASCADE'
                             WHEN 'n' THEN ' ON DELETE SET NULL' ELSE '' END);
    END LOOP;

    -- Primary keys of two columns, tenant_id first (none was made so before m0027).
    FOR r IN {owned}
        SELECT c.conname, c.conrelid::regclass AS tbl, t.relname, a.attname AS col
        FROM pg_constraint c
        JOIN owned o ON o.rel = c.conrelid
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[2]
        WHERE c.contype = 'p' AND cardinality(c.conkey) = 2 AND c.conkey[1] = o.tenant_col
    LOOP
        EXECUTE format('DROP INDEX IF EXISTS %I', r.relname || '_by_' || r.col);
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I PRIMARY KEY (%I)',
            r.tbl, r.conname, r.conname, r.col);
    END LOOP;

    FOREACH stmt IN ARRAY readd LOOP
        EXECUTE stmt;
    END LOOP;
END
$$;
DROP INDEX IF EXISTS invitations_token;
CREATE UNIQUE INDEX invitations_token ON invitations (token_hash)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, DOWN).await
    }
}

/// Runs `script`'s `DO` block (and what follows its `$$;`) on PostgreSQL; nothing on SQLite.
pub(crate) async fn run(manager: &SchemaManager<'_>, script: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    let script = script.replace("{owned}", OWNED);
    let db = manager.get_connection();
    // The block holds `;` of its own: it is one statement, and what follows it is split.
    let (block, rest) = script.split_once("$$;").unwrap_or((&script, ""));
    let block = if rest.is_empty() {
        block.to_owned()
    } else {
        format!("{block}$$")
    };
    db.execute_unprepared(&block).await?;
    for statement in rest.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}
