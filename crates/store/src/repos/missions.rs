use super::Scope;
use super::catalogue::bump_version;
use crate::StoreError;
use crate::entities::{mission, mission_contribution, mission_text, organisation};
use crate::repos::mission_edits::{MissionFields, record_of};
use crate::repos::photos::{MissionPhotos, NewMissionPhoto};
use crate::repos::search::MissionHit;
use chrono::NaiveDate;
use sea_orm::ExprTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;

/// A mission's text in one locale.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MissionText {
    pub locale: String,
    pub title: String,
    pub summary: String,
    pub description: String,
}

/// A mission written straight in (seed data, tests): its editor's fields under `slug`,
/// published (as if reviewed) or a draft.
#[derive(Debug, Clone)]
pub struct NewMission {
    pub slug: String,
    pub published: bool,
    pub fields: MissionFields,
    /// In display order; their bytes must already be in blob storage.
    pub photos: Vec<NewMissionPhoto>,
}

/// One mission with its text in a locale, for the mission page: the listing's fields plus
/// the full text.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MissionDetail {
    #[serde(flatten)]
    pub mission: MissionHit,
    pub description: String,
    pub skills: Vec<String>,
    /// The locale the text is in (the requested one, or another when it is missing).
    pub locale: String,
    pub capacity: Option<i32>,
    pub contact_name: String,
    /// Published after a review ("Validé par <site>").
    pub validated: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MissionCounts {
    pub open: u64,
    pub by_city: HashMap<i64, u64>,
}

/// The public missions: published, of a verified organisation of this tenant.
pub(crate) fn public_missions(scope: &Scope) -> sea_orm::Select<mission::Entity> {
    use sea_orm::sea_query::Query;
    let verified = Query::select()
        .column(organisation::Column::Id)
        .from(organisation::Entity)
        .and_where(Expr::col(organisation::Column::TenantId).eq(scope.id()))
        .and_where(Expr::col(organisation::Column::Verified).eq(true))
        .and_where(Expr::col(organisation::Column::HiddenAt).is_null())
        .to_owned();
    // Hidden by moderation: out of sight until reviewed.
    scope
        .all::<mission::Entity>()
        .filter(mission::Column::Status.eq("published"))
        .filter(mission::Column::HiddenAt.is_null())
        .filter(mission::Column::OrganisationId.in_subquery(verified))
}

tenant_repository! {
    /// Missions of one tenant.
    Missions
}

const INSERT_CHUNK: usize = 500;

#[derive(FromQueryResult)]
struct CityCount {
    city_id: i64,
    n: i64,
}

impl<'a, C: crate::Connection> Missions<'a, C> {
    /// Inserts missions with their texts and contribution types (seed data: a published one
    /// counts as reviewed, "Validé par"). Run it in a transaction:
    /// a failure half-way must leave nothing behind.
    pub async fn insert_all(&self, missions: Vec<NewMission>) -> Result<usize, StoreError> {
        let now = chrono::Utc::now();
        let tenant_id = self.scope.id().to_owned();
        let count = missions.len();
        let photos = MissionPhotos {
            conn: self.conn.clone(),
            scope: self.scope.clone(),
        };
        let mut texts = Vec::with_capacity(count * 2);
        let mut contributions = Vec::with_capacity(count * 2);
        for m in missions {
            if m.fields.terms.ends_on < m.fields.terms.starts_on {
                return Err(StoreError::Refused(format!(
                    "mission {} ends before it starts",
                    m.slug
                )));
            }
            let inserted = mission::Entity::insert(mission::ActiveModel {
                tenant_id: Set(tenant_id.clone()),
                status: Set(if m.published { "published" } else { "draft" }.to_owned()),
                created_at: Set(now),
                published_at: Set(m.published.then_some(now)),
                // Seeded missions stand for missions a reviewer published.
                validated: Set(m.published),
                ..mission_row(&m.fields, &m.slug)
            })
            .exec(&self.conn)
            .await?;
            let id = inserted.last_insert_id;
            photos.insert_for(id, &m.photos, now).await?;
            for t in &m.fields.texts {
                texts.push(text_row(&tenant_id, id, t));
            }
            for c in &m.fields.terms.contribution_types {
                contributions.push(contribution_row(&tenant_id, id, c));
            }
        }
        while !texts.is_empty() {
            let rest = texts.split_off(texts.len().saturating_sub(INSERT_CHUNK));
            mission_text::Entity::insert_many(rest)
                .exec_without_returning(&self.conn)
                .await?;
        }
        while !contributions.is_empty() {
            let rest = contributions.split_off(contributions.len().saturating_sub(INSERT_CHUNK));
            mission_contribution::Entity::insert_many(rest)
                .exec_without_returning(&self.conn)
                .await?;
        }
        bump_version(&self.conn, &tenant_id).await?;
        Ok(count)
    }

    /// The public missions: published, of a verified organisation of this tenant.
    fn public(&self) -> sea_orm::Select<mission::Entity> {
        public_missions(&self.scope)
    }

