//! The binary's commands, run as a user would.

use crate::helpers::{DemoCli, copy_tenants, free_port, jesuisaupays, repo_root};

/// `jesuisaupays tenants <command>` on the project's tenant files: what it prints, once it has
/// succeeded.
fn on_project_tenants(command: &str) -> String {
    let out = jesuisaupays()
        .args(["tenants", command])
        .arg(repo_root().join("tenants"))
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn tenants_check_passes_on_the_project_tenants() {
    assert!(on_project_tenants("check").contains("8 tenant file(s) valid"));
}

#[test]
fn tenants_check_names_the_broken_file_and_field_and_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tenants(dir.path(), &["cm", "sn"]);
    let broken = std::fs::read_to_string(dir.path().join("sn.toml"))
        .expect("read")
        .replace("default_locale = \"fr\"", "default_locale = \"ar\"");
    std::fs::write(dir.path().join("sn.toml"), broken).expect("write");
    let out = jesuisaupays()
        .args(["tenants", "check"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("sn.toml: default_locale:"), "{stderr}");
    assert!(!stderr.contains("cm.toml"), "{stderr}");
}

#[test]
fn tenants_list_shows_hosts() {
    let stdout = on_project_tenants("list");
    assert!(
        stdout.contains("jesuisaucameroun.com")
            && stdout.contains("www.jesuisaucameroun.com cm.localhost")
    );
}

#[test]
fn create_staff_prints_a_password_once_and_refuses_a_bad_email() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |email: &str| {
        jesuisaupays()
            .args(["create-staff", "--email", email])
            .env("DATA_DIR", dir.path())
            .env("TENANTS_DIR", repo_root().join("tenants"))
            .env("THEMES_DIR", repo_root().join("themes"))
            .output()
            .expect("run")
    };
    let out = run("Admin@JesuisAuPays.com");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Created staff account admin@jesuisaupays.com"),
        "{stdout}"
    );
    let password = stdout
        .rsplit(": ")
        .next()
        .expect("password")
        .trim()
        .to_owned();
    assert_eq!(password.len(), 20);
    let again = run("admin@jesuisaupays.com");
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(stdout.contains("Reset the password"), "{stdout}");
    assert!(!stdout.contains(&password), "a new password each time");
    let bad = run("not-an-email");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--email"));
}

#[test]
fn a_bad_environment_variable_is_named() {
    let out = jesuisaupays()
        .args(["tenants", "list"])
        .env("BIND_ADDR", "nowhere")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("BIND_ADDR"));
}

/// Runs `serve` with `vars` on an empty data folder; returns the exit status and stderr.
fn serve_with(vars: &[(&str, &str)]) -> (std::process::ExitStatus, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = serve_in(dir.path(), 0);
    for (name, value) in vars {
        cmd.env(name, value);
    }
    let out = cmd.output().expect("run");
    (
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `serve` on `port` (0: any) with the data folder `dir`, the project's tenants and themes, no
/// weather and no demo data.
fn serve_in(dir: &std::path::Path, port: u16) -> std::process::Command {
    let mut cmd = jesuisaupays();
    cmd.arg("serve")
        .env("DATA_DIR", dir)
        .env("TENANTS_DIR", repo_root().join("tenants"))
        .env("THEMES_DIR", repo_root().join("themes"))
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("WEATHER_URL", "off")
        .env("DEMO_DATA", "off");
    cmd
}

#[test]
fn an_unreachable_database_is_named_once_with_what_to_do() {
    let (status, stderr) =
        serve_with(&[("DATABASE_URL", "postgres://someone:secret@127.0.0.1:1/jsap")]);
    assert!(!status.success());
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    let line = errors[0];
    assert!(line.contains("DATABASE_URL"), "{line}");
    assert!(line.contains("postgres://127.0.0.1:1/jsap"), "{line}");
    assert!(!line.contains("secret"), "no password printed: {line}");
    assert!(line.contains("check that PostgreSQL runs"), "{line}");
    let first_cause = line.split(": ").nth(2).unwrap_or_default().to_owned();
    assert_eq!(line.matches(&first_cause).count(), 1, "said once: {line}");
}

#[test]
fn redis_pointed_at_another_service_is_named() {
    // Something that is not Redis listens there and closes the connection.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            drop(stream);
        }
    });
    let (status, stderr) = serve_with(&[("REDIS_URL", &format!("redis://127.0.0.1:{port}"))]);
    assert!(!status.success());
    let line = stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(line.contains("REDIS_URL"), "{line}");
    assert!(
        line.contains(&format!("redis://127.0.0.1:{port}")),
        "{line}"
    );
}

