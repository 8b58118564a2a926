//! Row-level security, the second wall (`m0028_row_level_security`): on PostgreSQL the app's
//! role sees and writes a tenant-owned row only inside a transaction that names its tenant.
//! The whole suite runs as that ordinary role (`helpers::APP_ROLE`), so every other test also
//! proves the app sets the tenant on each statement; this one proves the wall itself.

use crate::helpers::{TestApp, env};
use jsap_store::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};

const OWNED: &str = jsap_migrations::TENANT_OWNED_TABLES;

fn statement(sql: &str) -> Statement {
    Statement::from_string(DbBackend::Postgres, sql.to_owned())
}

/// The text column `v` of each row of `sql`, run on its own (no setting).
async fn plain(conn: &DatabaseConnection, sql: &str) -> Vec<String> {
    conn.query_all_raw(statement(sql))
        .await
        .expect("query")
        .iter()
        .map(|row| row.try_get("", "v").expect("v"))
        .collect()
}

/// `sql` in a transaction whose `setting` is set to `value` first, as the store does: the
/// column `v` of its rows, or the database's refusal.
async fn with(
    conn: &DatabaseConnection,
    setting: &str,
    value: &str,
    sql: &str,
) -> Result<Vec<String>, String> {
    let tx = conn.begin().await.expect("begin");
    tx.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT set_config($1, $2, true)",
        [setting.into(), value.into()],
    ))
    .await
    .expect("set");
    let rows = tx
        .query_all_raw(statement(sql))
        .await
        .map_err(|e| e.to_string())?;
    tx.commit().await.expect("commit");
    Ok(rows
        .iter()
        .map(|row| row.try_get("", "v").unwrap_or_default())
        .collect())
}

async fn count_as(conn: &DatabaseConnection, tenant: &str, sql: &str) -> i64 {
    with(conn, "app.tenant_id", tenant, sql)
        .await
        .expect("count")[0]
        .parse()
        .expect("a count")
}

#[tokio::test]
async fn on_postgresql_a_tenant_owned_row_is_seen_only_by_a_transaction_of_its_tenant() {
    if env("TEST_DATABASE_URL").is_none() {
        eprintln!("skipping: row-level security is PostgreSQL's (TEST_DATABASE_URL)");
        return;
    }
    let app = TestApp::spawn().await;
    let conn = app.services.store.conn();

    // The app's role is held by the policies: not a superuser, no BYPASSRLS.
    assert_eq!(
        plain(
            conn,
            "SELECT (rolsuper OR rolbypassrls)::text AS v FROM pg_roles WHERE rolname = current_user"
        )
        .await,
        ["false"]
    );
    // Every tenant-owned table has the policy, enabled and forced (its owner is held too).
    let unguarded = plain(
        conn,
        &format!(
            "{OWNED} SELECT o.rel::regclass::text AS v FROM owned o JOIN pg_class c ON c.oid = o.rel
             WHERE NOT (c.relrowsecurity AND c.relforcerowsecurity)
                OR NOT EXISTS (SELECT 1 FROM pg_policy p
                               WHERE p.polrelid = o.rel AND p.polname = 'tenant_rows')"
        ),
    )
    .await;
    assert_eq!(unguarded, Vec::<String>::new());
    let tables = plain(
        conn,
        &format!("{OWNED} SELECT COUNT(*)::text AS v FROM owned"),
    )
    .await;
    assert!(tables[0].parse::<i64>().expect("count") >= 30, "{tables:?}");

    // Without the setting: nothing is read, nothing can be written.
    for table in [
        "missions",
        "users",
        "cities",
        "organisations",
        "requests",
        "sessions",
    ] {
        let seen = plain(conn, &format!("SELECT COUNT(*)::text AS v FROM {table}")).await;
        assert_eq!(seen, ["0"], "{table} without a tenant");
    }
    let insert = "INSERT INTO stays (tenant_id, user_id, starts_on, ends_on, created_at) \
                  SELECT tenant_id, id, DATE '2027-07-01', DATE '2027-08-01', now() FROM users \
                  WHERE tenant_id = 'cm' LIMIT 1 RETURNING 'written' AS v";
    let city = "INSERT INTO cities \
                (tenant_id, slug, name, region, latitude, longitude, position, source, created_at) \
                VALUES ('cm', 'rls-test', 'RLS', 'Test', 0, 0, 99, 'console', now())";
    let refused = conn
        .query_all_raw(statement(city))
        .await
        .expect_err("a write without a tenant is refused");
    assert!(
        refused.to_string().contains("row-level security"),
        "{refused}"
    );

    // With it: that tenant's rows, and only them.
    let cm = count_as(conn, "cm", "SELECT COUNT(*)::text AS v FROM missions").await;
    let sn = count_as(conn, "sn", "SELECT COUNT(*)::text AS v FROM missions").await;
    assert!(cm > 0 && sn > 0, "cm {cm}, sn {sn}");
    let everyone = with(
        conn,
        "app.all_tenants",
        "on",
        "SELECT COUNT(*)::text AS v FROM missions",
    )
    .await
    .expect("all tenants")[0]
        .parse::<i64>()
        .expect("count");
    assert!(everyone >= cm + sn, "{everyone} across tenants");
    assert_eq!(
        count_as(
            conn,
            "sn",
            "SELECT COUNT(*)::text AS v FROM missions WHERE tenant_id = 'cm'"
        )
        .await,
        0
    );
    // Another tenant's rows cannot be changed, or written in its name.
    let changed = with(
        conn,
        "app.tenant_id",
        "sn",
        "UPDATE missions SET capacity = capacity WHERE tenant_id = 'cm' RETURNING 'x' AS v",
    )
    .await
    .expect("update");
    assert!(
        changed.is_empty(),
        "{} Cameroon missions changed",
        changed.len()
    );
    let foreign = with(conn, "app.tenant_id", "sn", insert)
        .await
        .expect("insert as sn");
    assert!(foreign.is_empty(), "no Cameroon user is visible to sn");
    let named = with(conn, "app.tenant_id", "sn", city)
        .await
        .expect_err("a Cameroon row written as sn is refused");
    assert!(named.contains("row-level security"), "{named}");
    assert_eq!(
        with(conn, "app.tenant_id", "cm", insert)
            .await
            .expect("own"),
        ["written"]
    );

    // The setting ends with its transaction: the next statement on the (pooled) connection
    // sees nothing again.
    assert_eq!(
        plain(conn, "SELECT COUNT(*)::text AS v FROM missions").await,
        ["0"]
    );

    // Through the app, which sets the tenant on every statement, each site shows its own.
    let (status, body) = app.page("jesuisaucameroun.com", "/fr/missions").await;
    assert_eq!(status, 200);
    assert!(
        body.contains("href=\"/fr/missions/"),
        "Cameroon missions listed"
    );
}
