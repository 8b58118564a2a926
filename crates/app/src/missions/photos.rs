//! A mission's photos: up to `PHOTOS_MAX`, each stored as a card and a page variant made from
//! its pixels (`jsap_adapters::images::photo`), with a required alternative text; reordered
//! and removed by the mission's editors. Files are written before the row and removed again
//! when anything after fails: no orphan file, no row pointing at nothing.

use super::{MissionRefusal, lifecycle::editable};
use crate::media;
use crate::{Failure, Scope};
use jsap_adapters::BlobStore;
use jsap_adapters::images::{self, ImageError};
use jsap_domain::{MissionId, PhotoId};
use jsap_store::{
    Account, MissionEdits, MissionPhotos, NewMissionPhoto, PHOTOS_MAX, PhotoUpload, StoreError,
};

/// The longest alternative text.
pub const ALT_MAX: usize = 200;

/// Why a photo was not added (nothing written then).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoRefusal {
    Mission(MissionRefusal),
    /// Not an image we take, too large, or unreadable.
    Image(ImageError),
    /// The alternative text is missing or longer than `ALT_MAX`.
    Alt,
    /// The mission has `PHOTOS_MAX` photos already.
    TooMany,
}

/// A fresh random blob key under `photos/` (lowercase hex, as the media route takes).
fn fresh_key(suffix: &str) -> String {
    let digest = jsap_store::token_digest(&jsap_store::random_token());
    format!("photos/{}-{suffix}.jpg", &digest[..32])
}

/// Adds a photo of `bytes` with `alt` to mission `id`; returns the new photo's id.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, mission.id = %id))]
pub async fn add_photo(
    scope: &Scope<'_>,
    blobs: &BlobStore,
    who: &Account,
    id: MissionId,
    bytes: Vec<u8>,
    alt: &str,
) -> Result<Result<i64, PhotoRefusal>, Failure> {
    let id = id.get();
    let (mission, _) = match editable(scope, who, id).await? {
        Ok(found) => found,
        Err(refusal) => return Ok(Err(PhotoRefusal::Mission(refusal))),
    };
    if !mission.status.editable() {
        return Ok(Err(PhotoRefusal::Mission(MissionRefusal::WrongState)));
    }
    let alt = alt.trim();
    if alt.is_empty() || alt.chars().count() > ALT_MAX {
        return Ok(Err(PhotoRefusal::Alt));
    }
    let tenant = scope.tenant;
    let conn = scope.store.conn();
    if MissionPhotos::for_tenant(conn, tenant)
        .of_mission(id)
        .await?
        .len()
        >= PHOTOS_MAX
    {
        return Ok(Err(PhotoRefusal::TooMany));
    }
    let variants = or_refuse!(
        media::processed(move || images::photo(&bytes))
            .await?
            .map_err(PhotoRefusal::Image)
    );
    let code = tenant.code.as_str();
    let (page_key, card_key) = (fresh_key("page"), fresh_key("card"));
    let upload = PhotoUpload {
        page: NewMissionPhoto {
            blob_key: page_key.clone(),
            content_type: variants.page.content_type.to_owned(),
            width: variants.page.width,
            height: variants.page.height,
            alt: alt.to_owned(),
        },
        card_key: card_key.clone(),
        card_width: variants.card.width,
        card_height: variants.card.height,
    };
    media::put_variants(blobs, code, &page_key, &card_key, variants).await?;
    let now = scope.clock.now();
    let recorded = async {
        let tx = scope.store.begin().await?;
        let photo = MissionPhotos::for_tenant(&tx, tenant)
            .add(id, &upload, now)
            .await?;
        let edits = MissionEdits::for_tenant(&tx, tenant);
        edits
            .record(id, Some(who.id), "photo_added", alt, now)
            .await?;
        edits.touch(id, now).await?;
        tx.commit().await?;
        Ok::<i64, StoreError>(photo)
    }
    .await;
    match recorded {
        Ok(photo) => Ok(Ok(photo)),
        Err(e) => {
            media::remove(blobs, code, &[&page_key, &card_key]).await;
            match e {
                StoreError::Refused(_) => Ok(Err(PhotoRefusal::TooMany)),
                other => Err(other.into()),
            }
        }
    }
}

/// What an editor does to an existing photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoChange {
    Remove,
    Up,
    Down,
}

/// Applies `change` to photo `photo` of mission `id`; false when there is no such photo (or
/// it cannot move further).
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, mission.id = %id))]
pub async fn change_photo(
    scope: &Scope<'_>,
    blobs: &BlobStore,
    who: &Account,
    id: MissionId,
    photo: PhotoId,
    change: PhotoChange,
) -> Result<Result<bool, MissionRefusal>, Failure> {
    let id = id.get();
    let photo = photo.get();
    let (mission, _) = or_refuse!(editable(scope, who, id).await?);
    if !mission.status.editable() {
        return Ok(Err(MissionRefusal::WrongState));
    }
    let tenant = scope.tenant;
    let now = scope.clock.now();
    let tx = scope.store.begin().await?;
    let photos = MissionPhotos::for_tenant(&tx, tenant);
    let edits = MissionEdits::for_tenant(&tx, tenant);
    let (done, removed) = match change {
        PhotoChange::Remove => match photos.remove(id, photo).await? {
            Some(p) => {
                edits
                    .record(id, Some(who.id), "photo_removed", &p.alt, now)
                    .await?;
                (true, Some(p))
            }
            None => (false, None),
        },
        PhotoChange::Up | PhotoChange::Down => {
            let moved = photos.shift(id, photo, change == PhotoChange::Up).await?;
            if moved {
                edits
                    .record(id, Some(who.id), "photo_moved", "", now)
                    .await?;
            }
            (moved, None)
        }
    };
    if done {
        edits.touch(id, now).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    if let Some(p) = removed {
        media::remove(blobs, tenant.code.as_str(), &[&p.blob_key, &p.card_key]).await;
    }
    Ok(Ok(done))
}
