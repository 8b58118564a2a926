//! The one way a use case sends an email: a typed value per email (`emails`), rendered with
//! the tenant's templates in the recipient's language and queued in the use case's
//! transaction, so an email is never sent for a write that did not happen.
//!
//! Every email gets the same common part: the name it greets, and the links every footer
//! carries (log in, forgotten password, email preferences), all on the tenant's canonical
//! domain in the language the email is written in. Dates read as people write them, in the
//! tenant's time zone ([`Site::date`]).

pub mod emails;

use crate::Failure;
use chrono::{DateTime, Utc};
use jsap_adapters::dates::format_date;
use jsap_adapters::mail::MailError;
use jsap_adapters::{EmailTemplates, Themes};
use jsap_domain::Locale;
use jsap_store::{Account, Connection, Outbox};
use jsap_tenancy::Tenant;
use std::sync::Arc;

/// Who an email goes to: the address, the name it greets and the language it is written in
/// (the tenant's default when the tenant does not offer that language).
#[derive(Debug, Clone, Copy)]
pub struct Recipient<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub locale: Locale,
}

impl<'a> Recipient<'a> {
    pub fn account(account: &'a Account, locale: Locale) -> Self {
        Self {
            email: &account.email,
            name: &account.display_name,
            locale,
        }
    }
}

/// Where an email's links lead and how its dates and labels read: the tenant's canonical
/// domain in the email's language.
#[derive(Debug, Clone, Copy)]
pub struct Site<'a> {
    pub tenant: &'a Tenant,
    pub locale: Locale,
}

impl Site<'_> {
    /// `https://<canonical domain>/<locale><rest>`.
    pub fn url(&self, rest: &str) -> String {
        format!("{}/{}{rest}", self.tenant.canonical_url(), self.locale)
    }

    /// `at` as a date of the tenant's time zone, written for the email's language.
    pub fn date(&self, at: DateTime<Utc>) -> String {
        format_date(self.tenant.local_date(at), self.locale)
    }

    /// The locale's text for `key`.
    pub fn t(&self, key: &str) -> String {
        jsap_adapters::translate(self.locale.as_str(), key)
    }
}

/// One email the platform sends: its template folder under `emails/`, and what it says
/// beyond the common part: its fields, under their names, and what `fill` adds for the
/// recipient's language.
pub trait Email: serde::Serialize {
    fn template(&self) -> &'static str;
    fn fill(&self, _site: &Site<'_>, _ctx: &mut tera::Context) {}
}

/// Queues a use case's emails in its transaction (see [`crate::Scope::mailer`]).
pub struct Mailer<'c, C: Connection> {
    outbox: Outbox<'c, C>,
    tenant: &'c Tenant,
    templates: EmailTemplates,
    notify: bool,
}

impl<'c, C: Connection> Mailer<'c, C> {
    pub(crate) fn new(conn: &'c C, tenant: &'c Tenant, themes: Arc<Themes>) -> Self {
        Self {
            outbox: Outbox::for_tenant(conn, tenant),
            tenant,
            templates: EmailTemplates::new(themes),
            notify: true,
        }
    }

    /// The same mailer for an import: nothing is queued.
    pub(crate) fn quiet(self, quiet: bool) -> Self {
        Self {
            notify: self.notify && !quiet,
            ..self
        }
    }

    /// Renders `email` for `to` and queues it: the queued email's id, `None` for an import.
    pub async fn send(
        &self,
        to: Recipient<'_>,
        email: &impl Email,
    ) -> Result<Option<i64>, Failure> {
        if !self.notify {
            tracing::debug!(kind = email.template(), "import: email not queued");
            return Ok(None);
        }
        if jsap_store::is_erased_address(to.email) {
            tracing::debug!(kind = email.template(), "deleted account: email not queued");
            return Ok(None);
        }
        let locale = if self.tenant.offers(to.locale) {
            to.locale
        } else {
            self.tenant.default_locale
        };
        let site = Site {
            tenant: self.tenant,
            locale,
        };
        let mut ctx = tera::Context::new();
        ctx.insert("name", to.name);
        ctx.insert("login_link", &site.url("/compte/connexion"));
        ctx.insert("forgot_link", &site.url("/compte/mot-de-passe-oublie"));
        ctx.insert("preferences_link", &site.url("/compte/emails"));
        ctx.extend(
            tera::Context::from_serialize(email)
                .map_err(|e| MailError::Template(format!("{}: {e}", email.template())))?,
        );
        email.fill(&site, &mut ctx);
        let rendered =
            self.templates
                .render(self.tenant, locale, email.template(), to.email, ctx)?;
        Ok(Some(self.outbox.enqueue(rendered).await?))
    }
}

/// How many emails wait to be sent on every site, and when the oldest was queued (the
/// operators' outbox gauges). Read across tenants on purpose: one queue serves them all.
pub async fn backlog(store: &jsap_store::Store) -> Result<(u64, Option<DateTime<Utc>>), Failure> {
    Ok(jsap_store::OutboxDelivery::across_all_tenants(store.conn())
        .backlog()
        .await?)
}
