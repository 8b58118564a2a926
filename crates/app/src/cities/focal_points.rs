//! A city's focal points, managed by the country operator: invite one (or invite again, which
//! sends a fresh link and kills the old one), remove one (their role on the city ends with
//! their sessions, their invitation's link dies), or replace one by another in one step.

use super::{CityRefusal, operator_check};
use crate::audit::{self, Done};
use crate::invitations::queue_email;
use crate::{Failure, Scope};
use jsap_domain::CityId;
use jsap_domain::EmailAddress;
use jsap_store::{
    Account, Accounts, Cities, CityRecord, Connection, Grant, InvitationRecord, Invitations, Role,
    StoreError, configured_focal_points,
};
use jsap_tenancy::Tenant;

/// The focal points the tenant file names for city `city_id` (`slug`), but for those an
/// operator removed: reached while the city has no focal-point account yet.
pub(crate) async fn configured<C: Connection>(
    conn: &C,
    tenant: &Tenant,
    city_id: i64,
    slug: &str,
) -> Result<Vec<Account>, StoreError> {
    let mut all = configured_focal_points(tenant, slug);
    if all.is_empty() {
        return Ok(all);
    }
    let withdrawn = Invitations::for_tenant(conn, tenant)
        .withdrawn_focal_points(city_id)
        .await?;
    all.retain(|a| !withdrawn.iter().any(|w| w.eq_ignore_ascii_case(&a.email)));
    Ok(all)
}

/// `who` invites `name` <`email`> as a focal point of city `city_id` (again, when they were:
/// a fresh link, the previous one dies), and when `replaces` names one of the city's focal
/// points (their address), removes that one in the same transaction.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, city.id = %city_id))]
pub async fn invite(
    scope: &Scope<'_>,
    who: &Account,
    city_id: CityId,
    name: &str,
    email: &EmailAddress,
    replaces: Option<&str>,
) -> Result<Result<InvitationRecord, CityRefusal>, Failure> {
    let city_id = city_id.get();
    or_refuse!(operator_check(scope, who).await?);
    let tenant = scope.tenant;
    let tx = scope.store.begin().await?;
    let Some(city) = Cities::for_tenant(&tx, tenant).by_id(city_id).await? else {
        return Ok(Err(CityRefusal::NotFound));
    };
    if let Some(old) = replaces.filter(|old| !old.eq_ignore_ascii_case(email.as_str())) {
        or_refuse!(remove_in(&tx, scope, who, &city, old).await?);
    }
    let grant = Grant::FocalPoint { city_id };
    let (invitation, token) = Invitations::for_tenant(&tx, tenant)
        .reissue(grant, name, email)
        .await?;
    queue_email(&tx, scope.themes.clone(), tenant, &invitation, &token).await?;
    let done = Done {
        action: "focal_point_invited",
        kind: "city",
        id: Some(city_id),
        target: &city.names.name,
        detail: email.as_str(),
    };
    audit::record(&tx, scope, Some(who), done).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(invitation))
}

/// `who` removes the focal point of address `email` from city `city_id`: the account's role
/// on the city (its sessions end) and the invitation (its link dies; the tenant file sync
/// does not send it again).
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, city.id = %city_id))]
pub async fn remove(
    scope: &Scope<'_>,
    who: &Account,
    city_id: CityId,
    email: &str,
) -> Result<Result<(), CityRefusal>, Failure> {
    let city_id = city_id.get();
    or_refuse!(operator_check(scope, who).await?);
    let tx = scope.store.begin().await?;
    let Some(city) = Cities::for_tenant(&tx, scope.tenant).by_id(city_id).await? else {
        return Ok(Err(CityRefusal::NotFound));
    };
    or_refuse!(remove_in(&tx, scope, who, &city, email).await?);
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(()))
}

/// [`remove`] in the caller's transaction; `NoSuchFocalPoint` when `email` is neither a
/// holder of the role on the city nor invited to it.
async fn remove_in<C: Connection>(
    conn: &C,
    scope: &Scope<'_>,
    who: &Account,
    city: &CityRecord,
    email: &str,
) -> Result<Result<(), CityRefusal>, Failure> {
    let tenant = scope.tenant;
    let grant = Grant::FocalPoint { city_id: city.id };
    let accounts = Accounts::for_tenant(conn, tenant);
    let holder = match EmailAddress::parse(email) {
        Ok(address) => accounts.find_by_email(&address).await?,
        Err(_) => None,
    };
    let mut removed = false;
    if let Some(holder) = &holder {
        let holds = accounts
            .memberships(holder.id)
            .await?
            .iter()
            .any(|m| m.role == Role::FocalPoint && m.city_id == Some(city.id));
        if holds {
            accounts
                .revoke(holder.id, Grant::FocalPoint { city_id: city.id })
                .await?;
            removed = true;
        }
    }
    let normalised = EmailAddress::parse(email).map(|a| a.as_str().to_owned());
    let address = match (&holder, &normalised) {
        (Some(h), _) => h.email.as_str(),
        (None, Ok(a)) => a.as_str(),
        (None, Err(_)) => email,
    };
    removed |= Invitations::for_tenant(conn, tenant)
        .withdraw(grant, address)
        .await?;
    if !removed {
        return Ok(Err(CityRefusal::NoSuchFocalPoint));
    }
    let done = Done {
        action: "focal_point_removed",
        kind: "city",
        id: Some(city.id),
        target: &city.names.name,
        detail: address,
    };
    audit::record(conn, scope, Some(who), done).await?;
    Ok(Ok(()))
}
