use jesuisaupays::config::DemoData;
use jesuisaupays::{Application, Config, Services};
use jsap_store::ConnectionTrait;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tokio::sync::oneshot;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether a real service may be used. Absent: skip with a reason, or fail under `CI=true`.
pub fn service_available(name: &str, available: bool, why: &str) -> bool {
    if available {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("{name} is required under CI=true but is unavailable: {why}");
    }
    eprintln!("skipping: {name} unavailable ({why})");
    false
}

pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// A database of its own for one test: a SQLite file in `dir`, or a new PostgreSQL database.
pub async fn test_database_url(dir: &Path) -> String {
    match env("TEST_DATABASE_URL") {
        Some(admin_url) => create_database(&admin_url, None).await,
        None => format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
    }
}

fn default_tenants() -> PathBuf {
    repo_root().join("tenants")
}

/// A migrated and synced database (with the demo data, or without) and its data folder,
/// built once per test process; each test gets a copy (a SQLite file copy, or a PostgreSQL
/// `CREATE DATABASE ... TEMPLATE`), so the suite pays the set-up once instead of per test.
struct Template {
    dir: PathBuf,
    database_url: String,
}

static TEMPLATES: [tokio::sync::OnceCell<Template>; 2] = [
    tokio::sync::OnceCell::const_new(),
    tokio::sync::OnceCell::const_new(),
];

async fn template(demo: bool) -> &'static Template {
    TEMPLATES[usize::from(demo)]
        .get_or_init(|| async move {
            let dir = tempfile::tempdir().expect("tempdir").keep();
            let mut config = Config::defaults();
            config.bind_addr = "127.0.0.1:0".parse().expect("addr");
            config.data_dir = dir.join("data");
            config.tenants_dir = default_tenants();
            config.themes_dir = repo_root().join("themes");
            let database_url = test_database_url(&dir).await;
            config.database_url = Some(database_url.clone());
            config.demo_data = if demo { DemoData::On } else { DemoData::Off };
            config.weather_url = None;
            let app = Application::build(config)
                .await
                .expect("template application builds");
            let store = app.services().store.clone();
            drop(app);
            // No connection may stay open: PostgreSQL copies a template nobody is connected to.
            store.close().await.expect("close the template database");
            Template { dir, database_url }
        })
        .await
}

/// Copies `from` into `to`, folders included.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read template").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy template file");
        }
    }
}

/// A database of its own for one test, copied from the template: returns its URL.
async fn copy_template(dir: &Path, demo: bool) -> String {
    let template = template(demo).await;
    // The data folder (uploaded photos, the secret key) and, on SQLite, the database file.
    copy_tree(&template.dir, dir);
    let Some(admin_url) = env("TEST_DATABASE_URL") else {
        return format!("sqlite://{}?mode=rwc", dir.join("test.db").display());
    };
    let source = template
        .database_url
        .rsplit_once('/')
        .expect("a database name")
        .1;
    let url = create_database(&admin_url, Some(source)).await;
    through_pooler(&url)
}

/// With `TEST_DATABASE_POOLER` (a PgBouncer's `host:port`, transaction pooling with
/// `max_prepared_statements`), the app reaches its database through it. Databases are made
/// directly: PgBouncer keeps server connections open, and PostgreSQL copies only a template
/// nobody is connected to.
fn through_pooler(url: &str) -> String {
    let Some(pooler) = env("TEST_DATABASE_POOLER") else {
        return url.to_owned();
    };
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (authority, path) = rest.split_once('/').expect("a database name");
    let user = authority
        .split_once('@')
        .map_or(String::new(), |(u, _)| format!("{u}@"));
    format!("{scheme}://{user}{pooler}/{path}")
}

/// The role the app connects as on PostgreSQL in the tests: an ordinary one (neither superuser
/// nor `BYPASSRLS`) that owns its databases, as in production, so that every test runs under
/// the row-level security policies (`m0028_row_level_security`).
pub const APP_ROLE: &str = "jsap_app";

