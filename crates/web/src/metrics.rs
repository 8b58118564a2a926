//! Metrics in the Prometheus text format, served on their own listener (`METRICS_ADDR`), never
//! on the public sites: requests by route template, method, status class and tenant, with
//! their latency; the database pool; the outbox backlog; each job's last success; the hits
//! and misses of the page cache and of the catalogues; build information. Request figures
//! are counted as requests are served; the rest is read at each scrape.

use crate::AppState;
use poem::http::StatusCode;
use poem::web::Data;
use poem::{EndpointExt, Response, Route, get, handler};
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The request figures, counted in `middleware::tenant_and_tracing`, and the database pool's
/// waits, counted as the pool reports them (`observe_pool_wait`).
struct RequestMetrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_waits: Histogram,
}

fn requests() -> &'static RequestMetrics {
    static METRICS: OnceLock<RequestMetrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let registry = Registry::new();
        let labels = ["route", "method", "status", "tenant"];
        let requests = IntCounterVec::new(
            Opts::new("jsap_http_requests_total", "HTTP requests served."),
            &labels,
        )
        .expect("valid counter");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "jsap_http_request_duration_seconds",
                "Time to serve an HTTP request, from its headers to its response.",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["route", "method", "tenant"],
        )
        .expect("valid histogram");
        // From a tenth of a millisecond (a connection at hand) to the pool's two-second
        // acquire timeout (SQLite's five).
        let pool_waits = Histogram::with_opts(
            HistogramOpts::new(
                "jsap_db_pool_acquire_seconds",
                "Time a request or a job waited for a database connection from the pool.",
            )
            .buckets(vec![
                0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 2.0, 5.0,
            ]),
        )
        .expect("valid histogram");
        registry
            .register(Box::new(pool_waits.clone()))
            .expect("registered once");
        registry
            .register(Box::new(requests.clone()))
            .expect("registered once");
        registry
            .register(Box::new(latency.clone()))
            .expect("registered once");
        RequestMetrics {
            registry,
            requests,
            latency,
            pool_waits,
        }
    })
}

/// Counts one served request. `route` is its template (`/:locale/missions/:id_slug`), never
/// the path itself, so the series stay few whatever is requested.
pub(crate) fn observe(route: &str, method: &str, status: StatusCode, tenant: &str, took: Duration) {
    let class = match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    let m = requests();
    m.requests
        .with_label_values(&[route, method, class, tenant])
        .inc();
    m.latency
        .with_label_values(&[route, method, tenant])
        .observe(took.as_secs_f64());
}

/// Counts one connection taken from the database pool, `secs` after it was asked for (sqlx
/// reports each one; `server::telemetry` passes them here).
pub fn observe_pool_wait(secs: f64) {
    requests().pool_waits.observe(secs);
}

/// How many connections were taken from the pool since start, and the seconds waited for
/// them in all.
pub fn pool_waits() -> (u64, f64) {
    let h = &requests().pool_waits;
    (h.get_sample_count(), h.get_sample_sum())
}

/// The figures read at scrape time, in a registry of their own.
async fn current(state: &AppState) -> prometheus::Result<Registry> {
    let registry = Registry::new();
    let gauge = |name: &str, help: &str, value: i64| -> prometheus::Result<()> {
        let g = IntGauge::new(name, help)?;
        g.set(value);
        registry.register(Box::new(g))
    };
    let build = IntGaugeVec::new(
        Opts::new("jsap_build_info", "The running build (always 1)."),
        &["version"],
    )?;
    build.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
    registry.register(Box::new(build))?;
    // Hit ratios: the page cache (the home pages) and the catalogues.
    let lookups = |name: &str, help: &str, outcomes: [(&str, u64); 2]| {
        let counter = IntCounterVec::new(Opts::new(name, help), &["outcome"])?;
        for (outcome, n) in outcomes {
            counter.with_label_values(&[outcome]).inc_by(n);
        }
        registry.register(Box::new(counter))
    };
    let (hits, misses) = crate::compress::page_cache_lookups();
    lookups(
        "jsap_page_cache_lookups_total",
        "Reads of the page cache (home pages) since start, by outcome.",
        [("hit", hits), ("miss", misses)],
    )?;
    let (served, loaded) = jsap_store::catalogue_lookups();
    lookups(
        "jsap_catalogue_lookups_total",
        "Catalogue lookups since start: served from memory, or after loading a newer version.",
        [("hit", served), ("load", loaded)],
    )?;
    let (open, idle) = state.store.pool_size();
    gauge(
        "jsap_db_pool_connections",
        "Open database connections.",
        i64::from(open),
    )?;
    gauge(
        "jsap_db_pool_in_use",
        "Database connections lent to a request or a job.",
        i64::from(open.saturating_sub(idle)),
    )?;
    // A database that cannot answer leaves these out (the scrape itself still succeeds).
    match jsap_app::mail::backlog(&state.store).await {
        Ok((pending, oldest)) => {
            gauge(
                "jsap_outbox_pending",
                "Emails waiting to be sent, every tenant.",
                i64::try_from(pending).unwrap_or(i64::MAX),
            )?;
            let age = oldest.map_or(0, |at| (chrono::Utc::now() - at).num_seconds().max(0));
            gauge(
                "jsap_outbox_oldest_pending_age_seconds",
                "Age of the oldest email waiting to be sent (0 when none).",
                age,
            )?;
        }
        Err(error) => tracing::warn!(%error, "metrics: outbox backlog unavailable"),
    }
    let jobs = IntGaugeVec::new(
        Opts::new(
            "jsap_job_last_success_timestamp_seconds",
            "When each background job last succeeded (Unix time; 0: not yet).",
        ),
        &["job"],
    )?;
    let now = chrono::Utc::now().timestamp();
    for name in state.jobs.names() {
        let at = state.jobs.since_success(name).map_or(0, |since| {
            now - i64::try_from(since.as_secs()).unwrap_or(i64::MAX / 2)
        });
        jobs.with_label_values(&[name]).set(at);
    }
    registry.register(Box::new(jobs))?;
    Ok(registry)
}

#[handler]
async fn scrape(Data(state): Data<&Arc<AppState>>) -> Response {
    let mut families = requests().registry.gather();
    match current(state).await {
        Ok(now) => families.extend(now.gather()),
        Err(error) => tracing::warn!(%error, "metrics: current figures unavailable"),
    }
    let encoder = TextEncoder::new();
    let mut body = Vec::new();
    if let Err(error) = encoder.encode(&families, &mut body) {
        tracing::error!(%error, "metrics not encoded");
        return StatusCode::INTERNAL_SERVER_ERROR.into();
    }
    Response::builder()
        .content_type(encoder.format_type())
        .body(body)
}

/// The metrics listener's application: `GET /metrics`, nothing else.
pub fn app(state: Arc<AppState>) -> impl poem::Endpoint {
    Route::new().at("/metrics", get(scrape)).data(state)
}
