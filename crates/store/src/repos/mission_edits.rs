//! Missions as their editors and reviewers see them, whatever their status: create a draft,
//! save it, move it along its lifecycle (a conditional update: two reviewers deciding at once
//! cannot both win), list them for a space or a review queue, and keep their history.

use super::Scope;
use super::catalogue::bump_version;
use super::search::{IndexRow, clear_mission_index, mission_body, write_index};
use crate::StoreError;
use crate::entities::{city, mission, mission_contribution, mission_history, mission_text};
use crate::repos::missions::NewMissionText;
use chrono::{DateTime, NaiveDate, Utc};
use jsap_domain::missions::MissionStatus;
use jsap_tenancy::Tenant;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;

/// Every field an editor sets.
#[derive(Debug, Clone)]
pub struct MissionFields {
    pub organisation_id: i64,
    pub city_id: i64,
    pub domain: String,
    pub mission_type: String,
    pub contributions: Vec<String>,
    pub remote: bool,
    pub urgent: bool,
    pub featured: bool,
    pub flexible: bool,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub skills: Vec<String>,
    pub capacity: Option<i32>,
    pub contact_name: String,
    /// The default locale's first.
    pub texts: Vec<NewMissionText>,
}

/// A mission with all it holds, for its editor and its reviewers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissionRecord {
    pub id: i64,
    pub slug: String,
    pub status: MissionStatus,
    pub organisation_id: i64,
    pub city_id: i64,
    pub domain: String,
    pub mission_type: String,
    pub contributions: Vec<String>,
    pub remote: bool,
    pub urgent: bool,
    pub featured: bool,
    pub flexible: bool,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub skills: Vec<String>,
    pub capacity: Option<i32>,
    pub contact_name: String,
    pub texts: Vec<MissionTextRecord>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTime<Utc>>,
    /// The last reviewer's comment (changes requested, refused).
    pub review_comment: String,
    /// Published after a review ("Validé par <site>").
    pub validated: bool,
    /// `filled` or `cancelled` once closed.
    pub closed_reason: String,
}

impl MissionRecord {
    /// The text in `locale`, or the first one (the default locale's).
    pub fn text(&self, locale: &str) -> Option<&MissionTextRecord> {
        self.texts
            .iter()
            .find(|t| t.locale == locale)
            .or(self.texts.first())
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MissionTextRecord {
    pub locale: String,
    pub title: String,
    pub summary: String,
    pub description: String,
}

/// One line of a list of missions.
#[derive(Debug, Clone, Serialize)]
pub struct MissionRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub status: MissionStatus,
    pub organisation_id: i64,
    pub city_id: i64,
    pub remote: bool,
    pub flexible: bool,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// Which missions a list holds: those of `organisations` or in `cities` (`None`: every one
/// of the tenant), in `statuses` (empty: all).
#[derive(Debug, Clone, Default)]
pub struct MissionFilter {
    pub organisations: Option<Vec<i64>>,
    pub cities: Option<Vec<i64>>,
    pub statuses: Vec<MissionStatus>,
}

/// What a lifecycle step writes besides the status.
#[derive(Debug, Clone, Default)]
pub struct StepWrite {
    /// The reviewer of a review step, with their comment.
    pub reviewer: Option<i64>,
    pub comment: String,
    /// `filled` or `cancelled` when closing.
    pub closed_reason: String,
}

/// One entry of a mission's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub account_id: Option<i64>,
    pub action: String,
    pub detail: String,
}

/// Missions of one tenant, for their editors and reviewers.
pub struct MissionEdits<'a, C> {
    conn: &'a C,
    scope: Scope,
}

