//! Writing missions: a draft created, saved, moved along its lifecycle, touched, and its
//! history recorded.

use super::*;
use crate::StoreError;
use crate::entities::{mission, mission_contribution, mission_history, mission_text};
use crate::repos::catalogue::bump_version;
use crate::repos::cities::check_city;
use crate::repos::missions::{contribution_row, mission_row, text_row};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

impl<C: crate::Connection> MissionEdits<'_, C> {
    /// Creates a draft of `fields` by `by`; returns its id. Run it in a transaction.
    pub async fn create(
        &self,
        fields: &MissionFields,
        slug: &str,
        by: i64,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        check_city(&self.conn, &self.scope, fields.city_id).await?;
        let inserted = mission::Entity::insert(mission::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            status: Set(MissionStatus::Draft.as_str().to_owned()),
            created_at: Set(now),
            published_at: Set(None),
            created_by: Set(Some(by)),
            updated_at: Set(Some(now)),
            submitted_at: Set(None),
            reviewed_by: Set(None),
            reviewed_at: Set(None),
            review_comment: Set(String::new()),
            validated: Set(false),
            closed_reason: Set(String::new()),
            ..mission_row(fields, slug)
        })
        .exec(&self.conn)
        .await?;
        let id = inserted.last_insert_id;
        self.write_parts(id, fields).await?;
        Ok(id)
    }

    /// Texts and contribution types of mission `id`, replacing any there were.
    async fn write_parts(&self, id: i64, fields: &MissionFields) -> Result<(), StoreError> {
        let tenant_id = self.scope.id().to_owned();
        self.scope
            .delete::<mission_text::Entity>()
            .filter(mission_text::Column::MissionId.eq(id))
            .exec(&self.conn)
            .await?;
        self.scope
            .delete::<mission_contribution::Entity>()
            .filter(mission_contribution::Column::MissionId.eq(id))
            .exec(&self.conn)
            .await?;
        if !fields.texts.is_empty() {
            mission_text::Entity::insert_many(
                fields.texts.iter().map(|t| text_row(&tenant_id, id, t)),
            )
            .exec_without_returning(&self.conn)
            .await?;
        }
        if !fields.terms.contribution_types.is_empty() {
            mission_contribution::Entity::insert_many(
                fields
                    .terms
                    .contribution_types
                    .iter()
                    .map(|c| contribution_row(&tenant_id, id, c)),
            )
            .exec_without_returning(&self.conn)
            .await?;
        }
        bump_version(&self.conn, &tenant_id).await?;
        Ok(())
    }

    /// Saves `fields` over mission `id` (its status is the caller's business). Run it in a
    /// transaction. `NotFound` when there is no such mission here.
    pub async fn save(
        &self,
        id: i64,
        fields: &MissionFields,
        slug: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        check_city(&self.conn, &self.scope, fields.city_id).await?;
        let updated = self
            .scope
            .update::<mission::Entity>()
            .set(mission::ActiveModel {
                updated_at: Set(Some(now)),
                ..mission_row(fields, slug)
            })
            .filter(mission::Column::Id.eq(id))
            .exec(&self.conn)
            .await?;
        if updated.rows_affected != 1 {
            return Err(StoreError::NotFound);
        }
        self.write_parts(id, fields).await
    }

    /// Moves mission `id` from one of `from` to `to`, writing `write`; false when it is in
    /// none of `from` (someone else moved it first) or is not here.
    pub async fn step(
        &self,
        id: i64,
        from: &[MissionStatus],
        to: MissionStatus,
        write: &StepWrite,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut update = self
            .scope
            .update::<mission::Entity>()
            .col_expr(mission::Column::Status, Expr::value(to.as_str()))
            .col_expr(mission::Column::UpdatedAt, Expr::value(now));
        match to {
            MissionStatus::Submitted => {
                update = update.col_expr(mission::Column::SubmittedAt, Expr::value(now));
            }
            MissionStatus::Published => {
                update = update
                    .col_expr(mission::Column::PublishedAt, Expr::value(now))
                    .col_expr(mission::Column::Validated, Expr::value(true));
            }
            MissionStatus::Closed | MissionStatus::Expired => {
                update = update.col_expr(
                    mission::Column::ClosedReason,
                    Expr::value(write.closed_reason.as_str()),
                );
            }
            _ => {}
        }
        if let Some(reviewer) = write.reviewer {
            update = update
                .col_expr(mission::Column::ReviewedBy, Expr::value(reviewer))
                .col_expr(mission::Column::ReviewedAt, Expr::value(now))
                .col_expr(
                    mission::Column::ReviewComment,
                    Expr::value(write.comment.as_str()),
                );
        }
        let updated = update
            .filter(mission::Column::Id.eq(id))
            .filter(mission::Column::Status.is_in(from.iter().map(|s| s.as_str())))
            .exec(&self.conn)
            .await?;
        if updated.rows_affected == 1 {
            bump_version(&self.conn, self.scope.id()).await?;
        }
        Ok(updated.rows_affected == 1)
    }

    /// Marks mission `id` as changed now (a photo added, removed or moved); bumps the
    /// catalogue version so that pages showing it are built again.
    pub async fn touch(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.scope
            .update::<mission::Entity>()
            .col_expr(mission::Column::UpdatedAt, Expr::value(now))
            .filter(mission::Column::Id.eq(id))
            .exec(&self.conn)
            .await?;
        bump_version(&self.conn, self.scope.id()).await
    }

    /// Adds an entry to mission `id`'s history.
    pub async fn record(
        &self,
        id: i64,
        account_id: Option<i64>,
        action: &str,
        detail: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        mission_history::Entity::insert(mission_history::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            mission_id: Set(id),
            account_id: Set(account_id),
            at: Set(at),
            action: Set(action.to_owned()),
            detail: Set(detail.to_owned()),
            ..Default::default()
        })
        .exec(&self.conn)
        .await?;
        Ok(())
    }
}
