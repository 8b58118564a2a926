//! Probes for the orchestrator: `/healthz` (the process answers) and `/readyz` (its
//! dependencies answer, and the sites' catalogues are loaded). Both work on any host.

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
    // Each check bounded, all three at once: the probe answers within a second whatever is
    // down (one after another, three dead services would take 2.4 s).
    let bound = std::time::Duration::from_millis(700);
    let database = async {
        match tokio::time::timeout(bound, state.store.ping())
            .await
            .unwrap_or_else(|_| Err(jsap_store::StoreError::Timeout(700)))
        {
            Ok(()) => "ok",
            Err(e) => {
                tracing::warn!(error = %e, "readiness: database down");
                "unavailable"
            }
        }
    };
    let cache = async {
        if !state.redis_configured {
            return "in-process";
        }
        match tokio::time::timeout(bound, state.cache.ping()).await {
            Ok(Ok(())) => "ok",
            Err(_) => {
                tracing::warn!("readiness: redis did not answer");
                "unavailable"
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "readiness: redis down");
                "unavailable"
            }
        }
    };
    let storage = async {
        match tokio::time::timeout(bound, state.blobs.ping()).await {
            Ok(Ok(())) => "ok",
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "readiness: file storage down");
                "unavailable"
            }
            Err(_) => {
                tracing::warn!("readiness: file storage did not answer");
                "unavailable"
            }
        }
    };
    let (database, cache, storage) = tokio::join!(database, cache, storage);
    let stale: Vec<&str> = state.jobs.stale().iter().map(|j| j.name).collect();
    let warming = state.warming.load(std::sync::atomic::Ordering::Acquire);
    let ready = database == "ok"
        && cache != "unavailable"
        && storage == "ok"
        && stale.is_empty()
        && !warming;
    let body = Json(serde_json::json!({
        "database": database,
        "cache": cache,
        "storage": storage,
        "stale_jobs": stale,
        "catalogues": if warming { "loading" } else { "ok" },
    }));
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    body.with_status(status).into_response()
}
