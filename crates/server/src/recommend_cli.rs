//! `jesuisaupays assistant recommend`: the tenant's missions ranked for a profile given as a
//! JSON file, printed as JSON best first.

use crate::commands::services_for;
use crate::config::Config;
use anyhow::{Context, bail};
use chrono::NaiveDate;
use jsap_app::recommend::{self, Member};
use jsap_domain::Locale;
use std::path::Path;

/// Reads and parses the profile file.
fn read_profile(path: &Path) -> anyhow::Result<Member> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--profile: cannot read {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("--profile: {} is not a valid profile", path.display()))
}

pub async fn recommend(
    config: &Config,
    tenant: &str,
    profile: &Path,
    limit: usize,
    today: Option<NaiveDate>,
    locale: Option<&str>,
) -> anyhow::Result<()> {
    let member = read_profile(profile)?;
    let locale = match locale {
        None => None,
        Some(l) => Some(
            l.parse::<Locale>()
                .map_err(|()| anyhow::anyhow!("--locale: fr, en or ar, not {l}"))?,
        ),
    };
    let (services, tenant) = services_for(config, tenant).await?;
    let today = today.unwrap_or_else(|| tenant.today());
    let locale = locale.unwrap_or(tenant.default_locale);
    let started = std::time::Instant::now();
    let found =
        recommend::recommend(&services.store, &tenant, &member, limit, today, locale).await?;
    let elapsed = started.elapsed();
    match found {
        Ok(list) => {
            println!("{}", serde_json::to_string_pretty(&list)?);
            tracing::info!(
                tenant.code = %tenant.code,
                results = list.len(),
                elapsed_ms = elapsed.as_secs_f64() * 1000.0,
                "recommended"
            );
            Ok(())
        }
        Err(problem) => bail!("--profile: {problem}"),
    }
}
