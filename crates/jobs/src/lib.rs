//! Background jobs, each in a supervised loop (`supervisor`). Each run takes a lock in the
//! cache (in process, or Redis shared by every replica) so that N replicas run it once.

mod missions;
mod requests;

pub use missions::{
    account_inactivity, expire_missions, focal_point_todos, mission_translations, missions_weekly,
    request_triage,
};

pub use requests::{
    DeadlineReport, REMINDER_LEAD_DAYS, SURVEY_AFTER_DAYS, SURVEY_TTL_DAYS, request_deadlines,
    request_deadlines_for,
};

mod supervisor;

pub use supervisor::{JobFuture, Supervisor};

use jsap_adapters::{Cache, JobHealth, Mailer, Themes, WeatherProvider};
use jsap_store::{Accounts, DbSessions, OutboxDelivery, OutboxStatus, Store};
use jsap_tenancy::TenantRegistry;
use std::sync::Arc;
use std::time::Duration;

/// How many emails one delivery run sends at most.
const DELIVERY_BATCH: u64 = 100;

/// How long a claimed email is left alone: if the sender dies between its claim and its
/// result, the email is tried again after this (at least once; never twice while alive).
const CLAIM_LEASE: chrono::Duration = chrono::Duration::minutes(10);

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    /// Another replica held the lock: this run did nothing.
    pub skipped: bool,
}

/// Runs `work` only if this process gets the named lock. The lock is a lease of `ttl`,
/// renewed every third of it while `work` runs (so a long run keeps it), that expires on its
/// own if the holder dies; it is released only by its owner (compare and delete).
pub async fn with_lock<F, T>(
    cache: &Cache,
    name: &str,
    ttl: Duration,
    work: F,
) -> anyhow::Result<Option<T>>
where
    F: std::future::Future<Output = anyhow::Result<T>>,
{
    let key = format!("lock:job:{name}");
    let owner = uuid::Uuid::new_v4().to_string();
    if !cache.set_if_absent(&key, &owner, ttl).await? {
        return Ok(None);
    }
    let renew = async {
        loop {
            tokio::time::sleep(ttl / 3).await;
            match cache.extend_if_equals(&key, &owner, ttl).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::error!(lock = %key, "job lock lost while running");
                    return;
                }
                Err(error) => tracing::warn!(lock = %key, %error, "job lock not renewed"),
            }
        }
    };
    let result = tokio::select! {
        result = work => result,
        () = renew => {
            // The lease is gone: another replica may run now. The rows this run claimed stay
            // claimed (see `OutboxDelivery::claim`), so nothing is sent twice.
            anyhow::bail!("job lock {key} lost")
        }
    };
    if let Err(error) = cache.delete_if_equals(&key, &owner).await {
        tracing::warn!(lock = %key, %error, "job lock not released: it will expire");
    }
    result.map(Some)
}

/// Sends the due emails of every tenant. A failure is recorded on its row and retried later
/// with backoff; nothing is lost.
pub async fn deliver_outbox(
    store: &Store,
    mailer: &Mailer,
    cache: &Cache,
) -> anyhow::Result<DeliveryReport> {
    let run = with_lock(cache, "deliver_outbox", Duration::from_secs(120), async {
        let delivery = OutboxDelivery::across_all_tenants(store.conn());
        let mut report = DeliveryReport::default();
        for email in delivery.due(chrono::Utc::now(), DELIVERY_BATCH).await? {
            // Claimed just before it is sent: a row another run (a replica whose lock had
            // expired, a second process) claimed first is skipped.
            if !delivery.claim(&email, chrono::Utc::now(), CLAIM_LEASE).await? {
                continue;
            }
            match mailer.send(&email).await {
                Ok(()) => {
                    delivery.mark_sent(email.id).await?;
                    report.sent += 1;
                }
                Err(error) => {
                    tracing::warn!(tenant.code = %email.tenant_code, email.id = email.id, %error, "email delivery failed");
                    match delivery.mark_attempt_failed(email.id, &error.to_string(), chrono::Utc::now()).await? {
                        OutboxStatus::Failed => report.failed += 1,
                        _ => report.retried += 1,
                    }
                }
            }
        }
        Ok(report)
    })
    .await?;
    Ok(run.unwrap_or(DeliveryReport {
        skipped: true,
        ..Default::default()
    }))
}

