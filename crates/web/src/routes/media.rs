//! Mission photos, city photos, organisation logos and news photos from blob storage (local folder or S3), for the
//! tenant of the host only. A key never changes content (photos are content-addressed, a new
//! logo gets a new random key): cached for a year.

use crate::extract::CurrentTenant;
use crate::{AppError, AppState};
use jsap_store::{Cities, MissionPhotos, NewsPosts, Organisations};
use poem::http::header;
use poem::web::{Data, Path};
use poem::{Response, handler};
use std::sync::Arc;

/// A key as the store writes them: `photos/<hex>.<ext>`; anything else is not a photo.
fn valid_key(key: &str) -> bool {
    key.len() <= 200
        && !key.contains("..")
        && !key.starts_with('/')
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"./-_".contains(&b))
}

/// The URL path of a photo.
pub fn photo_path(blob_key: &str) -> String {
    format!("/media/{blob_key}")
}

#[handler]
pub async fn photo(
    state: Data<&Arc<AppState>>,
    CurrentTenant(tenant): CurrentTenant,
    Path(key): Path<String>,
) -> Result<Response, AppError> {
    if !valid_key(&key) {
        return Err(AppError::NotFound);
    }
    let content_type = match MissionPhotos::for_tenant(state.store.conn(), &tenant)
        .by_key(&key)
        .await?
    {
        Some(photo) => photo.content_type,
        None if key.starts_with("cities/") => {
            if !Cities::for_tenant(state.store.conn(), &tenant)
                .has_photo(&key)
                .await?
            {
                return Err(AppError::NotFound);
            }
            "image/jpeg".to_owned()
        }
        None if key.starts_with("news/") => NewsPosts::for_tenant(state.store.conn(), &tenant)
            .has_photo_key(&key)
            .await?
            .then(|| "image/jpeg".to_owned())
            .ok_or(AppError::NotFound)?,
        None => Organisations::for_tenant(state.store.conn(), &tenant)
            .by_logo_key(&key)
            .await?
            .map(|_| "image/png".to_owned())
            .ok_or(AppError::NotFound)?,
    };
    let bytes = state
        .blobs
        .get(tenant.code.as_str(), &key)
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .ok_or(AppError::NotFound)?;
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
        .header("X-Content-Type-Options", "nosniff")
        // An SVG is a document: it may not run scripts or load anything.
        .header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'",
        )
        .body(bytes))
}

#[cfg(test)]
mod tests {
    use super::valid_key;

    #[test]
    fn only_store_shaped_keys_are_looked_up() {
        assert!(valid_key("photos/0a1b2c3d4e5f6789.svg"));
        assert!(!valid_key("../secret"));
        assert!(!valid_key("photos/../../etc/passwd"));
        assert!(!valid_key("/etc/passwd"));
        assert!(!valid_key("photos/A.svg"));
        assert!(!valid_key(&"a".repeat(201)));
    }
}
