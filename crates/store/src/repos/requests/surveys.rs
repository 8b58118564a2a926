//! Satisfaction surveys: created with a token, answered once, averaged per organisation.

use super::*;

impl<'a, C: crate::Connection> Requests<'a, C> {
    /// Creates the survey of a request; returns the raw token (for the link), stored hashed.
    pub async fn create_survey(
        &self,
        request: &RequestRecord,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<String, StoreError> {
        let raw = crate::repos::accounts::random_token();
        survey::Entity::insert(survey::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            request_id: Set(request.id),
            organisation_id: Set(request.sent.organisation_id),
            token_hash: Set(hash_token(&raw)),
            score: Set(None),
            comment: Set(None),
            expires_at: Set(now + ttl),
            answered_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        })
        .exec_without_returning(&self.conn)
        .await?;
        Ok(raw)
    }

    /// The survey of this token if it is unanswered and unexpired at `now`.
    pub async fn open_survey(
        &self,
        raw: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<OpenSurvey>, StoreError> {
        Ok(self
            .scope
            .all::<survey::Entity>()
            .filter(survey::Column::TokenHash.eq(hash_token(raw)))
            .filter(survey::Column::AnsweredAt.is_null())
            .filter(survey::Column::ExpiresAt.gt(now))
            .one(&self.conn)
            .await?
            .map(|s| OpenSurvey {
                id: s.id,
                request_id: s.request_id,
                organisation_id: s.organisation_id,
            }))
    }

    /// Records the one answer of a survey: `false` if already answered or expired.
    pub async fn answer_survey(
        &self,
        raw: &str,
        score: i32,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let updated = self
            .scope
            .update::<survey::Entity>()
            .col_expr(survey::Column::Score, Expr::value(score))
            .col_expr(
                survey::Column::Comment,
                Expr::value((!comment.is_empty()).then(|| comment.to_owned())),
            )
            .col_expr(survey::Column::AnsweredAt, Expr::value(now))
            .filter(survey::Column::TokenHash.eq(hash_token(raw)))
            .filter(survey::Column::AnsweredAt.is_null())
            .filter(survey::Column::ExpiresAt.gt(now))
            .exec(&self.conn)
            .await?;
        Ok(updated.rows_affected == 1)
    }

    /// The average answered score of an organisation and the number of answers.
    pub async fn organisation_score(
        &self,
        organisation_id: i64,
    ) -> Result<Option<(f64, u64)>, StoreError> {
        let scores: Vec<Option<i32>> = self
            .scope
            .all::<survey::Entity>()
            .select_only()
            .column(survey::Column::Score)
            .filter(survey::Column::OrganisationId.eq(organisation_id))
            .filter(survey::Column::AnsweredAt.is_not_null())
            .into_tuple()
            .all(&self.conn)
            .await?;
        let scores: Vec<i32> = scores.into_iter().flatten().collect();
        if scores.is_empty() {
            return Ok(None);
        }
        let sum: i64 = scores.iter().map(|s| i64::from(*s)).sum();
        Ok(Some((
            sum as f64 / scores.len() as f64,
            scores.len() as u64,
        )))
    }
}
