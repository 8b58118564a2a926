//! The JSON API (`/api/v1`), documented with OpenAPI (`/api/openapi.json`, `/api/docs`).
//! The tenant comes from the host, like the pages; search parameters are the search page's.
//!
//! - [`read`]: the public reads (missions, one mission, cities, taxonomy);
//! - [`items`]: the JSON objects they answer;
//! - [`drafts`]: a mission not published yet, shown to its editors by token.
//!
//! The write API is `super::api_write`.

mod drafts;
mod items;
mod read;

pub use read::Api;

use crate::AppError;
use crate::extract::CurrentTenant;
use jsap_domain::Locale;
use jsap_tenancy::Tenant;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApiService};
use std::sync::Arc;

#[derive(Object)]
pub(crate) struct ApiError {
    /// Stable code: `invalid_parameter`, `not_found`, `internal`.
    error: String,
    /// The parameter at fault, for `invalid_parameter` (absent otherwise: never `null`).
    #[oai(skip_serializing_if_is_none)]
    parameter: Option<String>,
    message: String,
}

pub(crate) fn api_error(
    error: &str,
    parameter: Option<&str>,
    message: impl Into<String>,
) -> Json<ApiError> {
    Json(ApiError {
        error: error.to_owned(),
        parameter: parameter.map(str::to_owned),
        message: message.into(),
    })
}

/// The locale of an API call: `?locale=`, limited to the tenant's; default the tenant's.
pub(super) fn api_locale(tenant: &Tenant, raw: Option<&str>) -> Result<Locale, Json<ApiError>> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(tenant.default_locale),
        Some(raw) => raw
            .parse::<Locale>()
            .ok()
            .filter(|l| tenant.offers(*l))
            .ok_or_else(|| {
                let offered: Vec<&str> = tenant.locales.iter().map(|l| l.as_str()).collect();
                api_error(
                    "invalid_parameter",
                    Some("locale"),
                    format!("must be one of {}", offered.join(", ")),
                )
            }),
    }
}

pub(crate) fn country(tenant: &CurrentTenant) -> Result<Arc<Tenant>, Json<ApiError>> {
    if tenant.0.is_portal() {
        Err(api_error(
            "not_found",
            None,
            "the portal has no missions: ask a country site",
        ))
    } else {
        Ok(tenant.0.clone())
    }
}

pub(super) fn internal(e: AppError) -> poem::Error {
    tracing::error!(error = %e, "api request failed");
    poem::Error::from_status(poem::http::StatusCode::INTERNAL_SERVER_ERROR)
}

type Apis = (
    Api,
    super::api_write::WriteApi,
    super::api_write::AssistantApi,
);

pub fn service() -> OpenApiService<Apis, ()> {
    let apis = (
        Api,
        super::api_write::WriteApi,
        super::api_write::AssistantApi,
    );
    OpenApiService::new(apis, "jesuisaupays", "1.0").server("/api")
}

/// Errors raised before a handler runs (a body that is not the JSON or the multipart form
/// documented, a missing token) answered as JSON with a stable code, like the handlers' own
/// refusals, which pass through as they are.
pub async fn json_error(err: poem::Error) -> poem::Response {
    use poem::IntoResponse;
    if err.is_from_response() {
        // A handler's own refusal (`api_write::Refused`): already JSON with its code.
        return err.into_response();
    }
    let status = err.status();
    let app_error = err.downcast_ref::<AppError>();
    let code = match (app_error, status.as_u16()) {
        (Some(e), 400..=499) => e.code(),
        (_, 401) => "unauthorized",
        (_, 403) => "forbidden",
        (_, 404) => "not_found",
        (_, 405) => "method_not_allowed",
        (_, 409) => "invalid_state",
        (_, 410) => "gone",
        (_, 413) => "too_large",
        (_, 415) => "unsupported_type",
        (_, 429) => "too_many_requests",
        (_, 400..=499) => "invalid_body",
        _ => "internal",
    };
    let message = if status.is_server_error() {
        "internal error".to_owned()
    } else {
        err.to_string()
    };
    let mut resp = api_error(code, None, message).into_response();
    resp.set_status(status);
    if let Some(seconds) = app_error.and_then(AppError::retry_after) {
        resp.headers_mut().insert(
            poem::http::header::RETRY_AFTER,
            poem::http::HeaderValue::from(seconds),
        );
    }
    resp
}