#[test]
fn a_missing_s3_bucket_stops_the_start_with_its_name() {
    let Some(endpoint) = crate::helpers::env("TEST_S3_ENDPOINT") else {
        crate::helpers::service_available("S3", false, "TEST_S3_ENDPOINT unset");
        return;
    };
    let (status, stderr) = serve_with(&[
        ("S3_ENDPOINT", &endpoint),
        ("S3_BUCKET", "no-such-bucket-jsap"),
        ("S3_ACCESS_KEY_ID", "test"),
        ("S3_SECRET_ACCESS_KEY", "testtest"),
    ]);
    assert!(!status.success());
    let line = stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(line.contains("S3_BUCKET"), "{line}");
    assert!(line.contains("no-such-bucket-jsap"), "{line}");
}

#[test]
fn half_an_llm_configuration_stops_the_start_naming_what_is_missing() {
    let (status, stderr) = serve_with(&[
        ("LLM_URL", "http://127.0.0.1:1/v1"),
        ("LLM_API_KEY", "sk-half"),
    ]);
    assert!(!status.success());
    let line = stderr
        .lines()
        .find(|l| l.contains("LLM_MODEL"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        line.starts_with("configuration error: LLM_MODEL: required"),
        "only the missing one is named first: {line}"
    );
    assert!(!stderr.contains("sk-half"), "the key is never shown");
}

/// A database broken under a running server (a table gone): the page says "server error"
/// (500, themed, in the page's language), never a wrong answer such as "this link is no longer
/// valid", and the failure is logged with its cause.
#[tokio::test]
async fn a_broken_database_gives_a_logged_500_page_not_a_wrong_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let mut server = tokio::process::Command::from(serve_in(dir.path(), port))
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("serve");
    let client = reqwest::Client::new();
    let survey = format!("http://127.0.0.1:{port}/fr/enquete/not-a-real-token");
    let get = || client.get(&survey).header("Host", "cm.localhost").send();
    let mut healthy = None;
    for _ in 0..100 {
        if let Ok(resp) = get().await {
            healthy = Some(resp.status().as_u16());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // While the database is whole, an unknown survey link is "no longer valid".
    assert_eq!(healthy, Some(410), "the server answered");
    // The server asked the kernel for no transparent huge pages (its resident memory).
    #[cfg(target_os = "linux")]
    {
        let pid = server.id().expect("pid");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
        assert!(
            status
                .lines()
                .any(|l| l.split_whitespace().eq(["THP_enabled:", "0"])),
            "{status}"
        );
    }

    let store = jsap_store::Store::connect(&format!(
        "sqlite://{}",
        dir.path().join("jesuisaupays.db").display()
    ))
    .await
    .expect("connect");
    use jsap_store::ConnectionTrait;
    store
        .conn()
        .execute_unprepared("ALTER TABLE surveys RENAME TO surveys_gone")
        .await
        .expect("break the database");

    let broken = get().await.expect("answer");
    assert_eq!(broken.status().as_u16(), 500);
    let body = broken.text().await.expect("body");
    assert!(body.contains("lang=\"fr\""), "a themed page in French");
    assert!(body.contains("Une erreur est survenue"), "{body}");
    assert!(!body.contains("not-a-real-token"), "no detail leaks");

    server.start_kill().expect("kill");
    let out = server.wait_with_output().await.expect("output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let logged = stderr
        .lines()
        .find(|l| l.contains("request failed"))
        .unwrap_or_else(|| panic!("no failure logged: {stderr}"));
    assert!(
        logged.contains("surveys"),
        "the cause is in the log: {logged}"
    );
}

#[test]
fn token_create_prints_a_token_once_for_a_member_and_names_a_bad_email() {
    let demo = DemoCli::new();
    let run = |args: &[&str]| demo.run(args);
    let out = run(&[
        "token",
        "create",
        "--tenant",
        "cm",
        "--email",
        "admin-organisation@jesuisaucameroun.com",
        "--name",
        "partner site",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(token.starts_with("jsap_") && token.len() == 69, "{token}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("partner site"));
    let again = run(&[
        "token",
        "create",
        "--tenant",
        "cm",
        "--email",
        "admin-organisation@jesuisaucameroun.com",
    ]);
    assert_ne!(
        String::from_utf8_lossy(&again.stdout).trim(),
        token,
        "a new token each time"
    );
    let unknown = run(&[
        "token",
        "create",
        "--tenant",
        "cm",
        "--email",
        "nobody@example.org",
    ]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("--email"));
    // An account of another site is not one of this site's.
    let other = run(&[
        "token",
        "create",
        "--tenant",
        "sn",
        "--email",
        "admin-organisation@jesuisaucameroun.com",
    ]);
    assert!(!other.status.success());
}

/// `tenants ingress` lists every public host of every site (canonical domain and aliases, never
/// a development host) with a TLS entry per site, and `deploy/k8s/ingress.json` is its output
/// for this repository's tenants: a tenant added without regenerating it fails here.
#[test]
fn the_ingress_lists_every_public_host_and_the_deploy_file_is_current() {
    let printed = on_project_tenants("ingress");
    let ingress: serde_json::Value = serde_json::from_str(&printed).expect("json");
    assert_eq!(ingress["kind"], "Ingress");
    let hosts: Vec<&str> = ingress["spec"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["host"].as_str())
        .collect();
    let tenants = jsap_tenancy::load_dir(&repo_root().join("tenants")).expect("tenants");
    for t in &tenants {
        assert!(hosts.contains(&t.canonical_domain.as_str()), "{}", t.code);
        for alias in &t.aliases {
            assert!(hosts.contains(&alias.as_str()), "{alias}");
        }
        for dev in &t.dev_hosts {
            assert!(
                !hosts.contains(&dev.as_str()),
                "{dev} is a development host"
            );
        }
    }
    assert_eq!(
        ingress["spec"]["tls"].as_array().expect("tls").len(),
        tenants.len()
    );
    let file = std::fs::read_to_string(repo_root().join("deploy/k8s/ingress.json")).expect("file");
    assert_eq!(
        file.trim(),
        printed.trim(),
        "regenerate: jesuisaupays tenants ingress tenants > deploy/k8s/ingress.json"
    );
}

/// The server counts each connection its database pool lends in
/// `jsap_db_pool_acquire_seconds` (from sqlx's reports, through its log subscriber), and
/// does not print those reports.
#[tokio::test]
async fn serve_counts_the_pools_waits_in_its_metrics_without_logging_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (port, metrics_port) = (free_port(), free_port());
    let mut server = tokio::process::Command::from(serve_in(dir.path(), port))
        .env("METRICS_ADDR", format!("127.0.0.1:{metrics_port}"))
        .env_remove("RUST_LOG")
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("serve");
    let client = reqwest::Client::new();
    let mut served = 0;
    for _ in 0..100 {
        let page = client
            .get(format!("http://127.0.0.1:{port}/fr/missions"))
            .header("Host", "cm.localhost")
            .send()
            .await;
        if let Ok(page) = page {
            assert_eq!(page.status(), 200);
            served += 1;
            if served == 3 {
                break;
            }
        } else {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    assert_eq!(served, 3, "the server answered");
    let text = crate::helpers::scrape(&client, format!("127.0.0.1:{metrics_port}")).await;
    let count: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("jsap_db_pool_acquire_seconds_count "))
        .and_then(|v| v.trim().parse().ok())
        .expect("the count of waits");
    assert!(count >= 1.0, "{text}");
    server.start_kill().expect("stop");
    let out = server.wait_with_output().await.expect("stopped");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("acquired connection"), "{stderr}");
}
