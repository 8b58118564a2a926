//! The steps every image upload shares (city and news photos, mission photos, logos): made
//! from its pixels off the async workers, its files written together, and files no row
//! points at removed.

use jsap_adapters::BlobStore;
use jsap_adapters::blob::BlobError;
use jsap_adapters::images::{ImageError, PhotoVariants};
use jsap_store::StoreError;

/// Runs `step` (decoding and encoding take tens of milliseconds) on a blocking thread, off the
/// async workers: what it made, or why the upload is not an image we take.
pub(crate) async fn processed<T: Send + 'static>(
    step: impl FnOnce() -> Result<T, ImageError> + Send + 'static,
) -> Result<Result<T, ImageError>, StoreError> {
    tokio::task::spawn_blocking(step)
        .await
        .map_err(|e| StoreError::Refused(format!("image worker: {e}")))
}

/// Writes a photo's page and card variants under `page_key` and `card_key`; when the card
/// is not written, the page file is removed again.
pub(crate) async fn put_variants(
    blobs: &BlobStore,
    tenant: &str,
    page_key: &str,
    card_key: &str,
    variants: PhotoVariants,
) -> Result<(), BlobError> {
    blobs
        .put(tenant, page_key, variants.page.bytes.into())
        .await?;
    if let Err(e) = blobs
        .put(tenant, card_key, variants.card.bytes.into())
        .await
    {
        remove(blobs, tenant, &[page_key]).await;
        return Err(e);
    }
    Ok(())
}

/// Removes files no row points at (empty keys are none); a failure is logged, not raised
/// (the change is made).
pub(crate) async fn remove(blobs: &BlobStore, tenant: &str, keys: &[&str]) {
    for key in keys.iter().filter(|k| !k.is_empty()) {
        if let Err(e) = blobs.delete(tenant, key).await {
            tracing::warn!(error = %e, %key, "image file not removed");
        }
    }
}
