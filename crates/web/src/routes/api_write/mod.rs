//! The write API (`/api/v1/missions`, `Authorization: Bearer <personal access token>`): the
//! editor's fields as JSON, the lifecycle's steps, photos. Every answer is JSON; every error
//! has a stable code (`unauthorized`, `forbidden`, `not_found`, `invalid_state`,
//! `too_large`, `unsupported_type`, `invalid_field` with the field in `parameter`,
//! `invalid_body`). The use cases are the pages' (`jsap_app::missions`).
//!
//! - [`fields`]: the editor's fields as JSON, read into an edit for the use cases;
//! - [`out`]: a mission as its editors see it.

mod assistant;
mod fields;
mod out;

pub use assistant::AssistantApi;

use super::api::{ApiError, api_error};
use crate::extract::CurrentTenant;
use crate::{AppError, AppState};
use fields::{MissionFieldsIn, edit_of};
use jsap_adapters::images::ImageError;
use jsap_app::missions::{self, MissionRefusal, PhotoRefusal};
use jsap_domain::MissionId;
use jsap_domain::missions::{CloseReason, MissionStep};
use jsap_store::{Account, MissionRecord};
use jsap_tenancy::Tenant;
use out::{MissionOut, mission_out};
use poem::web::Data;
use poem_openapi::auth::Bearer;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Multipart, Object, OpenApi, SecurityScheme};
use std::sync::Arc;

/// A personal access token, created on the account page or with `jesuisaupays token create`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer")]
pub(crate) struct TokenAuth(Bearer);

#[derive(Object)]
struct ReviewIn {
    /// `publish`, `changes` or `refuse`.
    decision: String,
    /// Required for `changes` and `refuse`.
    comment: Option<String>,
}

#[derive(Object)]
struct CloseIn {
    /// `filled` or `cancelled`.
    reason: String,
}

#[derive(Multipart)]
struct PhotoIn {
    /// JPEG, PNG or WebP, at most 10 MB.
    photo: Upload,
    /// What the photo shows (required).
    alt: String,
}

/// What a write answers when it is done.
#[derive(ApiResponse)]
pub(crate) enum Written {
    #[oai(status = 200)]
    Ok(Json<Box<MissionOut>>),
    #[oai(status = 201)]
    Created(Json<Box<MissionOut>>),
}

/// What the write API (and the assistant's draft) answers when it refuses: every error is
/// JSON with a stable code.
#[derive(ApiResponse)]
pub(crate) enum Refused {
    /// A body that is not the JSON or the form documented (mostly answered by
    /// `api::json_error` before the handler runs).
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// The mission's status does not allow the step (never answered by the draft).
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// A photo over 10 MB (never answered by the draft).
    #[oai(status = 413)]
    TooLarge(Json<ApiError>),
    /// A body that is not JSON, or a photo that is not an image.
    #[oai(status = 415)]
    UnsupportedType(Json<ApiError>),
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
    /// Something failed on the site's side (it is logged); nothing was saved.
    #[oai(status = 500)]
    Failed(Json<ApiError>),
}

type Answer = Result<Written, Refused>;

pub(super) fn internal(e: impl Into<AppError>) -> Refused {
    let e: AppError = e.into();
    tracing::error!(error = %e, "api write failed");
    Refused::Failed(api_error(
        "internal",
        None,
        "the site failed: try again later",
    ))
}

pub(crate) fn scope<'a>(state: &'a AppState, tenant: &'a Tenant) -> jsap_app::Scope<'a> {
    jsap_app::Scope::new(
        &state.store,
        state.themes.clone(),
        tenant,
        &jsap_app::SystemClock,
    )
}

/// The account the token acts for on this (country) site, or the status (404 on the portal,
/// 401) and error to answer with.
pub(super) async fn holder_account(
    state: &AppState,
    tenant: &CurrentTenant,
    auth: &TokenAuth,
) -> Result<Account, Refused> {
    if let Err(e) = super::api::country(tenant) {
        return Err(Refused::NotFound(e));
    }
    match jsap_app::tokens::authenticate(&scope(state, &tenant.0), &auth.0.token).await {
        Ok(Some(account)) => Ok(account),
        Ok(None) => Err(Refused::Unauthorized(api_error(
            "unauthorized",
            None,
            "no valid token for this site: create one on your account page",
        ))),
        Err(e) => Err(internal(e)),
    }
}

