//! Invitations, whatever role they grant (a focal point of a city, a country operator, and the
//! roles added later): invited (or invited again) with an emailed link in one transaction,
//! looked up by their link, and accepted once. Used by the pages, the staff console, the
//! `invite` command and the tenant file sync.

use crate::Failure;
use crate::audit::{self, Done};
use crate::mail::{Mailer, Recipient, emails};
use jsap_adapters::Themes;
use jsap_domain::EmailAddress;
use jsap_store::{
    Account, Accounts, Cities, Connection, Grant, InvitationRecord, Invitations, Organisations,
    Store, StoreError,
};
use jsap_tenancy::Tenant;
use std::sync::Arc;

/// The name of what a grant is held on (a city, an organisation; "" for the country), in the
/// default locale.
async fn place_name<C: Connection>(
    conn: &C,
    tenant: &Tenant,
    grant: Grant,
) -> Result<String, StoreError> {
    if let Some(id) = grant.city_id() {
        return Ok(Cities::for_tenant(conn, tenant)
            .by_id(id)
            .await?
            .map(|c| c.name_in(tenant.default_locale).to_owned())
            .unwrap_or_default());
    }
    if let Some(id) = grant.organisation_id() {
        return Ok(Organisations::for_tenant(conn, tenant)
            .by_id(id)
            .await?
            .map(|o| o.profile.name)
            .unwrap_or_default());
    }
    Ok(String::new())
}

/// Queues the email of a freshly (re)issued invitation, in `conn`'s transaction.
pub(crate) async fn queue_email<C: Connection>(
    conn: &C,
    themes: Arc<Themes>,
    tenant: &Tenant,
    invitation: &InvitationRecord,
    token: &str,
) -> Result<i64, Failure> {
    let place = place_name(conn, tenant, invitation.grant).await?;
    let to = Recipient {
        email: &invitation.email,
        name: &invitation.name,
        locale: tenant.default_locale,
    };
    let email = emails::Invitation::new(invitation, &place, token);
    Mailer::new(conn, tenant, themes)
        .send(to, &email)
        .await?
        .ok_or_else(|| StoreError::Corrupt("an invitation email was not queued".into()).into())
}

fn local_part(email: &EmailAddress) -> String {
    email.as_str().split('@').next().unwrap_or("").to_owned()
}

/// Creates (or refreshes: a new link, the old one dies) the invitation of `email` for `grant`
/// and queues its email in the same transaction. `name`: `None` keeps the name the tenant file
/// or an earlier invitation gave, else the address's local part. `by`: who invites (`None`
/// from the command line), for the journal. Returns the invitation and the queued email's id.
#[tracing::instrument(skip_all, fields(tenant.code = %tenant.code, role = grant.role().as_str()))]
pub async fn invite(
    store: &Store,
    themes: Arc<Themes>,
    tenant: &Tenant,
    grant: Grant,
    name: Option<&str>,
    email: &EmailAddress,
    by: Option<&Account>,
) -> Result<(InvitationRecord, i64), Failure> {
    let tx = store.begin().await?;
    let invitations = Invitations::for_tenant(&tx, tenant);
    let name = match name {
        Some(name) => name.to_owned(),
        None => {
            let city_slug = match grant.city_id() {
                Some(id) => Cities::for_tenant(&tx, tenant)
                    .by_id(id)
                    .await?
                    .map(|c| c.slug),
                None => None,
            };
            let configured = tenant
                .focal_points
                .iter()
                .find(|fp| Some(fp.city.as_str()) == city_slug.as_deref() && &fp.email == email)
                .map(|fp| fp.name.clone());
            let previous = invitations
                .list_of(grant.role())
                .await?
                .into_iter()
                .find(|i| i.email == email.as_str())
                .map(|i| i.name);
            configured.or(previous).unwrap_or_else(|| local_part(email))
        }
    };
    let (invitation, token) = invitations.reissue(grant, &name, email).await?;
    let id = queue_email(&tx, themes, tenant, &invitation, &token).await?;
    let place = place_name(&tx, tenant, grant).await?;
    let action = format!("{}_invited", grant.role().as_str());
    let done = Done {
        action: &action,
        kind: "invitation",
        id: Some(invitation.id),
        target: if place.is_empty() {
            email.as_str()
        } else {
            &place
        },
        detail: email.as_str(),
    };
    audit::record_for(&tx, tenant, by, chrono::Utc::now(), done).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok((invitation, id))
}

/// An invitation found by its link on one tenant.
#[derive(Debug, Clone)]
pub enum Invitation {
    /// Can still be accepted.
    Usable(InvitationRecord),
    /// Known here, but expired or already accepted.
    Gone,
    /// No invitation of this tenant has this link.
    Unknown,
}

/// The invitation of `token` on `tenant`, as of `now`.
pub async fn find(
    store: &Store,
    tenant: &Tenant,
    token: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Invitation, Failure> {
    Ok(
        match Invitations::for_tenant(store.conn(), tenant)
            .find_by_token(token)
            .await?
        {
            None => Invitation::Unknown,
            Some(found) if found.usable_at(now) => Invitation::Usable(found),
            Some(_) => Invitation::Gone,
        },
    )
}

/// Accepts the invitation of `token` at `now`: the invited address gets an account (a new one,
/// or its existing one renamed, re-passworded and confirmed, since the link reached it) and the
/// role the invitation grants, all in one transaction. The role ends the account's sessions;
/// the returned account carries their new generation. `None` when the link is no longer
/// usable.
#[tracing::instrument(skip_all, fields(tenant.code = %tenant.code))]
pub async fn accept(
    store: &Store,
    tenant: &Tenant,
    token: &str,
    display_name: &str,
    password_hash: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<Account>, Failure> {
    let tx = store.begin().await?;
    let Some(accepted) = Invitations::for_tenant(&tx, tenant)
        .accept(token, now)
        .await?
    else {
        tx.rollback().await.map_err(StoreError::from)?;
        return Ok(None);
    };
    let email = EmailAddress::parse(&accepted.email)
        .map_err(|e| StoreError::Corrupt(format!("invitation address: {e}")))?;
    let accounts = Accounts::for_tenant(&tx, tenant);
    let account = match accounts.find_by_email(&email).await? {
        Some(existing) => {
            accounts.set_display_name(existing.id, display_name).await?;
            accounts.mark_verified(existing.id).await?;
            accounts
                .set_password(existing.id, password_hash, true)
                .await?
        }
        None => {
            accounts
                .create(&email, display_name, password_hash, true)
                .await?
        }
    };
    let grant = accepted.grant;
    accounts.grant(account.id, grant).await?;
    let account = accounts
        .find(account.id)
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Some(account))
}
