//! Organisations: a verified member registers one (and becomes its admin), the focal point of
//! its city or a country operator verifies, refuses or suspends it, and each step is emailed.

mod logo;
mod members;

pub use logo::{LogoRefusal, set_logo};
pub use members::{MemberRefusal, invite_member, remove_member};

use crate::audit::{self, Done};
use crate::mail::Recipient;
use crate::mail::emails::{OrganisationPending, OrganisationReviewed};
use crate::{Failure, Scope};
use jsap_domain::OrganisationId;
use jsap_domain::organisations::OrganisationStatus;
use jsap_domain::roles::Permissions;
use jsap_store::Grant;
use jsap_store::{
    Account, Accounts, Cities, CityRecord, Connection, Membership, OrganisationMembers,
    OrganisationRecord, Organisations, Role, StoreError,
};
use jsap_tenancy::Tenant;

/// The accounts holding `role`, each address once, those `keep` selects.
pub(crate) async fn holders<C: Connection>(
    conn: &C,
    tenant: &Tenant,
    role: Role,
    keep: impl Fn(&Membership) -> bool,
) -> Result<Vec<Account>, StoreError> {
    let mut out: Vec<Account> = Vec::new();
    for (account, membership) in Accounts::for_tenant(conn, tenant).with_role(role).await? {
        if keep(&membership) && !out.iter().any(|a| a.email == account.email) {
            out.push(account);
        }
    }
    Ok(out)
}

/// Who hears of an organisation registered in `city`: the city's focal points and the country
/// operators, each address once; while nobody holds those roles, the focal-point addresses the
/// tenant file names for the city (their invitation may still be pending).
pub(crate) async fn reviewers<C: Connection>(
    conn: &C,
    tenant: &Tenant,
    city: &CityRecord,
) -> Result<Vec<Account>, StoreError> {
    let mut all = holders(conn, tenant, Role::FocalPoint, |m| {
        m.city_id == Some(city.id)
    })
    .await?;
    for operator in holders(conn, tenant, Role::CountryOperator, |_| true).await? {
        if !all.iter().any(|a| a.email == operator.email) {
            all.push(operator);
        }
    }
    if all.is_empty() {
        all = crate::cities::configured_focal_points(conn, tenant, city.id, &city.slug).await?;
    }
    Ok(all)
}

/// What `account` may do on `tenant`.
pub async fn permissions<C: Connection>(
    conn: &C,
    tenant: &Tenant,
    account: &Account,
) -> Result<Permissions, StoreError> {
    let permissions = Permissions::new(
        Accounts::for_tenant(conn, tenant)
            .memberships(account.id)
            .await?,
    );
    Ok(if crate::staff_entry::is_seat(tenant, account) {
        permissions.with_staff_seat()
    } else {
        permissions
    })
}

/// `Ok` when `who` is a country operator of the scope's tenant, `refusal` otherwise: the
/// check of every use case only operators run.
pub(crate) async fn operator_or<R>(
    scope: &Scope<'_>,
    who: &Account,
    refusal: R,
) -> Result<Result<(), R>, Failure> {
    let permissions = permissions(scope.store.conn(), scope.tenant, who).await?;
    Ok(if permissions.is_operator() {
        Ok(())
    } else {
        Err(refusal)
    })
}

/// Whether `account` may review organisations of `city_id`: a focal point of that city or a
/// country operator.
pub async fn may_review<C: Connection>(
    conn: &C,
    tenant: &Tenant,
    account: &Account,
    city_id: i64,
) -> Result<bool, StoreError> {
    Ok(permissions(conn, tenant, account)
        .await?
        .reviews_city(city_id))
}

/// What a member fills in to register an organisation (already checked by the page): the
/// profile it starts with.
pub type Draft = jsap_store::OrganisationProfile;

