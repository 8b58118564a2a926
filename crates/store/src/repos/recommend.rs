//! The facts the recommendation ranks, for one tenant: its public missions (published, not
//! hidden, of a verified organisation) still open on a day, in some cities or remote, with
//! their contribution types and the locales of their texts. Three queries, each bound to the
//! tenant; no text is read.

use crate::StoreError;
use crate::entities::{mission, mission_contribution, mission_text};
use crate::repos::mission_edits::MissionTerms;
use crate::repos::missions::public_missions;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// Which missions to read: those still open on `today`, in one of `city_ids`, or remote
/// anywhere when `remote`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateFilter {
    pub today: NaiveDate,
    pub city_ids: Vec<i64>,
    pub remote: bool,
}

/// One public mission as the ranking reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateMission {
    pub id: i64,
    pub slug: String,
    pub city_id: i64,
    pub terms: MissionTerms,
    pub skills: Vec<String>,
    /// The locales the mission has a text in (`fr`, `en`, `ar`).
    pub locales: Vec<String>,
    pub published_at: Option<DateTime<Utc>>,
}

#[derive(FromQueryResult)]
struct Row {
    id: i64,
    slug: String,
    city_id: i64,
    domain: String,
    mission_type: String,
    remote: bool,
    urgent: bool,
    flexible: bool,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    skills: String,
    published_at: Option<DateTime<Utc>>,
}

#[derive(FromQueryResult)]
struct Label {
    mission_id: i64,
    value: String,
}

#[derive(FromQueryResult)]
struct Title {
    mission_id: i64,
    locale: String,
    title: String,
}

/// Ids per `IN (...)` list: far under every database's limit on parameters.
const CHUNK: usize = 500;

tenant_repository! {
    /// The missions a member may be recommended, of one tenant.
    Recommendables
}

impl<'a, C: crate::Connection> Recommendables<'a, C> {
    /// The public missions `filter` selects, by id. Empty without a query when it selects
    /// nothing (no city and not remote).
    pub async fn candidates(
        &self,
        filter: &CandidateFilter,
    ) -> Result<Vec<CandidateMission>, StoreError> {
        if filter.city_ids.is_empty() && !filter.remote {
            return Ok(vec![]);
        }
        let mut place = Condition::any();
        if !filter.city_ids.is_empty() {
            place = place.add(mission::Column::CityId.is_in(filter.city_ids.clone()));
        }
        if filter.remote {
            place = place.add(mission::Column::Remote.eq(true));
        }
        let rows = public_missions(&self.scope)
            .filter(mission::Column::EndsOn.gte(filter.today))
            .filter(place)
            .order_by_asc(mission::Column::Id)
            .select_only()
            .columns([
                mission::Column::Id,
                mission::Column::Slug,
                mission::Column::CityId,
                mission::Column::Domain,
                mission::Column::MissionType,
                mission::Column::Remote,
                mission::Column::Urgent,
                mission::Column::Flexible,
                mission::Column::StartsOn,
                mission::Column::EndsOn,
                mission::Column::Skills,
                mission::Column::PublishedAt,
            ])
            .into_model::<Row>()
            .all(&self.conn)
            .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut contributions = self.contributions(&ids).await?;
        let mut locales = self.locales(&ids).await?;
        Ok(rows
            .into_iter()
            .map(|r| CandidateMission {
                skills: r
                    .skills
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
                terms: MissionTerms {
                    contribution_types: contributions.remove(&r.id).unwrap_or_default(),
                    domain: r.domain,
                    mission_type: r.mission_type,
                    remote: r.remote,
                    urgent: r.urgent,
                    flexible: r.flexible,
                    starts_on: r.starts_on,
                    ends_on: r.ends_on,
                },
                locales: locales.remove(&r.id).unwrap_or_default(),
                id: r.id,
                slug: r.slug,
                city_id: r.city_id,
                published_at: r.published_at,
            })
            .collect())
    }

    /// The distinct labels of missions `ids`, sorted, read in chunks by `query`.
    async fn labels(
        &self,
        ids: &[i64],
        query: impl Fn(Vec<i64>) -> sea_orm::Selector<sea_orm::SelectModel<Label>>,
    ) -> Result<HashMap<i64, Vec<String>>, StoreError> {
        let mut found: HashMap<i64, Vec<String>> = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            for l in query(chunk.to_vec()).all(&self.conn).await? {
                found.entry(l.mission_id).or_default().push(l.value);
            }
        }
        for list in found.values_mut() {
            list.sort();
            list.dedup();
        }
        Ok(found)
    }

    async fn contributions(&self, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, StoreError> {
        self.labels(ids, |chunk| {
            self.scope
                .all::<mission_contribution::Entity>()
                .filter(mission_contribution::Column::MissionId.is_in(chunk))
                .select_only()
                .column(mission_contribution::Column::MissionId)
                .column_as(mission_contribution::Column::Contribution, "value")
                .into_model::<Label>()
        })
        .await
    }

    async fn locales(&self, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, StoreError> {
        self.labels(ids, |chunk| {
            self.scope
                .all::<mission_text::Entity>()
                .filter(mission_text::Column::MissionId.is_in(chunk))
                .select_only()
                .column(mission_text::Column::MissionId)
                .column_as(mission_text::Column::Locale, "value")
                .into_model::<Label>()
        })
        .await
    }

    /// The titles of missions `ids` in `locale`, or else in `fallback`, or else in any locale.
    pub async fn titles(
        &self,
        ids: &[i64],
        locale: &str,
        fallback: &str,
    ) -> Result<HashMap<i64, String>, StoreError> {
        let rank = |l: &str| u8::from(l != locale) + u8::from(l != fallback);
        let mut best: HashMap<i64, (u8, String)> = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let texts = self
                .scope
                .all::<mission_text::Entity>()
                .filter(mission_text::Column::MissionId.is_in(chunk.to_vec()))
                .select_only()
                .column(mission_text::Column::MissionId)
                .column(mission_text::Column::Locale)
                .column(mission_text::Column::Title)
                .order_by_asc(mission_text::Column::Locale)
                .into_model::<Title>()
                .all(&self.conn)
                .await?;
            for t in texts {
                let r = rank(&t.locale);
                if best.get(&t.mission_id).is_none_or(|(found, _)| r < *found) {
                    best.insert(t.mission_id, (r, t.title));
                }
            }
        }
        Ok(best
            .into_iter()
            .map(|(id, (_, title))| (id, title))
            .collect())
    }
}
