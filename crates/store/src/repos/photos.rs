//! Mission photos of one tenant. The bytes are in blob storage; rows say where and how big.

use super::Scope;
use crate::StoreError;
use crate::entities::mission_photo;
use jsap_tenancy::Tenant;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

/// A photo to attach to a new mission; its bytes are already stored under `blob_key`.
#[derive(Debug, Clone)]
pub struct NewMissionPhoto {
    pub blob_key: String,
    pub content_type: String,
    pub width: u32,
    pub height: u32,
    /// Alternative text; the mission title is used when empty.
    pub alt: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhotoRecord {
    pub id: i64,
    pub mission_id: i64,
    pub blob_key: String,
    pub content_type: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
    /// The card-size variant ('' for photos stored before variants: use `blob_key`).
    pub card_key: String,
    pub card_width: u32,
    pub card_height: u32,
}

/// An uploaded photo's two stored variants and its alternative text.
#[derive(Debug, Clone)]
pub struct PhotoUpload {
    pub page: NewMissionPhoto,
    pub card_key: String,
    pub card_width: u32,
    pub card_height: u32,
}

/// How many photos a mission may have.
pub const PHOTOS_MAX: usize = 6;

impl PhotoRecord {
    /// The alternative text, or `title` (the mission's) when none was given.
    pub fn alt_or(&self, title: &str) -> String {
        if self.alt.is_empty() {
            title.to_owned()
        } else {
            self.alt.clone()
        }
    }
}

impl From<mission_photo::Model> for PhotoRecord {
    fn from(m: mission_photo::Model) -> Self {
        Self {
            id: m.id,
            mission_id: m.mission_id,
            blob_key: m.blob_key,
            content_type: m.content_type,
            width: u32::try_from(m.width).unwrap_or(0),
            height: u32::try_from(m.height).unwrap_or(0),
            alt: m.alt,
            card_key: m.card_key,
            card_width: u32::try_from(m.card_width).unwrap_or(0),
            card_height: u32::try_from(m.card_height).unwrap_or(0),
        }
    }
}

/// Image types a mission photo may have (what browsers show without help).
pub const PHOTO_TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp", "image/svg+xml"];

pub struct MissionPhotos<'a, C> {
    pub(crate) conn: crate::rls::Scoped<'a, C>,
    pub(crate) scope: Scope,
}

impl<'a, C: crate::Connection> MissionPhotos<'a, C> {
    pub fn for_tenant(conn: &'a C, tenant: &Tenant) -> Self {
        Self {
            conn: crate::rls::Scoped::tenant(conn, tenant.code.as_str()),
            scope: Scope::of(tenant),
        }
    }

