//! Accounts found by a piece of their address, for the staff console (one tenant at a time:
//! the staff console asks each tenant in turn, so no query runs without its tenant), or by
//! their ids (the reporters of the moderation queue).

use super::{Account, Accounts};
use crate::StoreError;
use crate::entities::user;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};

/// Why an account is blocked, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockState {
    pub reason: String,
    pub since: chrono::DateTime<chrono::Utc>,
}

impl<'a, C: crate::Connection> Accounts<'a, C> {
    /// The accounts of this tenant among `ids` (one query; unknown ids are left out).
    pub async fn find_many(&self, ids: &[i64]) -> Result<Vec<Account>, StoreError> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        Ok(self
            .users()
            .filter(user::Column::Id.is_in(ids.iter().copied()))
            .all(&self.conn)
            .await?
            .into_iter()
            .map(Account::from)
            .collect())
    }

    /// At most `limit` accounts whose address contains `fragment` (any case), in address
    /// order, each with its block state.
    pub async fn search_email(
        &self,
        fragment: &str,
        limit: u64,
    ) -> Result<Vec<(Account, Option<BlockState>)>, StoreError> {
        let fragment = fragment.trim().to_lowercase();
        if fragment.is_empty() {
            return Ok(vec![]);
        }
        Ok(self
            .users()
            .filter(user::Column::Email.contains(&fragment))
            .filter(user::Column::DeletedAt.is_null())
            .order_by_asc(user::Column::Email)
            .limit(limit)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|m| {
                let state = m.blocked_at.map(|since| BlockState {
                    reason: m.blocked_reason.clone(),
                    since,
                });
                (Account::from(m), state)
            })
            .collect())
    }
}