/// The answer to a refusal of the use cases.
fn refused(refusal: MissionRefusal) -> Refused {
    match refusal {
        MissionRefusal::NotFound => {
            Refused::NotFound(api_error("not_found", None, "no such mission on this site"))
        }
        MissionRefusal::NotAllowed => Refused::Forbidden(api_error(
            "forbidden",
            None,
            "your roles do not allow this on this mission",
        )),
        MissionRefusal::WrongState => Refused::Conflict(api_error(
            "invalid_state",
            None,
            "the mission's status does not allow this",
        )),
        MissionRefusal::OrganisationNotVerified => Refused::Conflict(api_error(
            "invalid_state",
            None,
            "the organisation is not verified yet",
        )),
        MissionRefusal::NoRecipient => Refused::Conflict(api_error(
            "invalid_state",
            None,
            "nobody would receive its requests: no member, no focal point",
        )),
        MissionRefusal::CommentRequired => {
            invalid("comment", "required to request changes or refuse")
        }
        MissionRefusal::Invalid(problems) => match problems.into_iter().next() {
            Some((field, problem)) => invalid(&field, problem.code()),
            None => invalid("body", "invalid"),
        },
    }
}

pub(super) fn invalid(field: &str, message: &str) -> Refused {
    Refused::Invalid(api_error("invalid_field", Some(field), message))
}

fn mission_id(raw: &str) -> Result<i64, Refused> {
    raw.parse::<i64>().map_err(|_| {
        Refused::NotFound(api_error("not_found", None, "no such mission on this site"))
    })
}

/// The token's account and the mission id of the path, or the answer to give.
async fn holder_of(
    state: &AppState,
    tenant: &CurrentTenant,
    auth: &TokenAuth,
    raw_id: &str,
) -> Result<(Account, i64), Refused> {
    let account = holder_account(state, tenant, auth).await?;
    mission_id(raw_id).map(|id| (account, id))
}

/// An outcome of the use cases as an answer.
async fn answer(
    state: &AppState,
    tenant: &Tenant,
    outcome: Result<MissionRecord, MissionRefusal>,
    created: bool,
) -> Answer {
    match outcome {
        Ok(m) => {
            let out = Json(mission_out(state, tenant, &m).await?);
            Ok(if created {
                Written::Created(out)
            } else {
                Written::Ok(out)
            })
        }
        Err(refusal) => Err(refused(refusal)),
    }
}

pub struct WriteApi;

#[OpenApi(prefix_path = "/v1")]
impl WriteApi {
    /// Create a draft mission.
    #[oai(path = "/missions", method = "post")]
    async fn create(
        &self,
        auth: TokenAuth,
        state: Data<&Arc<AppState>>,
        tenant: CurrentTenant,
        body: Json<MissionFieldsIn>,
    ) -> Answer {
        let account = holder_account(&state, &tenant, &auth).await?;
        let edit = edit_of(&state, &tenant.0, &account, body.0, None).await?;
        let outcome = missions::create(&scope(&state, &tenant.0), &account, edit)
            .await
            .map_err(internal)?;
        answer(&state, &tenant.0, outcome, true).await
    }

    /// Change a mission: only the fields sent. A published mission whose city, dates or
    /// contribution types change goes back to review.
    #[oai(path = "/missions/:id", method = "patch")]
    async fn update(
        &self,
        auth: TokenAuth,
        state: Data<&Arc<AppState>>,
        tenant: CurrentTenant,
        id: Path<String>,
        body: Json<MissionFieldsIn>,
    ) -> Answer {
        let (account, id) = holder_of(&state, &tenant, &auth, &id.0).await?;
        let Some(base) = jsap_store::MissionEdits::for_tenant(state.store.conn(), &tenant.0)
            .find(id)
            .await
            .map_err(internal)?
        else {
            return Err(refused(MissionRefusal::NotFound));
        };
        let edit = edit_of(&state, &tenant.0, &account, body.0, Some(&base)).await?;
        let outcome = missions::update(&scope(&state, &tenant.0), &account, MissionId(id), edit)
            .await
            .map_err(internal)?
            .map(|saved| saved.mission);
        answer(&state, &tenant.0, outcome, false).await
    }

