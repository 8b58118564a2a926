//! What a use case runs in: the store, the themes its emails are drawn with, the tenant and
//! a clock. A page builds one per request, a job one per tenant pass, a test one with a fixed
//! clock.

use crate::Clock;
use crate::mail::Mailer;
use jsap_adapters::Themes;
use jsap_store::{Connection, Store};
use jsap_tenancy::Tenant;
use std::sync::Arc;

pub struct Scope<'a> {
    pub store: &'a Store,
    pub themes: Arc<Themes>,
    pub tenant: &'a Tenant,
    pub clock: &'a dyn Clock,
    notify: bool,
}

impl<'a> Scope<'a> {
    pub fn new(
        store: &'a Store,
        themes: Arc<Themes>,
        tenant: &'a Tenant,
        clock: &'a dyn Clock,
    ) -> Self {
        Self {
            store,
            themes,
            tenant,
            clock,
            notify: true,
        }
    }

    /// The same scope for a bulk import (the demo data): every rule applies and every step is
    /// recorded, but nobody is emailed about it.
    pub fn without_emails(self) -> Self {
        Self {
            notify: false,
            ..self
        }
    }

    /// The one way a use case queues an email: in `conn`'s transaction, unless this scope is
    /// an import that emails nobody.
    pub(crate) fn mailer<'c, C: Connection>(&'c self, conn: &'c C) -> Mailer<'c, C> {
        Mailer::new(conn, self.tenant, self.themes.clone()).quiet(!self.notify)
    }
}
