//! Configuration from environment variables; every one is documented in README.md.

use anyhow::{Context, bail};
use jsap_adapters::LlmConfig;
use jsap_adapters::blob::S3Config;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Whether to load the demo data at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoData {
    /// Only on the embedded SQLite database, and only when it holds no mission yet.
    Auto,
    On,
    Off,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub bind_addr: SocketAddr,
    /// `METRICS_ADDR`: where `/metrics` is served (its own listener, never the public sites);
    /// none by default.
    pub metrics_addr: Option<SocketAddr>,
    pub data_dir: PathBuf,
    pub tenants_dir: PathBuf,
    pub themes_dir: PathBuf,
    /// `None`: the embedded SQLite file under `data_dir`.
    pub database_url: Option<String>,
    pub redis_url: Option<String>,
    /// Prefix of every Redis key (lets several apps, or tests, share one Redis).
    pub redis_prefix: String,
    pub smtp_url: Option<String>,
    pub s3: Option<S3Config>,
    pub trust_forwarded_host: bool,
    /// Proxies in front of the app that append to `X-Forwarded-For` (with
    /// `TRUST_FORWARDED_HOST`): the client is the entry this far from the right end.
    pub trusted_proxy_hops: usize,
    pub log_format: LogFormat,
    pub demo_data: DemoData,
    /// Seconds between two runs of the outbox delivery job.
    pub outbox_interval_secs: u64,
    /// Open-Meteo-compatible weather API; `None` turns the weather off.
    pub weather_url: Option<String>,
    /// `SECRET_KEY`: signs CSRF tokens. `None`: generated once into `DATA_DIR/secret_key`.
    pub secret_key: Option<String>,
    /// `SECRET_KEY_PREVIOUS`: keys replaced by `SECRET_KEY`, space-separated, still accepted
    /// for what they signed (open forms, known devices) until removed.
    pub previous_secret_keys: Vec<String>,
    /// `LLM_URL`, `LLM_MODEL` and `LLM_API_KEY` (all three or none): the assistant's
    /// OpenAI-compatible engine. `None`: the offline engine only.
    pub llm: Option<LlmConfig>,
    /// `WARM_CATALOGUES`: load every site's mission catalogue at start, `/readyz` answering
    /// 503 until done (on by default).
    pub warm_catalogues: bool,
}

