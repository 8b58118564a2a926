//! The assistant with `LLM_*` configured, against a local fake OpenAI-compatible server (never
//! the real network): the editor's "write from a message", the draft API and the CLI use the
//! LLM's answer; each site's schema lists its own cities; with the server down, every one of
//! them still answers, from the offline engine.

use crate::assistant_editor::{FROM_MESSAGE, NEW, draft_api, token_of};
use crate::helpers::{Options, TestApp, repo_root};
use crate::roles::{CM, SN, account, signed_in};
use jsap_adapters::LlmConfig;
use jsap_store::Role;
use poem::listener::TcpAcceptor;
use poem::web::{Data, Json};
use poem::{EndpointExt, Route, Server, handler, post};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const LLM_TITLE: &str = "Titre propose par le LLM";

type Requests = Arc<Mutex<Vec<(Option<String>, Value)>>>;

/// Answers every draft with [`LLM_TITLE`] and the first city the request's schema allows.
#[handler]
fn completions(
    req: &poem::Request,
    Json(body): Json<Value>,
    requests: Data<&Requests>,
) -> Json<Value> {
    let auth = req.header("authorization").map(str::to_owned);
    requests.lock().expect("lock").push((auth, body.clone()));
    let city =
        body["response_format"]["json_schema"]["schema"]["properties"]["city"]["enum"][0].clone();
    let draft = json!({
        "title": LLM_TITLE,
        "summary": "Resume du LLM.",
        "domains": [{"slug": "sante", "confidence": 0.9}],
        "mission_types": [
            {"slug": "consultations-medicales", "confidence": 0.8},
            {"slug": "dons-equipements-sante", "confidence": 0.1},
            {"slug": "collecte-urgence", "confidence": 0.05}
        ],
        "contribution_types": ["competences"],
        "city": city,
        "remote": false,
        "starts_on": "2027-08-02",
        "ends_on": "2027-08-09"
    });
    Json(json!({
        "choices": [{"message": {"role": "assistant", "content": draft.to_string()}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 900, "completion_tokens": 120}
    }))
}

async fn fake_llm() -> (String, Requests) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let acceptor = TcpAcceptor::from_tokio(listener).expect("acceptor");
    let requests: Requests = Arc::default();
    tokio::spawn(
        Server::new_with_acceptor(acceptor).run(
            Route::new()
                .at("/v1/chat/completions", post(completions))
                .data(requests.clone()),
        ),
    );
    (format!("http://{addr}/v1"), requests)
}

fn llm(url: &str) -> LlmConfig {
    let mut config = LlmConfig::new(url, "fake-model", "sk-fake");
    config.timeout = Duration::from_secs(5);
    config.retries = 0;
    config
}

