//! `jesuisaupays assistant draft|triage|eval`, run as a user would: no database, tenants
//! from the project's tenant files.

use crate::helpers::{self, repo_root};
use std::process::{Command, Output};

fn jesuisaupays() -> Command {
    let mut cmd = helpers::jesuisaupays();
    cmd.env("TENANTS_DIR", repo_root().join("tenants"));
    cmd
}

fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut cmd = jesuisaupays();
    cmd.args(args);
    helpers::run_with_stdin(cmd, stdin)
}

#[test]
fn assistant_draft_prints_a_draft_as_json() {
    let out = run_with_stdin(
        &[
            "assistant",
            "draft",
            "--tenant",
            "cm",
            "--today",
            "2027-06-01",
        ],
        "Slt la team! Campagne de consultations médicales gratuites à Bépanda du 2 au 9 août, \
         on cherche des médecins et infirmières. Budget 2M FCFA",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let draft: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(draft["domains"][0]["slug"], "sante");
    assert_eq!(draft["mission_types"][0]["slug"], "consultations-medicales");
    assert!(draft["mission_types"].as_array().expect("list").len() >= 3);
    assert_eq!(draft["city"], "douala");
    assert_eq!(draft["remote"], false);
    assert_eq!(draft["starts_on"], "2027-08-02");
    assert_eq!(draft["ends_on"], "2027-08-09");
    assert!(draft["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(
        draft["summary"]
            .as_str()
            .is_some_and(|s| s.chars().count() <= 300)
    );
    let contributions = draft["contribution_types"].as_array().expect("list");
    assert!(contributions.contains(&serde_json::json!("competences")));
}

#[test]
fn assistant_triage_prints_topic_urgency_language_and_reply() {
    let out = run_with_stdin(
        &[
            "assistant",
            "triage",
            "--tenant",
            "sn",
            "--today",
            "2027-06-01",
        ],
        "Hello, please reply asap: I can donate hospital beds to the Pikine health post.",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let triage: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(triage["topic"], "sante");
    assert_eq!(triage["urgency"], "high");
    assert_eq!(triage["language"], "en");
    assert!(
        triage["suggested_reply"]
            .as_str()
            .is_some_and(|r| r.contains("Pikine"))
    );
}

#[test]
fn assistant_refuses_an_unknown_tenant() {
    let out = run_with_stdin(&["assistant", "draft", "--tenant", "zz"], "Nettoyage");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown tenant \"zz\""), "{stderr}");
}

#[test]
fn assistant_eval_scores_the_held_out_files() {
    let data = repo_root().join("crates/assistant/data");
    let out = jesuisaupays()
        .args(["assistant", "eval"])
        .arg(data.join("needs-heldout.jsonl"))
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    for field in [
        "domain (top 1)",
        "mission type (top 3)",
        "city",
        "remote",
        "dates",
    ] {
        assert!(stdout.contains(field), "{stdout}");
    }
    let out = jesuisaupays()
        .args(["assistant", "eval", "--verbose"])
        .arg(data.join("requests-heldout.jsonl"))
        .output()
        .expect("run");
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("topic") && stdout.contains("language"),
        "{stdout}"
    );
}

#[test]
fn assistant_eval_names_the_bad_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bad.jsonl");
    let good = r#"{"text":"Nettoyage à Douala","tenant":"cm","expected_topic":"environnement-proprete","expected_urgency":"normal","expected_language":"fr"}"#;
    std::fs::write(
        &file,
        format!("{good}\n{}\n{{oops\n", good.replace("\"cm\"", "\"xx\"")),
    )
    .expect("write");
    let out = jesuisaupays()
        .args(["assistant", "eval"])
        .arg(&file)
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 2: unknown tenant \"xx\""), "{stderr}");
}
