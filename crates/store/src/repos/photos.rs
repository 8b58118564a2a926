//! Mission photos of one tenant. The bytes are in blob storage; rows say where and how big.

use super::Scope;
use crate::StoreError;
use crate::entities::mission_photo;
use jsap_tenancy::Tenant;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
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
    pub mission_id: i64,
    pub blob_key: String,
    pub content_type: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
}

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
            mission_id: m.mission_id,
            blob_key: m.blob_key,
            content_type: m.content_type,
            width: u32::try_from(m.width).unwrap_or(0),
            height: u32::try_from(m.height).unwrap_or(0),
            alt: m.alt,
        }
    }
}

/// Image types a mission photo may have (what browsers show without help).
pub const PHOTO_TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp", "image/svg+xml"];

pub struct MissionPhotos<'a, C> {
    pub(crate) conn: &'a C,
    pub(crate) scope: Scope,
}

impl<'a, C: ConnectionTrait> MissionPhotos<'a, C> {
    pub fn for_tenant(conn: &'a C, tenant: &Tenant) -> Self {
        Self {
            conn,
            scope: Scope::of(tenant),
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
            rows.push(mission_photo::ActiveModel {
                tenant_id: Set(self.scope.id().to_owned()),
                mission_id: Set(mission_id),
                position: Set(position as i32),
                blob_key: Set(p.blob_key.clone()),
                content_type: Set(p.content_type.clone()),
                width: Set(i32::try_from(p.width).unwrap_or(i32::MAX)),
                height: Set(i32::try_from(p.height).unwrap_or(i32::MAX)),
                alt: Set(p.alt.clone()),
                created_at: Set(now),
                ..Default::default()
            });
        }
        mission_photo::Entity::insert_many(rows)
            .exec_without_returning(self.conn)
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
            .all(self.conn)
            .await?
            .into_iter()
            .map(PhotoRecord::from)
            .collect())
    }

    /// A photo of this tenant by its blob key (any mission showing it).
    pub async fn by_key(&self, blob_key: &str) -> Result<Option<PhotoRecord>, StoreError> {
        Ok(self
            .scope
            .all::<mission_photo::Entity>()
            .filter(mission_photo::Column::BlobKey.eq(blob_key))
            .one(self.conn)
            .await?
            .map(PhotoRecord::from))
    }
}