/// Refreshes the cached weather of every country's main city. Returns how many succeeded.
pub async fn refresh_weather(
    registry: &TenantRegistry,
    provider: &WeatherProvider,
    cache: &Cache,
) -> usize {
    let mut refreshed = 0;
    for tenant in registry.countries() {
        let city = tenant
            .main_city
            .as_ref()
            .and_then(|slug| tenant.cities.iter().find(|c| &c.slug == slug))
            .or_else(|| tenant.cities.first());
        let Some(city) = city else { continue };
        match provider
            .refresh(cache, tenant.code.as_str(), city.latitude, city.longitude)
            .await
        {
            Ok(_) => refreshed += 1,
            Err(error) => tracing::warn!(tenant.code = %tenant.code, %error, "weather unavailable"),
        }
    }
    refreshed
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PurgeReport {
    pub sessions: u64,
    pub tokens: u64,
    /// Another replica held the lock: this run did nothing.
    pub skipped: bool,
}

/// Drops expired database sessions and account tokens expired for over a day, tenant by
/// tenant (Redis expires its own session keys).
pub async fn purge_account_data(
    store: &Store,
    registry: &TenantRegistry,
    cache: &Cache,
) -> anyhow::Result<PurgeReport> {
    let run = with_lock(
        cache,
        "purge_account_data",
        Duration::from_secs(600),
        async {
            let mut report = PurgeReport::default();
            let before = chrono::Utc::now() - chrono::Duration::days(1);
            for tenant in registry.tenants() {
                report.sessions += DbSessions::for_tenant(store.conn(), tenant)
                    .purge_expired()
                    .await?;
                report.tokens += Accounts::for_tenant(store.conn(), tenant)
                    .purge_tokens_expired_before(before)
                    .await?;
            }
            Ok(report)
        },
    )
    .await?;
    Ok(run.unwrap_or(PurgeReport {
        skipped: true,
        ..Default::default()
    }))
}

/// What the jobs work with.
#[derive(Clone)]
pub struct JobContext {
    pub store: Store,
    pub mailer: Mailer,
    pub cache: Cache,
    pub registry: Arc<TenantRegistry>,
    pub weather: Option<WeatherProvider>,
    pub outbox_every: Duration,
    /// Renders the emails of the request delay job.
    pub themes: Arc<Themes>,
    /// Where each job records its runs (read by `/readyz`).
    pub health: Arc<JobHealth>,
    /// Triages requests (the LLM first when configured).
    pub assistant: Arc<jsap_assistant::Assistant>,
}

/// Registers `run`, given its own copy of the job context at each run, every `every` after a
/// first wait of `first`.
fn every<F, Fut>(
    jobs: &mut Supervisor,
    context: &JobContext,
    name: &'static str,
    (every, first): (Duration, Duration),
    run: F,
) where
    F: Fn(JobContext) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let context = context.clone();
    jobs.every(name, every, first, move || Box::pin(run(context.clone())));
}