impl Config {
    /// Defaults for running from the repository root, without any environment.
    pub fn defaults() -> Self {
        Self {
            bind_addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            metrics_addr: None,
            data_dir: PathBuf::from("./data"),
            tenants_dir: PathBuf::from("./tenants"),
            themes_dir: PathBuf::from("./themes"),
            database_url: None,
            redis_url: None,
            redis_prefix: "jsap:".to_owned(),
            smtp_url: None,
            s3: None,
            trust_forwarded_host: false,
            trusted_proxy_hops: 1,
            log_format: LogFormat::Pretty,
            demo_data: DemoData::Auto,
            outbox_interval_secs: 10,
            weather_url: Some("https://api.open-meteo.com".to_owned()),
            secret_key: None,
            previous_secret_keys: Vec::new(),
            llm: None,
            warm_catalogues: true,
        }
    }

    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads configuration through `get`, so tests can pass a map instead of the process env.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let mut c = Self::defaults();
        if let Some(v) = get("BIND_ADDR") {
            c.bind_addr = v.parse().with_context(|| {
                format!("BIND_ADDR: \"{v}\" is not an address such as 127.0.0.1:8080")
            })?;
        }
        if let Some(v) = get("METRICS_ADDR") {
            c.metrics_addr = Some(v.parse().with_context(|| {
                format!("METRICS_ADDR: \"{v}\" is not an address such as 127.0.0.1:9464")
            })?);
        }
        if let Some(v) = get("DATA_DIR") {
            c.data_dir = v.into();
        }
        if let Some(v) = get("TENANTS_DIR") {
            c.tenants_dir = v.into();
        }
        if let Some(v) = get("THEMES_DIR") {
            c.themes_dir = v.into();
        }
        c.database_url = get("DATABASE_URL");
        if let Some(url) = &c.database_url
            && !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
        {
            bail!("DATABASE_URL: must start with sqlite: or postgres://");
        }
        c.redis_url = get("REDIS_URL");
        if let Some(v) = get("REDIS_PREFIX") {
            c.redis_prefix = v;
        }
        c.smtp_url = get("SMTP_URL");
        if let Some(bucket) = get("S3_BUCKET") {
            let need = |name: &str| {
                get(name).with_context(|| format!("{name}: required when S3_BUCKET is set"))
            };
            c.s3 = Some(S3Config {
                endpoint: get("S3_ENDPOINT"),
                bucket,
                region: get("S3_REGION").unwrap_or_else(|| "us-east-1".to_owned()),
                access_key_id: need("S3_ACCESS_KEY_ID")?,
                secret_access_key: need("S3_SECRET_ACCESS_KEY")?,
            });
        }
        if let Some(v) = get("TRUST_FORWARDED_HOST") {
            c.trust_forwarded_host = parse_bool("TRUST_FORWARDED_HOST", &v)?;
        }
        if let Some(v) = get("WARM_CATALOGUES") {
            c.warm_catalogues = parse_bool("WARM_CATALOGUES", &v)?;
        }
        if let Some(v) = get("TRUSTED_PROXY_HOPS") {
            c.trusted_proxy_hops = v
                .parse()
                .ok()
                .filter(|n| (1..=10).contains(n))
                .with_context(|| {
                    format!("TRUSTED_PROXY_HOPS: \"{v}\" is not a number of proxies from 1 to 10")
                })?;
        }
        if let Some(v) = get("LOG_FORMAT") {
            c.log_format = match v.as_str() {
                "pretty" => LogFormat::Pretty,
                "json" => LogFormat::Json,
                other => bail!("LOG_FORMAT: \"{other}\" is neither pretty nor json"),
            };
        }
        if let Some(v) = get("DEMO_DATA") {
            c.demo_data = match v.as_str() {
                "auto" => DemoData::Auto,
                "on" => DemoData::On,
                "off" => DemoData::Off,
                other => bail!("DEMO_DATA: \"{other}\" is not auto, on or off"),
            };
        }
        if let Some(v) = get("OUTBOX_INTERVAL_SECS") {
            c.outbox_interval_secs = v.parse().ok().filter(|n| *n > 0).with_context(|| {
                format!("OUTBOX_INTERVAL_SECS: \"{v}\" is not a positive number")
            })?;
        }
        if let Some(v) = get("WEATHER_URL") {
            c.weather_url = match v.as_str() {
                "off" => None,
                url if url.starts_with("http://") || url.starts_with("https://") => {
                    Some(url.to_owned())
                }
                other => bail!("WEATHER_URL: \"{other}\" is neither an http(s) URL nor off"),
            };
        }
        if let Some(v) = get("SECRET_KEY") {
            if v.len() < 32 {
                bail!("SECRET_KEY: must be at least 32 characters (e.g. `openssl rand -hex 32`)");
            }
            c.secret_key = Some(v);
        }
        if let Some(v) = get("SECRET_KEY_PREVIOUS") {
            let keys: Vec<String> = v.split_whitespace().map(str::to_owned).collect();
            if keys.iter().any(|k| k.len() < 32) {
                bail!(
                    "SECRET_KEY_PREVIOUS: each key (space-separated) must be at least 32 characters"
                );
            }
            c.previous_secret_keys = keys;
        }
        c.llm = llm_from(&get)?;
        Ok(c)
    }

    /// The secret key: `SECRET_KEY`, or the one in `DATA_DIR/secret_key`, generated there
    /// (readable by the owner only) on first run.
    pub fn load_secret_key(&self) -> anyhow::Result<Vec<u8>> {
        if let Some(key) = &self.secret_key {
            return Ok(key.as_bytes().to_vec());
        }
        let path = self.data_dir.join("secret_key");
        match std::fs::read_to_string(&path) {
            Ok(key) if key.trim().len() >= 32 => return Ok(key.trim().as_bytes().to_vec()),
            Ok(_) => bail!(
                "{}: too short, delete it to generate a new one",
                path.display()
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("Failed to create DATA_DIR {}", self.data_dir.display()))?;
        let key = jsap_store::random_token();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        std::io::Write::write_all(&mut file, key.as_bytes())?;
        tracing::info!(path = %path.display(), "generated a secret key");
        Ok(key.into_bytes())
    }

    /// The database URL in use: the configured one, or the embedded SQLite file.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("jesuisaupays.db").display()
            ),
        }
    }

    pub fn uses_embedded_database(&self) -> bool {
        self.database_url.is_none()
    }
}

