//! Host -> tenant resolution, request ids and the request span, for every request; and the
//! guards every request passes first: one `Host` header, a bounded body, and the security
//! headers of every response.

use crate::extract::{CurrentTenant, RequestId};
use crate::security::{SecureCookies, is_dev_host};
use crate::{AppState, render};
use jsap_tenancy::HostMatch;
use poem::http::{HeaderName, HeaderValue, StatusCode, header};
use poem::{Body, Endpoint, IntoResponse, Request, Response};
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;

const REQUEST_ID: &str = "x-request-id";
const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static(REQUEST_ID);

/// The largest request body: forms are a few kilobytes. Upload routes get their own limit in
/// `body_limit`.
pub const FORM_BODY_LIMIT: usize = 1024 * 1024;

/// The body limit of a path: an image upload (an organisation's `.../logo`, a city's
/// `.../photo`, a mission's `.../photos`, a news post's `.../photo`) takes the largest image
/// accepted and its form around it.
pub fn body_limit(path: &str) -> usize {
    let logo = (path.contains("/espace/organisation/") && path.ends_with("/logo"))
        || (path.contains("/espace/pays/villes/") && path.ends_with("/photo"));
    let photo = (path.contains("/espace/missions/") || path.starts_with("/api/v1/missions/"))
        && path.ends_with("/photos");
    let news_photo = path.contains("/espace/pays/actualites/") && path.ends_with("/photo");
    if logo || photo || news_photo {
        jsap_adapters::images::MAX_UPLOAD_BYTES + 64 * 1024
    } else {
        FORM_BODY_LIMIT
    }
}

/// The policy of every HTML page: nothing from elsewhere, no inline script or style, never
/// framed (the buttons of a conversation cannot be clickjacked).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn too_large(state: &AppState, tenant: Option<&jsap_tenancy::Tenant>, path: &str) -> Response {
    match tenant {
        Some(tenant) => {
            render::error_page(state, tenant, path, StatusCode::PAYLOAD_TOO_LARGE, None)
        }
        None => StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    }
}

/// Refuses a body over `limit` before reading it when its length is announced; reads a body
/// of unknown length (chunked) only up to the limit.
async fn bounded_body(req: &mut Request, limit: usize) -> Result<(), ()> {
    if let Some(length) = req
        .header(header::CONTENT_LENGTH)
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return if length > limit as u64 {
            Err(())
        } else {
            Ok(())
        };
    }
    if req.header(header::TRANSFER_ENCODING).is_none() {
        return Ok(());
    }
    match req.take_body().into_bytes_limit(limit).await {
        Ok(bytes) => {
            req.set_body(Body::from_bytes(bytes));
            Ok(())
        }
        Err(_) => Err(()),
    }
}

/// Headers every response carries; the HTML ones also get the content policy, and the real
/// domains (served over HTTPS) HSTS.
fn security_headers(response: &mut Response, https_host: bool) {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if is_html {
        if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONTENT_SECURITY_POLICY),
            );
        }
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if https_host {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
}

fn request_id(req: &Request) -> String {
    req.header(REQUEST_ID)
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(str::to_owned)
        // A version 4 id from the thread's generator: `Uuid::new_v4` asks the kernel
        // (`getrandom`), a system call on every request.
        .unwrap_or_else(|| {
            uuid::Builder::from_random_bytes(rand::random())
                .into_uuid()
                .to_string()
        })
}

/// The host the client asked for. `X-Forwarded-Host` counts only when configured.
fn requested_host(req: &Request, trust_forwarded: bool) -> Option<String> {
    if trust_forwarded && let Some(forwarded) = req.header("x-forwarded-host") {
        return forwarded.split(',').next().map(|h| h.trim().to_owned());
    }
    req.header(header::HOST)
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.to_string()))
}