/// Starts every recurring job, each in its own supervised loop. Keep the returned handle;
/// call `shutdown` on it for a clean stop.
pub fn start(context: JobContext) -> Supervisor {
    let mut jobs = Supervisor::new(context.health.clone());
    if context.weather.is_some() {
        // A first reading right away, then every 30 minutes.
        let period = (Duration::from_secs(30 * 60), Duration::ZERO);
        every(
            &mut jobs,
            &context,
            "refresh_weather",
            period,
            |ctx| async move {
                let Some(provider) = &ctx.weather else {
                    return Ok(());
                };
                with_lock(
                    &ctx.cache,
                    "refresh_weather",
                    Duration::from_secs(300),
                    async { Ok(refresh_weather(&ctx.registry, provider, &ctx.cache).await) },
                )
                .await?;
                Ok(())
            },
        );
    }
    let outbox = (context.outbox_every, context.outbox_every);
    every(
        &mut jobs,
        &context,
        "deliver_outbox",
        outbox,
        |ctx| async move {
            let r = deliver_outbox(&ctx.store, &ctx.mailer, &ctx.cache).await?;
            if r.sent + r.retried + r.failed > 0 {
                tracing::info!(
                    sent = r.sent,
                    retried = r.retried,
                    failed = r.failed,
                    "outbox delivered"
                );
            }
            Ok(())
        },
    );
    let hour = (Duration::from_secs(3600), Duration::from_secs(3600));
    every(
        &mut jobs,
        &context,
        "purge_account_data",
        hour,
        |ctx| async move {
            let r = purge_account_data(&ctx.store, &ctx.registry, &ctx.cache).await?;
            if r.sessions + r.tokens > 0 {
                tracing::info!(
                    sessions = r.sessions,
                    tokens = r.tokens,
                    "expired account data purged"
                );
            }
            Ok(())
        },
    );
    // Reminders, escalations and surveys: every 15 minutes is precise enough for days.
    let quarter = (Duration::from_secs(15 * 60), Duration::from_secs(15 * 60));
    every(
        &mut jobs,
        &context,
        "request_deadlines",
        quarter,
        |ctx| async move {
            let (store, registry, themes) = (&ctx.store, &ctx.registry, &ctx.themes);
            let r =
                request_deadlines(store, registry, themes, &ctx.cache, chrono::Utc::now()).await?;
            if r.emails > 0 {
                let (reminded, escalated, surveyed) = (r.reminded, r.escalated, r.surveyed);
                tracing::info!(reminded, escalated, surveyed, "request deadlines");
            }
            Ok(())
        },
    );
    every(
        &mut jobs,
        &context,
        "expire_missions",
        hour,
        |ctx| async move {
            let (store, registry, themes) = (&ctx.store, &ctx.registry, &ctx.themes);
            let now = chrono::Utc::now();
            if let Some(n) = expire_missions(store, registry, themes, &ctx.cache, now).await?
                && n > 0
            {
                tracing::info!(expired = n, "missions expired");
            }
            Ok(())
        },
    );
    let six_hours = (Duration::from_secs(6 * 3600), Duration::from_secs(600));
    every(
        &mut jobs,
        &context,
        "account_inactivity",
        six_hours,
        |ctx| async move {
            let (store, registry, themes) = (&ctx.store, &ctx.registry, &ctx.themes);
            let now = chrono::Utc::now();
            account_inactivity(store, registry, themes, &ctx.cache, now).await?;
            Ok(())
        },
    );
    // The weekly missions email goes out from Monday 9:00 local time: a pass every 30 minutes.
    let half_hour = (Duration::from_secs(1800), Duration::from_secs(120));
    every(
        &mut jobs,
        &context,
        "missions_weekly",
        half_hour,
        |ctx| async move {
            let (store, registry, themes) = (&ctx.store, &ctx.registry, &ctx.themes);
            let now = chrono::Utc::now();
            missions_weekly(store, registry, themes, &ctx.cache, now).await?;
            Ok(())
        },
    );
    // Requests sent before triage existed, and the LLM's refinement: every minute.
    let minute = (Duration::from_secs(60), Duration::from_secs(30));
    every(
        &mut jobs,
        &context,
        "request_triage",
        minute,
        |ctx| async move {
            let services = (&ctx.store, &*ctx.registry, &ctx.themes);
            let now = chrono::Utc::now();
            request_triage(services, &ctx.cache, &ctx.assistant, now).await?;
            Ok(())
        },
    );
    // Translations of missions drafted by the LLM for review: every 5 minutes, when one is
    // configured (a pass without one does nothing).
    if context.assistant.has_primary() {
        let five = (Duration::from_secs(300), Duration::from_secs(60));
        every(
            &mut jobs,
            &context,
            "mission_translations",
            five,
            |ctx| async move {
                let services = (&ctx.store, &*ctx.registry, &ctx.themes);
                let now = chrono::Utc::now();
                mission_translations(services, &ctx.cache, &ctx.assistant, now).await?;
                Ok(())
            },
        );
    }
    // The focal points' to-do goes out from 8:00 local time: a pass every 10 minutes.
    let ten = (Duration::from_secs(600), Duration::from_secs(60));
    every(
        &mut jobs,
        &context,
        "focal_point_todos",
        ten,
        |ctx| async move {
            let (store, registry, themes) = (&ctx.store, &ctx.registry, &ctx.themes);
            let now = chrono::Utc::now();
            focal_point_todos(store, registry, themes, &ctx.cache, now).await?;
            Ok(())
        },
    );
    jobs.watchdog(Duration::from_secs(30).min(context.outbox_every));
    jobs
}