/// A new PostgreSQL database on the server of `admin_url` (a copy of `template` when given),
/// owned by [`APP_ROLE`]: its URL, for that role.
async fn create_database(admin_url: &str, template: Option<&str>) -> String {
    let name = format!("jsap_test_{}", uuid::Uuid::new_v4().simple());
    let admin = jsap_store::Store::connect(admin_url)
        .await
        .expect("connect to TEST_DATABASE_URL");
    // Tests create it concurrently: a duplicate is fine.
    admin
        .conn()
        .execute_unprepared(&format!(
            "DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        ))
        .await
        .expect("create the app's role");
    let copy = template.map_or_else(String::new, |t| format!(" TEMPLATE \"{t}\""));
    admin
        .conn()
        .execute_unprepared(&format!(
            "CREATE DATABASE \"{name}\" OWNER {APP_ROLE}{copy}"
        ))
        .await
        .expect("create test database");
    admin.close().await.expect("close admin connection");
    as_role(admin_url, APP_ROLE, &name)
}

/// `url` (`postgres://user@host/db`) for `role` and database `name`.
pub fn as_role(url: &str, role: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (authority, _) = rest.split_once('/').expect("a database name");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    format!("{scheme}://{role}@{host}/{name}")
}

pub struct TestApp {
    pub addr: std::net::SocketAddr,
    /// Where `/metrics` is served (`Options::metrics`).
    pub metrics_addr: Option<std::net::SocketAddr>,
    pub client: reqwest::Client,
    /// The app's services (database, cache, tenants), to look at what requests wrote.
    pub services: Services,
    /// Kept alive for the life of the app: its database and outbox live there.
    _dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    pub handle: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

pub struct Options {
    pub tenants_dir: PathBuf,
    pub demo: bool,
    pub trust_forwarded_host: bool,
    /// A fake weather provider; none by default (tests never reach the Internet).
    pub weather_url: Option<String>,
    /// Instead of the test's own database (`test_database_url`).
    pub database_url: Option<String>,
    /// Instead of `TEST_REDIS_URL`.
    pub redis_url: Option<String>,
    /// The assistant's LLM (a fake OpenAI-compatible server); none by default.
    pub llm: Option<jsap_adapters::LlmConfig>,
    /// Serve `/metrics` on a listener of its own (`METRICS_ADDR` on a free port).
    pub metrics: bool,
    /// Load every site's catalogue at start (`WARM_CATALOGUES`); off by default, so that
    /// tests count the loads their own requests make.
    pub warm_catalogues: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            tenants_dir: default_tenants(),
            demo: true,
            trust_forwarded_host: false,
            weather_url: None,
            database_url: None,
            redis_url: None,
            llm: None,
            metrics: false,
            warm_catalogues: false,
        }
    }
}

pub async fn test_config(dir: &Path, options: &Options) -> Config {
    let mut config = Config::defaults();
    config.bind_addr = "127.0.0.1:0".parse().expect("addr");
    config.data_dir = dir.join("data");
    config.tenants_dir = options.tenants_dir.clone();
    config.themes_dir = repo_root().join("themes");
    let from_template = options.database_url.is_none() && options.tenants_dir == default_tenants();
    config.database_url = Some(match &options.database_url {
        Some(url) => url.clone(),
        None if from_template => copy_template(dir, options.demo).await,
        None => test_database_url(dir).await,
    });
    config.redis_url = options.redis_url.clone().or_else(|| env("TEST_REDIS_URL"));
    config.redis_prefix = format!("jsap-test:{}:", uuid::Uuid::new_v4().simple());
    config.trust_forwarded_host = options.trust_forwarded_host;
    // A copied template already holds the demo data: the build does not load it again.
    config.demo_data = if options.demo && !from_template {
        DemoData::On
    } else {
        DemoData::Off
    };
    config.outbox_interval_secs = 3600;
    config.weather_url = options.weather_url.clone();
    config.llm = options.llm.clone();
    config.metrics_addr = options
        .metrics
        .then(|| "127.0.0.1:0".parse().expect("addr"));
    config.warm_catalogues = options.warm_catalogues;
    config
}

impl TestApp {
    /// The use cases' scope on `tenant` of this app, on the real clock.
    pub fn scope<'a>(&'a self, tenant: &'a jsap_tenancy::Tenant) -> jsap_app::Scope<'a> {
        jsap_app::Scope::new(
            &self.services.store,
            self.services.themes.clone(),
            tenant,
            &jsap_app::SystemClock,
        )
    }

    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = test_config(dir.path(), &options).await;
        let app = Application::build(config)
            .await
            .expect("application builds");
        let addr = app.local_addr();
        let metrics_addr = app.metrics_addr();
        let services = app.services().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(app.run_until_stopped(async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            addr,
            metrics_addr,
            client,
            services,
            _dir: dir,
            stop: Some(stop),
            handle: Some(handle),
        }
    }

    pub async fn get(&self, host: &str, path: &str) -> reqwest::Response {
        self.get_with(host, path, &[]).await
    }

    pub async fn get_with(
        &self,
        host: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self
            .client
            .get(format!("http://{}{path}", self.addr))
            .header("Host", host);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request sent")
    }

    pub async fn page(&self, host: &str, path: &str) -> (u16, String) {
        let response = self.get(host, path).await;
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    /// Triggers the graceful shutdown and waits for the server to stop.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.handle.take() {
            Some(handle) => handle.await.expect("server task"),
            None => Ok(()),
        }
    }
}

