//! The country operator's exports: every mission, organisation, request and member of one
//! tenant as rows of text, read in batches by id (keyset pagination), so an export of any size
//! holds one batch in memory at a time.

use crate::StoreError;
use crate::entities::TenantOwned;
use crate::entities::{
    audit_entry, city, membership, mission, mission_text, organisation, profile, request, user,
};
use crate::repos::{pairs, user_values};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

tenant_repository! {
    /// The exports of one tenant.
    Exports
}

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportList {
    Missions,
    Organisations,
    Requests,
    Members,
    /// The journal of administrative actions.
    Journal,
}

impl ExportList {
    pub const ALL: [ExportList; 5] = [
        Self::Missions,
        Self::Organisations,
        Self::Requests,
        Self::Members,
        Self::Journal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missions => "missions",
            Self::Organisations => "organisations",
            Self::Requests => "requests",
            Self::Members => "members",
            Self::Journal => "journal",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The columns' names (translation keys under `export.`), in the rows' order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Self::Missions => &[
                "id",
                "title",
                "status",
                "organisation",
                "city",
                "domain",
                "mission_type",
                "starts_on",
                "ends_on",
                "remote",
                "created_at",
                "published_at",
            ],
            Self::Organisations => &[
                "id",
                "name",
                "kind",
                "city",
                "status",
                "website",
                "public_email",
                "phone",
                "created_at",
            ],
            Self::Requests => &[
                "id",
                "kind",
                "state",
                "title",
                "city",
                "organisation",
                "mission_id",
                "member_email",
                "created_at",
                "due_at",
            ],
            Self::Members => &[
                "id",
                "email",
                "display_name",
                "verified",
                "blocked",
                "country_of_residence",
                "roles",
                "created_at",
            ],
            Self::Journal => &[
                "id",
                "at",
                "actor",
                "action",
                "target_kind",
                "target_id",
                "target",
                "detail",
            ],
        }
    }
}

/// The names rows refer to (cities, organisations), read once per export.
#[derive(Debug, Clone, Default)]
pub struct ExportNames {
    cities: HashMap<i64, String>,
    organisations: HashMap<i64, String>,
}

