//! Host -> tenant resolution, request ids and the request span, for every request.

use crate::extract::{CurrentTenant, RequestId};
use crate::{AppState, render};
use jsap_tenancy::HostMatch;
use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;

const REQUEST_ID: &str = "x-request-id";

fn request_id(req: &Request) -> String {
    req.header(REQUEST_ID)
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
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
    let resolved = requested_host(&req, state.trust_forwarded_host)
        .and_then(|host| state.registry.resolve(&host).cloned());
    let tenant_code = match &resolved {
        Some(HostMatch::Serve(t)) | Some(HostMatch::Redirect(t)) => t.code.to_string(),
        None => "-".to_owned(),
    };
    let span = tracing::info_span!("request", request_id = %id, tenant.code = %tenant_code, %method, %path);

    let mut response = async {
        if is_probe {
            return ep
                .call(req)
                .await
                .map(IntoResponse::into_response)
                .unwrap_or_else(|e| e.into_response());
        }
        match resolved {
            None => render::unknown_host(),
            Some(HostMatch::Redirect(tenant)) => {
                let target = match req.uri().path_and_query() {
                    Some(pq) => format!("https://{}{}", tenant.canonical_domain, pq.as_str()),
                    None => format!("https://{}/", tenant.canonical_domain),
                };
                Response::builder()
                    .status(StatusCode::MOVED_PERMANENTLY)
                    .header(header::LOCATION, target)
                    .finish()
            }
            Some(HostMatch::Serve(tenant)) => {
                req.extensions_mut().insert(CurrentTenant(tenant.clone()));
                req.extensions_mut().insert(RequestId(id.clone()));
                match ep.call(req).await {
                    Ok(resp) => resp.into_response(),
                    Err(error) => {
                        let status = error.status();
                        if status == StatusCode::NOT_FOUND {
                            render::error_page(&state, &tenant, &path, status)
                        } else if status.is_server_error() {
                            tracing::error!(error = %error, "request failed");
                            render::error_page(&state, &tenant, &path, status)
                        } else {
                            error.into_response()
                        }
                    }
                }
            }
        }
    }
    .instrument(span.clone())
    .await;

    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Host"));
    if let Ok(value) = HeaderValue::from_str(&id) {
        headers.insert(REQUEST_ID, value);
    }
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "served"
        );
    });
    Ok(response)
}
