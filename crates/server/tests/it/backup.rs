//! `backup` and `restore` of the embedded setup, run as an operator runs them: a backup taken
//! while the server serves and writes, restored into an empty folder (the writes after it are
//! not there, everything before is), refusals that keep what is there.

use crate::helpers::{DemoCli, jesuisaupays, repo_root};
use jsap_store::{ConnectionTrait, DbBackend, Statement, Store, TryGetable};
use std::path::Path;

/// The one value `sql` reads (column `v`) from the SQLite file `db`, opened read-only.
async fn read_one<T: TryGetable>(db: &Path, sql: &str) -> T {
    let store = Store::connect(&format!("sqlite://{}?mode=ro", db.display()))
        .await
        .expect("connect");
    let row = store
        .conn()
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
        .await
        .expect("query")
        .expect("a row");
    let value: T = row.try_get("", "v").expect("v");
    store.close().await.expect("close");
    value
}

async fn count(db: &Path, table: &str) -> i64 {
    read_one(db, &format!("SELECT COUNT(*) AS v FROM {table}")).await
}

/// The name of the first account of `db`, which the test changes after the backup.
async fn first_name(db: &Path) -> String {
    read_one(db, "SELECT display_name AS v FROM users WHERE id = 1").await
}

fn files_under(dir: &Path) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("read") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_dir() {
            n += files_under(&entry.path());
        } else {
            n += 1;
        }
    }
    n
}

fn run(data: &Path, args: &[&str]) -> std::process::Output {
    jesuisaupays()
        .env("DATA_DIR", data)
        .env("TENANTS_DIR", data.join("tenants"))
        .env("THEMES_DIR", repo_root().join("themes"))
        .args(args)
        .output()
        .expect("run")
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_into_a_new_folder() {
    let demo = DemoCli::new();
    let data = demo.dir.path();
    let port = crate::helpers::free_port();
    let mut server = tokio::process::Command::from(jesuisaupays())
        .arg("serve")
        .env("DATA_DIR", data)
        .env("TENANTS_DIR", data.join("tenants"))
        .env("THEMES_DIR", repo_root().join("themes"))
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("WEATHER_URL", "off")
        .kill_on_drop(true)
        .spawn()
        .expect("serve");
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let mut up = false;
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "the server answered");
    let users_before = count(&data.join("jesuisaupays.db"), "users").await;
    let missions = count(&data.join("jesuisaupays.db"), "missions").await;
    assert!(missions > 0 && users_before > 0);

    let saved = tempfile::tempdir().expect("tempdir");
    let into = saved.path().join("2026-12-03");
    let out = run(data, &["backup", into.to_str().expect("utf-8")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("backup written to"));

    // The server still answers, and a write lands after the backup (beside the server, as
    // WAL lets it).
    let health = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("get");
    assert!(health.status().is_success());
    let store = Store::connect(&format!(
        "sqlite://{}",
        data.join("jesuisaupays.db").display()
    ))
    .await
    .expect("connect");
    store
        .conn()
        .execute_unprepared("UPDATE users SET display_name = 'Changé après' WHERE id = 1")
        .await
        .expect("a write after the backup");
    store.close().await.expect("close");
    server.start_kill().expect("kill");
    server.wait().await.expect("stopped");

    // The same folder again: refused, it is not empty.
    let again = run(data, &["backup", into.to_str().expect("utf-8")]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));

    // Restored into a new DATA_DIR: what was there at the backup, nothing after.
    let fresh = tempfile::tempdir().expect("tempdir");
    crate::helpers::copy_tenants(&fresh.path().join("tenants"), &["cm", "sn", "portal"]);
    let restored = run(fresh.path(), &["restore", into.to_str().expect("utf-8")]);
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    let db = fresh.path().join("jesuisaupays.db");
    assert_eq!(count(&db, "users").await, users_before);
    assert_eq!(count(&db, "missions").await, missions);
    assert_ne!(
        first_name(&db).await,
        "Changé après",
        "the write after the backup is not in it"
    );
    assert_eq!(
        files_under(&fresh.path().join("uploads")),
        files_under(&data.join("uploads")),
        "every upload"
    );
    assert!(
        files_under(&data.join("uploads")) > 0,
        "the demo has photos"
    );
    assert_eq!(
        std::fs::read(fresh.path().join("secret_key")).expect("key"),
        std::fs::read(data.join("secret_key")).expect("key"),
        "sessions and links stay valid"
    );
    // The restored folder serves: the migrations run on it.
    let migrate = run(fresh.path(), &["migrate"]);
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );

    // Over a database: refused without --force; with it, the one replaced is kept.
    let refused = run(data, &["restore", into.to_str().expect("utf-8")]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    let forced = run(data, &["restore", into.to_str().expect("utf-8"), "--force"]);
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    let kept: Vec<String> = std::fs::read_dir(data)
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("before-restore"))
        .collect();
    assert!(
        kept.iter()
            .any(|n| n.starts_with("jesuisaupays.db.before-restore-"))
            && kept
                .iter()
                .any(|n| n.starts_with("uploads.before-restore-")),
        "{kept:?}"
    );
    let kept_db = data.join(
        kept.iter()
            .find(|n| {
                n.starts_with("jesuisaupays.db.before-restore-")
                    && !n.ends_with("-wal")
                    && !n.ends_with("-shm")
            })
            .expect("kept database"),
    );
    assert_eq!(
        first_name(&kept_db).await,
        "Changé après",
        "the replaced database is kept whole"
    );

    // Not a backup, a damaged copy, or PostgreSQL: refused, nothing replaced.
    let empty = tempfile::tempdir().expect("tempdir");
    let out = run(
        fresh.path(),
        &["restore", empty.path().to_str().expect("utf-8"), "--force"],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a backup"));
    let damaged = tempfile::tempdir().expect("tempdir");
    std::fs::copy(into.join("backup.json"), damaged.path().join("backup.json")).expect("copy");
    std::fs::write(damaged.path().join("jesuisaupays.db"), b"not a database").expect("write");
    let out = run(
        fresh.path(),
        &[
            "restore",
            damaged.path().to_str().expect("utf-8"),
            "--force",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a database"));
    assert_eq!(
        count(&db, "missions").await,
        missions,
        "the restored one is untouched"
    );
    let pg = jesuisaupays()
        .env("DATA_DIR", fresh.path())
        .env("TENANTS_DIR", fresh.path().join("tenants"))
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .args(["backup", saved.path().join("pg").to_str().expect("utf-8")])
        .output()
        .expect("run");
    assert!(!pg.status.success());
    assert!(String::from_utf8_lossy(&pg.stderr).contains("pg_dump"));
}
