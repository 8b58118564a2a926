//! Theme assets under content-hashed names: cached for a year, never stale.

use crate::{AppError, AppState};
use poem::http::header;
use poem::web::{Data, Path};
use poem::{Response, handler};
use std::sync::Arc;

#[handler]
pub fn asset(
    state: Data<&Arc<AppState>>,
    Path((theme, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let asset = state
        .themes
        .asset(&theme, &file)
        .ok_or(AppError::NotFound)?;
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, asset.content_type)
        .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
        .body(asset.body))
}
