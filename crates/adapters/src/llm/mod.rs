//! The assistant's OpenAI-compatible engine: `POST {LLM_URL}/chat/completions` with a system
//! prompt naming the tenant's allowed slugs, the message as the user message, and a strict
//! JSON schema as `response_format`. Each call has a timeout and retries (timeouts,
//! connection errors, 429 and 5xx only, with a short backoff, or the `Retry-After` the server
//! asks for up to 3 s, beyond which it does not wait); every answer is validated
//! (`validate`); any failure is an [`EngineError`], upon which `jsap_assistant::Assistant`
//! uses the offline engine. One `info` log line per call: model, operation, attempts,
//! latency, tokens, cost estimate and outcome; never the key nor the message.

pub mod schema;
pub mod translate;
pub mod validate;

use jsap_assistant::{
    Draft, DraftInput, Engine, EngineError, TranslateInput, Translation, Triage, TriageInput,
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// `LLM_*` settings (see README.md).
#[derive(Clone)]
pub struct LlmConfig {
    /// The API base, such as `https://api.openai.com/v1` (`/chat/completions` is appended).
    pub url: String,
    pub model: String,
    pub api_key: String,
    /// Per HTTP attempt (`LLM_TIMEOUT_MS`, default 10 s).
    pub timeout: Duration,
    /// Attempts after the first one (`LLM_RETRIES`, default 2).
    pub retries: u32,
    /// USD per million prompt tokens (`LLM_PRICE_INPUT_PER_MTOK`), for the cost log.
    pub price_input_per_mtok: Option<f64>,
    /// USD per million completion tokens (`LLM_PRICE_OUTPUT_PER_MTOK`).
    pub price_output_per_mtok: Option<f64>,
}

impl LlmConfig {
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(10_000);
    pub const DEFAULT_RETRIES: u32 = 2;

    pub fn new(url: &str, model: &str, api_key: &str) -> LlmConfig {
        LlmConfig {
            url: url.to_owned(),
            model: model.to_owned(),
            api_key: api_key.to_owned(),
            timeout: Self::DEFAULT_TIMEOUT,
            retries: Self::DEFAULT_RETRIES,
            price_input_per_mtok: None,
            price_output_per_mtok: None,
        }
    }
}

/// The key never reaches a log, even through `{:?}` of the whole configuration.
impl std::fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmConfig")
            .field("url", &self.url)
            .field("model", &self.model)
            .field("api_key", &"<redacted>")
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("price_input_per_mtok", &self.price_input_per_mtok)
            .field("price_output_per_mtok", &self.price_output_per_mtok)
            .finish()
    }
}

#[derive(Clone, Copy)]
enum Operation {
    Draft,
    Triage,
    Translate,
}

impl Operation {
    fn as_str(self) -> &'static str {
        match self {
            Operation::Draft => "draft",
            Operation::Triage => "triage",
            Operation::Translate => "translate",
        }
    }
}

#[derive(Default, Deserialize)]
struct Usage {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
}

#[derive(Deserialize)]
struct Completion {
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
}

/// Why one HTTP attempt failed, and whether another may succeed (after the wait the server
/// asked for with `Retry-After`, if it did).
enum Attempt {
    Retry(String, Option<Duration>),
    Stop(EngineError),
}

/// The longest `Retry-After` the engine waits: someone waits on the answer, so beyond this
/// the offline engine answers at once instead.
pub const RETRY_AFTER_MAX: Duration = Duration::from_secs(3);

/// The wait a `Retry-After` header asks for, in seconds (the HTTP-date form is not waited
/// for: the usual backoff applies).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// What a call to the API gave: the answer's text or why none, the attempts, the usage.
struct Called {
    content: Result<String, EngineError>,
    attempts: u32,
    usage: Usage,
}

/// The OpenAI-compatible engine.
pub struct LlmEngine {
    config: LlmConfig,
    endpoint: String,
    client: reqwest::Client,
}

