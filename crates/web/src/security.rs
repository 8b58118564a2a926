//! Passwords (argon2id), CSRF tokens (HMAC over `SECRET_KEY`), rate limits (cache counters),
//! cookies and the client address.

use crate::AppState;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use hmac::{Hmac, Mac};
use jsap_tenancy::Tenant;
use poem::Request;
use poem::http::header;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use std::time::Duration;

/// Password hashes at once, at most: one per core. Each argon2 hash takes 19 MiB for about
/// 50 ms; a burst of sign-ups waits its turn instead of growing memory and starving the
/// blocking pool.
fn hashing_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        tokio::sync::Semaphore::new(cores)
    })
}

/// Runs one CPU-heavy computation (argon2, password strength) on the blocking pool, within
/// `hashing_slots`: never on the async workers.
pub async fn with_hashing_slot<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let _slot = hashing_slots()
        .acquire()
        .await
        .map_err(|e| anyhow::anyhow!("hashing pool closed: {e}"))?;
    Ok(tokio::task::spawn_blocking(work).await?)
}

/// Hashes a password with argon2id (the crate's default parameters), off the async threads.
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    with_hashing_slot(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("cannot hash a password: {e}"))
    })
    .await?
}

/// A hash of a random password, checked when the account does not exist so that a log-in
/// takes as long whether the email is known or not.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        argon2::Argon2::default()
            .hash_password(crate::session::random_hex().as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Whether `password` matches `hash`; `None` (no account, no password) checks a decoy and fails.
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    with_hashing_slot(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| decoy_hash().to_owned());
        let matches = PasswordHash::new(&hash).is_ok_and(|parsed| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        });
        known && matches
    })
    .await
    .unwrap_or(false)
}

type HmacSha256 = Hmac<Sha256>;

/// The keys that sign and check the site's tokens (CSRF tokens, known-device cookies): the
/// current one signs; it and the previous ones check, so replacing `SECRET_KEY` (the old one
/// moved to `SECRET_KEY_PREVIOUS`) breaks no open form and forgets no device. Sessions are
/// random ids kept server-side: a new key never logs anyone out.
#[derive(Clone)]
pub struct SecretKeys {
    signing: Vec<u8>,
    previous: Vec<Vec<u8>>,
}

impl SecretKeys {
    pub fn new(signing: Vec<u8>, previous: Vec<Vec<u8>>) -> Self {
        Self { signing, previous }
    }

    /// One key, nothing previous.
    pub fn single(signing: &[u8]) -> Self {
        Self::new(signing.to_vec(), Vec::new())
    }

    /// The signing key first, then the previous ones.
    fn checking(&self) -> impl Iterator<Item = &[u8]> {
        std::iter::once(self.signing.as_slice()).chain(self.previous.iter().map(Vec::as_slice))
    }
}

impl std::fmt::Debug for SecretKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKeys(1 signing, {} previous)", self.previous.len())
    }
}

fn mac(secret: &[u8], parts: &[&str]) -> HmacSha256 {
    // HMAC accepts keys of any length: this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    for part in parts {
        mac.update(part.as_bytes());
        mac.update(b"\x1f");
    }
    mac
}

/// The CSRF token of a form: an HMAC of the tenant and of a secret bound to the visitor (the
/// session's CSRF secret, or before log-in the pre-session cookie), masked with a fresh random
/// pad on every call (`pad || pad XOR hmac`, hex). Pages that reflect a search and carry the
/// token are compressed: a token that changes on every response gives a compression oracle
/// (BREACH) nothing to converge on.
pub fn csrf_token(keys: &SecretKeys, tenant: &Tenant, binding: &str) -> String {
    use rand::RngCore;
    let token = mac(&keys.signing, &["csrf", tenant.code.as_str(), binding])
        .finalize()
        .into_bytes();
    let mut pad = [0u8; 32];
    rand::rng().fill_bytes(&mut pad);
    let masked: Vec<u8> = pad.iter().zip(token.iter()).map(|(p, t)| p ^ t).collect();
    let mut out = hex::encode(pad);
    out.push_str(&hex::encode(masked));
    out
}

/// Constant-time check of a submitted (masked) CSRF token, against each key.
pub fn csrf_matches(keys: &SecretKeys, tenant: &Tenant, binding: &str, submitted: &str) -> bool {
    let Ok(bytes) = hex::decode(submitted.trim()) else {
        return false;
    };
    if bytes.len() != 64 {
        return false;
    }
    let (pad, masked) = bytes.split_at(32);
    let token: Vec<u8> = pad.iter().zip(masked).map(|(p, m)| p ^ m).collect();
    keys.checking().any(|secret| {
        mac(secret, &["csrf", tenant.code.as_str(), binding])
            .verify_slice(&token)
            .is_ok()
    })
}

/// The longest wait one log-in attempt is given for its account (see `account_delay`).
pub const MAX_ACCOUNT_DELAY: Duration = Duration::from_secs(10);

