//! Page rendering through the tenant's theme chain, with the context every layout needs.

use crate::{AppError, AppState};
use jsap_domain::Locale;
use jsap_tenancy::Tenant;
use poem::http::{HeaderValue, StatusCode, header};
use poem::{IntoResponse, Response};
use serde::Serialize;

#[derive(Serialize)]
struct Alternate {
    locale: &'static str,
    path: String,
    url: String,
}

/// The base context of a page: locale, direction, branding, assets, canonical and alternates.
/// `rest` is the path after `/{locale}` (starting with `/`).
pub fn page_context(
    state: &AppState,
    tenant: &Tenant,
    locale: Locale,
    rest: &str,
) -> tera::Context {
    let mut ctx = tera::Context::new();
    ctx.insert("locale", locale.as_str());
    ctx.insert("dir", locale.dir());
    ctx.insert("site_name", tenant.site_name.get(locale));
    ctx.insert("country_name", tenant.country_name.get(locale));
    ctx.insert("tenant_code", tenant.code.as_str());
    ctx.insert(
        "tenant_kind",
        if tenant.is_portal() {
            "portal"
        } else {
            "country"
        },
    );
    let assets = state.themes.asset_urls(&tenant.theme);
    // The domains' illustrations, which every mission card points into.
    ctx.insert(
        "sprite",
        assets.get("domains.svg").map_or("", String::as_str),
    );
    ctx.insert("assets", &assets);
    ctx.insert(
        "canonical_url",
        &format!("{}/{}{}", tenant.canonical_url(), locale, rest),
    );
    let alternates: Vec<Alternate> = tenant
        .locales
        .iter()
        .map(|l| Alternate {
            locale: l.as_str(),
            path: format!("/{l}{rest}"),
            url: format!("{}/{l}{rest}", tenant.canonical_url()),
        })
        .collect();
    ctx.insert("alternates", &alternates);
    ctx.insert("viewer", &crate::session::viewer());
    ctx
}

pub fn html(
    state: &AppState,
    tenant: &Tenant,
    template: &str,
    ctx: &tera::Context,
) -> Result<Response, AppError> {
    Ok(html_body(state.themes.render(
        &tenant.theme,
        template,
        ctx,
    )?))
}

/// A page response from an already rendered body.
pub fn html_body(body: String) -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(body)
}

/// The locale of a path (`/{locale}/...`) when the tenant offers it, else its default.
pub fn path_locale(tenant: &Tenant, path: &str) -> Locale {
    path.trim_start_matches('/')
        .split('/')
        .next()
        .and_then(|s| s.parse::<Locale>().ok())
        .filter(|l| tenant.offers(*l))
        .unwrap_or(tenant.default_locale)
}

/// The translation keys (title, text) of the themed page of an error status.
fn error_texts(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::BAD_REQUEST => ("request.bad_title", "error.bad_request_text"),
        StatusCode::FORBIDDEN => ("roles.forbidden_title", "roles.forbidden_text"),
        StatusCode::NOT_FOUND => ("error.not_found_title", "error.not_found_text"),
        StatusCode::PAYLOAD_TOO_LARGE => ("error.too_large_title", "error.too_large_text"),
        StatusCode::CONFLICT => ("error.conflict_title", "error.conflict_text"),
        StatusCode::GONE => ("account.link_invalid_title", "account.link_invalid_text"),
        StatusCode::TOO_MANY_REQUESTS => ("account.rate_title", "account.rate_text"),
        StatusCode::SERVICE_UNAVAILABLE => ("error.unavailable_title", "error.unavailable_text"),
        _ => ("error.server_title", "error.server_text"),
    }
}

/// The refusals rendered as a page: 400, 403, 409, 410, 429.
fn is_refusal(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::BAD_REQUEST
            | StatusCode::FORBIDDEN
            | StatusCode::CONFLICT
            | StatusCode::GONE
            | StatusCode::TOO_MANY_REQUESTS
    )
}

/// The themed page of an error status in the locale of the URL when the tenant offers it;
/// `retry_after` (seconds) is sent as `Retry-After` and says the minutes of a 429. A refusal
/// is never stored (`no-store`).
pub fn error_page(
    state: &AppState,
    tenant: &Tenant,
    path: &str,
    status: StatusCode,
    retry_after: Option<u64>,
) -> Response {
    let locale = path_locale(tenant, path);
    let (title, text) = error_texts(status);
    let minutes = retry_after.map_or(1, |s| s.div_ceil(60).max(1));
    let text =
        jsap_adapters::translate(locale.as_str(), text).replace("%{minutes}", &minutes.to_string());
    let title = jsap_adapters::translate(locale.as_str(), title);
    let mut resp = themed_message(state, tenant, locale, status, &title, &text);
    let headers = resp.headers_mut();
    if let Some(seconds) = retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    if is_refusal(status) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// The page of an error a handler or an extractor returned (an [`AppError`] or poem's own),
/// rendered once, here: 404, the refusals (400, 403, 409, 410, 429) and the server errors.
/// `None` for the other statuses, and for a refusal that already is a page
/// (`poem::Error::from_response`, the kit's message pages): those answer as they are.
pub fn error_response(
    state: &AppState,
    tenant: &Tenant,
    path: &str,
    error: &poem::Error,
) -> Option<Response> {
    let status = error.status();
    let rendered = status == StatusCode::NOT_FOUND
        || status.is_server_error()
        || (is_refusal(status) && !error.is_from_response());
    if !rendered {
        return None;
    }
    let retry_after = error
        .downcast_ref::<AppError>()
        .and_then(AppError::retry_after)
        .or((status == StatusCode::SERVICE_UNAVAILABLE).then_some(60));
    Some(error_page(state, tenant, path, status, retry_after))
}

/// The error template with a translated title and text, at `status`.
fn themed_message(
    state: &AppState,
    tenant: &Tenant,
    locale: Locale,
    status: StatusCode,
    title: &str,
    text: &str,
) -> Response {
    let mut ctx = page_context(state, tenant, locale, "/");
    ctx.insert("title", title);
    ctx.insert("text", text);
    match html(state, tenant, "error.html", &ctx) {
        Ok(mut resp) => {
            resp.set_status(status);
            resp
        }
        Err(e) => {
            tracing::error!(error = %e, %status, "error page failed to render");
            status.into_response()
        }
    }
}

/// The page for a host no tenant claims: it names no tenant, in French and English.
pub fn unknown_host() -> Response {
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .body(
            "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Site introuvable</title></head>\
             <body><h1>Site introuvable</h1><p>Aucun site ne répond à cette adresse.</p>\
             <p lang=\"en\">No site answers at this address.</p></body></html>",
        )
}
