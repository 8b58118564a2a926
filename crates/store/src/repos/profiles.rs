//! Member profiles and stays of one tenant. A profile is one row per user (created at the
//! first save; until then the defaults apply); list fields (skills, languages, interests) are
//! stored one item per line. A stay is a date range with the cities the member will visit.

use crate::StoreError;
use crate::entities::{city, profile, stay, stay_city, user};
use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

/// What a member tells about themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub country_of_residence: String,
    /// A city of the tenant, or `None` (then maybe `home_city_other`).
    pub home_city_id: Option<i64>,
    pub home_city_other: String,
    pub skills: Vec<String>,
    pub languages: Vec<String>,
    /// Domain slugs of the tenant's taxonomy.
    pub domains: Vec<String>,
    /// Contribution type slugs of the tenant's taxonomy.
    pub contributions: Vec<String>,
    pub phone: String,
    /// Optional emails: campaigns and newsletters (opt-in).
    pub email_campaigns: bool,
    /// Optional emails: reminders about the member's own requests (on unless turned off).
    pub email_reminders: bool,
    /// Whether remote missions are welcome (on unless turned off).
    pub remote_ok: bool,
    /// Optional emails: the weekly selection of missions for the member (opt-in).
    pub email_missions: bool,
    /// The language of the page where the member last chose their emails, if they did.
    pub email_locale: Option<String>,
    /// Whether focal points may find the member and propose a mission (opt-in).
    pub findable: bool,
}

impl Default for Profile {
    fn default() -> Self {
        Self {
            country_of_residence: String::new(),
            home_city_id: None,
            home_city_other: String::new(),
            skills: vec![],
            languages: vec![],
            domains: vec![],
            contributions: vec![],
            phone: String::new(),
            email_campaigns: false,
            email_reminders: true,
            remote_ok: true,
            email_missions: false,
            email_locale: None,
            findable: false,
        }
    }
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn joined(items: &[String]) -> String {
    items.join("\n")
}

impl From<profile::Model> for Profile {
    fn from(m: profile::Model) -> Self {
        Self {
            country_of_residence: m.country_of_residence,
            home_city_id: m.home_city_id,
            home_city_other: m.home_city_other,
            skills: lines(&m.skills),
            languages: lines(&m.languages),
            domains: lines(&m.domains),
            contributions: lines(&m.contributions),
            phone: m.phone,
            email_campaigns: m.email_campaigns,
            email_reminders: m.email_reminders,
            remote_ok: m.remote_ok,
            email_missions: m.email_missions,
            email_locale: m.email_locale,
            findable: m.findable,
        }
    }
}

/// A stay of a member, with the ids of the cities visited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stay {
    pub id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub city_ids: Vec<i64>,
}

tenant_repository! {
    /// The profiles and stays of one tenant.
    Profiles
}

impl<'a, C: crate::Connection> Profiles<'a, C> {
    async fn row(&self, user_id: i64) -> Result<Option<profile::Model>, StoreError> {
        Ok(self
            .scope
            .all::<profile::Entity>()
            .filter(profile::Column::UserId.eq(user_id))
            .one(&self.conn)
            .await?)
    }

    /// `NotFound` unless `user_id` is an account of this tenant: a profile or a stay is never
    /// written for another tenant's account, whatever id a caller passes.
    async fn ensure_member(&self, user_id: i64) -> Result<(), StoreError> {
        let found = self
            .scope
            .all::<user::Entity>()
            .filter(user::Column::Id.eq(user_id))
            .count(&self.conn)
            .await?;
        if found == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The member's profile (the defaults when never saved).
    pub async fn get(&self, user_id: i64) -> Result<Profile, StoreError> {
        Ok(self
            .row(user_id)
            .await?
            .map(Profile::from)
            .unwrap_or_default())
    }

    /// Whether `ids` are all cities of this tenant.
    pub async fn cities_exist(&self, ids: &[i64]) -> Result<bool, StoreError> {
        if ids.is_empty() {
            return Ok(true);
        }
        let mut unique = ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        // No tenant has this many cities; and the SQL stays under every variable limit.
        if unique.len() > 500 {
            return Ok(false);
        }
        let found = self
            .scope
            .all::<city::Entity>()
            .filter(city::Column::Id.is_in(unique.clone()))
            .count(&self.conn)
            .await?;
        Ok(found == unique.len() as u64)
    }

    /// Saves the whole profile (email preferences included). `Invalid` when the home city is
    /// not a city of this tenant, `NotFound` when the account is not one of this tenant.
    pub async fn save(&self, user_id: i64, p: &Profile) -> Result<(), StoreError> {
        self.ensure_member(user_id).await?;
        if let Some(id) = p.home_city_id
            && !self.cities_exist(&[id]).await?
        {
            return Err(StoreError::UnknownCity(id.to_string()));
        }
        let now = Utc::now();
        match self.row(user_id).await? {
            Some(found) => {
                let mut active: profile::ActiveModel = found.into();
                active.country_of_residence = Set(p.country_of_residence.clone());
                active.home_city_id = Set(p.home_city_id);
                active.home_city_other = Set(p.home_city_other.clone());
                active.skills = Set(joined(&p.skills));
                active.languages = Set(joined(&p.languages));
                active.domains = Set(joined(&p.domains));
                active.contributions = Set(joined(&p.contributions));
                active.phone = Set(p.phone.clone());
                active.email_campaigns = Set(p.email_campaigns);
                active.email_reminders = Set(p.email_reminders);
                active.remote_ok = Set(p.remote_ok);
                active.email_missions = Set(p.email_missions);
                active.email_locale = Set(p.email_locale.clone());
                active.findable = Set(p.findable);
                active.updated_at = Set(now);
                active.update(&self.conn).await?;
            }
            None => {
                profile::Entity::insert(profile::ActiveModel {
                    tenant_id: Set(self.scope.id().to_owned()),
                    user_id: Set(user_id),
                    country_of_residence: Set(p.country_of_residence.clone()),
                    home_city_id: Set(p.home_city_id),
                    home_city_other: Set(p.home_city_other.clone()),
                    skills: Set(joined(&p.skills)),
                    languages: Set(joined(&p.languages)),
                    domains: Set(joined(&p.domains)),
                    contributions: Set(joined(&p.contributions)),
                    phone: Set(p.phone.clone()),
                    email_campaigns: Set(p.email_campaigns),
                    email_reminders: Set(p.email_reminders),
                    remote_ok: Set(p.remote_ok),
                    email_missions: Set(p.email_missions),
                    email_locale: Set(p.email_locale.clone()),
                    findable: Set(p.findable),
                    updated_at: Set(now),
                    ..Default::default()
                })
                .exec_without_returning(&self.conn)
                .await?;
            }
        }
        Ok(())
    }

    /// Changes only the optional email preferences.
    pub async fn set_email_preferences(
        &self,
        user_id: i64,
        campaigns: bool,
        reminders: bool,
    ) -> Result<(), StoreError> {
        let mut profile = self.get(user_id).await?;
        profile.email_campaigns = campaigns;
        profile.email_reminders = reminders;
        self.save(user_id, &profile).await
    }

    /// The members who let focal points find them, by id.
    pub async fn findable(&self) -> Result<Vec<i64>, StoreError> {
        Ok(self
            .scope
            .all::<profile::Entity>()
            .filter(profile::Column::Findable.eq(true))
            .order_by_asc(profile::Column::UserId)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|p| p.user_id)
            .collect())
    }

