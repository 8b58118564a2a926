//! The emailed links of an account: confirming an address (a new account's or a changed one),
//! a forgotten password and its reset, and asking to change the address.

use super::AccountMails;
use crate::Failure;
use crate::mail::emails::{EmailChange, PasswordReset};
use jsap_domain::EmailAddress;
use jsap_store::{Account, Accounts, Store, StoreError, TokenPurpose};
use jsap_tenancy::Tenant;

/// What following a confirmation link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    /// A new account's address is confirmed.
    Address,
    /// The account's address is now the one the link was sent to.
    EmailChanged,
    /// Another account took that address since the link was sent: nothing changed.
    EmailTaken,
    /// Unknown, expired or already used: nothing changed.
    Gone,
}

/// Follows a confirmation link: a sign-up's (the address is confirmed) or an email change's
/// (the account takes the new address), in one transaction; the token is used once.
#[tracing::instrument(skip_all, fields(tenant.code = %tenant.code))]
pub async fn verify_link(store: &Store, tenant: &Tenant, token: &str) -> Result<Verified, Failure> {
    let tx = store.begin().await?;
    let accounts = Accounts::for_tenant(&tx, tenant);
    let outcome = if let Some(used) = accounts
        .consume_token(token, TokenPurpose::VerifyEmail)
        .await?
    {
        accounts.mark_verified(used.user_id).await?;
        Verified::Address
    } else if let Some(used) = accounts
        .consume_token(token, TokenPurpose::ChangeEmail)
        .await?
    {
        match used.new_email.and_then(|e| EmailAddress::parse(&e).ok()) {
            None => Verified::Gone,
            Some(new_email) => match accounts.change_email(used.user_id, &new_email).await {
                Ok(()) => Verified::EmailChanged,
                Err(StoreError::EmailTaken) => Verified::EmailTaken,
                Err(e) => return Err(e.into()),
            },
        }
    } else {
        Verified::Gone
    };
    if outcome == Verified::Address || outcome == Verified::EmailChanged {
        tx.commit().await.map_err(StoreError::from)?;
    } else {
        // A taken address keeps its link usable for nothing: it is consumed only on success.
        tx.rollback().await.map_err(StoreError::from)?;
    }
    Ok(outcome)
}

/// Emails a reset link to the account of `email`, if there is one. The visitor is told the same
/// either way (no account enumeration).
#[tracing::instrument(skip_all, fields(tenant.code = %mails.tenant.code))]
pub async fn forgot_password(
    store: &Store,
    mails: &AccountMails<'_>,
    email: &EmailAddress,
) -> Result<(), Failure> {
    let tx = store.begin().await?;
    let accounts = Accounts::for_tenant(&tx, mails.tenant);
    // A staff seat has no password to reset: only the portal's hand-off opens it.
    let found = accounts
        .find_by_email(email)
        .await?
        .filter(|a| !crate::staff_entry::is_seat(mails.tenant, a));
    if let Some(account) = found {
        let token = accounts
            .issue_token(account.id, TokenPurpose::ResetPassword, None)
            .await?;
        mails
            .mailer(&tx)
            .send(
                mails.to(&account.email, &account.display_name),
                &PasswordReset { token: &token },
            )
            .await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Sets the password of the reset link's account (already hashed), ends its sessions and, as
/// the link reached the address, confirms it. `None` when the link is unknown, expired or used.
#[tracing::instrument(skip_all, fields(tenant.code = %tenant.code))]
pub async fn reset_password(
    store: &Store,
    tenant: &Tenant,
    token: &str,
    password_hash: &str,
) -> Result<Option<Account>, Failure> {
    let tx = store.begin().await?;
    let accounts = Accounts::for_tenant(&tx, tenant);
    let Some(used) = accounts
        .consume_token(token, TokenPurpose::ResetPassword)
        .await?
    else {
        tx.rollback().await.map_err(StoreError::from)?;
        return Ok(None);
    };
    accounts.mark_verified(used.user_id).await?;
    let account = accounts
        .set_password(used.user_id, password_hash, true)
        .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Some(account))
}

/// Emails a confirmation link to `new_email` for `account`. An address another account holds
/// gets nothing, and the member is told the same either way.
#[tracing::instrument(skip_all, fields(tenant.code = %mails.tenant.code, account.id = account.id))]
pub async fn change_email(
    store: &Store,
    mails: &AccountMails<'_>,
    account: &Account,
    new_email: &EmailAddress,
) -> Result<(), Failure> {
    let tx = store.begin().await?;
    let accounts = Accounts::for_tenant(&tx, mails.tenant);
    if accounts.find_by_email(new_email).await?.is_none() {
        let token = accounts
            .issue_token(account.id, TokenPurpose::ChangeEmail, Some(new_email))
            .await?;
        mails
            .mailer(&tx)
            .send(
                mails.to(new_email.as_str(), &account.display_name),
                &EmailChange { token: &token },
            )
            .await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}
