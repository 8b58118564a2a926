//! An organisation's logo, uploaded by one of its admins: checked and re-encoded (see
//! `jsap_adapters::images`), stored in the blob store, then recorded on the organisation. The
//! file is written first and removed again if the record fails, and the previous logo's file
//! is removed once the new one is recorded: no orphan file, no row pointing at nothing.

use super::members::is_admin;
use crate::media;
use crate::{Failure, Scope};
use jsap_adapters::BlobStore;
use jsap_adapters::images::{self, ImageError};
use jsap_domain::OrganisationId;
use jsap_store::{Account, Organisations, StoreError};

/// Why a logo was not set (nothing written then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoRefusal {
    /// No organisation of this tenant has this id, or the account is not one of its admins.
    NotFound,
    /// The file is not an image we take, or is too large.
    Image(ImageError),
}

/// Sets the logo of `organisation_id` from the uploaded `bytes`; returns its blob key.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, organisation.id = %organisation_id))]
pub async fn set_logo(
    scope: &Scope<'_>,
    blobs: &BlobStore,
    admin: &Account,
    organisation_id: OrganisationId,
    bytes: Vec<u8>,
) -> Result<Result<String, LogoRefusal>, Failure> {
    let organisation_id = organisation_id.get();
    let tenant = scope.tenant;
    let organisations = Organisations::for_tenant(scope.store.conn(), tenant);
    if organisations.by_id(organisation_id).await?.is_none()
        || !is_admin(scope, admin, organisation_id).await?
    {
        return Ok(Err(LogoRefusal::NotFound));
    }
    let processed = or_refuse!(
        media::processed(move || images::logo(&bytes))
            .await?
            .map_err(LogoRefusal::Image)
    );
    // A fresh random name (lowercase hex, as the media route takes): a new logo never
    // shares a URL with the one it replaces.
    let digest = jsap_store::token_digest(&jsap_store::random_token());
    let key = format!("logos/{}.png", &digest[..32]);
    blobs
        .put(tenant.code.as_str(), &key, processed.bytes.into())
        .await?;
    let recorded = async {
        let tx = scope.store.begin().await?;
        let previous = Organisations::for_tenant(&tx, tenant)
            .set_logo(organisation_id, &key)
            .await?;
        tx.commit().await?;
        Ok::<String, StoreError>(previous)
    }
    .await;
    let previous = match recorded {
        Ok(previous) => previous,
        Err(e) => {
            media::remove(blobs, tenant.code.as_str(), &[&key]).await;
            return Err(e.into());
        }
    };
    media::remove(blobs, tenant.code.as_str(), &[&previous]).await;
    Ok(Ok(key))
}
