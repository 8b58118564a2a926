//! The platform staff's powers over the accounts of every site, from the staff console: find
//! an account by its address on any tenant, see its roles, end its sessions, block it (with
//! a reason, emailed) or lift the block. Each action is journaled on the account's tenant with
//! the staff member as its author.

use crate::audit::{self, Done};
use crate::moderation::{ModerationRefusal, block_as, unblock_as};
use crate::{Failure, Scope};
use jsap_domain::AccountId;
use jsap_store::{Account, Accounts, BlockState, Membership, Store, StoreError};
use jsap_tenancy::Tenant;
use std::sync::Arc;

/// At most this many accounts per tenant in one search.
pub const SEARCH_LIMIT_PER_TENANT: u64 = 20;

/// An account found on one tenant, with its roles there.
#[derive(Debug, Clone)]
pub struct FoundAccount {
    pub tenant: Arc<Tenant>,
    pub account: Account,
    pub memberships: Vec<Membership>,
    pub blocked: Option<BlockState>,
}

/// Why a staff action was refused (nothing written then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffRefusal {
    /// Only the platform staff act from the staff console.
    NotStaff,
    /// The tenant has no account of that id.
    NotFound,
    /// A block needs a reason.
    Reason,
    /// Staff accounts are not blocked from here.
    StaffAccount,
}

impl From<ModerationRefusal> for StaffRefusal {
    fn from(refusal: ModerationRefusal) -> Self {
        match refusal {
            ModerationRefusal::Reason => Self::Reason,
            ModerationRefusal::Own => Self::StaffAccount,
            ModerationRefusal::NotFound | ModerationRefusal::NotOperator => Self::NotFound,
        }
    }
}

/// The accounts of `tenants` whose address contains `fragment`, tenant by tenant (each
/// query bound to its tenant), at most [`SEARCH_LIMIT_PER_TENANT`] per tenant.
#[tracing::instrument(skip_all, fields(account.id = staff.id))]
pub async fn search_accounts(
    store: &Store,
    staff: &Account,
    tenants: &[Arc<Tenant>],
    fragment: &str,
) -> Result<Result<Vec<FoundAccount>, StaffRefusal>, Failure> {
    if !staff.is_staff {
        return Ok(Err(StaffRefusal::NotStaff));
    }
    let mut found = Vec::new();
    for tenant in tenants {
        let accounts = Accounts::for_tenant(store.conn(), tenant);
        for (account, blocked) in accounts
            .search_email(fragment, SEARCH_LIMIT_PER_TENANT)
            .await?
        {
            let memberships = accounts.memberships(account.id).await?;
            found.push(FoundAccount {
                tenant: tenant.clone(),
                account,
                memberships,
                blocked,
            });
        }
    }
    Ok(Ok(found))
}

/// What the staff do to an account from the staff console.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaffAction<'a> {
    /// Ends every session of the account (it must log in again; nothing else changes).
    EndSessions,
    /// Blocks the account for this reason (a country operator too: the staff are above
    /// them); the account is emailed, its sessions end.
    Block(&'a str),
    /// Lifts the block on the account.
    Unblock,
}

/// `staff` acts on account `user_id` of the scope's tenant.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = staff.id))]
pub async fn act(
    scope: &Scope<'_>,
    staff: &Account,
    user_id: AccountId,
    action: StaffAction<'_>,
) -> Result<Result<Account, StaffRefusal>, Failure> {
    let user_id = user_id.get();
    if !staff.is_staff {
        return Ok(Err(StaffRefusal::NotStaff));
    }
    let outcome = match action {
        StaffAction::EndSessions => return end_sessions(scope, staff, user_id).await,
        StaffAction::Block(reason) => block_as(scope, staff, user_id, reason, false).await?,
        StaffAction::Unblock => unblock_as(scope, staff, user_id).await?,
    };
    Ok(outcome.map_err(StaffRefusal::from))
}

/// Ends every session of account `user_id` on the scope's tenant, journaled as `staff`'s.
async fn end_sessions(
    scope: &Scope<'_>,
    staff: &Account,
    user_id: i64,
) -> Result<Result<Account, StaffRefusal>, Failure> {
    let tx = scope.store.begin().await?;
    let accounts = Accounts::for_tenant(&tx, scope.tenant);
    let Some(target) = accounts.find(user_id).await? else {
        return Ok(Err(StaffRefusal::NotFound));
    };
    accounts.end_sessions(user_id).await?;
    let done = Done {
        action: "account_sessions_ended",
        kind: "account",
        id: Some(user_id),
        target: &target.email,
        detail: "",
    };
    audit::record(&tx, scope, Some(staff), done).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(target))
}
