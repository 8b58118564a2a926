//! Invitations: a country operator is invited (or invited again) with an emailed link, in one
//! transaction (used by the country space, the staff console and the `invite` command); an
//! invitation of either kind (focal point, country operator) is looked up and accepted.

use crate::Failure;
use jsap_adapters::dates::format_date;
use jsap_adapters::mail::MailError;
use jsap_adapters::{EmailTemplates, Themes};
use jsap_domain::EmailAddress;
use jsap_store::{
    Account, Accounts, FocalPointInvitations, InvitationRecord, NewEmail, NewInvitation,
    OperatorInvitationRecord, OperatorInvitations, Outbox, Role, Store, StoreError,
};
use jsap_tenancy::Tenant;
use std::sync::Arc;

/// The email inviting a country operator, in the tenant's default locale.
pub fn operator_invitation_email(
    themes: Arc<Themes>,
    tenant: &Tenant,
    invitation: &OperatorInvitationRecord,
    token: &str,
) -> Result<NewEmail, MailError> {
    let locale = tenant.default_locale;
    let mut ctx = tera::Context::new();
    ctx.insert("name", &invitation.name);
    ctx.insert("country_name", tenant.country_name.get(locale));
    ctx.insert(
        "link",
        &format!("{}/{locale}/invitation/{token}", tenant.canonical_url()),
    );
    ctx.insert(
        "preferences_link",
        &format!("{}/{locale}/compte/emails", tenant.canonical_url()),
    );
    ctx.insert(
        "expires_on",
        &format_date(tenant.local_date(invitation.expires_at), locale),
    );
    EmailTemplates::new(themes).render(
        tenant,
        locale,
        "country_operator_invitation",
        &invitation.email,
        ctx,
    )
}

/// Creates (or refreshes: a new link, the old one dies) the country-operator invitation of
/// `email` and queues its email in the same transaction. `name`: `None` keeps the name of an
/// earlier invitation, else the address's local part. Returns the invitation and the queued
/// email's id.
#[tracing::instrument(skip_all, fields(tenant.code = %tenant.code))]
pub async fn invite_operator(
    store: &Store,
    themes: Arc<Themes>,
    tenant: &Tenant,
    name: Option<&str>,
    email: &EmailAddress,
) -> Result<(OperatorInvitationRecord, i64), Failure> {
    let tx = store.begin().await?;
    let invitations = OperatorInvitations::for_tenant(&tx, tenant);
    let name = match name {
        Some(name) => name.to_owned(),
        None => invitations
            .list()
            .await?
            .into_iter()
            .find(|i| i.email == email.as_str())
            .map(|i| i.name)
            .unwrap_or_else(|| local_part(email)),
    };
    let (invitation, token) = invitations.reissue(&name, email).await?;
    let message = operator_invitation_email(themes, tenant, &invitation, &token)?;
    let id = Outbox::for_tenant(&tx, tenant).enqueue(message).await?;
    tx.commit().await.map_err(jsap_store::StoreError::from)?;
    Ok((invitation, id))
}

/// The email inviting a focal point of a city, in the tenant's default locale.
pub fn focal_point_invitation_email(
    themes: Arc<Themes>,
    tenant: &Tenant,
    invitation: &NewInvitation,
) -> Result<NewEmail, MailError> {
    let locale = tenant.default_locale;
    let city_name = tenant
        .cities
        .iter()
        .find(|c| c.slug.as_str() == invitation.city_slug)
        .map_or(invitation.city_slug.as_str(), |c| c.name_in(locale));
    let mut ctx = tera::Context::new();
    ctx.insert("name", &invitation.name);
    ctx.insert("city_name", city_name);
    ctx.insert(
        "link",
        &format!(
            "{}/{locale}/invitation/{}",
            tenant.canonical_url(),
            invitation.token
        ),
    );
    ctx.insert(
        "preferences_link",
        &format!("{}/{locale}/compte/emails", tenant.canonical_url()),
    );
    ctx.insert(
        "expires_on",
        &format_date(tenant.local_date(invitation.expires_at), locale),
    );
    EmailTemplates::new(themes).render(
        tenant,
        locale,
        "focal_point_invitation",
        &invitation.email,
        ctx,
    )
}