    /// Add a photo (multipart: `photo`, `alt`).
    #[oai(path = "/missions/:id/photos", method = "post")]
    async fn photo(
        &self,
        auth: TokenAuth,
        state: Data<&Arc<AppState>>,
        tenant: CurrentTenant,
        id: Path<String>,
        upload: PhotoIn,
    ) -> Answer {
        let (account, id) = holder_of(&state, &tenant, &auth, &id.0).await?;
        let bytes = upload.photo.into_vec().await.map_err(|e| {
            Refused::BadRequest(api_error("invalid_body", Some("photo"), e.to_string()))
        })?;
        let scope = scope(&state, &tenant.0);
        let outcome = missions::add_photo(
            &scope,
            &state.blobs,
            &account,
            MissionId(id),
            bytes,
            &upload.alt,
        )
        .await
        .map_err(internal)?;
        match outcome {
            Ok(_) => {
                let m = jsap_store::MissionEdits::for_tenant(state.store.conn(), &tenant.0)
                    .find(id)
                    .await
                    .map_err(internal)?
                    .ok_or_else(|| internal(AppError::NotFound))?;
                answer(&state, &tenant.0, Ok(m), true).await
            }
            Err(PhotoRefusal::Mission(r)) => Err(refused(r)),
            Err(PhotoRefusal::Image(ImageError::TooLarge)) => Err(Refused::TooLarge(api_error(
                "too_large",
                Some("photo"),
                "at most 10 MB",
            ))),
            Err(PhotoRefusal::Image(ImageError::NotAnImage)) => {
                Err(Refused::UnsupportedType(api_error(
                    "unsupported_type",
                    Some("photo"),
                    "not a JPEG, PNG or WebP image",
                )))
            }
            Err(PhotoRefusal::Image(ImageError::Unreadable)) => {
                Err(invalid("photo", "damaged, or too large in pixels"))
            }
            Err(PhotoRefusal::Alt) => Err(invalid("alt", "required, at most 200 characters")),
            Err(PhotoRefusal::TooMany) => Err(Refused::Conflict(api_error(
                "invalid_state",
                Some("photo"),
                "a mission has at most 6 photos",
            ))),
        }
    }

    /// Send a draft (or a mission whose changes were requested) to review.
    #[oai(path = "/missions/:id/submit", method = "post")]
    async fn submit(
        &self,
        auth: TokenAuth,
        state: Data<&Arc<AppState>>,
        tenant: CurrentTenant,
        id: Path<String>,
    ) -> Answer {
        let (account, id) = holder_of(&state, &tenant, &auth, &id.0).await?;
        let outcome = missions::submit(&scope(&state, &tenant.0), &account, MissionId(id))
            .await
            .map_err(internal)?;
        answer(&state, &tenant.0, outcome, false).await
    }

    /// A reviewer's decision: `publish`, `changes` or `refuse` (with a `comment`).
    #[oai(path = "/missions/:id/review", method = "post")]
    async fn review(
        &self,
        auth: TokenAuth,
        state: Data<&Arc<AppState>>,
        tenant: CurrentTenant,
        id: Path<String>,
        body: Json<ReviewIn>,
    ) -> Answer {
        let (account, id) = holder_of(&state, &tenant, &auth, &id.0).await?;
        let Some(decision) = MissionStep::decision(&body.decision) else {
            return Err(invalid("decision", "publish, changes or refuse"));
        };
        let comment = body.0.comment.unwrap_or_default();
        let outcome = missions::review(
            &scope(&state, &tenant.0),
            &account,
            MissionId(id),
            decision,
            &comment.chars().take(2000).collect::<String>(),
        )
        .await
        .map_err(internal)?;
        answer(&state, &tenant.0, outcome, false).await
    }

    /// Close a published mission: `filled` or `cancelled`.
    #[oai(path = "/missions/:id/close", method = "post")]
    async fn close(
        &self,
        auth: TokenAuth,
        state: Data<&Arc<AppState>>,
        tenant: CurrentTenant,
        id: Path<String>,
        body: Json<CloseIn>,
    ) -> Answer {
        let (account, id) = holder_of(&state, &tenant, &auth, &id.0).await?;
        let Some(reason) = CloseReason::parse(&body.reason) else {
            return Err(invalid("reason", "filled or cancelled"));
        };
        let outcome = missions::close(&scope(&state, &tenant.0), &account, MissionId(id), reason)
            .await
            .map_err(internal)?;
        answer(&state, &tenant.0, outcome, false).await
    }
}
