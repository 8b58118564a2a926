//! The promised delay: requests due for a reminder, an escalation or a survey, each stamped once.

use super::*;

impl<'a, C: crate::Connection> Requests<'a, C> {
    /// New requests due within `lead` of `now`, not yet reminded.
    pub async fn due_for_reminder(
        &self,
        now: DateTime<Utc>,
        lead: Duration,
    ) -> Result<Vec<RequestRecord>, StoreError> {
        self.oldest_first(
            self.rows()
                .filter(request::Column::State.eq(RequestState::New.as_str()))
                .filter(request::Column::RemindedAt.is_null())
                .filter(request::Column::EscalatedAt.is_null())
                .filter(request::Column::DueAt.gt(now))
                .filter(request::Column::DueAt.lte(now + lead)),
        )
        .await
    }

    /// The requests of `city_ids` still waiting on someone (new or in progress), the one due
    /// first at the top: a focal point's to-do.
    pub async fn open_in_cities(&self, city_ids: &[i64]) -> Result<Vec<RequestRecord>, StoreError> {
        if city_ids.is_empty() {
            return Ok(Vec::new());
        }
        let open = [
            RequestState::New.as_str(),
            RequestState::InProgress.as_str(),
        ];
        self.oldest_first(
            self.rows()
                .filter(request::Column::CityId.is_in(city_ids.to_vec()))
                .filter(request::Column::State.is_in(open))
                .order_by_asc(request::Column::DueAt),
        )
        .await
    }

    /// The requests `member` sent that are not over yet (new, in progress or accepted).
    pub async fn open_of_member(&self, member: i64) -> Result<Vec<RequestRecord>, StoreError> {
        let open = RequestState::ALL
            .into_iter()
            .filter(|s| !s.is_closed())
            .map(RequestState::as_str);
        self.oldest_first(
            self.rows()
                .filter(request::Column::MemberUserId.eq(member))
                .filter(request::Column::State.is_in(open)),
        )
        .await
    }

    /// How many requests `member` sent since `since` (the spam limit on new accounts).
    pub async fn sent_by_since(
        &self,
        member: i64,
        since: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(self
            .rows()
            .filter(request::Column::MemberUserId.eq(member))
            .filter(request::Column::CreatedAt.gte(since))
            .count(&self.conn)
            .await?)
    }

    /// How many messages `author` wrote since `since` (the spam limit on new accounts).
    pub async fn messages_by_since(
        &self,
        author: i64,
        since: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(self
            .scope
            .all::<message::Entity>()
            .filter(message::Column::AuthorUserId.eq(author))
            .filter(message::Column::CreatedAt.gte(since))
            .count(&self.conn)
            .await?)
    }

    /// Requests still new after their due date, not yet escalated.
    pub async fn due_for_escalation(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<RequestRecord>, StoreError> {
        self.oldest_first(
            self.rows()
                .filter(request::Column::State.eq(RequestState::New.as_str()))
                .filter(request::Column::EscalatedAt.is_null())
                .filter(request::Column::DueAt.lte(now)),
        )
        .await
    }

    /// Requests sent at least `after` before `now` whose member has not been surveyed
    /// (withdrawn ones are not surveyed).
    pub async fn due_for_survey(
        &self,
        now: DateTime<Utc>,
        after: Duration,
    ) -> Result<Vec<RequestRecord>, StoreError> {
        self.oldest_first(
            self.rows()
                .filter(request::Column::SurveySentAt.is_null())
                .filter(request::Column::State.ne(RequestState::Withdrawn.as_str()))
                .filter(request::Column::CreatedAt.lte(now - after)),
        )
        .await
    }

    /// Stamps one of `reminded_at`, `escalated_at`, `survey_sent_at` if still empty: `true`
    /// for the one caller that did (the job sends its emails only then).
    pub(super) async fn stamp(
        &self,
        id: i64,
        column: request::Column,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let updated = self
            .scope
            .update::<request::Entity>()
            .col_expr(column, Expr::value(now))
            .filter(request::Column::Id.eq(id))
            .filter(column.is_null())
            .exec(&self.conn)
            .await?;
        Ok(updated.rows_affected == 1)
    }

    pub async fn mark_reminded(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.stamp(id, request::Column::RemindedAt, now).await
    }

    pub async fn mark_escalated(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.stamp(id, request::Column::EscalatedAt, now).await
    }

    pub async fn mark_survey_sent(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.stamp(id, request::Column::SurveySentAt, now).await
    }
}
