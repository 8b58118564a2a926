use poem::http::StatusCode;
use poem::{IntoResponse, Response};

/// Errors a handler may return. Mapped to a status once, here; the middleware turns 404 and
/// 500 into themed pages for the tenant.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// A service the request needs (database, Redis) is down: "try again in a minute" (503).
    #[error("unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl poem::error::ResponseError for AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn as_response(&self) -> Response {
        self.status().into_response()
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