    /// The members who asked for the weekly selection of missions, by id, with the language
    /// they chose it in (deleted accounts are not among them: their profile is gone).
    pub async fn missions_subscribers(&self) -> Result<Vec<(i64, Option<String>)>, StoreError> {
        Ok(self
            .scope
            .all::<profile::Entity>()
            .filter(profile::Column::EmailMissions.eq(true))
            .order_by_asc(profile::Column::UserId)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|p| (p.user_id, p.email_locale))
            .collect())
    }

    /// The member's stays, soonest first, with their cities.
    pub async fn stays(&self, user_id: i64) -> Result<Vec<Stay>, StoreError> {
        let rows = self
            .scope
            .all::<stay::Entity>()
            .filter(stay::Column::UserId.eq(user_id))
            .order_by_asc(stay::Column::StartsOn)
            .order_by_asc(stay::Column::Id)
            .all(&self.conn)
            .await?;
        if rows.is_empty() {
            return Ok(vec![]);
        }
        let ids: Vec<i64> = rows.iter().map(|s| s.id).collect();
        let links = self
            .scope
            .all::<stay_city::Entity>()
            .filter(stay_city::Column::StayId.is_in(ids))
            .all(&self.conn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|s| Stay {
                id: s.id,
                starts_on: s.starts_on,
                ends_on: s.ends_on,
                city_ids: links
                    .iter()
                    .filter(|l| l.stay_id == s.id)
                    .map(|l| l.city_id)
                    .collect(),
            })
            .collect())
    }

    /// The stay under way on `today`, or else the next one.
    pub async fn next_stay(
        &self,
        user_id: i64,
        today: NaiveDate,
    ) -> Result<Option<Stay>, StoreError> {
        Ok(self
            .stays(user_id)
            .await?
            .into_iter()
            .find(|s| s.ends_on >= today))
    }

    /// Adds a stay. `Invalid` when a city is not a city of this tenant (nothing written).
    pub async fn add_stay(
        &self,
        user_id: i64,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        city_ids: &[i64],
    ) -> Result<i64, StoreError> {
        self.ensure_member(user_id).await?;
        if !self.cities_exist(city_ids).await? {
            return Err(StoreError::UnknownCity(format!("{city_ids:?}")));
        }
        let inserted = stay::Entity::insert(stay::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            user_id: Set(user_id),
            starts_on: Set(starts_on),
            ends_on: Set(ends_on),
            created_at: Set(Utc::now()),
            ..Default::default()
        })
        .exec(&self.conn)
        .await?;
        let id = inserted.last_insert_id;
        let mut unique = city_ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        for city_id in unique {
            stay_city::Entity::insert(stay_city::ActiveModel {
                tenant_id: Set(self.scope.id().to_owned()),
                stay_id: Set(id),
                city_id: Set(city_id),
            })
            .exec_without_returning(&self.conn)
            .await?;
        }
        Ok(id)
    }

    /// Deletes a stay of this member on this tenant; `NotFound` otherwise (nothing written).
    pub async fn delete_stay(&self, user_id: i64, stay_id: i64) -> Result<(), StoreError> {
        let found = self
            .scope
            .all::<stay::Entity>()
            .filter(stay::Column::UserId.eq(user_id))
            .filter(stay::Column::Id.eq(stay_id))
            .one(&self.conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.scope
            .delete::<stay_city::Entity>()
            .filter(stay_city::Column::StayId.eq(found.id))
            .exec(&self.conn)
            .await?;
        self.scope
            .delete::<stay::Entity>()
            .filter(stay::Column::Id.eq(found.id))
            .exec(&self.conn)
            .await?;
        Ok(())
    }

    /// How many stays this tenant holds (for tests and checks).
    pub async fn count_stays(&self) -> Result<u64, StoreError> {
        Ok(self.scope.all::<stay::Entity>().count(&self.conn).await?)
    }
}