    /// The row of photo `p` of mission `mission_id` at `position` (without a card variant).
    fn row(
        &self,
        mission_id: i64,
        position: i32,
        p: &NewMissionPhoto,
        now: chrono::DateTime<chrono::Utc>,
    ) -> mission_photo::ActiveModel {
        mission_photo::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            mission_id: Set(mission_id),
            position: Set(position),
            blob_key: Set(p.blob_key.clone()),
            content_type: Set(p.content_type.clone()),
            width: Set(i32::try_from(p.width).unwrap_or(i32::MAX)),
            height: Set(i32::try_from(p.height).unwrap_or(i32::MAX)),
            alt: Set(p.alt.clone()),
            created_at: Set(now),
            ..Default::default()
        }
    }

    /// Writes the photo rows of a mission just inserted (inside `Missions::insert_all`).
    pub(crate) async fn insert_for(
        &self,
        mission_id: i64,
        photos: &[NewMissionPhoto],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        if photos.is_empty() {
            return Ok(());
        }
        let mut rows = Vec::with_capacity(photos.len());
        for (position, p) in photos.iter().enumerate() {
            if !PHOTO_TYPES.contains(&p.content_type.as_str()) {
                return Err(StoreError::Refused(format!(
                    "photo type {} is not one of {}",
                    p.content_type,
                    PHOTO_TYPES.join(", ")
                )));
            }
            if p.blob_key.is_empty() || p.blob_key.len() > 200 || p.width == 0 || p.height == 0 {
                return Err(StoreError::Refused(format!(
                    "photo {} has no key or no size",
                    p.blob_key
                )));
            }
            rows.push(self.row(mission_id, position as i32, p, now));
        }
        mission_photo::Entity::insert_many(rows)
            .exec_without_returning(&self.conn)
            .await?;
        Ok(())
    }

    /// The photos of a mission of this tenant, in order.
    pub async fn of_mission(&self, mission_id: i64) -> Result<Vec<PhotoRecord>, StoreError> {
        Ok(self
            .scope
            .all::<mission_photo::Entity>()
            .filter(mission_photo::Column::MissionId.eq(mission_id))
            .order_by_asc(mission_photo::Column::Position)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(PhotoRecord::from)
            .collect())
    }

    /// A photo of this tenant by the blob key of either variant.
    pub async fn by_key(&self, blob_key: &str) -> Result<Option<PhotoRecord>, StoreError> {
        Ok(self
            .scope
            .all::<mission_photo::Entity>()
            .filter(
                sea_orm::Condition::any()
                    .add(mission_photo::Column::BlobKey.eq(blob_key))
                    .add(mission_photo::Column::CardKey.eq(blob_key)),
            )
            .one(&self.conn)
            .await?
            .map(PhotoRecord::from))
    }

    /// Adds `upload` after the mission's last photo; returns its id. `Refused` when the mission
    /// has `PHOTOS_MAX` already. Run it in a transaction.
    pub async fn add(
        &self,
        mission_id: i64,
        upload: &PhotoUpload,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<i64, StoreError> {
        let existing = self.of_mission(mission_id).await?;
        if existing.len() >= PHOTOS_MAX {
            return Err(StoreError::Refused(format!(
                "a mission has at most {PHOTOS_MAX} photos"
            )));
        }
        let p = &upload.page;
        let position = self.next_position(mission_id).await?;
        let inserted = mission_photo::Entity::insert(mission_photo::ActiveModel {
            card_key: Set(upload.card_key.clone()),
            card_width: Set(i32::try_from(upload.card_width).unwrap_or(i32::MAX)),
            card_height: Set(i32::try_from(upload.card_height).unwrap_or(i32::MAX)),
            ..self.row(mission_id, position, p, now)
        })
        .exec(&self.conn)
        .await?;
        Ok(inserted.last_insert_id)
    }

    /// Removes photo `id` of mission `mission_id`; returns it (its files are the caller's to
    /// delete once committed), or `None` when there is no such photo here.
    pub async fn remove(
        &self,
        mission_id: i64,
        id: i64,
    ) -> Result<Option<PhotoRecord>, StoreError> {
        let Some(photo) = self.one(mission_id, id).await? else {
            return Ok(None);
        };
        self.scope
            .delete::<mission_photo::Entity>()
            .filter(mission_photo::Column::Id.eq(id))
            .exec(&self.conn)
            .await?;
        Ok(Some(photo))
    }

    async fn next_position(&self, mission_id: i64) -> Result<i32, StoreError> {
        Ok(self
            .scope
            .all::<mission_photo::Entity>()
            .filter(mission_photo::Column::MissionId.eq(mission_id))
            .all(&self.conn)
            .await?
            .iter()
            .map(|r| r.position)
            .max()
            .map_or(0, |m| m + 1))
    }

    async fn one(&self, mission_id: i64, id: i64) -> Result<Option<PhotoRecord>, StoreError> {
        Ok(self
            .scope
            .all::<mission_photo::Entity>()
            .filter(mission_photo::Column::MissionId.eq(mission_id))
            .filter(mission_photo::Column::Id.eq(id))
            .one(&self.conn)
            .await?
            .map(PhotoRecord::from))
    }

    /// Moves photo `id` one place earlier (`up`) or later; false when it is already first
    /// (last) or not here. Run it in a transaction.
    pub async fn shift(&self, mission_id: i64, id: i64, up: bool) -> Result<bool, StoreError> {
        use sea_orm::sea_query::Expr;
        let rows = self
            .scope
            .all::<mission_photo::Entity>()
            .filter(mission_photo::Column::MissionId.eq(mission_id))
            .order_by_asc(mission_photo::Column::Position)
            .all(&self.conn)
            .await?;
        let Some(at) = rows.iter().position(|r| r.id == id) else {
            return Ok(false);
        };
        let other = if up { at.checked_sub(1) } else { Some(at + 1) };
        let Some(other) = other.and_then(|o| rows.get(o)) else {
            return Ok(false);
        };
        let (a, b) = (&rows[at], other);
        // The positions are unique: park one aside while the other takes its place.
        for (row, position) in [
            (a.id, -1 - a.position),
            (b.id, a.position),
            (a.id, b.position),
        ] {
            self.scope
                .update::<mission_photo::Entity>()
                .col_expr(mission_photo::Column::Position, Expr::value(position))
                .filter(mission_photo::Column::Id.eq(row))
                .exec(&self.conn)
                .await?;
        }
        Ok(true)
    }
}