/// The city slugs the schema of a recorded request allows.
fn allowed_cities(body: &Value) -> Vec<String> {
    body["response_format"]["json_schema"]["schema"]["properties"]["city"]["enum"]
        .as_array()
        .expect("city enum")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

const MESSAGE: &str = "Bonjour ! Le centre de santé de Bonabéri cherche un médecin pour des \
                       consultations gratuites du 2 au 9 août 2027.";

async fn app_with(llm: LlmConfig) -> TestApp {
    let app = TestApp::spawn_with(Options {
        demo: false,
        llm: Some(llm),
        ..Options::default()
    })
    .await;
    for (code, email) in [("cm", "op-cm@example.org"), ("sn", "op-sn@example.org")] {
        account(&app, code, email, &[(Role::CountryOperator, None, None)]).await;
    }
    app
}

#[tokio::test]
async fn the_editor_and_the_api_draft_with_the_llm_and_each_site_sends_its_own_cities() {
    let (url, requests) = fake_llm().await;
    let app = app_with(llm(&url)).await;
    let mut op = signed_in(&app, CM, "op-cm@example.org").await;
    let filled = op.submit(NEW, FROM_MESSAGE, &[("message", MESSAGE)]).await;
    assert_eq!(filled.status, 200, "{}", filled.body);
    assert!(
        filled.body.contains(LLM_TITLE),
        "the LLM's title in the form"
    );
    assert!(filled.body.contains("<option value=\"douala\" selected>"));

    let token = token_of(&mut op).await;
    let (status, draft) = draft_api(&app, CM, Some(&token), json!({ "text": MESSAGE })).await;
    assert_eq!(status, 200, "{draft}");
    assert_eq!(draft["title"], LLM_TITLE);
    assert_eq!(draft["mission_types"][1]["slug"], "dons-equipements-sante");

    let mut sn = signed_in(&app, SN, "op-sn@example.org").await;
    let on_sn = sn.submit(NEW, FROM_MESSAGE, &[("message", MESSAGE)]).await;
    assert!(on_sn.body.contains(LLM_TITLE));

    let recorded = requests.lock().expect("lock").clone();
    assert_eq!(recorded.len(), 3);
    for (auth, body) in &recorded {
        assert_eq!(auth.as_deref(), Some("Bearer sk-fake"));
        assert_eq!(body["model"], "fake-model");
        assert_eq!(body["response_format"]["type"], "json_schema");
    }
    let cm = allowed_cities(&recorded[0].1);
    assert!(
        cm.contains(&"douala".to_owned()) && !cm.contains(&"dakar".to_owned()),
        "{cm:?}"
    );
    let sn_cities = allowed_cities(&recorded[2].1);
    assert!(
        sn_cities.contains(&"dakar".to_owned()) && !sn_cities.contains(&"douala".to_owned()),
        "{sn_cities:?}"
    );
}

#[tokio::test]
async fn with_the_llm_down_the_editor_and_the_api_still_draft_offline() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let down = format!("http://{}/v1", listener.local_addr().expect("addr"));
    drop(listener);
    let app = app_with(llm(&down)).await;
    let mut op = signed_in(&app, CM, "op-cm@example.org").await;
    let filled = op.submit(NEW, FROM_MESSAGE, &[("message", MESSAGE)]).await;
    assert_eq!(filled.status, 200, "{}", filled.body);
    assert!(!filled.body.contains(LLM_TITLE));
    assert!(
        filled
            .body
            .contains("<option value=\"consultations-medicales\" selected>"),
        "the offline engine's draft"
    );
    let token = token_of(&mut op).await;
    let (status, draft) = draft_api(&app, CM, Some(&token), json!({ "text": MESSAGE })).await;
    assert_eq!(status, 200, "{draft}");
    assert_eq!(draft["city"], "douala");
    assert_ne!(draft["title"], LLM_TITLE);
}

/// `jesuisaupays assistant draft` with `LLM_*` set uses the LLM; `eval` never calls it.
#[tokio::test]
async fn the_cli_drafts_with_the_llm_when_configured() {
    let (url, requests) = fake_llm().await;
    let run = move |args: &[&str]| {
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        let url = url.clone();
        tokio::task::spawn_blocking(move || {
            let mut command = crate::helpers::jesuisaupays();
            command
                .args(&args)
                .env("TENANTS_DIR", repo_root().join("tenants"))
                .env("LLM_URL", &url)
                .env("LLM_MODEL", "fake-model")
                .env("LLM_API_KEY", "sk-fake")
                .env("LOG_FORMAT", "json")
                .env("LLM_PRICE_INPUT_PER_MTOK", "1")
                .env("LLM_PRICE_OUTPUT_PER_MTOK", "2");
            crate::helpers::run_with_stdin(command, MESSAGE)
        })
    };
    let out = run(&[
        "assistant",
        "draft",
        "--tenant",
        "cm",
        "--today",
        "2027-06-01",
    ])
    .await
    .expect("join");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let draft: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(draft["title"], LLM_TITLE);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(!log.contains("sk-fake"), "the key is never logged");
    assert!(!log.contains("Bonabéri"), "the message is never logged");
    let call: Value = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["message"] == "llm call")
        .unwrap_or_else(|| panic!("one log line per call: {log}"));
    let fields = &call; // the JSON log flattens the event's fields
    assert_eq!(fields["model"], "fake-model");
    assert_eq!(fields["operation"], "draft");
    assert_eq!(fields["outcome"], "ok");
    assert_eq!(fields["attempts"], 1);
    assert_eq!(fields["prompt_tokens"], 900);
    assert_eq!(fields["completion_tokens"], 120);
    // 900 prompt tokens at 1 USD and 120 completion tokens at 2 USD per million.
    let cost = fields["cost_usd"].as_f64().expect("cost");
    assert!((cost - 0.00114).abs() < 1e-9, "{cost}");
    assert!(fields["latency_ms"].is_u64());
    assert_eq!(requests.lock().expect("lock").len(), 1);

    let eval = repo_root().join("crates/assistant/data/needs-heldout.jsonl");
    let out = run(&["assistant", "eval", eval.to_str().expect("path")])
        .await
        .expect("join");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        requests.lock().expect("lock").len(),
        1,
        "eval stays offline"
    );
}
