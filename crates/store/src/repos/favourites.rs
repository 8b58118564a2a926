//! The missions each member of one tenant saved: saved once per member and mission, listed
//! newest first with what their list shows, and read back by mission when one closes.

use crate::StoreError;
use crate::entities::{favourite, mission, mission_text};
use crate::repos::missions::public_missions;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use std::collections::HashMap;

/// A saved mission as its member's list shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SavedMission {
    pub mission_id: i64,
    pub slug: String,
    /// Its title in the locale asked for, else in the first locale it was written in.
    pub title: String,
    pub city_id: i64,
    pub remote: bool,
    pub flexible: bool,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Still on the public site (published, not hidden, of a verified organisation).
    pub open: bool,
    pub saved_at: DateTime<Utc>,
}

/// One page of a member's saved missions and how many they saved in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedPage {
    pub missions: Vec<SavedMission>,
    pub total: u64,
}

tenant_repository! {
    Favourites
}

impl<'a, C: crate::Connection> Favourites<'a, C> {
    /// Whether `user_id` saved mission `mission_id`.
    pub async fn holds(&self, user_id: i64, mission_id: i64) -> Result<bool, StoreError> {
        Ok(self
            .scope
            .all::<favourite::Entity>()
            .filter(favourite::Column::UserId.eq(user_id))
            .filter(favourite::Column::MissionId.eq(mission_id))
            .count(&self.conn)
            .await?
            > 0)
    }

    /// Which of `mission_ids` `user_id` saved.
    pub async fn saved_among(
        &self,
        user_id: i64,
        mission_ids: &[i64],
    ) -> Result<Vec<i64>, StoreError> {
        if mission_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .scope
            .all::<favourite::Entity>()
            .select_only()
            .column(favourite::Column::MissionId)
            .filter(favourite::Column::UserId.eq(user_id))
            .filter(favourite::Column::MissionId.is_in(mission_ids.to_vec()))
            .into_tuple::<i64>()
            .all(&self.conn)
            .await?)
    }

    /// Saves mission `mission_id` for `user_id`, who reads `locale`; false when it was saved
    /// already (two saves at once included: the unique key keeps one row).
    pub async fn save(
        &self,
        user_id: i64,
        mission_id: i64,
        locale: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let inserted = favourite::Entity::insert(favourite::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            user_id: Set(user_id),
            mission_id: Set(mission_id),
            locale: Set(locale.to_owned()),
            created_at: Set(now),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                favourite::Column::TenantId,
                favourite::Column::UserId,
                favourite::Column::MissionId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&self.conn)
        .await?;
        Ok(inserted > 0)
    }

    /// Forgets mission `mission_id` for `user_id`; false when it was not saved.
    pub async fn remove(&self, user_id: i64, mission_id: i64) -> Result<bool, StoreError> {
        let deleted = self
            .scope
            .delete::<favourite::Entity>()
            .filter(favourite::Column::UserId.eq(user_id))
            .filter(favourite::Column::MissionId.eq(mission_id))
            .exec(&self.conn)
            .await?;
        Ok(deleted.rows_affected > 0)
    }

    /// The members who saved mission `mission_id` and the language they saved it in, first
    /// saver first.
    pub async fn savers(&self, mission_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(self
            .scope
            .all::<favourite::Entity>()
            .select_only()
            .column(favourite::Column::UserId)
            .column(favourite::Column::Locale)
            .filter(favourite::Column::MissionId.eq(mission_id))
            .order_by_asc(favourite::Column::Id)
            .into_tuple::<(i64, String)>()
            .all(&self.conn)
            .await?)
    }

    /// Page `page` (from 1) of `per_page` of the missions `user_id` saved, newest first, with
    /// their titles in `locale` where they have one.
    pub async fn of_member(
        &self,
        user_id: i64,
        locale: &str,
        page: u64,
        per_page: u64,
    ) -> Result<SavedPage, StoreError> {
        let mine = self
            .scope
            .all::<favourite::Entity>()
            .filter(favourite::Column::UserId.eq(user_id));
        let total = mine.clone().count(&self.conn).await?;
        let rows = mine
            .order_by_desc(favourite::Column::Id)
            .offset(page.saturating_sub(1) * per_page)
            .limit(per_page)
            .all(&self.conn)
            .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.mission_id).collect();
        let missions: HashMap<i64, mission::Model> = self
            .scope
            .all::<mission::Entity>()
            .filter(mission::Column::Id.is_in(ids.clone()))
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        let open: Vec<i64> = public_missions(&self.scope)
            .select_only()
            .column(mission::Column::Id)
            .filter(mission::Column::Id.is_in(ids.clone()))
            .into_tuple::<i64>()
            .all(&self.conn)
            .await?;
        let mut titles: HashMap<i64, (bool, String)> = HashMap::new();
        for t in self
            .scope
            .all::<mission_text::Entity>()
            .filter(mission_text::Column::MissionId.is_in(ids))
            .order_by_asc(mission_text::Column::Id)
            .all(&self.conn)
            .await?
        {
            let asked = t.locale == locale;
            match titles.get(&t.mission_id) {
                Some((true, _)) => {}
                Some((false, _)) if !asked => {}
                _ => {
                    titles.insert(t.mission_id, (asked, t.title));
                }
            }
        }
        let missions = rows
            .into_iter()
            .filter_map(|r| {
                let m = missions.get(&r.mission_id)?;
                Some(SavedMission {
                    mission_id: m.id,
                    slug: m.slug.clone(),
                    title: titles.remove(&m.id).map(|(_, t)| t).unwrap_or_default(),
                    city_id: m.city_id,
                    remote: m.remote,
                    flexible: m.flexible,
                    starts_on: m.starts_on,
                    ends_on: m.ends_on,
                    open: open.contains(&m.id),
                    saved_at: r.created_at,
                })
            })
            .collect();
        Ok(SavedPage { missions, total })
    }
}