fn split_skills(s: &str) -> Vec<String> {
    s.split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

impl<'a, C: ConnectionTrait> MissionEdits<'a, C> {
    pub fn for_tenant(conn: &'a C, tenant: &Tenant) -> Self {
        Self {
            conn,
            scope: Scope::of(tenant),
        }
    }

    /// Creates a draft of `fields` by `by`; returns its id. Run it in a transaction.
    pub async fn create(
        &self,
        fields: &MissionFields,
        slug: &str,
        by: i64,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.check_city(fields.city_id).await?;
        let inserted = mission::Entity::insert(mission::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            organisation_id: Set(fields.organisation_id),
            city_id: Set(fields.city_id),
            slug: Set(slug.to_owned()),
            domain: Set(fields.domain.clone()),
            mission_type: Set(fields.mission_type.clone()),
            remote: Set(fields.remote),
            urgent: Set(fields.urgent),
            featured: Set(fields.featured),
            status: Set(MissionStatus::Draft.as_str().to_owned()),
            starts_on: Set(fields.starts_on),
            ends_on: Set(fields.ends_on),
            skills: Set(fields.skills.join(", ")),
            created_at: Set(now),
            published_at: Set(None),
            flexible: Set(fields.flexible),
            capacity: Set(fields.capacity),
            contact_name: Set(fields.contact_name.clone()),
            created_by: Set(Some(by)),
            updated_at: Set(Some(now)),
            submitted_at: Set(None),
            reviewed_by: Set(None),
            reviewed_at: Set(None),
            review_comment: Set(String::new()),
            validated: Set(false),
            closed_reason: Set(String::new()),
            ..Default::default()
        })
        .exec(self.conn)
        .await?;
        let id = inserted.last_insert_id;
        self.write_parts(id, fields).await?;
        Ok(id)
    }

    async fn check_city(&self, city_id: i64) -> Result<(), StoreError> {
        let known = self
            .scope
            .all::<city::Entity>()
            .filter(city::Column::Id.eq(city_id))
            .count(self.conn)
            .await?;
        if known == 0 {
            return Err(StoreError::UnknownCity(city_id.to_string()));
        }
        Ok(())
    }

    /// Texts, contribution types and search rows of mission `id`, replacing any there were.
    async fn write_parts(&self, id: i64, fields: &MissionFields) -> Result<(), StoreError> {
        let tenant_id = self.scope.id().to_owned();
        self.scope
            .delete::<mission_text::Entity>()
            .filter(mission_text::Column::MissionId.eq(id))
            .exec(self.conn)
            .await?;
        self.scope
            .delete::<mission_contribution::Entity>()
            .filter(mission_contribution::Column::MissionId.eq(id))
            .exec(self.conn)
            .await?;
        clear_mission_index(self.conn, &tenant_id, id).await?;
        if !fields.texts.is_empty() {
            mission_text::Entity::insert_many(fields.texts.iter().map(|t| {
                mission_text::ActiveModel {
                    tenant_id: Set(tenant_id.clone()),
                    mission_id: Set(id),
                    locale: Set(t.locale.clone()),
                    title: Set(t.title.clone()),
                    summary: Set(t.summary.clone()),
                    description: Set(t.description.clone()),
                    ..Default::default()
                }
            }))
            .exec_without_returning(self.conn)
            .await?;
        }
        if !fields.contributions.is_empty() {
            mission_contribution::Entity::insert_many(fields.contributions.iter().map(|c| {
                mission_contribution::ActiveModel {
                    tenant_id: Set(tenant_id.clone()),
                    mission_id: Set(id),
                    contribution: Set(c.clone()),
                }
            }))
            .exec_without_returning(self.conn)
            .await?;
        }
        let city = self
            .scope
            .all::<city::Entity>()
            .filter(city::Column::Id.eq(fields.city_id))
            .one(self.conn)
            .await?;
        let skills = fields.skills.join(" ");
        let rows: Vec<IndexRow> = fields
            .texts
            .iter()
            .map(|t| {
                let city_name = city
                    .as_ref()
                    .map_or(String::new(), |c| match t.locale.as_str() {
                        "en" => c.name_en.clone().unwrap_or_else(|| c.name.clone()),
                        "ar" => c.name_ar.clone().unwrap_or_else(|| c.name.clone()),
                        _ => c.name.clone(),
                    });
                IndexRow {
                    mission_id: id,
                    locale: t.locale.clone(),
                    body: mission_body(
                        &t.locale,
                        &[&t.title, &t.summary, &t.description, &skills, &city_name],
                        &fields.domain,
                        &fields.mission_type,
                    ),
                }
            })
            .collect();
        write_index(self.conn, &tenant_id, &rows).await?;
        bump_version(self.conn, &tenant_id).await?;
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
        self.check_city(fields.city_id).await?;
        let updated = self
            .scope
            .update::<mission::Entity>()
            .col_expr(
                mission::Column::OrganisationId,
                Expr::value(fields.organisation_id),
            )
            .col_expr(mission::Column::CityId, Expr::value(fields.city_id))
            .col_expr(mission::Column::Slug, Expr::value(slug))
            .col_expr(mission::Column::Domain, Expr::value(fields.domain.as_str()))
            .col_expr(
                mission::Column::MissionType,
                Expr::value(fields.mission_type.as_str()),
            )
            .col_expr(mission::Column::Remote, Expr::value(fields.remote))
            .col_expr(mission::Column::Urgent, Expr::value(fields.urgent))
            .col_expr(mission::Column::Featured, Expr::value(fields.featured))
            .col_expr(mission::Column::Flexible, Expr::value(fields.flexible))
            .col_expr(mission::Column::StartsOn, Expr::value(fields.starts_on))
            .col_expr(mission::Column::EndsOn, Expr::value(fields.ends_on))
            .col_expr(
                mission::Column::Skills,
                Expr::value(fields.skills.join(", ")),
            )
            .col_expr(mission::Column::Capacity, Expr::value(fields.capacity))
            .col_expr(
                mission::Column::ContactName,
                Expr::value(fields.contact_name.as_str()),
            )
            .col_expr(mission::Column::UpdatedAt, Expr::value(now))
            .filter(mission::Column::Id.eq(id))
            .exec(self.conn)
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
            .exec(self.conn)
            .await?;
        if updated.rows_affected == 1 {
            bump_version(self.conn, self.scope.id()).await?;
        }
        Ok(updated.rows_affected == 1)
    }

    /// Mission `id` of this tenant, whatever its status.
    pub async fn find(&self, id: i64) -> Result<Option<MissionRecord>, StoreError> {
        let Some(m) = self
            .scope
            .all::<mission::Entity>()
            .filter(mission::Column::Id.eq(id))
            .one(self.conn)
            .await?
        else {
            return Ok(None);
        };
        let texts = self
            .scope
            .all::<mission_text::Entity>()
            .filter(mission_text::Column::MissionId.eq(id))
            .order_by_asc(mission_text::Column::Id)
            .all(self.conn)
            .await?
            .into_iter()
            .map(|t| MissionTextRecord {
                locale: t.locale,
                title: t.title,
                summary: t.summary,
                description: t.description,
            })
            .collect();
        let mut contributions: Vec<String> = self
            .scope
            .all::<mission_contribution::Entity>()
            .filter(mission_contribution::Column::MissionId.eq(id))
            .all(self.conn)
            .await?
            .into_iter()
            .map(|c| c.contribution)
            .collect();
        contributions.sort();
        let status = MissionStatus::parse(&m.status)
            .ok_or_else(|| StoreError::Corrupt(format!("mission status {}", m.status)))?;
        Ok(Some(MissionRecord {
            id: m.id,
            slug: m.slug,
            status,
            organisation_id: m.organisation_id,
            city_id: m.city_id,
            domain: m.domain,
            mission_type: m.mission_type,
            contributions,
            remote: m.remote,
            urgent: m.urgent,
            featured: m.featured,
            flexible: m.flexible,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            skills: split_skills(&m.skills),
            capacity: m.capacity,
            contact_name: m.contact_name,
            texts,
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
        }))
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
        let total = self.filtered(filter).count(self.conn).await?;
        let missions = self
            .filtered(filter)
            .order_by_desc(mission::Column::UpdatedAt)
            .order_by_desc(mission::Column::Id)
            .offset(offset)
            .limit(limit)
            .all(self.conn)
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
        let total = self.filtered(&filter).count(self.conn).await?;
        let missions = self
            .filtered(&filter)
            .order_by_asc(mission::Column::SubmittedAt)
            .order_by_asc(mission::Column::Id)
            .limit(limit)
            .all(self.conn)
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
                .all(self.conn)
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
            .all(self.conn)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect())
    }

    /// Marks mission `id` as changed now (a photo added, removed or moved); bumps the
    /// catalogue version so that pages showing it are built again.
    pub async fn touch(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.scope
            .update::<mission::Entity>()
            .col_expr(mission::Column::UpdatedAt, Expr::value(now))
            .filter(mission::Column::Id.eq(id))
            .exec(self.conn)
            .await?;
        bump_version(self.conn, self.scope.id()).await
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
        .exec(self.conn)
        .await?;
        Ok(())
    }

    /// Mission `id`'s history, oldest first.
    pub async fn history(&self, id: i64) -> Result<Vec<HistoryEntry>, StoreError> {
        Ok(self
            .scope
            .all::<mission_history::Entity>()
            .filter(mission_history::Column::MissionId.eq(id))
            .order_by_asc(mission_history::Column::At)
            .order_by_asc(mission_history::Column::Id)
            .all(self.conn)
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