/// Registers `draft` as a pending organisation with `member` as its admin, and tells its
/// reviewers (the city's focal points and the country operators), in one transaction.
/// `UnknownCity` when the city is not one of the tenant's. Returns the organisation and the
/// member's account after the new role (which ended its sessions: the caller opens a new one).
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = member.id))]
pub async fn register(
    scope: &Scope<'_>,
    member: &Account,
    draft: Draft,
) -> Result<(OrganisationRecord, Account), Failure> {
    let tenant = scope.tenant;
    let tx = scope.store.begin().await?;
    let organisation = Organisations::for_tenant(&tx, tenant)
        .register(draft, member.id)
        .await?;
    Accounts::for_tenant(&tx, tenant)
        .grant(
            member.id,
            Grant::OrganisationAdmin {
                organisation_id: organisation.id,
            },
        )
        .await?;
    let locale = tenant.default_locale;
    let city = Cities::for_tenant(&tx, tenant)
        .by_id(organisation.profile.city_id)
        .await?
        .ok_or_else(|| StoreError::UnknownCity(organisation.profile.city_id.to_string()))?;
    let pending = OrganisationPending {
        organisation_name: &organisation.profile.name,
        member_name: &member.display_name,
        city_name: city.name_in(locale),
        kind: &organisation.profile.kind,
    };
    let mailer = scope.mailer(&tx);
    for to in reviewers(&tx, tenant, &city).await? {
        mailer
            .send(Recipient::account(&to, locale), &pending)
            .await?;
    }
    let admin = Accounts::for_tenant(&tx, tenant)
        .find(member.id)
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok((organisation, admin))
}

/// A reviewer's decision on an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Verify,
    /// Refuse a pending organisation, with the reason its admins are told.
    Refuse(String),
    /// Suspend a verified organisation, with the reason its admins are told.
    Suspend(String),
}

/// Why a decision was not applied (nothing written then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No organisation of this tenant has this id.
    NotFound,
    /// The account is neither a focal point of the organisation's city nor a country operator.
    NotAReviewer,
    /// The organisation is not in a state this decision applies to (another reviewer was
    /// first, or it is already verified).
    WrongState,
    /// Refusing and suspending need a reason.
    ReasonRequired,
}

/// Applies `decision` of `reviewer` to organisation `id` and emails its admins the outcome,
/// in one transaction.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, organisation.id = %id))]
pub async fn review(
    scope: &Scope<'_>,
    reviewer: &Account,
    id: OrganisationId,
    decision: Decision,
) -> Result<Result<OrganisationRecord, Refusal>, Failure> {
    let id = id.get();
    let tenant = scope.tenant;
    let tx = scope.store.begin().await?;
    let organisations = Organisations::for_tenant(&tx, tenant);
    let Some(organisation) = organisations.by_id(id).await? else {
        return Ok(Err(Refusal::NotFound));
    };
    if !may_review(&tx, tenant, reviewer, organisation.profile.city_id).await? {
        return Ok(Err(Refusal::NotAReviewer));
    }
    let (to, reason) = match &decision {
        Decision::Verify => (OrganisationStatus::Verified, String::new()),
        Decision::Refuse(reason) => (OrganisationStatus::Refused, reason.trim().to_owned()),
        Decision::Suspend(reason) => (OrganisationStatus::Suspended, reason.trim().to_owned()),
    };
    if to != OrganisationStatus::Verified && reason.is_empty() {
        return Ok(Err(Refusal::ReasonRequired));
    }
    if !organisation.status.may_become(to)
        || !organisations
            .set_status(
                id,
                organisation.status,
                to,
                &reason,
                reviewer.id,
                scope.clock.now(),
            )
            .await?
    {
        return Ok(Err(Refusal::WrongState));
    }
    let reviewed = OrganisationReviewed {
        organisation_name: &organisation.profile.name,
        status: to.as_str(),
        reason: &reason,
    };
    let mailer = scope.mailer(&tx);
    let admins: Vec<Account> = OrganisationMembers::for_tenant(&tx, tenant)
        .list(id)
        .await?
        .into_iter()
        .filter(|(_, role)| *role == Role::OrganisationAdmin)
        .map(|(account, _)| account)
        .collect();
    for admin in &admins {
        mailer
            .send(Recipient::account(admin, tenant.default_locale), &reviewed)
            .await?;
    }
    let action = format!("organisation_{}", to.as_str());
    let done = Done {
        action: &action,
        kind: "organisation",
        id: Some(id),
        target: &organisation.profile.name,
        detail: &reason,
    };
    audit::record(&tx, scope, Some(reviewer), done).await?;
    let updated = organisations.by_id(id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(updated))
}
