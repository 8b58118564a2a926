//! The end of an account: deleted by its member (the password confirmed by the page), or
//! warned after two years without a sign-in and deleted a month later by a daily job. Each
//! deletion erases the member's personal data in one transaction with its journal entry and
//! its confirmation email; the conversations stay for the other side, anonymised, and the
//! other side of each open request is told it was withdrawn.

use crate::audit::{self, Done};
use crate::mail::Recipient;
use crate::mail::emails::{AccountDeleted, AccountInactive, RequestEmail, StateChange};
use crate::requests::conversation::{Turn, tell_other_side};
use crate::{Failure, Scope};
use jsap_domain::Locale;
use jsap_domain::consents::{INACTIVE_AFTER, Inactivity, inactivity};
use jsap_store::{Account, Accounts, Erased, RequestState, Requests, Side, Store, StoreError};
use jsap_tenancy::Tenant;

/// Why an account is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    /// By its member, from the account page.
    ByMember,
    /// By the inactivity job, after its warning.
    Inactivity,
}

/// Why a member's own deletion is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// A platform staff account: removed by another member of the staff.
    Staff,
    /// Deleted already (another tab, a double click).
    Gone,
}

/// Deletes `member`'s account on the scope's site at their request, and tells them in
/// `locale` at the address they had.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = member.id))]
pub async fn delete_own(
    scope: &Scope<'_>,
    member: &Account,
    locale: Locale,
) -> Result<Result<Erased, Kept>, Failure> {
    if member.is_staff {
        return Ok(Err(Kept::Staff));
    }
    erase(scope, member, locale, Deletion::ByMember).await
}

/// Erases `account` for `why` in one transaction: the data, the journal entry (which names no
/// one: the account is gone) and the confirmation to the address it had.
async fn erase(
    scope: &Scope<'_>,
    account: &Account,
    locale: Locale,
    why: Deletion,
) -> Result<Result<Erased, Kept>, Failure> {
    let tx = scope.store.begin().await?;
    // Read before the erasure withdraws them: their other side is told, as for a withdrawal.
    let open = Requests::for_tenant(&tx, scope.tenant)
        .open_of_member(account.id)
        .await?;
    let erased = match Accounts::for_tenant(&tx, scope.tenant)
        .erase(account.id, scope.clock.now())
        .await
    {
        Ok(erased) => erased,
        Err(StoreError::NotFound) => return Ok(Err(Kept::Gone)),
        Err(e) => return Err(e.into()),
    };
    let (actor, action) = match why {
        Deletion::ByMember => ("member", "account_deleted"),
        Deletion::Inactivity => ("inactivity", "account_deleted_inactive"),
    };
    let target = format!("#{}", account.id);
    audit::record_as(
        &tx,
        scope,
        actor,
        Done {
            action,
            kind: "account",
            id: Some(account.id),
            target: &target,
            detail: "",
        },
    )
    .await?;
    for request in &open {
        let turn = Turn {
            request,
            side: Side::Member,
            author: account,
        };
        let email = RequestEmail {
            request,
            city_name: "",
            about: StateChange {
                author_name: &account.display_name,
                state: RequestState::Withdrawn.as_str(),
            },
        };
        tell_other_side(&tx, scope, turn, &email).await?;
    }
    let to = Recipient {
        email: &erased.email,
        name: &erased.display_name,
        locale,
    };
    scope
        .mailer(&tx)
        .send(
            to,
            &AccountDeleted {
                inactivity: why == Deletion::Inactivity,
            },
        )
        .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(erased))
}

/// Notes that `account` used the site now (a session was resolved): at most one write a day,
/// and it clears an inactivity warning.
pub async fn seen(
    store: &Store,
    tenant: &Tenant,
    account: &Account,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), Failure> {
    let today = now.date_naive();
    if account
        .last_seen_at
        .is_some_and(|at| at.date_naive() == today)
    {
        return Ok(());
    }
    Accounts::for_tenant(store.conn(), tenant)
        .seen(account.id, now)
        .await?;
    Ok(())
}

/// What one pass of the inactivity rule did on one site.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct InactivityReport {
    pub warned: usize,
    pub deleted: usize,
}

/// How many accounts one pass looks at on one site (the next pass takes the rest).
const DORMANT_BATCH: u64 = 500;

/// One pass of the inactivity rule on the scope's site: accounts unused for two years are
/// warned by email (deletion in a month unless they sign in); warned accounts whose month is
/// over are deleted. Accounts holding a role, and staff accounts, are left alone.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code))]
pub async fn enforce_inactivity(scope: &Scope<'_>) -> Result<InactivityReport, Failure> {
    let now = scope.clock.now();
    let dormant = Accounts::for_tenant(scope.store.conn(), scope.tenant)
        .dormant(now - INACTIVE_AFTER, DORMANT_BATCH)
        .await?;
    let locale = scope.tenant.default_locale;
    let mut report = InactivityReport::default();
    for account in dormant {
        let last_seen = account.last_seen_at.unwrap_or(account.created_at);
        match inactivity(last_seen, account.inactivity_warned_at, now) {
            Inactivity::Warn { deleted_after } => {
                let tx = scope.store.begin().await?;
                if Accounts::for_tenant(&tx, scope.tenant)
                    .mark_warned(account.id, now)
                    .await?
                {
                    scope
                        .mailer(&tx)
                        .send(
                            Recipient::account(&account, locale),
                            &AccountInactive {
                                last_seen,
                                deleted_after,
                            },
                        )
                        .await?;
                    report.warned += 1;
                }
                tx.commit().await.map_err(StoreError::from)?;
            }
            Inactivity::Delete => {
                if erase(scope, &account, locale, Deletion::Inactivity)
                    .await?
                    .is_ok()
                {
                    report.deleted += 1;
                }
            }
            Inactivity::Waiting | Inactivity::Active => {}
        }
    }
    Ok(report)
}
