use crate::config::LogFormat;
use jsap_store::{ACQUIRE_TARGET, ACQUIRE_WAIT_FIELD};
use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Logs to stderr, filtered by `RUST_LOG` (default: info, quiet database drivers), and counts
/// the database pool's waits in the metrics (`PoolWaits`).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"))
        // The pool's reports reach `PoolWaits` whatever `RUST_LOG` says...
        .add_directive(
            format!("{ACQUIRE_TARGET}=debug")
                .parse()
                .expect("a valid directive"),
        );
    // ...and the logs only when a wait passed the pool's slow threshold (a warning).
    let logged = Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_target(ACQUIRE_TARGET, LevelFilter::WARN);
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let fmt = match format {
        LogFormat::Json => fmt
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .boxed(),
        LogFormat::Pretty => fmt.compact().boxed(),
    };
    // A second init (tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(fmt.with_filter(logged))
        .with(PoolWaits.with_filter(PoolWaits::events()))
        .with(filter)
        .try_init();
}

/// Passes each wait the database pool reports (`jsap_store::ACQUIRE_TARGET`) to the metrics
/// (`jsap_db_pool_acquire_seconds`).
pub struct PoolWaits;

impl PoolWaits {
    /// The events this layer reads: the pool's reports, nothing else.
    pub fn events() -> Targets {
        Targets::new().with_target(ACQUIRE_TARGET, LevelFilter::DEBUG)
    }
}

impl<S: tracing::Subscriber> Layer<S> for PoolWaits {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        struct Wait(Option<f64>);
        impl tracing::field::Visit for Wait {
            fn record_f64(&mut self, field: &tracing::field::Field, value: f64) {
                if field.name() == ACQUIRE_WAIT_FIELD {
                    self.0 = Some(value);
                }
            }
            fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
        }
        let mut wait = Wait(None);
        event.record(&mut wait);
        if let Some(secs) = wait.0 {
            jsap_web::metrics::observe_pool_wait(secs);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every connection the pool lends is counted with its wait, on the embedded database and,
    /// where `TEST_DATABASE_URL` is set, on PostgreSQL.
    #[test]
    fn the_pool_reports_each_connection_it_lends_with_its_wait() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut urls = vec![format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("waits.db").display()
        )];
        urls.extend(std::env::var("TEST_DATABASE_URL").ok());
        for url in urls {
            // Events are seen by the subscriber of the thread they are sent from: one thread.
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            let subscriber =
                tracing_subscriber::registry().with(PoolWaits.with_filter(PoolWaits::events()));
            let _default = tracing::subscriber::set_default(subscriber);
            let (count, sum) = jsap_web::metrics::pool_waits();
            runtime.block_on(async {
                let store = jsap_store::Store::connect(&url).await.expect("connect");
                for _ in 0..3 {
                    store.ping().await.expect("ping");
                }
            });
            let (after, sum_after) = jsap_web::metrics::pool_waits();
            // Other tests of this process may count theirs too: at least these three.
            assert!(after >= count + 3, "{url}: {count} -> {after}");
            assert!(sum_after >= sum, "{url}");
        }
    }
}
