//! Accounts: signing up, confirming an address, resetting a password and changing the
//! address, each in one transaction with its email. The pages only check the form, call the
//! use case and render its outcome.

mod links;
mod sign_up;

pub use links::{Verified, change_email, forgot_password, reset_password, verify_link};
pub use sign_up::{SignUp, send_verification, sign_up};

use crate::Failure;
use jsap_adapters::mail::MailError;
use jsap_adapters::{EmailTemplates, Themes};
use jsap_domain::Locale;
use jsap_store::{Account, Accounts, ConnectionTrait, NewEmail, Outbox, TokenPurpose};
use jsap_tenancy::Tenant;
use std::sync::Arc;

/// The account emails of one tenant in one language: the same links in every one.
pub struct AccountMails<'a> {
    pub(crate) tenant: &'a Tenant,
    locale: Locale,
    templates: EmailTemplates,
    /// A local path the confirmation link leads on to (`?next=`), when the member was on
    /// their way somewhere.
    next: Option<String>,
}

impl<'a> AccountMails<'a> {
    pub fn new(tenant: &'a Tenant, locale: Locale, themes: Arc<Themes>) -> Self {
        Self {
            tenant,
            locale,
            templates: EmailTemplates::new(themes),
            next: None,
        }
    }

    /// The same emails, with confirmation links that lead on to `next` (a local path the
    /// caller has checked).
    pub fn returning_to(mut self, next: Option<&str>) -> Self {
        self.next = next.map(str::to_owned);
        self
    }

    /// `https://<canonical domain>/<locale><rest>`.
    pub fn url(&self, rest: &str) -> String {
        format!("{}/{}{rest}", self.tenant.canonical_url(), self.locale)
    }

    /// The email `name` to `to`, greeting `display_name`, with an optional action `link`.
    pub fn render(
        &self,
        name: &str,
        to: &str,
        display_name: &str,
        link: Option<String>,
    ) -> Result<NewEmail, MailError> {
        let mut ctx = tera::Context::new();
        ctx.insert("name", display_name);
        ctx.insert("link", &link.unwrap_or_default());
        ctx.insert("login_link", &self.url("/compte/connexion"));
        ctx.insert("forgot_link", &self.url("/compte/mot-de-passe-oublie"));
        ctx.insert("preferences_link", &self.url("/compte/emails"));
        self.templates
            .render(self.tenant, self.locale, name, to, ctx)
    }

    /// Issues a fresh confirmation link for `account` and queues its email, in `conn`.
    pub(crate) async fn queue_verification<C: ConnectionTrait>(
        &self,
        conn: &C,
        account: &Account,
    ) -> Result<(), Failure> {
        let token = Accounts::for_tenant(conn, self.tenant)
            .issue_token(account.id, TokenPurpose::VerifyEmail, None)
            .await?;
        Outbox::for_tenant(conn, self.tenant)
            .enqueue(self.render(
                "account_verification",
                &account.email,
                &account.display_name,
                Some(self.url(&match &self.next {
                    Some(next) => format!(
                        "/compte/verifier/{token}?{}",
                        serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
                    ),
                    None => format!("/compte/verifier/{token}"),
                })),
            )?)
            .await?;
        Ok(())
    }
}
