//! The jobs that run a use case for every country tenant, once per cluster (cache lock):
//! - mission expiry (`jsap_app::missions::expire_ended`), hourly, so a mission ends within the
//!   hour after the midnight (tenant time) that follows the last day of its window;
//! - the focal points' weekday to-do (`jsap_app::workspace::send_todo_emails`);
//! - the inactivity rule on members' accounts (`jsap_app::accounts::enforce_inactivity`),
//!   every six hours: a day late at most on a two-year rule;
//! - the weekly "missions for you" email (`jsap_app::recommend::weekly::send_weekly`),
//!   every 30 minutes, from Monday 9:00 tenant time;
//! - the triage of requests (`jsap_app::requests::triage::triage_pending`), every minute:
//!   those sent before triage existed, and the LLM's refinement when one is configured.

use chrono::{DateTime, Utc};
use jsap_adapters::Themes;
use jsap_app::{FixedClock, Scope};
use jsap_store::Store;
use jsap_tenancy::TenantRegistry;
use std::sync::Arc;

/// Runs `pass` for each country tenant at `now` under the lock `name`: the sum of what the
/// passes counted, or `None` when another replica held the lock.
async fn each_country<F>(
    (store, registry, themes): (&Store, &TenantRegistry, &Arc<Themes>),
    cache: &jsap_adapters::Cache,
    name: &str,
    now: DateTime<Utc>,
    pass: F,
) -> anyhow::Result<Option<usize>>
where
    F: AsyncFn(&Scope<'_>) -> Result<usize, jsap_app::Failure>,
{
    crate::with_lock(cache, name, std::time::Duration::from_secs(600), async {
        let clock = FixedClock(now);
        let mut total = 0;
        for tenant in registry.tenants().iter().filter(|t| !t.is_portal()) {
            let scope = Scope::new(store, themes.clone(), tenant, &clock);
            total += pass(&scope).await?;
        }
        Ok(total)
    })
    .await
}

/// Declares a public job, `$name(store, registry, themes, cache, now)`: one pass of `$pass`
/// over every country tenant at `now` under the lock `$name` (see `each_country`).
macro_rules! country_job {
    ($(#[$doc:meta])* $name:ident, |$scope:ident| $pass:expr) => {
        $(#[$doc])*
        pub async fn $name(
            store: &Store,
            registry: &TenantRegistry,
            themes: &Arc<Themes>,
            cache: &jsap_adapters::Cache,
            now: DateTime<Utc>,
        ) -> anyhow::Result<Option<usize>> {
            let services = (store, registry, themes);
            each_country(services, cache, stringify!($name), now, async |$scope| {
                Ok($pass)
            })
            .await
        }
    };
}

country_job! {
    /// One pass over every country tenant at `now`; how many missions expired, or `None` when
    /// another replica held the lock.
    expire_missions,
    |scope| jsap_app::missions::expire_ended(scope).await?.len()
}

country_job! {
    /// One pass of the focal points' weekday to-do over every country tenant at `now` (each
    /// tenant decides from its own time zone whether it is to-do time); how many emails were
    /// queued, or `None` when another replica held the lock. Sent at most once per focal point
    /// and local day whatever the number of passes or replicas (`digest_sends`).
    focal_point_todos,
    |scope| jsap_app::workspace::send_todo_emails(scope).await?.sent
}

country_job! {
    /// One pass of the inactivity rule over every country tenant at `now`: how many accounts
    /// were warned or deleted, or `None` when another replica held the lock.
    account_inactivity,
    |scope| {
        let report = jsap_app::accounts::enforce_inactivity(scope).await?;
        if report.warned + report.deleted > 0 {
            tracing::info!(tenant.code = %scope.tenant.code, warned = report.warned, deleted = report.deleted, "inactive accounts");
        }
        report.warned + report.deleted
    }
}

country_job! {
    /// One pass of the weekly "missions for you" email over every country tenant at `now`
    /// (each tenant decides from its own time zone whether the week's selection may go out);
    /// how many emails were queued, or `None` when another replica held the lock. Sent at most
    /// once per member and week (`digest_sends`).
    missions_weekly,
    |scope| jsap_app::recommend::weekly::send_weekly(scope).await?.sent
}

/// The jobs that work with the assistant (its LLM, when configured).
#[derive(Clone, Copy)]
enum WithAssistant {
    Triage,
    Translate,
}

/// One pass of `job` over every country tenant at `now` with `assistant`, under its lock:
/// how many items it wrote, or `None` when another replica held the lock. (A loop of its own
/// rather than a closure: an async closure borrowing the assistant would not be `Send` for
/// every lifetime, which the supervisor needs.)
async fn with_assistant(
    job: WithAssistant,
    (store, registry, themes): (&Store, &TenantRegistry, &Arc<Themes>),
    cache: &jsap_adapters::Cache,
    assistant: &jsap_assistant::Assistant,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<usize>> {
    let (name, lease) = match job {
        WithAssistant::Triage => ("request_triage", 600),
        WithAssistant::Translate => ("mission_translations", 1800),
    };
    crate::with_lock(cache, name, std::time::Duration::from_secs(lease), async {
        let clock = FixedClock(now);
        let mut total = 0;
        for tenant in registry.tenants().iter().filter(|t| !t.is_portal()) {
            let scope = Scope::new(store, themes.clone(), tenant, &clock);
            total += match job {
                WithAssistant::Triage => {
                    jsap_app::requests::triage::triage_pending(&scope, assistant).await?
                }
                WithAssistant::Translate => {
                    jsap_app::missions::translations::draft_missing(&scope, assistant).await?
                }
            };
        }
        Ok(total)
    })
    .await
}

/// One pass of request triage over every country tenant at `now`, with `assistant` (the LLM
/// first when configured): how many requests were triaged, or `None` when another replica
/// held the lock.
pub async fn request_triage(
    services: (&Store, &TenantRegistry, &Arc<Themes>),
    cache: &jsap_adapters::Cache,
    assistant: &jsap_assistant::Assistant,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<usize>> {
    with_assistant(WithAssistant::Triage, services, cache, assistant, now).await
}

/// One pass of mission translation over every country tenant at `now` with `assistant`: how
/// many translations the LLM drafted for review (none without an LLM), or `None` when another
/// replica held the lock.
pub async fn mission_translations(
    services: (&Store, &TenantRegistry, &Arc<Themes>),
    cache: &jsap_adapters::Cache,
    assistant: &jsap_assistant::Assistant,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<usize>> {
    with_assistant(WithAssistant::Translate, services, cache, assistant, now).await
}
