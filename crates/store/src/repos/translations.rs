//! Translations of missions drafted by the assistant, kept apart from the missions' texts
//! until a person reviews them (see `m0025_mission_translations`): one row per mission and
//! language, drafted, failed or discarded.

use crate::StoreError;
use crate::entities::{mission, mission_text, mission_translation as row};
use chrono::{DateTime, Utc};
use jsap_domain::missions::MissionStatus;
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

/// Where a drafted translation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TranslationState {
    /// Waiting for a person to review it.
    Drafted,
    /// The engine gave no usable answer: tried again after a while.
    Failed,
    /// The reviewer did not want it: not drafted again until the mission's text changes.
    Discarded,
}

impl TranslationState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Drafted => "drafted",
            Self::Failed => "failed",
            Self::Discarded => "discarded",
        }
    }
}

/// A translation waiting for review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranslationDraft {
    pub mission_id: i64,
    pub locale: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    /// The engine that wrote it (the LLM's model name is in the logs).
    pub engine: String,
    pub drafted_at: DateTime<Utc>,
}

impl From<row::Model> for TranslationDraft {
    fn from(m: row::Model) -> Self {
        Self {
            mission_id: m.mission_id,
            locale: m.locale,
            title: m.title,
            summary: m.summary,
            description: m.description,
            engine: m.engine,
            drafted_at: m.attempted_at,
        }
    }
}

/// The text a row records: a draft's, or none for a failure or a discard.
#[derive(Debug, Clone, Copy, Default)]
pub struct TranslationText<'t> {
    pub title: &'t str,
    pub summary: &'t str,
    pub description: &'t str,
}

tenant_repository! {
    /// The drafted translations of one tenant's missions.
    MissionTranslations
}

impl<'a, C: crate::Connection> MissionTranslations<'a, C> {
    /// Up to `limit` missions in one of `statuses` without a text in `locale`, nor a row for
    /// it other than a failure older than `retry_before`; oldest mission first.
    pub async fn to_draft(
        &self,
        locale: &str,
        statuses: &[MissionStatus],
        retry_before: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<i64>, StoreError> {
        let tenant = self.scope.id();
        let written = Query::select()
            .column(mission_text::Column::MissionId)
            .from(mission_text::Entity)
            .and_where(Expr::col(mission_text::Column::TenantId).eq(tenant))
            .and_where(Expr::col(mission_text::Column::Locale).eq(locale))
            .to_owned();
        let settled = Query::select()
            .column(row::Column::MissionId)
            .from(row::Entity)
            .and_where(Expr::col(row::Column::TenantId).eq(tenant))
            .and_where(Expr::col(row::Column::Locale).eq(locale))
            .and_where(
                Expr::col(row::Column::State)
                    .ne(TranslationState::Failed.as_str())
                    .or(Expr::col(row::Column::AttemptedAt).gte(retry_before)),
            )
            .to_owned();
        Ok(self
            .scope
            .all::<mission::Entity>()
            .filter(mission::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
            .filter(mission::Column::Id.not_in_subquery(written))
            .filter(mission::Column::Id.not_in_subquery(settled))
            .order_by_asc(mission::Column::Id)
            .limit(limit)
            .select_only()
            .column(mission::Column::Id)
            .into_tuple::<i64>()
            .all(&self.conn)
            .await?)
    }

    /// Records what became of `mission_id`'s translation into `locale` at `now`, over any
    /// earlier row.
    pub async fn put(
        &self,
        mission_id: i64,
        locale: &str,
        state: TranslationState,
        text: TranslationText<'_>,
        engine: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let model = row::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            mission_id: Set(mission_id),
            locale: Set(locale.to_owned()),
            state: Set(state.as_str().to_owned()),
            title: Set(text.title.to_owned()),
            summary: Set(text.summary.to_owned()),
            description: Set(text.description.to_owned()),
            engine: Set(engine.to_owned()),
            attempted_at: Set(now),
            ..Default::default()
        };
        row::Entity::insert(model)
            .on_conflict(
                OnConflict::columns([
                    row::Column::TenantId,
                    row::Column::MissionId,
                    row::Column::Locale,
                ])
                .update_columns([
                    row::Column::State,
                    row::Column::Title,
                    row::Column::Summary,
                    row::Column::Description,
                    row::Column::Engine,
                    row::Column::AttemptedAt,
                ])
                .to_owned(),
            )
            .exec_without_returning(&self.conn)
            .await?;
        Ok(())
    }

    /// The translations of `mission_id` waiting for review, by language.
    pub async fn drafts(&self, mission_id: i64) -> Result<Vec<TranslationDraft>, StoreError> {
        Ok(self
            .scope
            .all::<row::Entity>()
            .filter(row::Column::MissionId.eq(mission_id))
            .filter(row::Column::State.eq(TranslationState::Drafted.as_str()))
            .order_by_asc(row::Column::Locale)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(TranslationDraft::from)
            .collect())
    }

    /// Forgets `mission_id`'s rows (for `locale` only, when given): its text changed, or the
    /// language now has a text of its own. How many were removed.
    pub async fn forget(&self, mission_id: i64, locale: Option<&str>) -> Result<u64, StoreError> {
        let mut delete = self
            .scope
            .delete::<row::Entity>()
            .filter(row::Column::MissionId.eq(mission_id));
        if let Some(locale) = locale {
            delete = delete.filter(row::Column::Locale.eq(locale));
        }
        Ok(delete.exec(&self.conn).await?.rows_affected)
    }
}