/// Copies the project's tenant files into a new folder a test may change.
pub fn copy_tenants(into: &Path, codes: &[&str]) {
    std::fs::create_dir_all(into).expect("mkdir");
    for code in codes {
        std::fs::copy(
            repo_root().join("tenants").join(format!("{code}.toml")),
            into.join(format!("{code}.toml")),
        )
        .expect("copy tenant");
    }
}

/// A folder the binary runs in (`DATA_DIR`, with the `cm`, `sn` and `portal` tenant files in
/// `tenants/`) holding their demo data as `seed-demo` writes it. The command runs once per
/// test process (it takes seconds in a debug build); each test gets a copy of its folder.
pub struct DemoCli {
    pub dir: tempfile::TempDir,
}

impl DemoCli {
    pub fn new() -> Self {
        static SEEDED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
        let seeded = SEEDED.get_or_init(|| {
            let dir = tempfile::tempdir().expect("tempdir").keep();
            copy_tenants(&dir.join("tenants"), &["cm", "sn", "portal"]);
            let out = Self::command_in(&dir)
                .arg("seed-demo")
                .output()
                .expect("run");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            dir
        });
        let dir = tempfile::tempdir().expect("tempdir");
        copy_tree(seeded, dir.path());
        Self { dir }
    }

    fn command_in(dir: &Path) -> std::process::Command {
        let mut command = jesuisaupays();
        command
            .env("DATA_DIR", dir)
            .env("TENANTS_DIR", dir.join("tenants"))
            .env("THEMES_DIR", repo_root().join("themes"));
        command
    }

    /// The binary with `args`, on this folder.
    pub fn run(&self, args: &[&str]) -> std::process::Output {
        Self::command_in(self.dir.path())
            .args(args)
            .output()
            .expect("run")
    }
}

/// Connected, migrated and synced services on a database of their own, without an HTTP server.
pub async fn services() -> (Services, tempfile::TempDir) {
    services_of(None).await
}

/// `services()` for the tenants `codes` only (the portal's file is always there).
pub async fn services_for(codes: &[&str]) -> (Services, tempfile::TempDir) {
    services_of(Some(codes)).await
}

async fn services_of(codes: Option<&[&str]>) -> (Services, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let tenants_dir = match codes {
        Some(codes) => {
            let into = dir.path().join("tenants");
            copy_tenants(&into, &[&["portal"], codes].concat());
            into
        }
        None => default_tenants(),
    };
    let config = test_config(
        dir.path(),
        &Options {
            demo: false,
            tenants_dir,
            ..Default::default()
        },
    )
    .await;
    let services = Services::connect(&config).await.expect("services");
    services.sync_tenants().await.expect("sync");
    (services, dir)
}

/// The password the `Browser` signs up with.
pub const PASSWORD: &str = "un mot de passe solide";

/// A visitor with its own cookies, on one host.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub host: String,
    pub cookies: BTreeMap<String, String>,
}

