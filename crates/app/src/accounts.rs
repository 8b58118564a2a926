//! Accounts: signing up and the confirmation link, each in one transaction with its email.
//! (Log-in, reset, email change and invitations move here next.)

use crate::Failure;
use jsap_adapters::mail::MailError;
use jsap_adapters::{EmailTemplates, Themes};
use jsap_domain::{EmailAddress, Locale};
use jsap_store::{Account, Accounts, ConnectionTrait, NewEmail, Outbox, Store, TokenPurpose};
use jsap_tenancy::Tenant;
use std::sync::Arc;

/// The account emails of one tenant in one language: the same links in every one.
pub struct AccountMails<'a> {
    tenant: &'a Tenant,
    locale: Locale,
    templates: EmailTemplates,
}

impl<'a> AccountMails<'a> {
    pub fn new(tenant: &'a Tenant, locale: Locale, themes: Arc<Themes>) -> Self {
        Self {
            tenant,
            locale,
            templates: EmailTemplates::new(themes),
        }
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
    async fn queue_verification<C: ConnectionTrait>(
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
                Some(self.url(&format!("/compte/verifier/{token}"))),
            )?)
            .await?;
        Ok(())
    }
}

/// What a sign-up did. The visitor is told the same in every case (no account enumeration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignUp {
    /// A new, unverified account; its confirmation link is queued.
    Created(Account),
    /// The address has an account: its owner is told by email, nothing else changes.
    AlreadyThere,
    /// The same address signed up at the same moment: nothing written by this call.
    Concurrent,
}

/// Signs up `email` with an already hashed password, in one transaction with its email.
pub async fn sign_up(
    store: &Store,
    mails: &AccountMails<'_>,
    email: &EmailAddress,
    display_name: &str,
    password_hash: &str,
) -> Result<SignUp, Failure> {
    let tx = store.begin().await?;
    let accounts = Accounts::for_tenant(&tx, mails.tenant);
    let outcome = match accounts.find_by_email(email).await? {
        Some(existing) => {
            // Tell the owner, not the visitor.
            Outbox::for_tenant(&tx, mails.tenant)
                .enqueue(mails.render(
                    "account_exists",
                    &existing.email,
                    &existing.display_name,
                    None,
                )?)
                .await?;
            SignUp::AlreadyThere
        }
        None => match accounts
            .create(email, display_name, password_hash, false)
            .await
        {
            Ok(account) => {
                mails.queue_verification(&tx, &account).await?;
                SignUp::Created(account)
            }
            Err(e) if e.is_conflict() => SignUp::Concurrent,
            Err(e) => return Err(e.into()),
        },
    };
    if outcome == SignUp::Concurrent {
        tx.rollback().await.map_err(jsap_store::StoreError::from)?;
    } else {
        tx.commit().await.map_err(jsap_store::StoreError::from)?;
    }
    Ok(outcome)
}

/// Sends `account` a fresh confirmation link (its right password met an unconfirmed address).
pub async fn send_verification(
    store: &Store,
    mails: &AccountMails<'_>,
    account: &Account,
) -> Result<(), Failure> {
    let tx = store.begin().await?;
    mails.queue_verification(&tx, account).await?;
    tx.commit().await.map_err(jsap_store::StoreError::from)?;
    Ok(())
}
