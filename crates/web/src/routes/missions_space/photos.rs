//! A mission's photos in the editor: upload (multipart: `csrf`, `photo`, `alt`), move up or
//! down, remove. A refused file is named next to the upload form, with 413, 415 or 422.

use super::form::values_of;
use super::page::editor_page;
use super::*;
use jsap_adapters::images::ImageError;
use jsap_app::missions::{PhotoChange, PhotoRefusal};
use jsap_domain::{MissionId, PhotoId};

/// The editor page again, with `key`'s message on the photo form's `field`, under `status`.
async fn refuse_photo(
    ctx: &Ctx,
    req: &Request,
    writer: &RequireMissionWriter,
    m: &MissionRecord,
    (status, field, key): (StatusCode, &'static str, &str),
    alt: String,
) -> Result<Response, AppError> {
    let cities = ctx.cities().await?;
    let form = values_of(ctx, m, &cities);
    let mut photo_form = FormView::default();
    photo_form.errors.insert(field, ctx.t(key));
    photo_form.values.insert("alt", alt);
    let editor = Editor {
        photo_form,
        ..Editor::of_mission(m, &form, status, None)
    };
    editor_page(ctx, req, writer, editor).await
}

/// `POST /{locale}/espace/missions/{id}/photos`.
#[handler]
pub async fn upload_photo(
    req: &Request,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    writer: RequireMissionWriter,
    multipart: poem::web::Multipart,
) -> Result<Response, AppError> {
    let m = writable(&ctx, &writer, &id).await?;
    let Some(upload) = ctx.upload(req, multipart, "photo").await? else {
        return ctx.forbidden(req);
    };
    let alt = upload.text("alt").to_owned();
    let alt_shown: String = alt
        .trim()
        .chars()
        .take(jsap_app::missions::ALT_MAX)
        .collect();
    let Some(bytes) = upload.file.filter(|b| !b.is_empty()) else {
        return refuse_photo(
            &ctx,
            req,
            &writer,
            &m,
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "photo",
                "editor.err_photo_missing",
            ),
            alt_shown,
        )
        .await;
    };
    let account = writer.user.account();
    let outcome = missions::add_photo(
        &ctx.scope(),
        &ctx.state.blobs,
        account,
        MissionId(m.id),
        bytes,
        &alt,
    )
    .await?;
    let (status, field, key) = match outcome {
        Ok(_) => {
            return Ok(see_other(format!(
                "/{}/espace/missions/{}?done=photo#photos",
                ctx.locale, m.id
            )));
        }
        Err(PhotoRefusal::Mission(MissionRefusal::NotFound | MissionRefusal::NotAllowed)) => {
            return Err(AppError::NotFound);
        }
        Err(PhotoRefusal::Mission(_)) => (StatusCode::CONFLICT, "photo", "editor.err_state"),
        Err(PhotoRefusal::Image(ImageError::TooLarge)) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "photo",
            "editor.err_photo_large",
        ),
        Err(PhotoRefusal::Image(ImageError::NotAnImage)) => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "photo",
            "editor.err_photo_type",
        ),
        Err(PhotoRefusal::Image(ImageError::Unreadable)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "photo",
            "editor.err_photo_unreadable",
        ),
        Err(PhotoRefusal::Alt) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "alt",
            "editor.err_photo_alt",
        ),
        Err(PhotoRefusal::TooMany) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "photo",
            "editor.err_photo_many",
        ),
    };
    refuse_photo(&ctx, req, &writer, &m, (status, field, key), alt_shown).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Empty {}

/// `POST /{locale}/espace/missions/{id}/photos/{photo}/{change}`: `monter`, `descendre` or
/// `retirer`.
#[handler]
pub async fn change_photo(
    ctx: Ctx,
    Path((_, id, photo, change)): Path<(String, String, String, String)>,
    writer: RequireMissionWriter,
    Checked(_): Checked<Empty>,
) -> Result<Response, AppError> {
    let m = writable(&ctx, &writer, &id).await?;
    let photo: PhotoId = photo.parse().map_err(|_| AppError::NotFound)?;
    let change = match change.as_str() {
        "monter" => PhotoChange::Up,
        "descendre" => PhotoChange::Down,
        "retirer" => PhotoChange::Remove,
        _ => return Err(AppError::NotFound),
    };
    let account = writer.user.account();
    let done = match missions::change_photo(
        &ctx.scope(),
        &ctx.state.blobs,
        account,
        MissionId(m.id),
        photo,
        change,
    )
    .await?
    {
        Ok(true) if change == PhotoChange::Remove => "photo_removed",
        Ok(_) => "photo_moved",
        Err(MissionRefusal::NotFound | MissionRefusal::NotAllowed) => {
            return Err(AppError::NotFound);
        }
        Err(_) => "state",
    };
    Ok(see_other(format!(
        "/{}/espace/missions/{}?done={done}#photos",
        ctx.locale, m.id
    )))
}
