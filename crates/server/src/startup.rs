//! The one wiring point: adapters, tenant sync, demo data, jobs and routes.

use crate::config::{Config, DemoData};
use crate::seed;
use anyhow::Context;
use jsap_adapters::{BlobStore, Cache, EmailTemplates, LlmConfig, LlmEngine, Mailer, Themes};
use jsap_assistant::Assistant;
use jsap_store::Store;
use jsap_tenancy::TenantRegistry;
use jsap_web::AppState;
use poem::listener::TcpAcceptor;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The adapters chosen by configuration, and the tenants.
#[derive(Clone)]
pub struct Services {
    pub config: Config,
    pub registry: Arc<TenantRegistry>,
    pub store: Store,
    pub cache: Cache,
    pub blobs: BlobStore,
    pub mailer: Mailer,
    pub themes: Arc<Themes>,
    /// Signs CSRF tokens (`SECRET_KEY` or `DATA_DIR/secret_key`); `SECRET_KEY_PREVIOUS` still
    /// checks what older keys signed.
    pub secret_key: Arc<jsap_web::SecretKeys>,
    /// When each background job last ran (written by the jobs, read by `/readyz`).
    pub job_health: Arc<jsap_adapters::JobHealth>,
    /// The assistant: the LLM engine when `LLM_*` is set, the offline engine as fallback.
    pub assistant: Arc<Assistant>,
}

/// The assistant `llm` configures: its engine first, the offline engine whenever it fails;
/// the offline engine alone without it.
pub fn assistant(llm: Option<&LlmConfig>) -> anyhow::Result<Assistant> {
    let Some(llm) = llm else {
        return Ok(Assistant::offline());
    };
    let engine = LlmEngine::new(llm.clone()).context("LLM settings")?;
    tracing::info!(
        llm.url = %place(&llm.url),
        llm.model = %llm.model,
        "assistant: LLM engine, offline engine as fallback"
    );
    Ok(Assistant::with_primary(Box::new(engine)))
}

/// How long start-up waits for each service before it says which one does not answer.
const CONNECT_WAIT: Duration = Duration::from_millis(2500);

/// `work`, or its error, or "no answer within ..." once `wait` has passed; the error as one
/// line (its causes without repeats).
async fn within<T, E: Into<anyhow::Error>>(
    wait: Duration,
    work: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(wait, work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(one_line(&e.into())),
        Err(_) => Err(format!("no answer within {:.1} s", wait.as_secs_f64())),
    }
}

/// An error and its causes on one line, each message once: wrappers often repeat the
/// message of the error they wrap.
pub fn one_line(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    // Keep the outermost message that contains each inner one.
    parts.join(": ")
}

/// Where a database or Redis URL points, without its credentials.
pub fn place(url: &str) -> String {
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        return format!("the SQLite file {}", path.split('?').next().unwrap_or(path));
    }
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let path = path.split('?').next().unwrap_or("");
    if path.is_empty() {
        format!("{scheme}://{host}")
    } else {
        format!("{scheme}://{host}/{path}")
    }
}

