//! Missions proposed to members by focal points: one row per member and mission, so a
//! mission is proposed to a member once, and the member's recent proposals are counted (a
//! member is contacted a few times a month at most).

use crate::StoreError;
use crate::entities::mission_proposal;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};

tenant_repository! {
    /// The missions proposed to members on one tenant.
    MissionProposals
}

impl<'a, C: crate::Connection> MissionProposals<'a, C> {
    /// Records that `mission_id` was proposed to `user_id` by `by` at `now`: `false` when it
    /// had been already (nothing written).
    pub async fn record(
        &self,
        user_id: i64,
        mission_id: i64,
        by: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let row = mission_proposal::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            user_id: Set(user_id),
            mission_id: Set(mission_id),
            proposed_by: Set(Some(by)),
            sent_at: Set(now),
            ..Default::default()
        };
        let inserted = mission_proposal::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    mission_proposal::Column::TenantId,
                    mission_proposal::Column::UserId,
                    mission_proposal::Column::MissionId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(&self.conn)
            .await?;
        Ok(inserted == 1)
    }

    /// How many missions were proposed to `user_id` since `since`.
    pub async fn count_since(&self, user_id: i64, since: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(self
            .scope
            .all::<mission_proposal::Entity>()
            .filter(mission_proposal::Column::UserId.eq(user_id))
            .filter(mission_proposal::Column::SentAt.gte(since))
            .count(&self.conn)
            .await?)
    }

    /// The members `mission_id` was proposed to.
    pub async fn proposed(&self, mission_id: i64) -> Result<Vec<i64>, StoreError> {
        Ok(self
            .scope
            .all::<mission_proposal::Entity>()
            .filter(mission_proposal::Column::MissionId.eq(mission_id))
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|p| p.user_id)
            .collect())
    }

    /// The missions proposed to `user_id` and when, oldest first (their data export).
    pub async fn of_member(&self, user_id: i64) -> Result<Vec<(i64, DateTime<Utc>)>, StoreError> {
        Ok(self
            .scope
            .all::<mission_proposal::Entity>()
            .filter(mission_proposal::Column::UserId.eq(user_id))
            .order_by_asc(mission_proposal::Column::SentAt)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|p| (p.mission_id, p.sent_at))
            .collect())
    }
}
