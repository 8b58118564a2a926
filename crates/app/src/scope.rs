//! What a use case runs in: the store, the themes its emails are drawn with, the tenant and
//! a clock. A page builds one per request, a job one per tenant pass, a test one with a fixed
//! clock.

use crate::Clock;
use jsap_adapters::Themes;
use jsap_store::Store;
use jsap_tenancy::Tenant;
use std::sync::Arc;

pub struct Scope<'a> {
    pub store: &'a Store,
    pub themes: Arc<Themes>,
    pub tenant: &'a Tenant,
    pub clock: &'a dyn Clock,
}