impl Services {
    /// Loads tenants and themes, connects every adapter and migrates the database.
    pub async fn connect(config: &Config) -> anyhow::Result<Self> {
        let tenants = jsap_tenancy::load_dir(&config.tenants_dir).map_err(|errors| {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            anyhow::anyhow!("invalid tenant config:\n{}", lines.join("\n"))
        })?;
        let themes = Themes::load(&config.themes_dir).with_context(|| {
            format!("Failed to load themes from {}", config.themes_dir.display())
        })?;
        for tenant in &tenants {
            if !themes.has(&tenant.theme) {
                tracing::warn!(tenant.code = %tenant.code, theme = %tenant.theme, "theme folder missing: using base");
            }
        }
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("Failed to create DATA_DIR {}", config.data_dir.display()))?;
        let url = config.effective_database_url();
        let store = within(CONNECT_WAIT, Store::connect(&url))
            .await
            .map_err(|cause| {
                let hint = if url.starts_with("sqlite:") {
                    "check that DATA_DIR exists, is writable and its disk has space"
                } else {
                    "check that PostgreSQL runs there and accepts this user"
                };
                anyhow::anyhow!("DATABASE_URL: cannot open {}: {cause}; {hint}", place(&url))
            })?;
        store.migrate().await.context("Failed to run migrations")?;
        let cache = match &config.redis_url {
            Some(url) => {
                let connected = within(CONNECT_WAIT, async {
                    let cache = Cache::redis(url, &config.redis_prefix).await?;
                    cache.ping().await?;
                    Ok::<_, jsap_adapters::cache::CacheError>(cache)
                })
                .await;
                connected.map_err(|cause| {
                    anyhow::anyhow!(
                        "REDIS_URL: no Redis answers at {}: {cause}; check that Redis runs there, \
                         or unset REDIS_URL for the in-process cache",
                        place(url)
                    )
                })?
            }
            None => Cache::in_process(),
        };
        let blobs = match &config.s3 {
            Some(s3) => {
                let blobs = BlobStore::s3(s3).context("S3 settings")?;
                within(CONNECT_WAIT, blobs.check()).await.map_err(|cause| {
                    anyhow::anyhow!(
                        "S3_BUCKET: cannot write to the bucket {} at {}: {cause}; check that \
                         the bucket exists and S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY may write to it",
                        s3.bucket,
                        s3.endpoint.as_deref().unwrap_or("AWS")
                    )
                })?;
                blobs
            }
            None => {
                let dir = config.data_dir.join("uploads");
                let blobs = BlobStore::local(&dir)
                    .with_context(|| format!("DATA_DIR: cannot create {}", dir.display()))?;
                within(CONNECT_WAIT, blobs.check()).await.map_err(|cause| {
                    anyhow::anyhow!(
                        "DATA_DIR: cannot write uploads to {}: {cause}; check that it is \
                         writable and its disk has space",
                        dir.display()
                    )
                })?;
                blobs
            }
        };
        let mailer = match &config.smtp_url {
            Some(url) => Mailer::smtp(url).context("SMTP_URL is invalid")?,
            None => Mailer::files(&config.data_dir.join("outbox"))
                .context("Failed to create the outbox folder")?,
        };
        let secret_key = Arc::new(jsap_web::SecretKeys::new(
            config.load_secret_key()?,
            config
                .previous_secret_keys
                .iter()
                .map(|k| k.as_bytes().to_vec())
                .collect(),
        ));
        let assistant = Arc::new(assistant(config.llm.as_ref())?);
        Ok(Self {
            assistant,
            secret_key,
            config: config.clone(),
            registry: Arc::new(TenantRegistry::new(tenants)),
            store,
            cache,
            blobs,
            mailer,
            themes: Arc::new(themes),
            job_health: Default::default(),
        })
    }

    pub fn email_templates(&self) -> EmailTemplates {
        EmailTemplates::new(self.themes.clone())
    }

    /// Syncs every tenant file into the database; each tenant in its own transaction, with the
    /// invitation emails of newly configured focal points.
    pub async fn sync_tenants(&self) -> anyhow::Result<()> {
        for tenant in self.registry.tenants() {
            let report = jsap_app::tenants::sync(&self.store, self.themes.clone(), tenant).await?;
            if report.tenant_created
                || report.cities_added > 0
                || !report.new_invitations.is_empty()
            {
                tracing::info!(
                    tenant.code = %tenant.code,
                    cities_added = report.cities_added,
                    cities_updated = report.cities_updated,
                    invitations = report.new_invitations.len(),
                    "tenant config synced"
                );
            }
        }
        Ok(())
    }
}

/// A built application: bound to its port, ready to serve.
pub struct Application {
    services: Services,
    acceptor: TcpAcceptor,
    local_addr: SocketAddr,
    /// The metrics listener (`METRICS_ADDR`), when configured.
    metrics: Option<(TcpAcceptor, SocketAddr)>,
}

