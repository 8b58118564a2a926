//! An organisation's logo, uploaded by one of its admins: checked and re-encoded (see
//! `jsap_adapters::images`), stored in the blob store, then recorded on the organisation. The
//! file is written first and removed again if the record fails, and the previous logo's file
//! is removed once the new one is recorded: no orphan file, no row pointing at nothing.

use super::members::is_admin;
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
    // Decoding and encoding take tens of milliseconds: off the async workers.
    let processed = tokio::task::spawn_blocking(move || images::logo(&bytes))
        .await
        .map_err(|e| StoreError::Refused(format!("image worker: {e}")))?;
    let processed = match processed {
        Ok(p) => p,
        Err(e) => return Ok(Err(LogoRefusal::Image(e))),
    };
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
            if let Err(cleanup) = blobs.delete(tenant.code.as_str(), &key).await {
                tracing::warn!(error = %cleanup, %key, "logo file left after a failed record");
            }
            return Err(e.into());
        }
    };
    if !previous.is_empty()
        && let Err(e) = blobs.delete(tenant.code.as_str(), &previous).await
    {
        tracing::warn!(error = %e, key = %previous, "previous logo file not removed");
    }
    Ok(Ok(key))
}
