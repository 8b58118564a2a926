//! `jesuisaupays assistant draft|triage|eval`: the assistant from the command line. A
//! tenant's cities come from the tenant config directory; no database is needed, so `eval`
//! works on a fresh clone. `draft` and `triage` use the LLM engine when `LLM_*` is set (the
//! offline engine whenever it fails); `eval` always scores the offline engine.

use crate::Config;
use anyhow::{Context, bail};
use chrono::NaiveDate;
use jsap_assistant::{City, DraftInput, Message, eval};
use jsap_tenancy::Tenant;
use std::io::{Read, Write};
use std::path::Path;

fn load_tenants(dir: &Path) -> anyhow::Result<Vec<Tenant>> {
    jsap_tenancy::load_dir(dir).map_err(|errors| {
        anyhow::anyhow!(
            "invalid tenant config in {} (run `jesuisaupays tenants check`):\n{}",
            dir.display(),
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

fn cities(tenant: &Tenant) -> Vec<City> {
    tenant
        .cities
        .iter()
        .map(|c| City {
            slug: c.slug.as_str().to_owned(),
            name: c.name.clone(),
            name_ar: c.name_ar.clone(),
        })
        .collect()
}

fn find<'a>(tenants: &'a [Tenant], code: &str) -> anyhow::Result<&'a Tenant> {
    tenants
        .iter()
        .find(|t| t.code.as_str() == code)
        .with_context(|| {
            format!(
                "unknown tenant \"{code}\" (known: {})",
                tenants
                    .iter()
                    .map(|t| t.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

fn today_or_now(today: Option<&str>) -> anyhow::Result<NaiveDate> {
    match today {
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .with_context(|| format!("--today: \"{s}\" is not a date such as 2027-06-01")),
        None => Ok(chrono::Local::now().date_naive()),
    }
}

fn read_stdin() -> anyhow::Result<String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("reading the text on standard input")?;
    if text.trim().is_empty() {
        bail!("no text on standard input");
    }
    Ok(text)
}

/// Pretty JSON on standard output; a closed pipe is an error, not a panic.
fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    writeln!(std::io::stdout().lock(), "{text}").context("writing to standard output")
}

/// What `draft` and `triage` work on: the tenant's code, language and cities, the day, the
/// text read on standard input, and the assistant (the LLM engine when `LLM_*` is set).
struct Asked {
    tenant: String,
    locale: jsap_domain::Locale,
    cities: Vec<City>,
    today: NaiveDate,
    text: String,
    assistant: jsap_assistant::Assistant,
}

impl Asked {
    /// The text read, as the assistant takes it.
    fn message(&self) -> Message<'_> {
        Message {
            text: &self.text,
            tenant: &self.tenant,
            cities: &self.cities,
            today: self.today,
        }
    }
}

fn asked(config: &Config, tenant: &str, today: Option<&str>) -> anyhow::Result<Asked> {
    let tenants = load_tenants(&config.tenants_dir)?;
    let tenant = find(&tenants, tenant)?;
    Ok(Asked {
        tenant: tenant.code.as_str().to_owned(),
        locale: tenant.default_locale,
        cities: cities(tenant),
        today: today_or_now(today)?,
        text: read_stdin()?,
        assistant: crate::startup::assistant(config.llm.as_ref())?,
    })
}

/// Reads a need on standard input and prints the drafted mission as JSON.
pub async fn draft(config: &Config, tenant: &str, today: Option<&str>) -> anyhow::Result<()> {
    let asked = asked(config, tenant, today)?;
    let draft = asked
        .assistant
        .draft(&DraftInput {
            message: asked.message(),
            locale: asked.locale,
        })
        .await;
    print_json(&draft)
}

/// Reads a request on standard input and prints its triage as JSON.
pub async fn triage(config: &Config, tenant: &str, today: Option<&str>) -> anyhow::Result<()> {
    let asked = asked(config, tenant, today)?;
    let triage = asked.assistant.triage(&asked.message()).await;
    print_json(&triage)
}

/// Scores the offline engine on a labelled JSONL file and prints per-field accuracy.
pub fn eval(tenants_dir: &Path, file: &Path, verbose: bool) -> anyhow::Result<()> {
    let tenants = load_tenants(tenants_dir)?;
    let content =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let cities_of = |code: &str| tenants.iter().find(|t| t.code.as_str() == code).map(cities);
    let report =
        eval::evaluate(&content, &cities_of).with_context(|| format!("{}", file.display()))?;
    write!(std::io::stdout().lock(), "{}", report.render(verbose))
        .context("writing to standard output")
}
