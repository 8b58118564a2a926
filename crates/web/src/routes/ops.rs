//! Probes for the orchestrator: `/healthz` (the process answers) and `/readyz` (its
//! dependencies answer). Both work on any host.

use crate::AppState;
use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{IntoResponse, Response, handler};
use std::sync::Arc;

#[handler]
pub fn healthz() -> &'static str {
    "ok"
}

#[handler]
pub async fn readyz(state: Data<&Arc<AppState>>) -> Response {
    let database = match state.store.ping().await {
        Ok(()) => "ok".to_owned(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: database down");
            "unavailable".to_owned()
        }
    };
    let cache = if state.redis_configured {
        match state.cache.ping().await {
            Ok(()) => "ok".to_owned(),
            Err(e) => {
                tracing::warn!(error = %e, "readiness: redis down");
                "unavailable".to_owned()
            }
        }
    } else {
        "in-process".to_owned()
    };
    let stale: Vec<&str> = state.jobs.stale().iter().map(|j| j.name).collect();
    let ready = database == "ok" && cache != "unavailable" && stale.is_empty();
    let body = Json(serde_json::json!({
        "database": database,
        "cache": cache,
        "stale_jobs": stale,
    }));
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    body.with_status(status).into_response()
}