/// Creates (or refreshes: a new link, the old one dies) the focal-point invitation of `email`
/// for the city `city_slug` and queues its email in the same transaction. `name`: `None` keeps
/// the name the tenant file or an earlier invitation gave, else the address's local part.
/// Returns the invitation and the queued email's id.
#[tracing::instrument(skip_all, fields(tenant.code = %tenant.code, city = city_slug))]
pub async fn invite_focal_point(
    store: &Store,
    themes: Arc<Themes>,
    tenant: &Tenant,
    city_slug: &str,
    name: Option<&str>,
    email: &EmailAddress,
) -> Result<(NewInvitation, i64), Failure> {
    let tx = store.begin().await?;
    let invitations = FocalPointInvitations::for_tenant(&tx, tenant);
    let name = match name {
        Some(name) => name.to_owned(),
        None => {
            let configured = tenant
                .focal_points
                .iter()
                .find(|fp| fp.city.as_str() == city_slug && &fp.email == email)
                .map(|fp| fp.name.clone());
            let previous = invitations
                .list()
                .await?
                .into_iter()
                .find(|i| i.email == email.as_str())
                .map(|i| i.name);
            configured.or(previous).unwrap_or_else(|| local_part(email))
        }
    };
    let invitation = invitations.reissue(city_slug, &name, email).await?;
    let message = focal_point_invitation_email(themes, tenant, &invitation)?;
    let id = Outbox::for_tenant(&tx, tenant).enqueue(message).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok((invitation, id))
}

fn local_part(email: &EmailAddress) -> String {
    email.as_str().split('@').next().unwrap_or("").to_owned()
}

/// An invitation found by its token on one tenant.
#[derive(Debug, Clone)]
pub enum Invitation {
    /// To become the focal point of a city.
    FocalPoint(InvitationRecord),
    /// To become a country operator.
    CountryOperator(OperatorInvitationRecord),
    /// Known here, but expired or already accepted.
    Gone,
    /// No invitation of this tenant has this token.
    Unknown,
}

impl Invitation {
    /// The invited name and address, when the invitation can still be used.
    pub fn invitee(&self) -> Option<(&str, &str)> {
        match self {
            Self::FocalPoint(i) => Some((&i.name, &i.email)),
            Self::CountryOperator(i) => Some((&i.name, &i.email)),
            Self::Gone | Self::Unknown => None,
        }
    }
}

/// The invitation of `token` on `tenant` (a focal point's first, else a country operator's).
pub async fn find(
    store: &Store,
    tenant: &Tenant,
    token: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Invitation, Failure> {
    let usable = |accepted_at: Option<chrono::DateTime<chrono::Utc>>, expires_at| {
        accepted_at.is_none() && expires_at > now
    };
    let conn = store.conn();
    if let Some(found) = FocalPointInvitations::for_tenant(conn, tenant)
        .find_by_token(token)
        .await?
    {
        return Ok(if usable(found.accepted_at, found.expires_at) {
            Invitation::FocalPoint(found)
        } else {
            Invitation::Gone
        });
    }
    Ok(
        match OperatorInvitations::for_tenant(conn, tenant)
            .find_by_token(token)
            .await?
        {
            None => Invitation::Unknown,
            Some(found) if usable(found.accepted_at, found.expires_at) => {
                Invitation::CountryOperator(found)
            }
            Some(_) => Invitation::Gone,
        },
    )
}

/// Accepts the invitation of `token`: the invited address gets an account (a new one, or its
/// existing one renamed, re-passworded and confirmed, since the link reached it) and the role
/// the invitation grants, all in one transaction. The role ends the account's sessions; the
/// returned account carries their new generation. `None` when the link is no longer usable.
#[tracing::instrument(skip_all, fields(tenant.code = %tenant.code))]
pub async fn accept(
    store: &Store,
    tenant: &Tenant,
    token: &str,
    display_name: &str,
    password_hash: &str,
) -> Result<Option<Account>, Failure> {
    let tx = store.begin().await?;
    let (email, role, city_id) = if let Some(accepted) =
        FocalPointInvitations::for_tenant(&tx, tenant)
            .accept(token)
            .await?
    {
        (accepted.email, Role::FocalPoint, Some(accepted.city_id))
    } else if let Some(accepted) = OperatorInvitations::for_tenant(&tx, tenant)
        .accept(token)
        .await?
    {
        (accepted.email, Role::CountryOperator, None)
    } else {
        tx.rollback().await.map_err(StoreError::from)?;
        return Ok(None);
    };
    let email = EmailAddress::parse(&email)
        .map_err(|e| StoreError::Invalid(format!("invitation address: {e}")))?;
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
    accounts.grant(account.id, role, city_id, None).await?;
    let account = accounts
        .find(account.id)
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Some(account))
}
