//! Accounts: signing up, confirming an address, resetting a password and changing the
//! address, each in one transaction with its email. The pages only check the form, call the
//! use case and render its outcome.

mod lifecycle;
mod links;
mod sign_up;

pub use lifecycle::{Deletion, InactivityReport, Kept, delete_own, enforce_inactivity, seen};
pub use links::{Verified, change_email, forgot_password, reset_password, verify_link};
pub use sign_up::{SignUp, send_verification, sign_up};

use crate::Failure;
use crate::mail::emails::AccountVerification;
use crate::mail::{Mailer, Recipient};
use jsap_adapters::Themes;
use jsap_domain::Locale;
use jsap_store::{Account, Accounts, Connection, TokenPurpose};
use jsap_tenancy::Tenant;
use std::sync::Arc;

/// Who the account emails of one request to the site are written for: the tenant, the
/// visitor's language, and where a confirmation link leads on to.
pub struct AccountMails<'a> {
    pub(crate) tenant: &'a Tenant,
    locale: Locale,
    themes: Arc<Themes>,
    /// A local path the confirmation link leads on to (`?next=`), when the member was on
    /// their way somewhere.
    next: Option<String>,
}

impl<'a> AccountMails<'a> {
    pub fn new(tenant: &'a Tenant, locale: Locale, themes: Arc<Themes>) -> Self {
        Self {
            tenant,
            locale,
            themes,
            next: None,
        }
    }

    /// The same emails, with confirmation links that lead on to `next` (a local path the
    /// caller has checked).
    pub fn returning_to(mut self, next: Option<&str>) -> Self {
        self.next = next.map(str::to_owned);
        self
    }

    /// The mailer of `conn`'s transaction.
    pub(crate) fn mailer<'c, C: Connection>(&'c self, conn: &'c C) -> Mailer<'c, C> {
        Mailer::new(conn, self.tenant, self.themes.clone())
    }

    /// `address`, greeting `name`, in the visitor's language.
    pub(crate) fn to<'r>(&self, address: &'r str, name: &'r str) -> Recipient<'r> {
        Recipient {
            email: address,
            name,
            locale: self.locale,
        }
    }

    /// Issues a fresh confirmation link for `account` and queues its email, in `conn`.
    pub(crate) async fn queue_verification<C: Connection>(
        &self,
        conn: &C,
        account: &Account,
    ) -> Result<(), Failure> {
        let token = Accounts::for_tenant(conn, self.tenant)
            .issue_token(account.id, TokenPurpose::VerifyEmail, None)
            .await?;
        let path = match &self.next {
            Some(next) => format!(
                "/compte/verifier/{token}?{}",
                serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
            ),
            None => format!("/compte/verifier/{token}"),
        };
        self.mailer(conn)
            .send(
                self.to(&account.email, &account.display_name),
                &AccountVerification { path },
            )
            .await?;
        Ok(())
    }
}