pub async fn tenant_and_tracing<E: Endpoint>(
    ep: Arc<E>,
    mut req: Request,
) -> poem::Result<Response> {
    let started = Instant::now();
    let id = request_id(&req);
    let state = req
        .data::<Arc<AppState>>()
        .cloned()
        .ok_or_else(|| poem::Error::from_status(StatusCode::INTERNAL_SERVER_ERROR))?;
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let is_probe = path == "/healthz" || path == "/readyz";
    // Two Host headers: which one a proxy in front of us read is anyone's guess.
    if req.headers().get_all(header::HOST).iter().count() > 1 {
        let mut response = StatusCode::BAD_REQUEST.into_response();
        security_headers(&mut response, false);
        return Ok(response);
    }
    let host = requested_host(&req, state.trust_forwarded_host);
    let https_host = host.as_deref().is_some_and(|h| !is_dev_host(h));
    let resolved = host.and_then(|host| state.registry.resolve(&host).cloned());
    let tenant_code = match &resolved {
        Some(HostMatch::Serve(t)) | Some(HostMatch::Redirect(t)) => t.code.to_string(),
        None => "-".to_owned(),
    };
    let span = tracing::info_span!("request", request_id = %id, tenant.code = %tenant_code, %method, %path);

    // What is decided here needs no await but a bounded body's; the endpoint is called
    // once, boxed: this future stays small (it is copied whole on every request) and the
    // endpoint's own future of kilobytes is written once, into its box.
    let limit = body_limit(&path);
    let (mut serving, mut route) = (None, None);
    let answered_or_passed = if bounded_body(&mut req, limit).await.is_err() {
        let tenant = match &resolved {
            Some(HostMatch::Serve(t)) => Some(t.as_ref()),
            _ => None,
        };
        span.in_scope(|| tracing::info!(limit, "request body too large"));
        Err(too_large(&state, tenant, &path))
    } else if is_probe {
        Ok(req)
    } else {
        match resolved {
            None => Err(render::unknown_host()),
            Some(HostMatch::Redirect(tenant)) => {
                let target = match req.uri().path_and_query() {
                    Some(pq) => format!("https://{}{}", tenant.canonical_domain, pq.as_str()),
                    None => format!("https://{}/", tenant.canonical_domain),
                };
                Err(Response::builder()
                    .status(StatusCode::MOVED_PERMANENTLY)
                    .header(header::LOCATION, target)
                    .finish())
            }
            Some(HostMatch::Serve(tenant)) => {
                match crate::routes::public::memoised_home(&state, &tenant, &req) {
                    Some(page) => {
                        route = Some(crate::routes::public::HOME_ROUTE);
                        Err(page)
                    }
                    None => {
                        req.extensions_mut().insert(CurrentTenant(tenant.clone()));
                        req.extensions_mut().insert(SecureCookies(https_host));
                        req.extensions_mut().insert(RequestId(id.clone()));
                        serving = Some(tenant);
                        Ok(req)
                    }
                }
            }
        }
    };
    let mut response = match answered_or_passed {
        Err(answered) => answered,
        Ok(req) => match Box::pin(ep.call(req).instrument(span.clone())).await {
            Ok(resp) => resp.into_response(),
            Err(error) => span.in_scope(|| {
                let status = error.status();
                if status == StatusCode::SERVICE_UNAVAILABLE {
                    tracing::warn!(error = %error, "dependency unavailable");
                } else if status.is_server_error() {
                    tracing::error!(error = %error, "request failed");
                }
                match &serving {
                    Some(tenant) => render::error_response(&state, tenant, &path, &error)
                        .unwrap_or_else(|| error.into_response()),
                    None => error.into_response(),
                }
            }),
        },
    };

    security_headers(&mut response, https_host);
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Host"));
    if let Ok(value) = HeaderValue::from_str(&id) {
        headers.insert(REQUEST_ID_HEADER, value);
    }
    let route = route.unwrap_or_else(|| {
        response
            .data::<poem::PathPattern>()
            .map_or("unmatched", |p| p.0.as_ref())
    });
    let took = started.elapsed();
    crate::metrics::observe(
        route,
        method.as_str(),
        response.status(),
        &tenant_code,
        took,
    );
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = took.as_millis() as u64,
            "served"
        );
    });
    Ok(response)
}

/// The `sha256-...` sources of the inline `<tag>` blocks of a page.
fn inline_hashes(html: &str, tag: &str) -> Vec<String> {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let Some(end_of_open) = rest[start..].find('>').map(|i| start + i + 1) else {
            break;
        };
        let Some(end) = rest[end_of_open..].find(&close).map(|i| end_of_open + i) else {
            break;
        };
        let digest = Sha256::digest(&rest.as_bytes()[end_of_open..end]);
        hashes.push(format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        ));
        rest = &rest[end + close.len()..];
    }
    hashes
}

/// For a page that carries its script and style inline (Swagger UI): the same policy as every
/// page, allowing exactly those blocks by their hashes (never `unsafe-inline`).
pub async fn inline_hashes_policy<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let mut response = ep.call(req).await?.into_response();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return Ok(response);
    }
    let body = response.take_body().into_bytes().await?;
    let text = String::from_utf8_lossy(&body);
    let policy = CONTENT_SECURITY_POLICY
        .replace(
            "script-src 'self'",
            &format!(
                "script-src 'self' {}",
                inline_hashes(&text, "script").join(" ")
            ),
        )
        .replace(
            "style-src 'self'",
            &format!(
                "style-src 'self' {}",
                inline_hashes(&text, "style").join(" ")
            ),
        );
    response.set_body(body);
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_blocks_are_hashed_one_by_one() {
        let page = "<style a=\"b\">p{}</style><script>x()</script><script>y()</script>";
        let scripts = inline_hashes(page, "script");
        assert_eq!(scripts.len(), 2);
        assert_ne!(scripts[0], scripts[1]);
        // echo -n 'x()' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            scripts[0],
            "'sha256-D6IGS8VMvCoyaR/l0h9tERrBTATY01CoPS7l6xDv0kI='"
        );
        assert_eq!(inline_hashes(page, "style").len(), 1);
        assert!(inline_hashes("<script>unterminated", "script").is_empty());
    }

    #[test]
    fn only_upload_paths_take_an_image() {
        let image = jsap_adapters::images::MAX_UPLOAD_BYTES + 64 * 1024;
        assert_eq!(body_limit("/fr/espace/organisation/3/logo"), image);
        assert_eq!(body_limit("/fr/espace/missions/3/photos"), image);
        assert_eq!(body_limit("/fr/espace/pays/actualites/3/photo"), image);
        assert_eq!(body_limit("/fr/espace/pays/actualites/3"), FORM_BODY_LIMIT);
        assert_eq!(
            body_limit("/fr/espace/pays/actualites/nouvelle"),
            FORM_BODY_LIMIT
        );
    }
}
