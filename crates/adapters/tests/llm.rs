//! The LLM engine against a local fake OpenAI-compatible server (never the real network):
//! what it sends, what it accepts, when it retries, and that the assistant falls back to the
//! offline engine whenever the answer is unusable.

use chrono::NaiveDate;
use jsap_adapters::{LlmConfig, LlmEngine};
use jsap_assistant::{
    Assistant, City, DraftInput, Engine, Language, Message, TriageInput, Urgency,
};
use jsap_domain::Locale;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One scripted answer: status, body, how long to wait before answering, and the
/// `Retry-After` seconds it sends, if any.
#[derive(Clone)]
struct Scripted(u16, String, Duration, Option<u64>);

#[derive(Debug, Clone)]
struct Recorded {
    path: String,
    authorization: Option<String>,
    body: Value,
}

struct Fake {
    url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl Fake {
    fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("lock").clone()
    }
}

fn header_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// A fake chat-completions server answering the `n`th request with `script[n]` (the last one
/// once the script is used up), recording every request.
async fn fake(script: Vec<Scripted>) -> Fake {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let requests: Arc<Mutex<Vec<Recorded>>> = Arc::default();
    let recorded = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let recorded = recorded.clone();
            let script = script.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let (head_len, head) = loop {
                    let Ok(n) = socket.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(end) = header_end(&buf) {
                        break (end, String::from_utf8_lossy(&buf[..end]).to_string());
                    }
                };
                let header = |name: &str| {
                    head.lines().find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                    })
                };
                let length: usize = header("content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                while buf.len() < head_len + length {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let path = head.split_whitespace().nth(1).unwrap_or("").to_owned();
                let body = serde_json::from_slice(&buf[head_len..head_len + length])
                    .unwrap_or(Value::Null);
                let n = {
                    let mut all = recorded.lock().expect("lock");
                    all.push(Recorded {
                        path,
                        authorization: header("authorization"),
                        body,
                    });
                    all.len() - 1
                };
                let Scripted(status, answer, delay, retry_after) =
                    script[n.min(script.len() - 1)].clone();
                tokio::time::sleep(delay).await;
                let retry_after =
                    retry_after.map_or(String::new(), |s| format!("retry-after: {s}\r\n"));
                let response = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{retry_after}connection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    Fake {
        url: format!("http://{addr}/v1"),
        requests,
    }
}

/// A chat completion whose message is `content` (a JSON value, sent as its text).
fn completion(content: &str) -> String {
    json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": content },
            "finish_reason": "stop"
        }],
        "usage": { "prompt_tokens": 812, "completion_tokens": 95, "total_tokens": 907 }
    })
    .to_string()
}

fn ok(content: &Value) -> Scripted {
    Scripted(200, completion(&content.to_string()), Duration::ZERO, None)
}

fn status(code: u16) -> Scripted {
    Scripted(
        code,
        "{\"error\":{\"message\":\"no\"}}".into(),
        Duration::ZERO,
        None,
    )
}

const MESSAGE: &str = "Slt la team! Campagne de consultations médicales gratuites à Bépanda du 2 au 9 août, \
                       on cherche des médecins. Budget 2M FCFA";

fn llm_draft() -> Value {
    json!({
        "title": "Caravane médicale à Bépanda (LLM)",
        "summary": "Une semaine de consultations gratuites à Bépanda.",
        "domains": [{"slug": "sante", "confidence": 0.93}],
        "mission_types": [
            {"slug": "consultations-medicales", "confidence": 0.81},
            {"slug": "dons-equipements-sante", "confidence": 0.1}
        ],
        "contribution_types": ["competences"],
        "city": "douala",
        "remote": false,
        "starts_on": "2027-08-02",
        "ends_on": "2027-08-09"
    })
}

fn engine(fake: &Fake, configure: impl FnOnce(&mut LlmConfig)) -> LlmEngine {
    let mut config = LlmConfig::new(&fake.url, "test-model", "sk-test-key");
    config.price_input_per_mtok = Some(0.15);
    config.price_output_per_mtok = Some(0.6);
    configure(&mut config);
    LlmEngine::new(config).expect("client")
}

fn cm_cities() -> Vec<City> {
    vec![
        City::new("douala", "Douala"),
        City::new("yaounde", "Yaoundé"),
    ]
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 6, 1).expect("date")
}

fn input<'a>(text: &'a str, cities: &'a [City]) -> DraftInput<'a> {
    DraftInput {
        message: Message {
            text,
            tenant: "cm",
            cities,
            today: today(),
        },
        locale: Locale::Fr,
    }
}

