//! Reading missions: one with all it holds, lists and review queues, the ended ones and a
//! mission's history.

use super::*;
use crate::StoreError;
use crate::entities::{mission, mission_history, mission_text};
use crate::repos::missions::contributions_of;
use sea_orm::{ColumnTrait, Condition, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

impl<C: crate::Connection> MissionEdits<'_, C> {
    /// Mission `id` of this tenant, whatever its status.
    pub async fn find(&self, id: i64) -> Result<Option<MissionRecord>, StoreError> {
        let Some(m) = self
            .scope
            .all::<mission::Entity>()
            .filter(mission::Column::Id.eq(id))
            .one(&self.conn)
            .await?
        else {
            return Ok(None);
        };
        record_of(&self.conn, &self.scope, m).await.map(Some)
    }

    fn filtered(&self, filter: &MissionFilter) -> sea_orm::Select<mission::Entity> {
        let mut select = self.scope.all::<mission::Entity>();
        if filter.organisations.is_some() || filter.cities.is_some() {
            let mut any = Condition::any();
            if let Some(ids) = &filter.organisations {
                any = any.add(mission::Column::OrganisationId.is_in(ids.clone()));
            }
            if let Some(ids) = &filter.cities {
                any = any.add(mission::Column::CityId.is_in(ids.clone()));
            }
            select = select.filter(any);
        }
        if !filter.statuses.is_empty() {
            select = select
                .filter(mission::Column::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
        }
        select
    }

    /// One page of the missions `filter` selects, most recently changed first, with their
    /// title in `locale` (or their first one), and how many there are in all.
    pub async fn list(
        &self,
        filter: &MissionFilter,
        locale: &str,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<MissionRow>, u64), StoreError> {
        let total = self.filtered(filter).count(&self.conn).await?;
        let missions = self
            .filtered(filter)
            .order_by_desc(mission::Column::UpdatedAt)
            .order_by_desc(mission::Column::Id)
            .offset(offset)
            .limit(limit)
            .all(&self.conn)
            .await?;
        Ok((self.rows(missions, locale).await?, total))
    }

    /// Submitted missions `filter` selects, the longest waiting first.
    pub async fn queue(
        &self,
        filter: &MissionFilter,
        locale: &str,
        limit: u64,
    ) -> Result<(Vec<MissionRow>, u64), StoreError> {
        let filter = MissionFilter {
            statuses: vec![MissionStatus::Submitted],
            ..filter.clone()
        };
        let total = self.filtered(&filter).count(&self.conn).await?;
        let missions = self
            .filtered(&filter)
            .order_by_asc(mission::Column::SubmittedAt)
            .order_by_asc(mission::Column::Id)
            .limit(limit)
            .all(&self.conn)
            .await?;
        Ok((self.rows(missions, locale).await?, total))
    }

    async fn rows(
        &self,
        missions: Vec<mission::Model>,
        locale: &str,
    ) -> Result<Vec<MissionRow>, StoreError> {
        let ids: Vec<i64> = missions.iter().map(|m| m.id).collect();
        let texts = if ids.is_empty() {
            Vec::new()
        } else {
            self.scope
                .all::<mission_text::Entity>()
                .filter(mission_text::Column::MissionId.is_in(ids))
                .order_by_asc(mission_text::Column::Id)
                .all(&self.conn)
                .await?
        };
        Ok(missions
            .into_iter()
            .map(|m| {
                let mine = texts.iter().filter(|t| t.mission_id == m.id);
                let title = mine
                    .clone()
                    .find(|t| t.locale == locale)
                    .or(mine.clone().next())
                    .map_or(String::new(), |t| t.title.clone());
                MissionRow {
                    id: m.id,
                    slug: m.slug,
                    title,
                    status: MissionStatus::parse(&m.status).unwrap_or(MissionStatus::Draft),
                    organisation_id: m.organisation_id,
                    city_id: m.city_id,
                    remote: m.remote,
                    flexible: m.flexible,
                    starts_on: m.starts_on,
                    ends_on: m.ends_on,
                    submitted_at: m.submitted_at,
                    updated_at: m.updated_at.unwrap_or(m.created_at),
                }
            })
            .collect())
    }

    /// Published missions whose window ended before `today`.
    pub async fn ended(&self, today: NaiveDate) -> Result<Vec<i64>, StoreError> {
        Ok(self
            .scope
            .all::<mission::Entity>()
            .filter(mission::Column::Status.eq(MissionStatus::Published.as_str()))
            .filter(mission::Column::EndsOn.lt(today))
            .order_by_asc(mission::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect())
    }

    /// Mission `id`'s history, oldest first.
    pub async fn history(&self, id: i64) -> Result<Vec<HistoryEntry>, StoreError> {
        Ok(self
            .scope
            .all::<mission_history::Entity>()
            .filter(mission_history::Column::MissionId.eq(id))
            .order_by_asc(mission_history::Column::At)
            .order_by_asc(mission_history::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|h| HistoryEntry {
                at: h.at,
                account_id: h.account_id,
                action: h.action,
                detail: h.detail,
            })
            .collect())
    }
}

/// Mission `m` of `scope`'s tenant with its texts (in the order written) and contribution
/// types (sorted).
pub(crate) async fn record_of<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    m: mission::Model,
) -> Result<MissionRecord, StoreError> {
    let texts = scope
        .all::<mission_text::Entity>()
        .filter(mission_text::Column::MissionId.eq(m.id))
        .order_by_asc(mission_text::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|t| MissionText {
            locale: t.locale,
            title: t.title,
            summary: t.summary,
            description: t.description,
        })
        .collect();
    let mut contributions = contributions_of(conn, scope, m.id).await?;
    contributions.sort();
    let status = MissionStatus::parse(&m.status)
        .ok_or_else(|| StoreError::Corrupt(format!("mission status {}", m.status)))?;
    Ok(MissionRecord {
        id: m.id,
        slug: m.slug,
        status,
        fields: MissionFields {
            organisation_id: m.organisation_id,
            city_id: m.city_id,
            featured: m.featured,
            terms: MissionTerms {
                domain: m.domain,
                mission_type: m.mission_type,
                contribution_types: contributions,
                remote: m.remote,
                urgent: m.urgent,
                flexible: m.flexible,
                starts_on: m.starts_on,
                ends_on: m.ends_on,
            },
            skills: split_skills(&m.skills),
            capacity: m.capacity,
            contact_name: m.contact_name,
            texts,
        },
        created_by: m.created_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
        submitted_at: m.submitted_at,
        published_at: m.published_at,
        reviewed_by: m.reviewed_by,
        reviewed_at: m.reviewed_at,
        review_comment: m.review_comment,
        validated: m.validated,
        closed_reason: m.closed_reason,
        hidden: m.hidden_at.is_some(),
    })
}
