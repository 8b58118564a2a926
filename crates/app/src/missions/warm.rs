//! Loading every site's mission catalogue when the server starts, so that a site's first
//! search after a deploy does not wait for it (about 120 ms for 2,500 missions, and seconds
//! for the first searches of forty sites arriving at once), with its "did you mean"
//! vocabulary in each of the site's languages (built otherwise at the site's first search
//! that finds nothing, under traffic).

use jsap_store::Store;
use jsap_tenancy::Tenant;
use std::sync::Arc;
use std::time::Instant;

/// Loads the catalogue of each of `tenants`, one after the other (each with its own
/// tenant's scope, as a search would), and builds its vocabularies. A failure is logged (that
/// catalogue loads at its site's first search instead, a vocabulary at its first search that
/// finds nothing) and the others go on; the log says how many loaded.
pub async fn warm_catalogues(store: &Store, tenants: &[Arc<Tenant>]) {
    let started = Instant::now();
    let (mut loaded, mut failed, mut vocabularies) = (0, 0, 0);
    for tenant in tenants {
        match store.catalogue(tenant).await {
            Ok(catalogue) => {
                loaded += 1;
                match catalogue
                    .warm_vocabularies(store.conn(), &tenant.locales)
                    .await
                {
                    Ok(held) => vocabularies += held,
                    Err(error) => {
                        tracing::warn!(tenant.code = %tenant.code, %error, "vocabularies not built at start: each is built at the site's first search that finds nothing")
                    }
                }
            }
            Err(error) => {
                failed += 1;
                tracing::warn!(tenant.code = %tenant.code, %error, "catalogue not loaded at start: it loads at the site's first search");
            }
        }
    }
    tracing::info!(
        loaded,
        failed,
        vocabularies,
        ms = started.elapsed().as_millis() as u64,
        "catalogues and vocabularies loaded at start"
    );
}
