//! The PostgreSQL schema can be distributed by tenant (Citus' rule, `m0027_distribution_keys`):
//! read from the catalogue, every tenant-owned table's primary key and unique indexes include
//! `tenant_id`, and its foreign keys to another tenant-owned table carry it on both sides, so
//! no row can point to another tenant's row. SQLite, never distributed, is not checked.

use crate::helpers::{TestApp, env};
use jsap_store::{ConnectionTrait, DbBackend, Statement, TransactionTrait};

/// The tenant-owned tables (a `tenant_id` column) of the current schema, as a CTE.
const OWNED: &str = jsap_migrations::TENANT_OWNED_TABLES;

/// One text column `v` per row of `sql`.
async fn texts(conn: &impl ConnectionTrait, sql: &str) -> Vec<String> {
    conn.query_all_raw(Statement::from_string(DbBackend::Postgres, sql.to_owned()))
        .await
        .expect("catalogue query")
        .iter()
        .map(|row| row.try_get("", "v").expect("v"))
        .collect()
}

/// The catalogue queries (after the `owned` CTE) that each name what breaks one part of the
/// rule, one line (`v`) each.
const RULES: [&str; 4] = [
    "SELECT o.rel::regclass::text || ': primary key without tenant_id' AS v
     FROM owned o
     WHERE NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = o.rel
                       AND c.contype = 'p' AND o.tenant_col = ANY (c.conkey))",
    "SELECT i.indexrelid::regclass::text || ': unique without tenant_id' AS v
     FROM pg_index i JOIN owned o ON o.rel = i.indrelid
     WHERE i.indisunique AND NOT (o.tenant_col = ANY (i.indkey::int2[]))",
    "SELECT c.conname::text || ': foreign key without tenant_id on both sides' AS v
     FROM pg_constraint c
     JOIN owned s ON s.rel = c.conrelid
     JOIN owned d ON d.rel = c.confrelid
     WHERE c.contype = 'f' AND NOT EXISTS (
         SELECT 1 FROM unnest(c.conkey, c.confkey) AS k(src, dst)
         WHERE k.src = s.tenant_col AND k.dst = d.tenant_col)",
    // A row is still found by its id alone in one lookup (`find_by_id`, the outbox).
    "SELECT c.conrelid::regclass::text || ': no index on its id alone' AS v
     FROM pg_constraint c JOIN owned o ON o.rel = c.conrelid
     WHERE c.contype = 'p' AND cardinality(c.conkey) = 2
       AND c.conkey[1] = o.tenant_col
       AND NOT EXISTS (SELECT 1 FROM pg_index i
                       WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[2])",
];

/// What breaks the rule, one line each (empty when the schema can be distributed).
async fn breaches(conn: &impl ConnectionTrait) -> Vec<String> {
    let mut found = Vec::new();
    for rule in RULES {
        found.extend(texts(conn, &format!("{OWNED} {rule}")).await);
    }
    found
}

async fn count(conn: &impl ConnectionTrait, sql: &str) -> i64 {
    texts(conn, sql).await[0].parse().expect("a count")
}

#[tokio::test]
async fn on_postgresql_every_key_of_a_tenant_owned_table_includes_the_tenant() {
    if env("TEST_DATABASE_URL").is_none() {
        eprintln!("skipping: the distribution keys are PostgreSQL's (TEST_DATABASE_URL)");
        return;
    }
    let app = TestApp::spawn().await;
    let conn = app.services.store.conn();

    assert_eq!(breaches(conn).await, Vec::<String>::new());
    // Not vacuous: the tables and the foreign keys between them are there.
    let tables = count(
        conn,
        &format!("{OWNED} SELECT COUNT(*)::text AS v FROM owned"),
    )
    .await;
    assert!(tables >= 30, "{tables} tenant-owned tables");
    let composite = count(
        conn,
        &format!(
            "{OWNED} SELECT COUNT(*)::text AS v FROM pg_constraint c
             JOIN owned s ON s.rel = c.conrelid JOIN owned d ON d.rel = c.confrelid
             WHERE c.contype = 'f'"
        ),
    )
    .await;
    assert!(
        composite >= 30,
        "{composite} foreign keys between tenant-owned tables"
    );

    // A row cannot point to another tenant's row, whatever the application does (each
    // statement in a transaction of its tenant, for the row-level security policies).
    let as_tenant = |tenant: &'static str, sql: String| async move {
        let tx = conn.begin().await.expect("begin");
        tx.execute_unprepared(&format!(
            "SELECT set_config('app.tenant_id', '{tenant}', true)"
        ))
        .await
        .expect("set");
        let done = tx.execute_unprepared(&sql).await;
        tx.commit().await.expect("commit");
        done
    };
    let tx = conn.begin().await.expect("begin");
    tx.execute_unprepared("SELECT set_config('app.tenant_id', 'cm', true)")
        .await
        .expect("set");
    let mission = count(
        &tx,
        "SELECT MIN(id)::text AS v FROM missions WHERE tenant_id = 'cm'",
    )
    .await;
    tx.commit().await.expect("commit");
    let insert = |tenant: &str| {
        format!(
            "INSERT INTO mission_contributions (tenant_id, mission_id, contribution) \
             VALUES ('{tenant}', {mission}, 'schema-test')"
        )
    };
    let across = as_tenant("sn", insert("sn"))
        .await
        .expect_err("a Senegal row pointing to a Cameroon mission is refused");
    assert!(across.to_string().contains("foreign key"), "{across}");
    as_tenant("cm", insert("cm"))
        .await
        .expect("the same row of its own tenant is taken");

    // The migration goes back and forth: down (the dropped search index back, row-level
    // security, then the keys) restores one-column keys, up the rule again.
    use jsap_migrations::MigratorTrait;
    jsap_migrations::Migrator::down(conn, Some(3))
        .await
        .expect("m0029, m0028 and m0027 down");
    assert!(!breaches(conn).await.is_empty(), "down undoes the keys");
    jsap_migrations::Migrator::up(conn, None)
        .await
        .expect("m0027 up again");
    assert_eq!(breaches(conn).await, Vec::<String>::new());
}
