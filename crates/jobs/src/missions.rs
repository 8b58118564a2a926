//! The mission expiry job: `jsap_app::missions::expire_ended` for every country tenant, once
//! per cluster (cache lock). It runs hourly, so a mission ends within the hour after the
//! midnight (tenant time) that follows the last day of its window.

use chrono::{DateTime, Utc};
use jsap_adapters::Themes;
use jsap_app::{FixedClock, Scope};
use jsap_store::Store;
use jsap_tenancy::TenantRegistry;
use std::sync::Arc;

/// One pass over every country tenant at `now`; how many missions expired, or `None` when
/// another replica held the lock.
pub async fn expire_missions(
    store: &Store,
    registry: &TenantRegistry,
    themes: &Arc<Themes>,
    cache: &jsap_adapters::Cache,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<usize>> {
    crate::with_lock(
        cache,
        "expire_missions",
        std::time::Duration::from_secs(600),
        async {
            let clock = FixedClock(now);
            let mut expired = 0;
            for tenant in registry.tenants().iter().filter(|t| !t.is_portal()) {
                let scope = Scope::new(store, themes.clone(), tenant, &clock);
                expired += jsap_app::missions::expire_ended(&scope).await?.len();
            }
            Ok(expired)
        },
    )
    .await
}

/// One pass of the focal points' weekday to-do over every country tenant at `now` (each
/// tenant decides from its own time zone whether it is to-do time); how many emails were
/// queued, or `None` when another replica held the lock. Sent at most once per focal point
/// and local day whatever the number of passes or replicas (`digest_sends`).
pub async fn focal_point_todos(
    store: &Store,
    registry: &TenantRegistry,
    themes: &Arc<Themes>,
    cache: &jsap_adapters::Cache,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<usize>> {
    crate::with_lock(
        cache,
        "focal_point_todos",
        std::time::Duration::from_secs(600),
        async {
            let clock = FixedClock(now);
            let mut sent = 0;
            for tenant in registry.tenants().iter().filter(|t| !t.is_portal()) {
                let scope = Scope::new(store, themes.clone(), tenant, &clock);
                sent += jsap_app::workspace::send_todo_emails(&scope).await?.sent;
            }
            Ok(sent)
        },
    )
    .await
}