    /// Published missions still open on `today`, in total and per city.
    pub async fn open_counts(&self, today: NaiveDate) -> Result<MissionCounts, StoreError> {
        let rows = self
            .public()
            .select_only()
            .column(mission::Column::CityId)
            .column_as(Expr::col(mission::Column::Id).count(), "n")
            .filter(mission::Column::EndsOn.gte(today))
            .group_by(mission::Column::CityId)
            .into_model::<CityCount>()
            .all(&self.conn)
            .await?;
        let mut counts = MissionCounts::default();
        for row in rows {
            let n = u64::try_from(row.n).unwrap_or(0);
            counts.open += n;
            counts.by_city.insert(row.city_id, n);
        }
        Ok(counts)
    }

    /// A published mission of this tenant, with its text in `locale` (or the first written).
    pub async fn published(
        &self,
        id: i64,
        locale: &str,
    ) -> Result<Option<MissionDetail>, StoreError> {
        let Some(m) = self
            .public()
            .filter(mission::Column::Id.eq(id))
            .one(&self.conn)
            .await?
        else {
            return Ok(None);
        };
        let record = record_of(&self.conn, &self.scope, m).await?;
        if record.fields.texts.is_empty() {
            return Ok(None);
        }
        Ok(Some(record.detail(locale)))
    }

    /// (id, slug) of every published mission still open on `today`, for the sitemap.
    pub async fn open_slugs(&self, today: NaiveDate) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(self
            .public()
            .filter(mission::Column::EndsOn.gte(today))
            .order_by_asc(mission::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|m| (m.id, m.slug))
            .collect())
    }

    /// Every mission of the tenant, published or not.
    pub async fn count_all(&self) -> Result<u64, StoreError> {
        Ok(self
            .scope
            .all::<mission::Entity>()
            .count(&self.conn)
            .await?)
    }

    /// Missions of one organisation of the tenant, published or not.
    pub async fn count_of_organisation(&self, organisation_id: i64) -> Result<u64, StoreError> {
        Ok(self
            .scope
            .all::<mission::Entity>()
            .filter(mission::Column::OrganisationId.eq(organisation_id))
            .count(&self.conn)
            .await?)
    }

    /// Missions of one city that are on the site or on their way to it (published, submitted
    /// or asked to change): a city that has some stays on the site.
    pub async fn count_live_in_city(&self, city_id: i64) -> Result<u64, StoreError> {
        Ok(self
            .scope
            .all::<mission::Entity>()
            .filter(mission::Column::CityId.eq(city_id))
            .filter(mission::Column::Status.is_in(["published", "submitted", "changes_requested"]))
            .count(&self.conn)
            .await?)
    }

    /// Titles in one locale, for listings; missions without a text in it are skipped.
    pub async fn titles(&self, locale: &str, limit: u64) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(self
            .scope
            .all::<mission_text::Entity>()
            .filter(mission_text::Column::Locale.eq(locale))
            .limit(limit)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|t| (t.mission_id, t.title))
            .collect())
    }

    /// Contribution types of a mission of this tenant.
    pub async fn contributions(&self, mission_id: i64) -> Result<Vec<String>, StoreError> {
        contributions_of(&self.conn, &self.scope, mission_id).await
    }
}

/// Contribution types of mission `mission_id` of `scope`'s tenant, in no particular order.
pub(crate) async fn contributions_of<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    mission_id: i64,
) -> Result<Vec<String>, StoreError> {
    Ok(scope
        .all::<mission_contribution::Entity>()
        .filter(mission_contribution::Column::MissionId.eq(mission_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.contribution)
        .collect())
}

/// The row of a mission of `fields` under `slug`: the columns its editor sets (its status,
/// dates of creation and review are the caller's).
pub(crate) fn mission_row(fields: &MissionFields, slug: &str) -> mission::ActiveModel {
    mission::ActiveModel {
        organisation_id: Set(fields.organisation_id),
        city_id: Set(fields.city_id),
        slug: Set(slug.to_owned()),
        domain: Set(fields.terms.domain.clone()),
        mission_type: Set(fields.terms.mission_type.clone()),
        remote: Set(fields.terms.remote),
        urgent: Set(fields.terms.urgent),
        featured: Set(fields.featured),
        flexible: Set(fields.terms.flexible),
        starts_on: Set(fields.terms.starts_on),
        ends_on: Set(fields.terms.ends_on),
        skills: Set(fields.skills.join(", ")),
        capacity: Set(fields.capacity),
        contact_name: Set(fields.contact_name.clone()),
        ..Default::default()
    }
}

/// The row of text `t` of mission `mission_id`.
pub(crate) fn text_row(
    tenant_id: &str,
    mission_id: i64,
    t: &MissionText,
) -> mission_text::ActiveModel {
    mission_text::ActiveModel {
        tenant_id: Set(tenant_id.to_owned()),
        mission_id: Set(mission_id),
        locale: Set(t.locale.clone()),
        title: Set(t.title.clone()),
        summary: Set(t.summary.clone()),
        description: Set(t.description.clone()),
        ..Default::default()
    }
}

/// The row of contribution type `contribution` of mission `mission_id`.
pub(crate) fn contribution_row(
    tenant_id: &str,
    mission_id: i64,
    contribution: &str,
) -> mission_contribution::ActiveModel {
    mission_contribution::ActiveModel {
        tenant_id: Set(tenant_id.to_owned()),
        mission_id: Set(mission_id),
        contribution: Set(contribution.to_owned()),
    }
}
