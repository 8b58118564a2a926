//! Sessions and the signed-in user.
//!
//! A session id is 256 random bits in the `jsap_session` cookie (host-only, `HttpOnly`,
//! `SameSite=Lax`, `Secure` but on development hosts). The server keeps, under the SHA-256 of
//! the id, the user, the tenant, a CSRF secret, the user's session generation and a fixed
//! expiry 30 days after log-in (not sliding: a stolen cookie dies on schedule, and reading a
//! page never writes). With `REDIS_URL` sessions live in Redis (`session:<tenant>:<hash>`),
//! otherwise in the `sessions` table. A session is looked up with the tenant of the host, so a
//! cookie replayed on another country's host is worth nothing there. A password reset bumps the
//! user's session generation, which ends every session opened before it, on both backends.
//!
//! Handlers state what they need in their signature: `CurrentUser` (anonymous visitors are sent
//! to the log-in page) or `OptionalUser`. Role extractors of later slices build on `CurrentUser`
//! and `Accounts::memberships`.

use crate::extract::CurrentTenant;
use crate::security::{cookie, csrf_matches, csrf_token, set_cookie};
use crate::{AppError, AppState};
use chrono::{DateTime, Utc};
use jsap_domain::Locale;
use jsap_domain::roles::Permissions;
use jsap_store::{Account, Accounts, DbSessions, StoredSession, random_token, token_digest};
use jsap_tenancy::Tenant;
use poem::http::{StatusCode, header};
use poem::{Endpoint, FromRequest, IntoResponse, Request, RequestBody, Response};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub const SESSION_COOKIE: &str = "jsap_session";
/// Before log-in, forms are bound to this random cookie instead of a session.
pub const PRESESSION_COOKIE: &str = "jsap_presession";
pub const SESSION_DAYS: i64 = 30;

pub fn session_ttl() -> std::time::Duration {
    std::time::Duration::from_secs(SESSION_DAYS as u64 * 24 * 3600)
}

/// How long a staff member's session on a country site lasts: one working day, then they
/// enter again from the portal.
pub const STAFF_SEAT_TTL: std::time::Duration = std::time::Duration::from_secs(10 * 3600);

pub fn random_hex() -> String {
    random_token()
}