pub struct Page {
    pub status: u16,
    pub body: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// The value of the first `name="csrf"` field of the page.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("a csrf field") + marker.len();
        self.body[start..]
            .chars()
            .take_while(|c| *c != '"')
            .collect()
    }
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp, host: &str) -> Self {
        Self {
            app,
            host: host.to_owned(),
            cookies: BTreeMap::new(),
        }
    }

    pub fn on(&self, host: &str) -> Browser<'a> {
        Browser {
            app: self.app,
            host: host.to_owned(),
            cookies: self.cookies.clone(),
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn keep(&mut self, response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        for raw in headers.get_all("set-cookie") {
            let raw = raw.to_str().expect("ascii cookie");
            let (pair, attributes) = raw.split_once(';').unwrap_or((raw, ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let body = response.text().await.expect("body");
        Page {
            status,
            body,
            headers,
        }
    }

    /// `GET path` with the cookies: the status and the body's bytes (a download).
    pub async fn get_bytes(&mut self, path: &str) -> (u16, Vec<u8>) {
        let response = self
            .app
            .client
            .get(format!("http://{}{path}", self.app.addr))
            .header("Host", &self.host)
            .header("Cookie", self.cookie_header())
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.bytes().await.expect("body").to_vec())
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response = self
            .app
            .client
            .get(format!("http://{}{path}", self.app.addr))
            .header("Host", &self.host)
            .header("Cookie", self.cookie_header())
            .send()
            .await
            .expect("request");
        self.keep(response).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .app
            .client
            .post(format!("http://{}{path}", self.app.addr))
            .header("Host", &self.host)
            .header("Cookie", self.cookie_header())
            .form(fields)
            .send()
            .await
            .expect("request");
        self.keep(response).await
    }

    /// Loads `page`, then posts `fields` to `action` with the page's CSRF token.
    pub async fn submit(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let form = self.get(page).await;
        assert_eq!(form.status, 200, "{page}: {}", form.body);
        let csrf = form.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    pub async fn signup(&mut self, email: &str, name: &str) -> Page {
        self.submit(
            "/fr/compte/inscription",
            "/fr/compte/inscription",
            &[
                ("display_name", name),
                ("email", email),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("terms", "yes"),
            ],
        )
        .await
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Page {
        self.submit(
            "/fr/compte/connexion",
            "/fr/compte/connexion",
            &[("email", email), ("password", password)],
        )
        .await
    }

    pub async fn is_signed_in(&mut self) -> bool {
        let page = self.get("/fr/compte").await;
        match page.status {
            200 => true,
            303 => {
                assert_eq!(page.location(), "/fr/compte/connexion?next=%2Ffr%2Fcompte");
                false
            }
            other => panic!("unexpected {other}"),
        }
    }
}

/// Audits `urls` with the axe-core CLI (`AXE_BIN`) in headless Chromium: the serious and
/// critical violations, one line each (`url: rule (impact)`). `None` without `AXE_BIN` (the
/// test then says why it skipped; with `CI=true` a missing axe fails it). The JSON report is
/// copied to `keep` when given.
pub async fn axe_audit(urls: &[String], keep: Option<&Path>) -> Option<Vec<String>> {
    let Some(axe) = env("AXE_BIN") else {
        service_available("axe-core CLI", false, "AXE_BIN not set");
        return None;
    };
    let out = tempfile::tempdir().expect("tempdir");
    let mut command = std::process::Command::new(&axe);
    command
        .args(urls)
        .arg("--chrome-path")
        .arg(env("CHROME_BIN").unwrap_or_else(|| "/usr/bin/chromium".into()))
        .arg("--chromedriver-path")
        .arg(env("CHROMEDRIVER_BIN").unwrap_or_else(|| "/usr/bin/chromedriver".into()))
        .arg("--chrome-options=headless,no-sandbox,disable-gpu,disable-dev-shm-usage,disable-background-networking,disable-component-update,disable-sync,no-first-run")
        .args(["--save", "axe.json", "--dir"])
        .arg(out.path());
    // Blocking: run it off the runtime that serves the pages.
    let status = tokio::task::spawn_blocking(move || command.status())
        .await
        .expect("join")
        .expect("run axe");
    assert!(status.success(), "axe failed to run");
    let report_path = out.path().join("axe.json");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).expect("report"))
            .expect("json");
    if let Some(keep) = keep {
        std::fs::copy(&report_path, keep).expect("keep report");
    }
    let pages = report.as_array().expect("one result per page");
    assert_eq!(pages.len(), urls.len());
    Some(
        pages
            .iter()
            .flat_map(|page| {
                page["violations"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
                    .map(move |v| {
                        format!(
                            "{}: {} ({}) {}",
                            page["url"], v["id"], v["impact"], v["nodes"][0]["html"]
                        )
                    })
            })
            .collect(),
    )
}

/// Runs axe-core (from the axe CLI's install, `AXE_BIN`) inside the page a WebDriver session
/// shows, signed-in pages included: no serious or critical violation. Without `AXE_BIN` it
/// does nothing.
pub async fn axe_check(client: &fantoccini::Client, page: &str) {
    let Some(bin) = env("AXE_BIN") else {
        return;
    };
    let script = Path::new(&bin)
        .parent()
        .and_then(|bin_dir| bin_dir.parent())
        .map(|modules| modules.join("axe-core/axe.min.js"))
        .and_then(|path| std::fs::read_to_string(path).ok())
        .expect("axe-core next to AXE_BIN");
    client
        .execute(&format!("{script}; return true;"), vec![])
        .await
        .expect("load axe");
    let found = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] }).then(r => done(
               r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))));",
            vec![],
        )
        .await
        .expect("run axe");
    let problems: Vec<String> = serde_json::from_value(found).expect("list");
    assert!(problems.is_empty(), "{page}: {problems:#?}");
}

/// A local port free at the time of asking.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// The text of a metrics listener's `/metrics` at `addr` (`host:port`).
pub async fn scrape(client: &reqwest::Client, addr: impl std::fmt::Display) -> String {
    client
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .expect("scrape")
        .text()
        .await
        .expect("body")
}

/// The built binary, as a user runs it: no database or Redis from the environment, a readable
/// log.
pub fn jesuisaupays() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_jesuisaupays"));
    cmd.env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .env("LOG_FORMAT", "pretty");
    cmd
}

/// Runs `command` with `stdin` on its standard input; its status and both outputs.
pub fn run_with_stdin(mut command: std::process::Command, stdin: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("run")
}
