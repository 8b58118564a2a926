use poem::http::{HeaderValue, StatusCode, header};
use poem::{IntoResponse, Response};
use std::time::Duration;

/// Errors a handler may return. Mapped to a status (and a stable code) once, here; the
/// middleware renders each as the tenant's themed page (`render::error_page`), and the API
/// answers them as JSON (`routes::api::json_error`).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: what no page of ours sends (a tampered form, an impossible value); `code` says
    /// what, for the logs and the API (`invalid_form`, ...).
    #[error("bad request: {code}")]
    BadRequest { code: &'static str },
    /// 403: signed in, but without the role or the right this needs.
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// 409: the state of what is asked about does not allow it (any more).
    #[error("conflict")]
    Conflict,
    /// 410: a link that served its use or expired.
    #[error("gone")]
    Gone,
    /// 429: over a rate limit; try again after `retry_after` (sent as `Retry-After`).
    #[error("too many requests (retry after {}s)", retry_after.as_secs())]
    TooMany { retry_after: Duration },
    /// A service the request needs (database, Redis) is down: "try again in a minute" (503).
    #[error("unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// The stable machine code of this error (the API's `error` field).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { code } => code,
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Conflict => "invalid_state",
            AppError::Gone => "gone",
            AppError::TooMany { .. } => "too_many_requests",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// The seconds of a `Retry-After` header: the wait of a 429, a minute for a 503.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooMany { retry_after } => Some(retry_after.as_secs().max(1)),
            AppError::Unavailable(_) => Some(60),
            _ => None,
        }
    }
}

impl poem::error::ResponseError for AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict => StatusCode::CONFLICT,
            AppError::Gone => StatusCode::GONE,
            AppError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The bare answer (status, `Retry-After`): the middleware and the API give it its body.
    fn as_response(&self) -> Response {
        let mut resp = self.status().into_response();
        if let Some(seconds) = self.retry_after() {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        resp
    }
}

impl From<jsap_store::StoreError> for AppError {
    fn from(e: jsap_store::StoreError) -> Self {
        match e {
            jsap_store::StoreError::NotFound => AppError::NotFound,
            other if other.is_unavailable() => AppError::Unavailable(other.into()),
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<jsap_adapters::templates::ThemeError> for AppError {
    fn from(e: jsap_adapters::templates::ThemeError) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<jsap_adapters::cache::CacheError> for AppError {
    /// A cache the request cannot do without (a session to save) is down.
    fn from(e: jsap_adapters::cache::CacheError) -> Self {
        AppError::Unavailable(e.into())
    }
}

impl From<jsap_app::Failure> for AppError {
    fn from(e: jsap_app::Failure) -> Self {
        match e {
            jsap_app::Failure::Store(e) => e.into(),
            other => AppError::Internal(other.into()),
        }
    }
}
