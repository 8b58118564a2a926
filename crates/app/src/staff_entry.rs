//! The platform staff drill down from the portal into a country site's console, with the
//! powers of its country operators, marked as staff everywhere (the journal names them
//! `<address> (staff)`, each page shows a banner).
//!
//! Accounts and sessions belong to one tenant, so the staff member acts on the site through
//! a seat: an account of that site marked staff, without a password (`Accounts::staff_seat`).
//! The portal hands the browser a single-use token valid two minutes; the site redeems it and
//! opens a short session for the seat. Nothing crosses tenants in one query.

use crate::audit::{self, Done};
use crate::{Failure, Scope};
use jsap_domain::EmailAddress;
use jsap_store::{Account, Accounts, StoreError, TokenPurpose};

/// Why a staff member cannot enter a site's console (nothing written then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryRefusal {
    /// Only the platform staff enter a site's console from the portal.
    NotStaff,
    /// The portal has no country console.
    Portal,
    /// A member of the site who is not staff has the staff member's address.
    AddressTaken,
    /// The staff member's seat on that site is blocked.
    Blocked,
}

/// `staff` (signed in on the portal) asks to enter the console of the scope's site: their seat
/// there (made on first use) and the single-use token the browser carries to the site.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = staff.id))]
pub async fn open(
    scope: &Scope<'_>,
    staff: &Account,
) -> Result<Result<String, EntryRefusal>, Failure> {
    if !staff.is_staff {
        return Ok(Err(EntryRefusal::NotStaff));
    }
    if scope.tenant.is_portal() {
        return Ok(Err(EntryRefusal::Portal));
    }
    let email = EmailAddress::parse(&staff.email)
        .map_err(|_| StoreError::Corrupt(format!("staff address {:?}", staff.email)))?;
    let tx = scope.store.begin().await?;
    let accounts = Accounts::for_tenant(&tx, scope.tenant);
    let seat = match accounts.staff_seat(&email, &staff.display_name).await? {
        Ok(seat) => seat,
        Err(_) => return Ok(Err(EntryRefusal::AddressTaken)),
    };
    if seat.blocked {
        return Ok(Err(EntryRefusal::Blocked));
    }
    let token = accounts
        .issue_token(seat.id, TokenPurpose::StaffEntry, None)
        .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(token))
}

/// The site redeems a hand-off `token`: the staff seat to open a session for, recorded in the
/// site's journal. `None` when the token is unknown here, used, expired, or its account is not
/// a usable staff seat.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code))]
pub async fn enter(scope: &Scope<'_>, token: &str) -> Result<Option<Account>, Failure> {
    if scope.tenant.is_portal() {
        return Ok(None);
    }
    let tx = scope.store.begin().await?;
    let accounts = Accounts::for_tenant(&tx, scope.tenant);
    let Some(used) = accounts
        .consume_token(token, TokenPurpose::StaffEntry)
        .await?
    else {
        return Ok(None);
    };
    let Some(seat) = accounts
        .find(used.user_id)
        .await?
        .filter(|a| a.is_staff && !a.blocked)
    else {
        return Ok(None);
    };
    let done = Done {
        action: "staff_entered",
        kind: "account",
        id: Some(seat.id),
        target: &seat.email,
        detail: "",
    };
    audit::record(&tx, scope, Some(&seat), done).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Some(seat))
}

/// Whether `account` is a staff seat on the scope's site (a country site): it acts there with
/// the powers of the country's operators.
pub fn is_seat(tenant: &jsap_tenancy::Tenant, account: &Account) -> bool {
    account.is_staff && !tenant.is_portal()
}