/// Log-in attempts on one account, from any address, past `per_email` in the window: each
/// further one waits a second more (at most `MAX_ACCOUNT_DELAY`) instead of being refused, so
/// that guessing from rotating addresses is slowed without locking the owner out.
pub async fn account_delay(
    state: &AppState,
    tenant: &Tenant,
    action: &str,
    email: &str,
) -> Duration {
    let key = account_key(tenant, action, email);
    match state
        .cache
        .incr_with_ttl(&key, state.rate_limits.window)
        .await
    {
        Ok((count, _)) if count > state.rate_limits.per_email => {
            Duration::from_secs(count - state.rate_limits.per_email).min(MAX_ACCOUNT_DELAY)
        }
        Ok(_) => Duration::ZERO,
        Err(e) => {
            tracing::warn!(error = %e, "account attempt counter unavailable");
            Duration::ZERO
        }
    }
}

/// Forgets the account's attempts (after a successful log-in).
pub async fn reset_account_delay(state: &AppState, tenant: &Tenant, action: &str, email: &str) {
    if let Err(e) = state
        .cache
        .delete(&account_key(tenant, action, email))
        .await
    {
        tracing::warn!(error = %e, "account attempt counter not reset");
    }
}

fn account_key(tenant: &Tenant, action: &str, email: &str) -> String {
    let digest = hex::encode(Sha256::digest(email.trim().to_lowercase().as_bytes()));
    format!("rl:{}:{action}:account:{}", tenant.code, &digest[..32])
}

/// The `jsap_device` cookie's value for an account: set at a successful log-in, it lets the
/// account's owner past the account's delay (never past the password).
pub fn device_token(keys: &SecretKeys, tenant: &Tenant, email: &str) -> String {
    hex::encode(
        mac(
            &keys.signing,
            &["device", tenant.code.as_str(), &email.trim().to_lowercase()],
        )
        .finalize()
        .into_bytes(),
    )
}

/// Whether the request comes from a device that signed in to this account before.
pub fn known_device(req: &Request, keys: &SecretKeys, tenant: &Tenant, email: &str) -> bool {
    cookie(req, DEVICE_COOKIE).is_some_and(|value| {
        hex::decode(value.trim()).is_ok_and(|bytes| {
            keys.checking().any(|secret| {
                mac(
                    secret,
                    &["device", tenant.code.as_str(), &email.trim().to_lowercase()],
                )
                .verify_slice(&bytes)
                .is_ok()
            })
        })
    })
}

pub const DEVICE_COOKIE: &str = "jsap_device";

/// Allowed attempts per window.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    pub per_ip: u64,
    pub per_email: u64,
    pub window: Duration,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            per_ip: 10,
            per_email: 5,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Counts one attempt of `action` from this address (and for this email, when given).
/// `Err(wait)` when a limit is exceeded. A cache failure lets the attempt through (logged):
/// an outage of Redis must not lock every member out.
pub async fn rate_limit(
    state: &AppState,
    tenant: &Tenant,
    action: &str,
    ip: &str,
    email: Option<&str>,
) -> Result<(), Duration> {
    let limits = state.rate_limits;
    let mut keys = vec![(
        format!("rl:{}:{action}:ip:{ip}", tenant.code),
        limits.per_ip,
    )];
    if let Some(email) = email
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
    {
        // The address is hashed: counters do not spread emails over the cache.
        let digest = hex::encode(Sha256::digest(email.as_bytes()));
        keys.push((
            format!("rl:{}:{action}:email:{}", tenant.code, &digest[..32]),
            limits.per_email,
        ));
    }
    let mut wait = None;
    for (key, limit) in keys {
        match state.cache.incr_with_ttl(&key, limits.window).await {
            Ok((count, left)) if count > limit => {
                wait = Some(wait.map_or(left, |w: Duration| w.max(left)));
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "rate limit counter unavailable"),
        }
    }
    match wait {
        Some(w) => Err(w),
        None => Ok(()),
    }
}

/// The client's address: the socket peer or, behind `proxy_hops` trusted proxies, the
/// `X-Forwarded-For` entry that many from the right end. Each proxy appends the peer it saw,
/// so entries further left were written by the client and prove nothing.
pub fn client_ip(req: &Request, proxy_hops: usize) -> String {
    if proxy_hops > 0 {
        let entries: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        if let Some(first) = entries.first() {
            // Fewer entries than proxies: every entry was written by a trusted proxy.
            let client = entries
                .len()
                .checked_sub(proxy_hops)
                .map_or(*first, |i| entries[i]);
            return client.to_owned();
        }
    }
    req.remote_addr()
        .as_socket_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
}

/// A cookie of the request, by name.
pub fn cookie(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
}

/// Whether this response's cookies are `Secure`, decided once by the tenant middleware from
/// the host that resolved the tenant (not from a Host header a proxy may have rewritten).
#[derive(Debug, Clone, Copy)]
pub struct SecureCookies(pub bool);

