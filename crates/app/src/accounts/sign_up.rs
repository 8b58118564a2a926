//! Signing up, and a fresh confirmation link for an unconfirmed address.

use super::AccountMails;
use crate::Failure;
use crate::mail::emails::AccountExists;
use jsap_domain::EmailAddress;
use jsap_store::{Account, Accounts, Store};

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
#[tracing::instrument(skip_all, fields(tenant.code = %mails.tenant.code))]
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
            mails
                .mailer(&tx)
                .send(
                    mails.to(&existing.email, &existing.display_name),
                    &AccountExists {},
                )
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
#[tracing::instrument(skip_all, fields(tenant.code = %mails.tenant.code, account.id = account.id))]
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
