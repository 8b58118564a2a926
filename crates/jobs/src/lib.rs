//! Background jobs. Each run takes a lock in the cache (in process, or Redis shared by every
//! replica) so that N replicas run it once.

use jsap_adapters::{Cache, Mailer};
use jsap_store::{OutboxDelivery, OutboxStatus, Store};
use std::time::Duration;
use tokio_cron_scheduler::{Job, JobScheduler};

/// How many emails one delivery run sends at most.
const DELIVERY_BATCH: u64 = 100;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    /// Another replica held the lock: this run did nothing.
    pub skipped: bool,
}

/// Runs `work` only if this process gets the named lock; the lock expires on its own if the
/// holder dies.
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
    let result = work.await;
    if cache.get(&key).await?.as_deref() == Some(owner.as_str()) {
        cache.delete(&key).await?;
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

/// Starts the scheduler with every recurring job. Keep the returned handle alive; call
/// `shutdown` on it for a clean stop.
pub async fn start(
    store: Store,
    mailer: Mailer,
    cache: Cache,
    every: Duration,
) -> anyhow::Result<JobScheduler> {
    let scheduler = JobScheduler::new().await?;
    let job = Job::new_repeated_async(every, move |_id, _scheduler| {
        let (store, mailer, cache) = (store.clone(), mailer.clone(), cache.clone());
        Box::pin(async move {
            match deliver_outbox(&store, &mailer, &cache).await {
                Ok(report) if report.sent + report.retried + report.failed > 0 => {
                    tracing::info!(
                        sent = report.sent,
                        retried = report.retried,
                        failed = report.failed,
                        "outbox delivered"
                    );
                }
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "outbox delivery run failed"),
            }
        })
    })?;
    scheduler.add(job).await?;
    scheduler.start().await?;
    Ok(scheduler)
}
