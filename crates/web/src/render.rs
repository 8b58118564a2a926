//! Page rendering through the tenant's theme chain, with the context every layout needs.

use crate::{AppError, AppState};
use jsap_domain::Locale;
use jsap_tenancy::Tenant;
use poem::http::{StatusCode, header};
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
    ctx.insert("assets", &state.themes.asset_urls(&tenant.theme));
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

/// A themed 404 or 500 page in the locale of the URL when the tenant offers it.
pub fn error_page(state: &AppState, tenant: &Tenant, path: &str, status: StatusCode) -> Response {
    let (title, text) = match status {
        StatusCode::NOT_FOUND => ("error.not_found_title", "error.not_found_text"),
        StatusCode::SERVICE_UNAVAILABLE => ("error.unavailable_title", "error.unavailable_text"),
        _ => ("error.server_title", "error.server_text"),
    };
    themed_error(
        state,
        tenant,
        path_locale(tenant, path),
        status,
        title,
        text,
    )
}

/// The error template with a title and a text (translation keys), at `status`.
pub fn themed_error(
    state: &AppState,
    tenant: &Tenant,
    locale: Locale,
    status: StatusCode,
    title: &str,
    text: &str,
) -> Response {
    let mut ctx = page_context(state, tenant, locale, "/");
    ctx.insert("title", &jsap_adapters::translate(locale.as_str(), title));
    ctx.insert("text", &jsap_adapters::translate(locale.as_str(), text));
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
