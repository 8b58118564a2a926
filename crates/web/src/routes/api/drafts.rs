//! A mission not published yet, in the read API: shown to its editors only, by token.

use super::internal;
use crate::AppState;
use jsap_domain::Locale;
use jsap_store::{MissionDetail, MissionRecord};
use jsap_tenancy::Tenant;
use poem::Request;
use std::sync::Arc;

/// Mission `id` as its editor sees it, when the request's bearer token is one of its
/// editors' (`None` otherwise: no token, another's, or no such mission).
pub(super) async fn unpublished(
    req: &Request,
    state: &AppState,
    tenant: &Arc<Tenant>,
    id: i64,
    locale: Locale,
) -> poem::Result<Option<(MissionDetail, String)>> {
    let Some(token) = req
        .headers()
        .get(poem::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return Ok(None);
    };
    let scope = crate::routes::api_write::scope(state, tenant);
    let Some(account) = jsap_app::tokens::authenticate(&scope, token.trim())
        .await
        .map_err(|e| internal(e.into()))?
    else {
        return Ok(None);
    };
    let conn = state.store.conn();
    let Some(m) = jsap_store::MissionEdits::for_tenant(conn, tenant)
        .find(id)
        .await
        .map_err(|e| internal(e.into()))?
    else {
        return Ok(None);
    };
    let writable = jsap_app::missions::writable_organisations(&scope, &account)
        .await
        .map_err(|e| internal(e.into()))?;
    if !writable.iter().any(|o| o.id == m.fields.organisation_id) {
        return Ok(None);
    }
    Ok(Some(editors_view(m, locale)))
}

/// Record `m` as the detail of a published mission shows it, in `locale` (its first text
/// when it has none in `locale`), with its status.
fn editors_view(m: MissionRecord, locale: Locale) -> (MissionDetail, String) {
    (m.detail(locale.as_str()), m.status.as_str().to_owned())
}
