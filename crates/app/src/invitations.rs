//! Invitations: a country operator is invited (or invited again) with an emailed link, in one
//! transaction. Used by the country space, the staff console and the `invite` command.

use crate::Failure;
use jsap_adapters::mail::MailError;
use jsap_adapters::{EmailTemplates, Themes};
use jsap_domain::EmailAddress;
use jsap_store::{NewEmail, OperatorInvitationRecord, OperatorInvitations, Outbox, Store};
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
        &invitation.expires_at.format("%Y-%m-%d").to_string(),
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
            .unwrap_or_else(|| email.as_str().split('@').next().unwrap_or("").to_owned()),
    };
    let (invitation, token) = invitations.reissue(&name, email).await?;
    let message = operator_invitation_email(themes, tenant, &invitation, &token)?;
    let id = Outbox::for_tenant(&tx, tenant).enqueue(message).await?;
    tx.commit().await.map_err(jsap_store::StoreError::from)?;
    Ok((invitation, id))
}