/// Development hosts are served over plain HTTP: their cookies cannot be `Secure`, and they
/// get no HSTS. `host` may carry a port.
pub fn is_dev_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name.to_owned(),
        _ => host,
    };
    name == "localhost" || name.ends_with(".localhost") || name == "127.0.0.1"
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, `Path=/`, no `Domain` (host-only, so one
/// tenant's cookie never reaches another's host), `Secure` except on development hosts (and
/// `Secure` when the middleware did not say: fail safe). `max_age` zero deletes the cookie.
pub fn set_cookie(req: &Request, name: &str, value: &str, max_age: Duration) -> String {
    let mut cookie = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}",
        max_age.as_secs()
    );
    if req
        .extensions()
        .get::<SecureCookies>()
        .is_none_or(|secure| secure.0)
    {
        cookie.push_str("; Secure");
    }
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_are_bound_to_secret_tenant_and_visitor() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tenants");
        let tenants = jsap_tenancy::load_dir(&dir).expect("tenants");
        let cm = tenants
            .iter()
            .find(|t| t.code.as_str() == "cm")
            .expect("cm");
        let sn = tenants
            .iter()
            .find(|t| t.code.as_str() == "sn")
            .expect("sn");
        let secret = SecretKeys::single(b"secret");
        let token = csrf_token(&secret, cm, "visitor");
        assert!(csrf_matches(&secret, cm, "visitor", &token));
        let again = csrf_token(&secret, cm, "visitor");
        assert_ne!(token, again, "masked afresh for every response");
        assert!(csrf_matches(&secret, cm, "visitor", &again));
        assert!(
            !csrf_matches(&secret, cm, "visitor", &token[64..]),
            "unmasked half alone"
        );
        assert!(!csrf_matches(&secret, cm, "other visitor", &token));
        assert!(!csrf_matches(&secret, sn, "visitor", &token));
        assert!(!csrf_matches(
            &SecretKeys::single(b"other secret"),
            cm,
            "visitor",
            &token
        ));
        assert!(!csrf_matches(&secret, cm, "visitor", ""));
        assert!(!csrf_matches(&secret, cm, "visitor", "zz"));

        // A new key with the old one as previous: old tokens still pass and new ones are
        // signed with the new key; once the old key is dropped, only the new ones pass.
        let rotated = SecretKeys::new(b"new secret".to_vec(), vec![b"secret".to_vec()]);
        assert!(
            csrf_matches(&rotated, cm, "visitor", &token),
            "an open form"
        );
        let fresh = csrf_token(&rotated, cm, "visitor");
        assert!(
            !csrf_matches(&secret, cm, "visitor", &fresh),
            "signed by the new key"
        );
        let dropped = SecretKeys::single(b"new secret");
        assert!(csrf_matches(&dropped, cm, "visitor", &fresh));
        assert!(
            !csrf_matches(&dropped, cm, "visitor", &token),
            "old key retired"
        );
        assert!(!format!("{rotated:?}").contains("secret"), "never printed");
    }

    #[test]
    fn only_development_hosts_get_cookies_without_secure() {
        let resolved = |h: &str| {
            let mut req = poem::Request::builder()
                .header(header::HOST, "upstream.internal")
                .finish();
            req.extensions_mut().insert(SecureCookies(!is_dev_host(h)));
            req
        };
        for dev in [
            "localhost",
            "cm.localhost:8080",
            "127.0.0.1:3000",
            "SN.LOCALHOST.",
        ] {
            assert!(is_dev_host(dev), "{dev}");
            assert!(!set_cookie(&resolved(dev), "a", "b", Duration::ZERO).contains("Secure"));
        }
        for real in [
            "jesuisaucameroun.com",
            "localhost.evil.com",
            "cm.localhost.example.org",
        ] {
            assert!(!is_dev_host(real), "{real}");
            assert!(set_cookie(&resolved(real), "a", "b", Duration::ZERO).ends_with("; Secure"));
        }
        let undecided = poem::Request::builder()
            .header(header::HOST, "localhost")
            .finish();
        assert!(
            set_cookie(&undecided, "a", "b", Duration::ZERO).ends_with("; Secure"),
            "without the middleware's decision, Secure"
        );
    }

    #[test]
    fn the_client_is_the_entry_the_trusted_proxies_wrote() {
        let req = |values: &[&str]| {
            let mut b = poem::Request::builder();
            for v in values {
                b = b.header("x-forwarded-for", *v);
            }
            b.finish()
        };
        // The client wrote "1.1.1.1"; the one proxy appended the peer it saw.
        let forged = req(&["1.1.1.1, 203.0.113.7"]);
        assert_eq!(client_ip(&forged, 1), "203.0.113.7");
        assert_eq!(client_ip(&forged, 2), "1.1.1.1");
        assert_eq!(
            client_ip(&req(&["1.1.1.1", "10.0.0.2, 10.0.0.3"]), 2),
            "10.0.0.2"
        );
        assert_eq!(client_ip(&req(&["203.0.113.7"]), 3), "203.0.113.7");
        assert_eq!(
            client_ip(&forged, 0),
            "unknown",
            "no proxy: the socket peer"
        );
    }

    #[tokio::test]
    async fn passwords_verify_only_against_their_hash() {
        let hash = hash_password("correct horse battery".into())
            .await
            .expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery".into(), Some(hash.clone())).await);
        assert!(!verify_password("wrong horse battery".into(), Some(hash)).await);
        assert!(!verify_password("anything".into(), None).await);
    }
}