/// What the offline engine alone drafts.
async fn offline_title(text: &str, cities: &[City]) -> String {
    Assistant::offline().draft(&input(text, cities)).await.title
}

#[tokio::test]
async fn a_valid_answer_is_used_and_the_request_carries_model_key_and_schema() {
    let fake = fake(vec![ok(&llm_draft())]).await;
    let cities = cm_cities();
    let assistant = Assistant::with_primary(Box::new(engine(&fake, |_| {})));
    let draft = assistant.draft(&input(MESSAGE, &cities)).await;
    assert_eq!(draft.title, "Caravane médicale à Bépanda (LLM)");
    assert_eq!(
        draft.summary,
        "Une semaine de consultations gratuites à Bépanda."
    );
    assert_eq!(draft.mission_types[0].slug, "consultations-medicales");
    assert_eq!(
        draft.mission_types[1].slug, "dons-equipements-sante",
        "the LLM's order first"
    );
    assert_eq!(draft.mission_types.len(), 3, "topped up to three");
    assert_eq!(draft.starts_on, NaiveDate::from_ymd_opt(2027, 8, 2));

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.path, "/v1/chat/completions");
    assert_eq!(r.authorization.as_deref(), Some("Bearer sk-test-key"));
    assert_eq!(r.body["model"], "test-model");
    assert_eq!(r.body["messages"][0]["role"], "system");
    assert_eq!(r.body["messages"][1]["role"], "user");
    assert_eq!(r.body["messages"][1]["content"], MESSAGE);
    let system = r.body["messages"][0]["content"].as_str().expect("prompt");
    assert!(system.contains("Today is 2027-06-01"), "{system}");
    assert!(system.contains("- douala: Douala"));
    let format = &r.body["response_format"];
    assert_eq!(format["type"], "json_schema");
    assert_eq!(format["json_schema"]["strict"], true);
    let schema = &format["json_schema"]["schema"];
    assert_eq!(
        schema["properties"]["city"]["enum"],
        json!(["douala", "yaounde", null])
    );
    let types = schema["properties"]["mission_types"]["items"]["properties"]["slug"]["enum"]
        .as_array()
        .expect("enum");
    assert_eq!(types.len(), 30);
    assert!(types.contains(&json!("consultations-medicales")));
}

#[tokio::test]
async fn answers_outside_the_schema_fall_back_to_the_offline_engine() {
    let cities = cm_cities();
    let offline = offline_title(MESSAGE, &cities).await;
    let mut unknown_slug = llm_draft();
    unknown_slug["domains"][0]["slug"] = json!("astrologie");
    let mut other_city = llm_draft();
    other_city["city"] = json!("dakar");
    for (case, answer) in [
        (
            "malformed JSON",
            Scripted(
                200,
                completion("{\"title\": \"Caravane"),
                Duration::ZERO,
                None,
            ),
        ),
        ("unknown slug", ok(&unknown_slug)),
        ("city of another tenant", ok(&other_city)),
        (
            "not a chat completion",
            Scripted(200, "<html>proxy</html>".into(), Duration::ZERO, None),
        ),
    ] {
        let fake = fake(vec![answer]).await;
        let engine = engine(&fake, |_| {});
        assert!(
            engine.draft(&input(MESSAGE, &cities)).await.is_err(),
            "{case}: rejected"
        );
        let assistant = Assistant::with_primary(Box::new(engine));
        let draft = assistant.draft(&input(MESSAGE, &cities)).await;
        assert_eq!(draft.title, offline, "{case}: the offline draft");
        assert_ne!(draft.title, "Caravane médicale à Bépanda (LLM)");
        assert_eq!(
            fake.requests().len(),
            2,
            "{case}: an invalid answer is not retried"
        );
    }
}

#[tokio::test]
async fn a_server_error_is_retried_and_an_unauthorised_key_is_not() {
    let cities = cm_cities();
    let fake_500 = fake(vec![status(500), ok(&llm_draft())]).await;
    let draft = engine(&fake_500, |_| {})
        .draft(&input(MESSAGE, &cities))
        .await
        .expect("the second attempt answers");
    assert_eq!(draft.title, "Caravane médicale à Bépanda (LLM)");
    assert_eq!(fake_500.requests().len(), 2);

    let fake_429 = fake(vec![status(429), status(503), status(502)]).await;
    assert!(
        engine(&fake_429, |c| c.retries = 2)
            .draft(&input(MESSAGE, &cities))
            .await
            .is_err()
    );
    assert_eq!(fake_429.requests().len(), 3, "one attempt and two retries");

    let fake_401 = fake(vec![status(401), ok(&llm_draft())]).await;
    let assistant = Assistant::with_primary(Box::new(engine(&fake_401, |_| {})));
    let draft = assistant.draft(&input(MESSAGE, &cities)).await;
    assert_eq!(draft.title, offline_title(MESSAGE, &cities).await);
    assert_eq!(fake_401.requests().len(), 1, "401 is not retried");
}

