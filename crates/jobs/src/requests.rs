//! The request deadline job: `jsap_app::requests::deadlines` for every tenant, once per
//! cluster (cache lock).

use chrono::{DateTime, Utc};
use jsap_adapters::Themes;
pub use jsap_app::requests::deadlines::{
    DeadlineReport, REMINDER_LEAD_DAYS, SURVEY_AFTER_DAYS, SURVEY_TTL_DAYS, request_deadlines_for,
};
use jsap_store::Store;
use jsap_tenancy::TenantRegistry;
use std::sync::Arc;

/// One pass over every country tenant at `now`, once per cluster (cache lock).
pub async fn request_deadlines(
    store: &Store,
    registry: &TenantRegistry,
    themes: &Arc<Themes>,
    cache: &jsap_adapters::Cache,
    now: DateTime<Utc>,
) -> anyhow::Result<DeadlineReport> {
    let run = crate::with_lock(
        cache,
        "request_deadlines",
        std::time::Duration::from_secs(600),
        async {
            let mut total = DeadlineReport::default();
            for tenant in registry.tenants() {
                let one = request_deadlines_for(store, tenant, themes, now).await?;
                total.reminded += one.reminded;
                total.escalated += one.escalated;
                total.surveyed += one.surveyed;
                total.survey_opted_out += one.survey_opted_out;
                total.emails += one.emails;
            }
            Ok(total)
        },
    )
    .await?;
    Ok(run.unwrap_or(DeadlineReport {
        skipped: true,
        ..Default::default()
    }))
}