impl Application {
    /// Connects, migrates, syncs tenants, loads demo data when asked to, and binds the port.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let services = Services::connect(&config).await?;
        services.sync_tenants().await?;
        let want_demo = match config.demo_data {
            DemoData::On => true,
            DemoData::Off => false,
            DemoData::Auto => {
                config.uses_embedded_database() && !seed::has_missions(&services).await?
            }
        };
        if want_demo {
            let report = seed::seed_demo(&services).await?;
            tracing::info!(
                organisations = report.organisations,
                missions = report.missions,
                "demo data loaded"
            );
        }
        let listener = tokio::net::TcpListener::bind(config.bind_addr)
            .await
            .with_context(|| format!("Failed to bind {}", config.bind_addr))?;
        let local_addr = listener.local_addr()?;
        let acceptor = TcpAcceptor::from_tokio(listener)?;
        let metrics = match config.metrics_addr {
            Some(addr) => {
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("Failed to bind METRICS_ADDR {addr}"))?;
                let bound = listener.local_addr()?;
                Some((TcpAcceptor::from_tokio(listener)?, bound))
            }
            None => None,
        };
        Ok(Self {
            services,
            acceptor,
            local_addr,
            metrics,
        })
    }

    /// Where `/metrics` is served, when `METRICS_ADDR` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().map(|(_, addr)| *addr)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    /// The URL of each site on this server (development hosts).
    pub fn site_urls(&self) -> Vec<(String, String)> {
        let port = self.local_addr.port();
        self.services
            .registry
            .tenants()
            .iter()
            .map(|t| {
                let host = t.dev_hosts.first().unwrap_or(&t.canonical_domain);
                (t.code.to_string(), format!("http://{host}:{port}/"))
            })
            .collect()
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish (10 s at most).
    pub async fn run_until_stopped(
        self,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> anyhow::Result<()> {
        let services = self.services;
        let job_health = services.job_health.clone();
        let warm = services.config.warm_catalogues;
        let state = Arc::new(AppState {
            jobs: job_health.clone(),
            warming: std::sync::atomic::AtomicBool::new(warm),
            registry: services.registry.clone(),
            store: services.store.clone(),
            cache: services.cache.clone(),
            blobs: services.blobs.clone(),
            themes: services.themes.clone(),
            trust_forwarded_host: services.config.trust_forwarded_host,
            proxy_hops: if services.config.trust_forwarded_host {
                services.config.trusted_proxy_hops
            } else {
                0
            },
            redis_configured: services.config.redis_url.is_some(),
            pages: Default::default(),
            search_pages: Default::default(),
            mission_pages: Default::default(),
            secret_key: services.secret_key.clone(),
            rate_limits: jsap_web::RateLimits::default(),
            assistant: services.assistant.clone(),
        });
        let weather = match &services.config.weather_url {
            Some(url) => Some(jsap_adapters::WeatherProvider::new(url).context("WEATHER_URL")?),
            None => None,
        };
        let jobs = jsap_jobs::start(jsap_jobs::JobContext {
            store: services.store.clone(),
            mailer: services.mailer.clone(),
            cache: services.cache.clone(),
            registry: services.registry.clone(),
            weather,
            outbox_every: Duration::from_secs(services.config.outbox_interval_secs),
            themes: services.themes.clone(),
            health: job_health,
            assistant: services.assistant.clone(),
        });
        let trimmer = crate::memory::spawn_trimmer(Duration::from_secs(1));
        // Every site's catalogue, loaded before `/readyz` lets traffic in. The flag drops
        // with the task, however it ends.
        let warming = warm.then(|| {
            let warmed = Warmed(state.clone());
            tokio::spawn(async move {
                let state = &warmed.0;
                jsap_app::missions::warm_catalogues(&state.store, state.registry.tenants()).await;
            })
        });
        // The metrics listener stops with the server (nothing in flight there is worth waiting
        // for).
        let metrics = self.metrics.map(|(acceptor, addr)| {
            tracing::info!(%addr, "metrics served");
            let app = jsap_web::metrics::app(state.clone());
            tokio::spawn(async move {
                if let Err(error) = poem::Server::new_with_acceptor(acceptor).run(app).await {
                    tracing::error!(%error, "metrics listener stopped");
                }
            })
        });
        let result = poem::Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(
                jsap_web::app(state),
                shutdown,
                Some(Duration::from_secs(10)),
            )
            .await;
        if let Some(task) = metrics {
            task.abort();
        }
        trimmer.abort();
        if let Some(task) = warming {
            task.abort();
        }
        jobs.shutdown(Duration::from_secs(5)).await;
        services.store.close().await?;
        result.context("server error")
    }
}

/// Clears `AppState::warming` when dropped: at the end of the warm-up, or if its task is
/// aborted or panics (`/readyz` must not wait for a warm-up that will not finish).
struct Warmed(Arc<AppState>);

impl Drop for Warmed {
    fn drop(&mut self) {
        self.0
            .warming
            .store(false, std::sync::atomic::Ordering::Release);
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
