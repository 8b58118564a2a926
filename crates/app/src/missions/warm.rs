//! Loading every site's mission catalogue when the server starts, so that a site's first
//! search after a deploy does not wait for it (about 120 ms for 2,500 missions, and seconds
//! for the first searches of forty sites arriving at once).

use jsap_store::Store;
use jsap_tenancy::Tenant;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a warm-up did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WarmUp {
    /// Catalogues loaded (or found loaded already).
    pub loaded: usize,
    /// Catalogues that could not be read: each loads at its site's first search instead.
    pub failed: usize,
    pub took: Duration,
}

/// Loads the catalogue of each of `tenants`, one after the other (each with its own
/// tenant's scope, as a search would). A failure is logged and the others go on.
pub async fn warm_catalogues(store: &Store, tenants: &[Arc<Tenant>]) -> WarmUp {
    let started = Instant::now();
    let (mut loaded, mut failed) = (0, 0);
    for tenant in tenants {
        match store.catalogue(tenant).await {
            Ok(_) => loaded += 1,
            Err(error) => {
                failed += 1;
                tracing::warn!(tenant.code = %tenant.code, %error, "catalogue not loaded at start: it loads at the site's first search");
            }
        }
    }
    let took = started.elapsed();
    tracing::info!(
        loaded,
        failed,
        ms = took.as_millis() as u64,
        "catalogues loaded at start"
    );
    WarmUp {
        loaded,
        failed,
        took,
    }
}