impl LlmEngine {
    pub fn new(config: LlmConfig) -> Result<LlmEngine, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .build()?;
        Ok(LlmEngine {
            endpoint: format!("{}/chat/completions", config.url.trim_end_matches('/')),
            config,
            client,
        })
    }

    pub fn model(&self) -> &str {
        &self.config.model
    }

    async fn attempt(&self, body: &[u8]) -> Result<(String, Usage), Attempt> {
        let transport = |e: reqwest::Error| {
            let reason = if e.is_timeout() {
                "timeout"
            } else if e.is_connect() {
                "connection error"
            } else {
                "transport error"
            };
            Attempt::Retry(reason.to_owned(), None)
        };
        let response = self
            .client
            .post(&self.endpoint)
            .bearer_auth(&self.config.api_key)
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if status.as_u16() == 429 || status.is_server_error() {
            return Err(Attempt::Retry(
                format!("http {}", status.as_u16()),
                retry_after(response.headers()),
            ));
        }
        if !status.is_success() {
            return Err(Attempt::Stop(EngineError::Unavailable(format!(
                "http {}",
                status.as_u16()
            ))));
        }
        let bytes = response.bytes().await.map_err(transport)?;
        let completion: Completion = serde_json::from_slice(&bytes)
            .map_err(|_| Attempt::Stop(EngineError::Invalid("not a chat completion".to_owned())))?;
        let usage = completion.usage.unwrap_or_default();
        let stop = |reason: &str| Attempt::Stop(EngineError::Invalid(reason.to_owned()));
        let Some(choice) = completion.choices.into_iter().next() else {
            return Err(stop("no choice"));
        };
        if choice.message.refusal.is_some() {
            return Err(stop("refusal"));
        }
        if choice.finish_reason.as_deref() == Some("length") {
            return Err(stop("answer cut (length)"));
        }
        match choice.message.content {
            Some(content) => Ok((content, usage)),
            None => Err(stop("no content")),
        }
    }

    /// The API's answer to `system` + `user` constrained by `format`, retried as configured.
    async fn call(&self, system: String, user: &str, format: Value) -> Called {
        let body = json!({
            "model": self.config.model,
            "messages": [
                { "role": "system", "content": system },
                { "role": "user", "content": user }
            ],
            "response_format": format,
            "temperature": 0
        });
        let body = match serde_json::to_vec(&body) {
            Ok(body) => body,
            Err(e) => {
                return Called {
                    content: Err(EngineError::Unavailable(e.to_string())),
                    attempts: 0,
                    usage: Usage::default(),
                };
            }
        };
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.attempt(&body).await {
                Ok((content, usage)) => {
                    return Called {
                        content: Ok(content),
                        attempts,
                        usage,
                    };
                }
                Err(Attempt::Stop(e)) => {
                    return Called {
                        content: Err(e),
                        attempts,
                        usage: Usage::default(),
                    };
                }
                Err(Attempt::Retry(reason, _)) if attempts > self.config.retries => {
                    return Called {
                        content: Err(EngineError::Unavailable(reason)),
                        attempts,
                        usage: Usage::default(),
                    };
                }
                Err(Attempt::Retry(reason, Some(asked))) if asked > RETRY_AFTER_MAX => {
                    return Called {
                        content: Err(EngineError::Unavailable(format!(
                            "{reason}, retry after {} s",
                            asked.as_secs()
                        ))),
                        attempts,
                        usage: Usage::default(),
                    };
                }
                Err(Attempt::Retry(_, asked)) => {
                    // 250 ms, 500 ms, 1 s… at most 2 s; longer when the server asks.
                    let backoff = Duration::from_millis(250u64 << (attempts - 1).min(3));
                    tokio::time::sleep(asked.map_or(backoff, |a| a.max(backoff))).await;
                }
            }
        }
    }

    /// The cost of a call in USD, when a price is configured and the usage known.
    fn cost(&self, usage: &Usage) -> Option<f64> {
        if self.config.price_input_per_mtok.is_none() && self.config.price_output_per_mtok.is_none()
        {
            return None;
        }
        let (prompt, completion) = (usage.prompt_tokens?, usage.completion_tokens?);
        Some(
            prompt as f64 * self.config.price_input_per_mtok.unwrap_or(0.0) / 1e6
                + completion as f64 * self.config.price_output_per_mtok.unwrap_or(0.0) / 1e6,
        )
    }

    fn log<T>(
        &self,
        operation: Operation,
        started: Instant,
        called: &Called,
        result: &Result<T, EngineError>,
    ) {
        let reason = result.as_ref().err().map(ToString::to_string);
        tracing::info!(
            engine = "llm",
            model = %self.config.model,
            operation = operation.as_str(),
            attempts = called.attempts,
            latency_ms = started.elapsed().as_millis() as u64,
            prompt_tokens = called.usage.prompt_tokens,
            completion_tokens = called.usage.completion_tokens,
            cost_usd = self.cost(&called.usage),
            outcome = if result.is_ok() { "ok" } else { "fallback" },
            reason = reason.as_deref(),
            "llm call"
        );
    }
}

#[async_trait::async_trait]
impl Engine for LlmEngine {
    fn name(&self) -> &'static str {
        "llm"
    }

    async fn draft(&self, input: &DraftInput<'_>) -> Result<Draft, EngineError> {
        let started = Instant::now();
        let called = self
            .call(
                schema::draft_prompt(input),
                input.message.text,
                schema::draft_format(input.message.cities),
            )
            .await;
        let result = match &called.content {
            Ok(content) => validate::draft(content, input),
            Err(e) => Err(clone_error(e)),
        };
        self.log(Operation::Draft, started, &called, &result);
        result
    }

    async fn triage(&self, input: &TriageInput<'_>) -> Result<Triage, EngineError> {
        let started = Instant::now();
        let called = self
            .call(
                schema::triage_prompt(input),
                input.text,
                schema::triage_format(),
            )
            .await;
        let result = match &called.content {
            Ok(content) => validate::triage(content, input),
            Err(e) => Err(clone_error(e)),
        };
        self.log(Operation::Triage, started, &called, &result);
        result
    }

    async fn translate(&self, input: &TranslateInput<'_>) -> Result<Translation, EngineError> {
        let started = Instant::now();
        let called = self
            .call(
                translate::prompt(input),
                &translate::message(input),
                translate::format(),
            )
            .await;
        let result = match &called.content {
            Ok(content) => translate::validate(content, input),
            Err(e) => Err(clone_error(e)),
        };
        self.log(Operation::Translate, started, &called, &result);
        result
    }
}

fn clone_error(e: &EngineError) -> EngineError {
    match e {
        EngineError::Unavailable(s) => EngineError::Unavailable(s.clone()),
        EngineError::Invalid(s) => EngineError::Invalid(s.clone()),
    }
}
