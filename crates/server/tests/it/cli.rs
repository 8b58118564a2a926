//! The binary's commands, run as a user would.

use crate::helpers::{copy_tenants, repo_root};
use std::process::Command;

fn jesuisaupays() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jesuisaupays"));
    cmd.env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .env("LOG_FORMAT", "pretty");
    cmd
}

#[test]
fn tenants_check_passes_on_the_project_tenants() {
    let out = jesuisaupays()
        .args(["tenants", "check"])
        .arg(repo_root().join("tenants"))
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("8 tenant file(s) valid"));
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
    let out = jesuisaupays()
        .args(["tenants", "list"])
        .arg(repo_root().join("tenants"))
        .output()
        .expect("run");
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
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