/// The LLM settings: all of `LLM_URL`, `LLM_MODEL` and `LLM_API_KEY`, or none of them.
fn llm_from(get: &impl Fn(&str) -> Option<String>) -> anyhow::Result<Option<LlmConfig>> {
    const NAMES: [&str; 3] = ["LLM_URL", "LLM_MODEL", "LLM_API_KEY"];
    let values = NAMES.map(get);
    let missing: Vec<&str> = NAMES
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(name, _)| *name)
        .collect();
    let [Some(url), Some(model), Some(api_key)] = values else {
        if missing.len() == NAMES.len() {
            return Ok(None);
        }
        bail!(
            "{}: required with the other LLM_ variables (set LLM_URL, LLM_MODEL and \
             LLM_API_KEY together, or none of them for the offline assistant)",
            missing.join(", ")
        );
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        bail!("LLM_URL: \"{url}\" is not an http(s) URL such as https://api.openai.com/v1");
    }
    let mut llm = LlmConfig::new(&url, &model, &api_key);
    if let Some(v) = get("LLM_TIMEOUT_MS") {
        let ms: u64 = v.parse().ok().filter(|n| *n > 0).with_context(|| {
            format!("LLM_TIMEOUT_MS: \"{v}\" is not a positive number of milliseconds")
        })?;
        llm.timeout = std::time::Duration::from_millis(ms);
    }
    if let Some(v) = get("LLM_RETRIES") {
        llm.retries = v
            .parse()
            .ok()
            .filter(|n| *n <= 10)
            .with_context(|| format!("LLM_RETRIES: \"{v}\" is not a number from 0 to 10"))?;
    }
    let price = |name: &str| -> anyhow::Result<Option<f64>> {
        get(name)
            .map(|v| {
                v.parse::<f64>()
                    .ok()
                    .filter(|p| p.is_finite() && *p >= 0.0)
                    .with_context(|| format!("{name}: \"{v}\" is not a price in USD"))
            })
            .transpose()
    };
    llm.price_input_per_mtok = price("LLM_PRICE_INPUT_PER_MTOK")?;
    llm.price_output_per_mtok = price("LLM_PRICE_OUTPUT_PER_MTOK")?;
    Ok(Some(llm))
}

