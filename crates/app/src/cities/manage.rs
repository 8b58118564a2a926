//! A city's life after it is added: the operator edits its words and place, gives it a photo,
//! retires it from the site and brings it back. Each change is journaled in its transaction
//! and bumps the catalogue version, so every replica shows it within 100 ms.

use super::{CityRefusal, operator_check};
use crate::audit::{self, Done};
use crate::media;
use crate::{Failure, Scope};
use jsap_adapters::BlobStore;
use jsap_adapters::images::{self, ImageError};
use jsap_domain::CityId;
use jsap_store::{Account, Cities, CityEdit, CityRecord, Missions, StoreError};

/// `who` (a country operator) changes city `city_id`'s name, region, place and description.
/// Its address (slug) stays, so links to it keep working; the tenant file sync leaves the
/// edited city alone from now on.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, city.id = %city_id))]
pub async fn edit(
    scope: &Scope<'_>,
    who: &Account,
    city_id: CityId,
    edit: CityEdit,
) -> Result<Result<CityRecord, CityRefusal>, Failure> {
    let city_id = city_id.get();
    or_refuse!(operator_check(scope, who).await?);
    let tx = scope.store.begin().await?;
    let cities = Cities::for_tenant(&tx, scope.tenant);
    let Some(before) = cities.by_id(city_id).await? else {
        return Ok(Err(CityRefusal::NotFound));
    };
    cities.edit(city_id, &edit).await?;
    let changed = changed_fields(&before, &edit);
    audit::record(
        &tx,
        scope,
        Some(who),
        Done {
            action: "city_edited",
            kind: "city",
            id: Some(city_id),
            target: &edit.name,
            detail: &changed,
        },
    )
    .await?;
    let after = cities
        .by_id(city_id)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("city {city_id} gone while edited")))?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(after))
}

/// The names of the fields `edit` changes, for the journal ("name, description").
fn changed_fields(before: &CityRecord, edit: &CityEdit) -> String {
    audit::changed([
        ("name", before.names.name != edit.name),
        ("region", before.region != edit.region),
        (
            "coordinates",
            before.latitude != edit.latitude || before.longitude != edit.longitude,
        ),
        ("description", before.description != edit.description),
    ])
    .join(", ")
}

/// `who` retires city `city_id` from the site (`retire`) or brings it back. A city with
/// missions on the site or waiting for review is not retired: they would lose their city.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, city.id = %city_id, retire))]
pub async fn set_retired(
    scope: &Scope<'_>,
    who: &Account,
    city_id: CityId,
    retire: bool,
) -> Result<Result<CityRecord, CityRefusal>, Failure> {
    let city_id = city_id.get();
    or_refuse!(operator_check(scope, who).await?);
    let tx = scope.store.begin().await?;
    let cities = Cities::for_tenant(&tx, scope.tenant);
    let Some(city) = cities.by_id(city_id).await? else {
        return Ok(Err(CityRefusal::NotFound));
    };
    if retire {
        let live = Missions::for_tenant(&tx, scope.tenant)
            .count_live_in_city(city_id)
            .await?;
        if live > 0 {
            return Ok(Err(CityRefusal::HasMissions(live)));
        }
    }
    let at = retire.then(|| scope.clock.now());
    if !cities.set_retired(city_id, at).await? {
        // Already in that state (a second click): nothing to do, nothing to journal.
        return Ok(Ok(city));
    }
    let action = if retire {
        "city_retired"
    } else {
        "city_restored"
    };
    let done = Done {
        action,
        kind: "city",
        id: Some(city_id),
        target: &city.names.name,
        detail: "",
    };
    audit::record(&tx, scope, Some(who), done).await?;
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(city = %city.slug, action, "city state changed");
    Ok(Ok(CityRecord {
        retired_at: at,
        ..city
    }))
}

/// Why a city photo was not set (nothing written then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoRefusal {
    City(CityRefusal),
    Image(ImageError),
}

/// `who` sets city `city_id`'s photo from the uploaded `bytes`: re-encoded from its pixels
/// into a card and a page variant, written to the blob store, then recorded; the files are
/// removed again when the record fails, the previous photo's files once it succeeds.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, city.id = %city_id))]
pub async fn set_photo(
    scope: &Scope<'_>,
    blobs: &BlobStore,
    who: &Account,
    city_id: CityId,
    bytes: Vec<u8>,
) -> Result<Result<CityRecord, PhotoRefusal>, Failure> {
    let city_id = city_id.get();
    let tenant = scope.tenant;
    if let Err(refusal) = operator_check(scope, who).await? {
        return Ok(Err(PhotoRefusal::City(refusal)));
    }
    let Some(city) = Cities::for_tenant(scope.store.conn(), tenant)
        .by_id(city_id)
        .await?
    else {
        return Ok(Err(PhotoRefusal::City(CityRefusal::NotFound)));
    };
    let variants = or_refuse!(
        media::processed(move || images::photo(&bytes))
            .await?
            .map_err(PhotoRefusal::Image)
    );
    // A fresh random name (lowercase hex, as the media route takes).
    let digest = jsap_store::token_digest(&jsap_store::random_token());
    let page_key = format!("cities/{}.jpg", &digest[..32]);
    let card_key = format!("cities/{}-card.jpg", &digest[..32]);
    let code = tenant.code.as_str();
    media::put_variants(blobs, code, &page_key, &card_key, variants).await?;
    let recorded = async {
        let tx = scope.store.begin().await?;
        let previous = Cities::for_tenant(&tx, tenant)
            .set_photo(city_id, &page_key, &card_key)
            .await?;
        let done = Done {
            action: "city_photo_set",
            kind: "city",
            id: Some(city_id),
            target: &city.names.name,
            detail: "",
        };
        audit::record(&tx, scope, Some(who), done).await?;
        tx.commit().await?;
        Ok::<_, StoreError>(previous)
    }
    .await;
    match recorded {
        Ok(previous) => {
            if let Some((page, card)) = previous {
                media::remove(blobs, code, &[&page, &card]).await;
            }
            Ok(Ok(CityRecord {
                photo_key: page_key,
                photo_card_key: card_key,
                ..city
            }))
        }
        Err(e) => {
            media::remove(blobs, code, &[&page_key, &card_key]).await;
            Err(e.into())
        }
    }
}