fn looks_like_token(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A valid session of the current tenant and its user, put in the request by the middleware.
#[derive(Clone, Debug)]
pub struct Session {
    pub id: String,
    pub account: Account,
    pub csrf_secret: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct CachedSession {
    tenant: String,
    user_id: i64,
    csrf_secret: String,
    generation: i32,
    expires_at: DateTime<Utc>,
}

fn cache_key(tenant: &Tenant, id_hash: &str) -> String {
    format!("session:{}:{id_hash}", tenant.code)
}

/// Opens a session for `account`; returns its id (the cookie value).
pub async fn open(
    state: &AppState,
    tenant: &Tenant,
    account: &Account,
) -> Result<String, AppError> {
    open_for(state, tenant, account, session_ttl()).await
}

/// Opens a session for `account` that lasts `ttl`; returns its id (the cookie value).
pub async fn open_for(
    state: &AppState,
    tenant: &Tenant,
    account: &Account,
    ttl: std::time::Duration,
) -> Result<String, AppError> {
    let lasts = chrono::Duration::from_std(ttl).map_err(anyhow::Error::from)?;
    let id = random_token();
    let id_hash = token_digest(&id);
    let stored = StoredSession {
        user_id: account.id,
        csrf_secret: random_token(),
        generation: account.session_generation,
        expires_at: Utc::now() + lasts,
    };
    if state.redis_configured {
        let value = serde_json::to_string(&CachedSession {
            tenant: tenant.code.to_string(),
            user_id: stored.user_id,
            csrf_secret: stored.csrf_secret.clone(),
            generation: stored.generation,
            expires_at: stored.expires_at,
        })
        .map_err(anyhow::Error::from)?;
        state
            .cache
            .set(&cache_key(tenant, &id_hash), &value, ttl)
            .await?;
    } else {
        let sessions = DbSessions::for_tenant(state.store.conn(), tenant);
        // Each log-in sweeps the tenant's expired sessions (Redis expires its own keys).
        sessions.purge_expired().await?;
        sessions.insert(&id_hash, &stored).await?;
    }
    Ok(id)
}

/// Ends one session.
pub async fn close(state: &AppState, tenant: &Tenant, id: &str) -> Result<(), AppError> {
    let id_hash = token_digest(id);
    if state.redis_configured {
        state.cache.delete(&cache_key(tenant, &id_hash)).await?;
    } else {
        DbSessions::for_tenant(state.store.conn(), tenant)
            .delete(&id_hash)
            .await?;
    }
    Ok(())
}

async fn stored(
    state: &AppState,
    tenant: &Tenant,
    id: &str,
) -> Result<Option<StoredSession>, AppError> {
    let id_hash = token_digest(id);
    if state.redis_configured {
        let Some(raw) = state.cache.get(&cache_key(tenant, &id_hash)).await? else {
            return Ok(None);
        };
        let Ok(cached) = serde_json::from_str::<CachedSession>(&raw) else {
            return Ok(None);
        };
        if cached.tenant != tenant.code.as_str() || cached.expires_at <= Utc::now() {
            return Ok(None);
        }
        Ok(Some(StoredSession {
            user_id: cached.user_id,
            csrf_secret: cached.csrf_secret,
            generation: cached.generation,
            expires_at: cached.expires_at,
        }))
    } else {
        Ok(DbSessions::for_tenant(state.store.conn(), tenant)
            .get(&id_hash)
            .await?)
    }
}

/// The session of the request's cookie on this tenant, if it is valid.
async fn resolve(
    state: &AppState,
    tenant: &Tenant,
    req: &Request,
) -> Result<Option<Session>, AppError> {
    let Some(id) = cookie(req, SESSION_COOKIE).filter(|v| looks_like_token(v)) else {
        return Ok(None);
    };
    let Some(found) = stored(state, tenant, &id).await? else {
        return Ok(None);
    };
    let Some(account) = Accounts::for_tenant(state.store.conn(), tenant)
        .find(found.user_id)
        .await?
    else {
        return Ok(None);
    };
    // An unverified address opens nothing: the account may not be its owner's; nor does a
    // blocked account.
    if account.session_generation != found.generation
        || !account.email_verified
        || account.blocked
        || account.deleted
    {
        return Ok(None);
    }
    // The inactivity rule counts from here (one write a day at most). A failure to note it
    // costs the member nothing now: logged, and the page is served.
    if let Err(error) = jsap_app::accounts::seen(&state.store, tenant, &account, Utc::now()).await {
        tracing::warn!(tenant.code = %tenant.code, account.id = account.id, %error, "last visit not noted");
    }
    Ok(Some(Session {
        id,
        account,
        csrf_secret: found.csrf_secret,
        expires_at: found.expires_at,
    }))
}

/// What the page layout shows of the signed-in visitor.
#[derive(Clone, Debug, Serialize)]
pub struct Viewer {
    pub display_name: String,
    pub email_verified: bool,
    pub csrf: String,
    /// Requests with something unread (the header badge).
    pub unread_requests: u64,
    /// For a focal point, what waits on them in their cities (the "Ma ville" badge).
    pub focal_to_do: Option<u64>,
    /// A platform staff member acting on a country site (the banner saying so).
    pub staff_seat: bool,
}

tokio::task_local! {
    static VIEWER: Option<Viewer>;
}

/// The signed-in visitor of the request being served, for the layout.
pub fn viewer() -> Option<Viewer> {
    VIEWER.try_with(Clone::clone).ok().flatten()
}

/// The permissions of the signed-in `user_id` for this request: those the session middleware
/// read, or read now.
pub async fn permissions(
    req: &Request,
    state: &AppState,
    tenant: &jsap_tenancy::Tenant,
    account: &Account,
) -> Result<Permissions, jsap_store::StoreError> {
    match req.extensions().get::<Permissions>() {
        Some(permissions) => Ok(permissions.clone()),
        None => read_permissions(state, tenant, account).await,
    }
}

/// The permissions of `account` on `tenant`, from its memberships (a staff seat adds the
/// operators' powers).
async fn read_permissions(
    state: &AppState,
    tenant: &jsap_tenancy::Tenant,
    account: &Account,
) -> Result<Permissions, jsap_store::StoreError> {
    jsap_app::organisations::permissions(state.store.conn(), tenant, account).await
}

/// The permissions of `user_id` on `tenant` and the number of requests it has not read over
/// every inbox they give it (the header badge).
async fn unread(
    state: &AppState,
    tenant: &jsap_tenancy::Tenant,
    account: &Account,
) -> Result<(Permissions, u64), jsap_store::StoreError> {
    let permissions = read_permissions(state, tenant, account).await?;
    let unread = jsap_store::Requests::for_tenant(state.store.conn(), tenant)
        .unread_count(account.id, &permissions)
        .await?;
    Ok((permissions, unread))
}

/// The signed-in reader of a request carrying a session cookie, with their permissions and
/// session put in the request; or none, and whether the cookie is stale (to be cleared).
async fn load_viewer(
    state: &AppState,
    tenant: &Tenant,
    req: &mut Request,
) -> (Option<Viewer>, bool) {
    let session = match resolve(state, tenant, req).await {
        Ok(Some(session)) => session,
        Ok(None) => return (None, true),
        Err(e) => {
            tracing::warn!(error = %e, "session lookup failed: served anonymously");
            return (None, false);
        }
    };
    // Pages only: the account's permissions, read once for the request (the role extractors
    // and the inboxes use them too), and its unread requests.
    let path = req.uri().path();
    let (mut unread_requests, mut focal_to_do) = (0, None);
    if !(path.starts_with("/api") || path.starts_with("/media")) {
        match unread(state, tenant, &session.account).await {
            Ok((permissions, unread)) => {
                unread_requests = unread;
                // Pages only (a form's post redirects to one).
                let cities = permissions.focal_cities();
                if req.method() == poem::http::Method::GET && !cities.is_empty() {
                    let conn = state.store.conn();
                    match jsap_app::workspace::to_do_count(conn, tenant, &cities).await {
                        Ok(n) => focal_to_do = Some(n),
                        Err(e) => tracing::warn!(error = %e, "to-do not counted"),
                    }
                }
                req.extensions_mut().insert(permissions);
            }
            Err(e) => tracing::warn!(error = %e, "unread requests not counted"),
        }
    }
    let viewer = Viewer {
        display_name: session.account.display_name.clone(),
        email_verified: session.account.email_verified,
        csrf: csrf_token(&state.secret_key, tenant, &session_binding(&session)),
        unread_requests,
        focal_to_do,
        staff_seat: jsap_app::staff_entry::is_seat(tenant, &session.account),
    };
    req.extensions_mut().insert(session);
    (Some(viewer), false)
}

/// Loads the session of every request that carries a session cookie (others pay nothing) and
/// makes the user known to handlers and to the page layout. Runs inside the tenant middleware.
pub async fn sessions<E: Endpoint>(ep: Arc<E>, mut req: Request) -> poem::Result<Response> {
    let state = req.data::<Arc<AppState>>().cloned();
    let tenant = req.extensions().get::<CurrentTenant>().cloned();
    let (state_for_errors, tenant_for_errors) = (state.clone(), tenant.clone());
    let (mut viewer, mut stale_cookie) = (None, false);
    // Static assets never need the user: no lookup for them.
    let wants_user = !req.uri().path().starts_with("/assets/");
    if let (Some(state), Some(CurrentTenant(tenant))) = (state, tenant)
        && wants_user
        && cookie(&req, SESSION_COOKIE).is_some()
    {
        // Boxed: its database reads make a future of kilobytes, which this middleware's
        // future would otherwise carry (and copy) on every anonymous request too.
        (viewer, stale_cookie) = Box::pin(load_viewer(&state, &tenant, &mut req)).await;
    }
    let clear =
        stale_cookie.then(|| set_cookie(&req, SESSION_COOKIE, "", std::time::Duration::ZERO));
    let signed_in = viewer.is_some();
    let error_pages = match (&state_for_errors, &tenant_for_errors) {
        (Some(state), Some(CurrentTenant(tenant))) if signed_in => {
            Some((state.clone(), tenant.clone(), req.uri().path().to_owned()))
        }
        _ => None,
    };
    let mut response = VIEWER
        .scope(viewer, async move {
            match ep.call(req).await {
                Ok(resp) => Ok(resp.into_response()),
                // Rendered here, so a signed-in reader's 404 or refusal page keeps their header.
                Err(e) if !e.status().is_server_error() => match &error_pages {
                    Some((state, tenant, path)) => {
                        crate::render::error_response(state, tenant, path, &e).ok_or(e)
                    }
                    None => Err(e),
                },
                Err(e) => Err(e),
            }
        })
        .await?;
    // A page naming its reader must not be stored by shared caches.
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if signed_in && is_html {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            poem::http::HeaderValue::from_static("private, no-store"),
        );
    }
    if let Some(clear) = clear
        && !response.headers().contains_key(header::SET_COOKIE)
        && let Ok(value) = clear.parse()
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

pub fn session_binding(session: &Session) -> String {
    format!("s:{}", session.csrf_secret)
}

/// The CSRF token for forms of this request, and the pre-session cookie to set when the
/// anonymous visitor has none yet.
pub fn form_token(state: &AppState, tenant: &Tenant, req: &Request) -> (String, Option<String>) {
    if let Some(session) = req.extensions().get::<Session>() {
        return (
            csrf_token(&state.secret_key, tenant, &session_binding(session)),
            None,
        );
    }
    match cookie(req, PRESESSION_COOKIE).filter(|v| looks_like_token(v)) {
        Some(pre) => (
            csrf_token(&state.secret_key, tenant, &format!("p:{pre}")),
            None,
        ),
        None => {
            let pre = random_token();
            (
                csrf_token(&state.secret_key, tenant, &format!("p:{pre}")),
                Some(set_cookie(req, PRESESSION_COOKIE, &pre, session_ttl())),
            )
        }
    }
}

/// Whether the submitted token matches the visitor's session or pre-session cookie.
pub fn csrf_ok(state: &AppState, tenant: &Tenant, req: &Request, submitted: &str) -> bool {
    if submitted.is_empty() {
        return false;
    }
    if let Some(session) = req.extensions().get::<Session>()
        && csrf_matches(
            &state.secret_key,
            tenant,
            &session_binding(session),
            submitted,
        )
    {
        return true;
    }
    cookie(req, PRESESSION_COOKIE)
        .filter(|v| looks_like_token(v))
        .is_some_and(|pre| csrf_matches(&state.secret_key, tenant, &format!("p:{pre}"), submitted))
}

fn locale_of(req: &Request, tenant: &Tenant) -> Locale {
    crate::render::path_locale(tenant, req.uri().path())
}

/// The signed-in user. Anonymous visitors are redirected (303) to the log-in page.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Session);

impl CurrentUser {
    pub fn account(&self) -> &Account {
        &self.0.account
    }
}

impl<'a> FromRequest<'a> for CurrentUser {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        if let Some(session) = req.extensions().get::<Session>() {
            return Ok(CurrentUser(session.clone()));
        }
        let CurrentTenant(tenant) = req
            .extensions()
            .get::<CurrentTenant>()
            .cloned()
            .ok_or(AppError::NotFound)?;
        let locale = locale_of(req, &tenant);
        // Back here after logging in (or signing up): a page asked for, or the page of a form.
        let back = match (req.method(), req.uri().query()) {
            (&poem::http::Method::GET, Some(query)) => format!("{}?{query}", req.uri().path()),
            _ => req.uri().path().to_owned(),
        };
        let login = format!(
            "/{locale}/compte/connexion?{}",
            crate::params::encode(&[("next", back)])
        );
        Err(poem::Error::from_response(
            Response::builder()
                .status(StatusCode::SEE_OTHER)
                .header(header::LOCATION, login)
                .header(header::CACHE_CONTROL, "no-store")
                .finish(),
        ))
    }
}

/// The signed-in user, if any.
#[derive(Clone, Debug)]
pub struct OptionalUser(pub Option<Session>);

impl<'a> FromRequest<'a> for OptionalUser {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(OptionalUser(req.extensions().get::<Session>().cloned()))
    }
}