fn parse_bool(name: &str, v: &str) -> anyhow::Result<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "on" | "yes" => Ok(true),
        "0" | "false" | "off" | "no" => Ok(false),
        other => bail!("{name}: \"{other}\" is not true or false"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(pairs: &[(&str, &str)]) -> anyhow::Result<Config> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let c = from(&[]).expect("defaults");
        assert_eq!(c.bind_addr.to_string(), "127.0.0.1:8080");
        assert!(c.uses_embedded_database());
        assert!(
            c.effective_database_url()
                .starts_with("sqlite://./data/jesuisaupays.db")
        );
        assert!(!c.trust_forwarded_host);
        assert!(c.s3.is_none() && c.redis_url.is_none() && c.smtp_url.is_none());
        assert!(c.warm_catalogues, "catalogues load at start by default");
        assert!(
            !from(&[("WARM_CATALOGUES", "false")])
                .expect("a boolean")
                .warm_catalogues
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (pairs, var) in [
            (vec![("BIND_ADDR", "nope")], "BIND_ADDR"),
            (vec![("LOG_FORMAT", "xml")], "LOG_FORMAT"),
            (
                vec![("TRUST_FORWARDED_HOST", "maybe")],
                "TRUST_FORWARDED_HOST",
            ),
            (vec![("WARM_CATALOGUES", "later")], "WARM_CATALOGUES"),
            (vec![("DATABASE_URL", "mysql://x")], "DATABASE_URL"),
            (vec![("S3_BUCKET", "b")], "S3_ACCESS_KEY_ID"),
            (vec![("SECRET_KEY", "short")], "SECRET_KEY"),
            (vec![("LLM_URL", "https://x/v1")], "LLM_MODEL, LLM_API_KEY"),
            (
                vec![("LLM_URL", "https://x/v1"), ("LLM_API_KEY", "k")],
                "LLM_MODEL",
            ),
            (
                vec![
                    ("LLM_URL", "x/v1"),
                    ("LLM_MODEL", "m"),
                    ("LLM_API_KEY", "k"),
                ],
                "LLM_URL",
            ),
            (
                vec![
                    ("LLM_URL", "https://x/v1"),
                    ("LLM_MODEL", "m"),
                    ("LLM_API_KEY", "k"),
                    ("LLM_TIMEOUT_MS", "soon"),
                ],
                "LLM_TIMEOUT_MS",
            ),
        ] {
            let e = from(&pairs).expect_err(var);
            assert!(format!("{e:#}").contains(var), "{e:#}");
        }
    }

    #[test]
    fn the_llm_is_configured_by_its_three_variables() {
        assert!(from(&[]).expect("defaults").llm.is_none());
        let c = from(&[
            ("LLM_URL", "https://api.openai.com/v1"),
            ("LLM_MODEL", "gpt-4o-mini"),
            ("LLM_API_KEY", "sk-secret"),
            ("LLM_RETRIES", "0"),
            ("LLM_PRICE_INPUT_PER_MTOK", "0.15"),
        ])
        .expect("llm");
        let llm = c.llm.expect("llm set");
        assert_eq!(llm.model, "gpt-4o-mini");
        assert_eq!(llm.timeout, std::time::Duration::from_millis(10_000));
        assert_eq!(llm.retries, 0);
        assert_eq!(llm.price_input_per_mtok, Some(0.15));
        assert_eq!(llm.price_output_per_mtok, None);
        assert!(
            !format!("{llm:?}").contains("sk-secret"),
            "the key is never shown"
        );
    }

    #[test]
    fn s3_is_configured_by_its_bucket() {
        let c = from(&[
            ("S3_BUCKET", "uploads"),
            ("S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("S3_ACCESS_KEY_ID", "k"),
            ("S3_SECRET_ACCESS_KEY", "s"),
        ])
        .expect("s3");
        let s3 = c.s3.expect("s3 set");
        assert_eq!(s3.region, "us-east-1");
        assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
    }

    #[test]
    fn previous_secret_keys_are_read_and_checked() {
        let old = "o".repeat(40);
        let listed = format!(" {old}  {old}x ");
        let c = from(&[("SECRET_KEY_PREVIOUS", listed.as_str())]).expect("keys");
        assert_eq!(c.previous_secret_keys, [old.clone(), format!("{old}x")]);
        let short = from(&[("SECRET_KEY_PREVIOUS", "tooshort")]).expect_err("refused");
        assert!(
            short.to_string().starts_with("SECRET_KEY_PREVIOUS"),
            "{short}"
        );
        assert!(
            !short.to_string().contains("tooshort"),
            "the value is never shown"
        );
    }

    #[test]
    fn the_secret_key_is_generated_once_then_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut c = Config::defaults();
        c.data_dir = dir.path().join("data");
        let first = c.load_secret_key().expect("generated");
        assert_eq!(first.len(), 64);
        assert_eq!(c.load_secret_key().expect("read back"), first);
        c.secret_key = Some("x".repeat(40));
        assert_eq!(
            c.load_secret_key().expect("from env"),
            "x".repeat(40).into_bytes()
        );
    }
}
