//! The emails of a request, rendered one way for the request pages and the deadline job: the
//! same links (canonical domain, the recipient's language), the same promised delay and due
//! date (the tenant's local date, written for the language).

use jsap_adapters::dates::format_date;
use jsap_adapters::mail::MailError;
use jsap_adapters::{EmailTemplates, Themes};
use jsap_domain::Locale;
use jsap_store::{Account, NewEmail, RequestRecord};
use jsap_tenancy::Tenant;
use std::sync::Arc;

pub struct RequestMails<'a> {
    tenant: &'a Tenant,
    templates: EmailTemplates,
}

impl<'a> RequestMails<'a> {
    pub fn new(tenant: &'a Tenant, themes: Arc<Themes>) -> Self {
        Self {
            tenant,
            templates: EmailTemplates::new(themes),
        }
    }

    pub fn tenant(&self) -> &'a Tenant {
        self.tenant
    }

    /// `https://<canonical domain>/<locale><rest>`.
    pub fn url(&self, locale: Locale, rest: &str) -> String {
        format!("{}/{}{rest}", self.tenant.canonical_url(), locale)
    }

    /// The email `name` about `request` to `to`, in `locale`; `fill` adds what this email
    /// says beyond the common part.
    pub fn render(
        &self,
        name: &str,
        locale: Locale,
        to: &Account,
        request: &RequestRecord,
        fill: impl FnOnce(&mut tera::Context),
    ) -> Result<NewEmail, MailError> {
        let mut ctx = tera::Context::new();
        ctx.insert("name", &to.display_name);
        ctx.insert("title", &request.title);
        ctx.insert(
            "link",
            &self.url(locale, &format!("/demandes/{}", request.id)),
        );
        ctx.insert("preferences_link", &self.url(locale, "/compte/emails"));
        ctx.insert("delay_days", &self.tenant.response_delay_days);
        ctx.insert(
            "due_on",
            &format_date(self.tenant.local_date(request.due_at), locale),
        );
        fill(&mut ctx);
        self.templates
            .render(self.tenant, locale, name, &to.email, ctx)
    }
}
