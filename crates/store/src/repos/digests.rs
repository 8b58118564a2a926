//! Recurring emails sent at most once per account, kind and local day (the focal points'
//! weekday to-do): a row claimed in the transaction that queues the email.

use crate::StoreError;
use crate::entities::digest_send;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};

tenant_repository! {
    /// The recurring emails of one tenant already sent.
    Digests
}

impl<'a, C: crate::Connection> Digests<'a, C> {
    /// Claims the `kind` email of `user_id` for `day`, listing `items` (ids): `true` for the
    /// one caller that did (it sends the email, in the same transaction), `false` when it was
    /// sent already.
    pub async fn claim(
        &self,
        user_id: i64,
        kind: &str,
        day: NaiveDate,
        items: &[i64],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let row = digest_send::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            user_id: Set(user_id),
            kind: Set(kind.to_owned()),
            day: Set(day),
            sent_at: Set(now),
            items: Set(items
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")),
        };
        let inserted = digest_send::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    digest_send::Column::TenantId,
                    digest_send::Column::UserId,
                    digest_send::Column::Kind,
                    digest_send::Column::Day,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(&self.conn)
            .await?;
        Ok(inserted == 1)
    }

    /// Whether the `kind` email of `user_id` went out on `day`.
    pub async fn sent(&self, user_id: i64, kind: &str, day: NaiveDate) -> Result<bool, StoreError> {
        Ok(self
            .scope
            .all::<digest_send::Entity>()
            .filter(digest_send::Column::UserId.eq(user_id))
            .filter(digest_send::Column::Kind.eq(kind))
            .filter(digest_send::Column::Day.eq(day))
            .one(&self.conn)
            .await?
            .is_some())
    }

    /// Every item the `kind` emails of `user_id` listed so far.
    pub async fn items_sent(&self, user_id: i64, kind: &str) -> Result<Vec<i64>, StoreError> {
        let lists: Vec<String> = self
            .scope
            .all::<digest_send::Entity>()
            .filter(digest_send::Column::UserId.eq(user_id))
            .filter(digest_send::Column::Kind.eq(kind))
            .select_only()
            .column(digest_send::Column::Items)
            .into_tuple()
            .all(&self.conn)
            .await?;
        let mut items: Vec<i64> = lists
            .iter()
            .flat_map(|l| l.split(','))
            .filter_map(|id| id.parse().ok())
            .collect();
        items.sort_unstable();
        items.dedup();
        Ok(items)
    }
}