fn at(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

fn yes(b: bool) -> String {
    if b { "1" } else { "0" }.to_owned()
}

/// A batch's rows, with the last one's id.
fn rows_of<M>(
    models: Vec<M>,
    id: impl Fn(&M) -> i64,
    row: impl FnMut(M) -> Vec<String>,
) -> (Vec<Vec<String>>, Option<i64>) {
    let last = models.last().map(id);
    (models.into_iter().map(row).collect(), last)
}

impl<'a, C: crate::Connection> Exports<'a, C> {
    /// The names of the tenant's cities and organisations.
    pub async fn names(&self) -> Result<ExportNames, StoreError> {
        Ok(ExportNames {
            cities: pairs(
                &self.conn,
                self.scope.all::<city::Entity>(),
                city::Column::Id,
                city::Column::Name,
            )
            .await?,
            organisations: pairs(
                &self.conn,
                self.scope.all::<organisation::Entity>(),
                organisation::Column::Id,
                organisation::Column::Name,
            )
            .await?,
        })
    }

    /// The tenant's rows of `E` with an `id` above `after`, at most `limit`, by id.
    async fn after<E: TenantOwned>(
        &self,
        id: E::Column,
        after: i64,
        limit: u64,
    ) -> Result<Vec<E::Model>, StoreError> {
        self.after_where::<E>(id, after, limit, sea_orm::Condition::all())
            .await
    }

    /// [`Self::after`] among the rows `condition` keeps.
    async fn after_where<E: TenantOwned>(
        &self,
        id: E::Column,
        after: i64,
        limit: u64,
        condition: sea_orm::Condition,
    ) -> Result<Vec<E::Model>, StoreError> {
        Ok(self
            .scope
            .all::<E>()
            .filter(condition)
            .filter(id.gt(after))
            .order_by_asc(id)
            .limit(limit)
            .all(&self.conn)
            .await?)
    }

    /// The tenant's rows of `E` whose `column` is one of `ids` (none for no ids).
    async fn of<E: TenantOwned>(
        &self,
        column: E::Column,
        ids: Vec<i64>,
    ) -> Result<Vec<E::Model>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .scope
            .all::<E>()
            .filter(column.is_in(ids))
            .all(&self.conn)
            .await?)
    }

    /// The rows of `list` with an id above `after`, at most `limit`, by id; with the last id.
    pub async fn batch(
        &self,
        list: ExportList,
        names: &ExportNames,
        locale: &str,
        after: i64,
        limit: u64,
    ) -> Result<(Vec<Vec<String>>, Option<i64>), StoreError> {
        let city = |id: i64| names.cities.get(&id).cloned().unwrap_or_default();
        let org = |id: Option<i64>| {
            id.and_then(|id| names.organisations.get(&id).cloned())
                .unwrap_or_default()
        };
        Ok(match list {
            ExportList::Missions => {
                let models = self
                    .after::<mission::Entity>(mission::Column::Id, after, limit)
                    .await?;
                let ids: Vec<i64> = models.iter().map(|m| m.id).collect();
                let mut titles: HashMap<i64, String> = HashMap::new();
                for t in self
                    .of::<mission_text::Entity>(mission_text::Column::MissionId, ids)
                    .await?
                {
                    // The export's language first, any other otherwise.
                    if t.locale == locale || !titles.contains_key(&t.mission_id) {
                        titles.insert(t.mission_id, t.title);
                    }
                }
                rows_of(
                    models,
                    |m| m.id,
                    |m| {
                        vec![
                            m.id.to_string(),
                            titles.remove(&m.id).unwrap_or_default(),
                            m.status,
                            org(Some(m.organisation_id)),
                            city(m.city_id),
                            m.domain,
                            m.mission_type,
                            m.starts_on.to_string(),
                            m.ends_on.to_string(),
                            yes(m.remote),
                            at(m.created_at),
                            m.published_at.map(at).unwrap_or_default(),
                        ]
                    },
                )
            }
            ExportList::Organisations => rows_of(
                self.after::<organisation::Entity>(organisation::Column::Id, after, limit)
                    .await?,
                |o| o.id,
                |o| {
                    vec![
                        o.id.to_string(),
                        o.name,
                        o.kind,
                        city(o.city_id),
                        o.status,
                        o.website,
                        o.public_email,
                        o.phone,
                        at(o.created_at),
                    ]
                },
            ),
            ExportList::Requests => {
                let models = self
                    .after::<request::Entity>(request::Column::Id, after, limit)
                    .await?;
                let members: Vec<i64> = models.iter().map(|r| r.member_user_id).collect();
                let emails =
                    user_values(&self.conn, &self.scope, members, user::Column::Email).await?;
                rows_of(
                    models,
                    |r| r.id,
                    |r| {
                        vec![
                            r.id.to_string(),
                            r.kind,
                            r.state,
                            r.title,
                            city(r.city_id),
                            org(r.organisation_id),
                            r.mission_id.map(|id| id.to_string()).unwrap_or_default(),
                            emails.get(&r.member_user_id).cloned().unwrap_or_default(),
                            at(r.created_at),
                            at(r.due_at),
                        ]
                    },
                )
            }
            ExportList::Members => {
                // A deleted account is no one's any more: not listed.
                let alive = sea_orm::Condition::all().add(user::Column::DeletedAt.is_null());
                let models = self
                    .after_where::<user::Entity>(user::Column::Id, after, limit, alive)
                    .await?;
                let ids: Vec<i64> = models.iter().map(|u| u.id).collect();
                let mut countries: HashMap<i64, String> = self
                    .of::<profile::Entity>(profile::Column::UserId, ids.clone())
                    .await?
                    .into_iter()
                    .map(|p| (p.user_id, p.country_of_residence))
                    .collect();
                let mut roles = HashMap::<i64, Vec<String>>::new();
                for m in self
                    .of::<membership::Entity>(membership::Column::UserId, ids)
                    .await?
                {
                    roles.entry(m.user_id).or_default().push(m.role);
                }
                rows_of(
                    models,
                    |u| u.id,
                    |u| {
                        vec![
                            u.id.to_string(),
                            u.email,
                            u.display_name,
                            yes(u.email_verified_at.is_some()),
                            yes(u.blocked_at.is_some()),
                            countries.remove(&u.id).unwrap_or_default(),
                            roles.remove(&u.id).unwrap_or_default().join(" "),
                            at(u.created_at),
                        ]
                    },
                )
            }
            ExportList::Journal => rows_of(
                self.after::<audit_entry::Entity>(audit_entry::Column::Id, after, limit)
                    .await?,
                |e| e.id,
                |e| {
                    vec![
                        e.id.to_string(),
                        at(e.created_at),
                        e.actor,
                        e.action,
                        e.target_kind,
                        e.target_id.map(|id| id.to_string()).unwrap_or_default(),
                        e.target,
                        e.detail,
                    ]
                },
            ),
        })
    }
}