/// A 429 with `Retry-After`: the engine waits what the server asks, up to
/// `RETRY_AFTER_MAX`; asked to wait longer, it does not retry (the offline engine answers).
#[tokio::test]
async fn retry_after_is_honoured_up_to_its_limit() {
    let cities = cm_cities();
    let limited = |seconds| Scripted(429, "{}".into(), Duration::ZERO, Some(seconds));
    let short = fake(vec![limited(1), ok(&llm_draft())]).await;
    let started = Instant::now();
    let draft = engine(&short, |_| {})
        .draft(&input(MESSAGE, &cities))
        .await
        .expect("the second attempt answers");
    assert_eq!(draft.title, "Caravane médicale à Bépanda (LLM)");
    assert_eq!(short.requests().len(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited the second asked for, not the 250 ms backoff: {:?}",
        started.elapsed()
    );

    let long = fake(vec![limited(120), ok(&llm_draft())]).await;
    let error = engine(&long, |c| c.retries = 2)
        .draft(&input(MESSAGE, &cities))
        .await
        .expect_err("not waited for");
    assert_eq!(
        long.requests().len(),
        1,
        "asked to wait 2 minutes: no retry"
    );
    assert!(error.to_string().contains("retry after 120 s"), "{error}");
    assert!(jsap_adapters::RETRY_AFTER_MAX < Duration::from_secs(120));
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_falls_back_in_time() {
    let cities = cm_cities();
    let slow = fake(vec![Scripted(
        200,
        completion(&llm_draft().to_string()),
        Duration::from_secs(30),
        None,
    )])
    .await;
    let assistant = Assistant::with_primary(Box::new(engine(&slow, |c| {
        c.timeout = Duration::from_millis(300);
        c.retries = 1;
    })));
    let started = Instant::now();
    let draft = assistant.draft(&input(MESSAGE, &cities)).await;
    let took = started.elapsed();
    assert_eq!(draft.title, offline_title(MESSAGE, &cities).await);
    assert_eq!(slow.requests().len(), 2, "a timeout is retried");
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[tokio::test]
async fn a_connection_refused_falls_back() {
    // A port nobody listens on any more.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let mut config = LlmConfig::new(&format!("http://{addr}/v1"), "m", "k");
    config.retries = 0;
    let cities = cm_cities();
    let assistant = Assistant::with_primary(Box::new(LlmEngine::new(config).expect("client")));
    let draft = assistant.draft(&input(MESSAGE, &cities)).await;
    assert_eq!(draft.title, offline_title(MESSAGE, &cities).await);
}

#[tokio::test]
async fn triage_uses_the_llm_reply_and_falls_back_when_it_is_unusable() {
    let cities = [City::new("dakar", "Dakar")];
    let triage_input = TriageInput {
        text: "URGENT inondations à Pikine, comment aider ?",
        tenant: "sn",
        cities: &cities,
        today: today(),
    };
    let answer = json!({
        "topic": "urgences-humanitaires",
        "urgency": "high",
        "language": "fr",
        "suggested_reply": "Merci pour votre message (LLM)."
    });
    let fake_ok = fake(vec![ok(&answer)]).await;
    let triage = Assistant::with_primary(Box::new(engine(&fake_ok, |_| {})))
        .triage(&triage_input)
        .await;
    assert_eq!(triage.suggested_reply, "Merci pour votre message (LLM).");
    assert_eq!(
        (triage.urgency, triage.language),
        (Urgency::High, Language::Fr)
    );
    let body = &fake_ok.requests()[0].body;
    assert_eq!(
        body["response_format"]["json_schema"]["name"],
        "request_triage"
    );

    let mut bad = answer.clone();
    bad["urgency"] = json!("tomorrow");
    let fake_bad = fake(vec![ok(&bad)]).await;
    let triage = Assistant::with_primary(Box::new(engine(&fake_bad, |_| {})))
        .triage(&triage_input)
        .await;
    assert_ne!(triage.suggested_reply, "Merci pour votre message (LLM).");
    assert_eq!(
        triage,
        Assistant::offline().triage(&triage_input).await,
        "the offline triage"
    );
}
