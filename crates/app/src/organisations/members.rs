//! The members of an organisation: its admins invite editors and other admins by email,
//! remove them, and anyone leaves; an organisation never ends without an admin.

use crate::audit::{self, Done};
use crate::{Failure, Scope};
use jsap_domain::EmailAddress;
use jsap_domain::{AccountId, OrganisationId};
use jsap_store::{
    Account, Grant, InvitationRecord, OrganisationMembers, Organisations, Role, StoreError,
};

/// Why a change of members was not made (nothing written then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberRefusal {
    /// No organisation of this tenant has this id, or the person is not one of its members.
    NotFound,
    /// Only an admin of the organisation may do this.
    NotAdmin,
    /// The organisation's last admin cannot go: name another admin first.
    LastAdmin,
}

/// Whether `account` is an admin of `organisation_id`.
pub(super) async fn is_admin(
    scope: &Scope<'_>,
    account: &Account,
    organisation_id: i64,
) -> Result<bool, StoreError> {
    Ok(
        super::permissions(scope.store.conn(), scope.tenant, account)
            .await?
            .admin_of(organisation_id),
    )
}

/// `admin` invites `email` to `organisation_id` as an admin (`as_admin`) or an editor: an
/// emailed link, like a focal point's (inviting again sends a fresh link).
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, organisation.id = %organisation_id))]
pub async fn invite_member(
    scope: &Scope<'_>,
    admin: &Account,
    organisation_id: OrganisationId,
    as_admin: bool,
    name: &str,
    email: &EmailAddress,
) -> Result<Result<InvitationRecord, MemberRefusal>, Failure> {
    let organisation_id = organisation_id.get();
    if Organisations::for_tenant(scope.store.conn(), scope.tenant)
        .by_id(organisation_id)
        .await?
        .is_none()
    {
        return Ok(Err(MemberRefusal::NotFound));
    }
    if !is_admin(scope, admin, organisation_id).await? {
        return Ok(Err(MemberRefusal::NotAdmin));
    }
    let grant = if as_admin {
        Grant::OrganisationAdmin { organisation_id }
    } else {
        Grant::OrganisationEditor { organisation_id }
    };
    let (invitation, _) = crate::invitations::invite(
        scope.store,
        scope.themes.clone(),
        scope.tenant,
        grant,
        Some(name),
        email,
        Some(admin),
    )
    .await?;
    Ok(Ok(invitation))
}

/// `actor` removes `member_id` from `organisation_id` (an admin removing anyone, or anyone
/// removing themselves: leaving). The last admin cannot go. The member's sessions end.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, organisation.id = %organisation_id))]
pub async fn remove_member(
    scope: &Scope<'_>,
    actor: &Account,
    organisation_id: OrganisationId,
    member_id: AccountId,
) -> Result<Result<(), MemberRefusal>, Failure> {
    let organisation_id = organisation_id.get();
    let member_id = member_id.get();
    let tx = scope.store.begin().await?;
    let members = OrganisationMembers::for_tenant(&tx, scope.tenant);
    let current = members.list(organisation_id).await?;
    let Some((removed, role)) = current.iter().find(|(a, _)| a.id == member_id) else {
        return Ok(Err(MemberRefusal::NotFound));
    };
    let actor_is_admin = current
        .iter()
        .any(|(a, r)| a.id == actor.id && *r == Role::OrganisationAdmin);
    if actor.id != member_id && !actor_is_admin {
        return Ok(Err(MemberRefusal::NotAdmin));
    }
    let admins = current
        .iter()
        .filter(|(_, r)| *r == Role::OrganisationAdmin)
        .count();
    if *role == Role::OrganisationAdmin && admins <= 1 {
        return Ok(Err(MemberRefusal::LastAdmin));
    }
    if !members.remove(organisation_id, member_id).await? {
        return Ok(Err(MemberRefusal::NotFound));
    }
    let action = if actor.id == member_id {
        "member_left"
    } else {
        "member_removed"
    };
    let done = Done {
        action,
        kind: "organisation",
        id: Some(organisation_id),
        target: &removed.email,
        detail: role.as_str(),
    };
    audit::record(&tx, scope, Some(actor), done).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(()))
}
