//! The seat of a platform staff member on a country site: an account of that tenant, marked
//! staff, with no password, that only the portal's "open the console" hand-off signs in. It
//! keeps every row of the site under the site's own tenant (sessions, the journal's author)
//! while the staff member's own account stays on the portal.

use super::{Account, Accounts};
use crate::StoreError;
use crate::entities::user;
use jsap_domain::EmailAddress;
use sea_orm::{ColumnTrait, QueryFilter};

/// The address belongs to a member of the site who is not staff: never adopted silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatTaken;

impl<'a, C: crate::Connection> Accounts<'a, C> {
    /// The staff seat of `email` on this tenant, created on first use. `Err(SeatTaken)` when a
    /// member of this site who is not staff holds the address.
    pub async fn staff_seat(
        &self,
        email: &EmailAddress,
        display_name: &str,
    ) -> Result<Result<Account, SeatTaken>, StoreError> {
        let existing = self
            .users()
            .filter(user::Column::Email.eq(email.as_str()))
            .one(&self.conn)
            .await?;
        if let Some(found) = existing {
            return Ok(if found.is_staff {
                Ok(Account::from(found))
            } else {
                Err(SeatTaken)
            });
        }
        // No password: only the portal's hand-off opens a session for it.
        let model = self
            .insert_user(email, display_name, None, true, true)
            .await?;
        Ok(Ok(Account::from(model)))
    }
}
