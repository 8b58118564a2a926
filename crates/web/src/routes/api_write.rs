//! The write API (`/api/v1/missions`, `Authorization: Bearer <personal access token>`): the
//! editor's fields as JSON, the lifecycle's steps, photos. Every answer is JSON; every error
//! has a stable code (`unauthorized`, `forbidden`, `not_found`, `invalid_state`,
//! `too_large`, `unsupported_type`, `invalid_field` with the field in `parameter`,
//! `invalid_body`). The use cases are the pages' (`jsap_app::missions`).

use super::api::{ApiError, api_error};
use crate::extract::CurrentTenant;
use crate::{AppError, AppState};
use chrono::NaiveDate;
use jsap_adapters::images::ImageError;
use jsap_app::missions::{self, Edit, MissionRefusal, PhotoRefusal};
use jsap_domain::Locale;
use jsap_domain::missions::{CloseReason, MissionInput, MissionStep, TextInput};
use jsap_store::{Account, Cities, MissionPhotos, MissionRecord, Organisations};
use jsap_tenancy::Tenant;
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

/// The editor's fields. On creation `title`, `description`, `domain`, `mission_type`,
/// `contribution_types` and the dates (or `flexible`) are required; on a change, only what
/// is sent changes.
#[derive(Object, Default)]
pub(crate) struct MissionFieldsIn {
    /// In `locale`.
    title: Option<String>,
    summary: Option<String>,
    description: Option<String>,
    /// The locale of the texts (default: the site's).
    locale: Option<String>,
    /// A city slug of this site (default: the organisation's city).
    city: Option<String>,
    remote: Option<bool>,
    domain: Option<String>,
    mission_type: Option<String>,
    contribution_types: Option<Vec<String>>,
    /// No dates window: open for a year.
    flexible: Option<bool>,
    /// `YYYY-MM-DD`.
    starts_on: Option<String>,
    /// `YYYY-MM-DD`.
    ends_on: Option<String>,
    skills: Option<Vec<String>>,
    capacity: Option<i32>,
    contact_name: Option<String>,
    /// The organisation's slug (default: the token holder's first organisation).
    organisation: Option<String>,
    /// Focal points and operators only (ignored for others).
    urgent: Option<bool>,
    featured: Option<bool>,
}

#[derive(Object)]
struct TextOut {
    locale: String,
    title: String,
    summary: String,
    description: String,
}

/// A mission as its editors see it.
#[derive(Object)]
pub(crate) struct MissionOut {
    id: i64,
    /// `draft`, `submitted`, `published`, `changes_requested`, `refused`, `closed`, `expired`.
    status: String,
    organisation: String,
    city: String,
    remote: bool,
    domain: String,
    mission_type: String,
    contribution_types: Vec<String>,
    flexible: bool,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    skills: Vec<String>,
    #[oai(skip_serializing_if_is_none)]
    capacity: Option<i32>,
    contact_name: String,
    urgent: bool,
    featured: bool,
    texts: Vec<TextOut>,
    /// The last reviewer's comment ('' for none).
    review_comment: String,
    photos: u32,
    /// The page of the mission in the editor.
    editor_url: String,
}

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

#[derive(ApiResponse)]
pub(crate) enum WriteResponse {
    #[oai(status = 200)]
    Ok(Json<Box<MissionOut>>),
    #[oai(status = 201)]
    Created(Json<Box<MissionOut>>),
    /// A body that is not the JSON or the form documented (answered by `api::json_error`
    /// before the handler runs; declared here so the document lists it).
    #[oai(status = 400)]
    #[allow(dead_code)]
    BadRequest(Json<ApiError>),
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    #[oai(status = 413)]
    TooLarge(Json<ApiError>),
    #[oai(status = 415)]
    UnsupportedType(Json<ApiError>),
    #[oai(status = 422)]
    Invalid(Json<ApiError>),
}

type Answer = poem::Result<WriteResponse>;

fn internal(e: impl Into<AppError>) -> poem::Error {
    let e: AppError = e.into();
    tracing::error!(error = %e, "api write failed");
    poem::Error::from_status(poem::http::StatusCode::INTERNAL_SERVER_ERROR)
}

pub(crate) fn scope<'a>(state: &'a AppState, tenant: &'a Tenant) -> jsap_app::Scope<'a> {
    jsap_app::Scope::new(
        &state.store,
        state.themes.clone(),
        tenant,
        &jsap_app::SystemClock,
    )
}

/// The account the token acts for on this (country) site, or the answer to give.
async fn holder(
    state: &AppState,
    tenant: &CurrentTenant,
    auth: &TokenAuth,
) -> Result<Account, poem::Result<WriteResponse>> {
    if let Err(e) = super::api::country(tenant) {
        return Err(Ok(WriteResponse::NotFound(e)));
    }
    match jsap_app::tokens::authenticate(&scope(state, &tenant.0), &auth.0.token).await {
        Ok(Some(account)) => Ok(account),
        Ok(None) => Err(Ok(WriteResponse::Unauthorized(api_error(
            "unauthorized",
            None,
            "no valid token for this site: create one on your account page",
        )))),
        Err(e) => Err(Err(internal(e))),
    }
}

/// The answer to a refusal of the use cases.
fn refused(refusal: MissionRefusal) -> WriteResponse {
    match refusal {
        MissionRefusal::NotFound => {
            WriteResponse::NotFound(api_error("not_found", None, "no such mission on this site"))
        }
        MissionRefusal::NotAllowed => WriteResponse::Forbidden(api_error(
            "forbidden",
            None,
            "your roles do not allow this on this mission",
        )),
        MissionRefusal::WrongState => WriteResponse::Conflict(api_error(
            "invalid_state",
            None,
            "the mission's status does not allow this",
        )),
        MissionRefusal::OrganisationNotVerified => WriteResponse::Conflict(api_error(
            "invalid_state",
            None,
            "the organisation is not verified yet",
        )),
        MissionRefusal::NoRecipient => WriteResponse::Conflict(api_error(
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

fn invalid(field: &str, message: &str) -> WriteResponse {
    WriteResponse::Invalid(api_error("invalid_field", Some(field), message))
}

fn parse_date(field: &str, raw: Option<&String>) -> Result<Option<NaiveDate>, WriteResponse> {
    match raw.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| invalid(field, "a date as YYYY-MM-DD")),
    }
}

/// `fields` over `base` (a new mission: `None`), as an edit for the use cases.
async fn edit_of(
    state: &AppState,
    tenant: &Tenant,
    holder: &Account,
    fields: MissionFieldsIn,
    base: Option<&MissionRecord>,
) -> Result<Result<Edit, WriteResponse>, poem::Error> {
    let conn = state.store.conn();
    let locale = match fields.locale.as_deref().filter(|l| !l.is_empty()) {
        None => tenant.default_locale,
        Some(raw) => match raw.parse::<Locale>().ok().filter(|l| tenant.offers(*l)) {
            Some(l) => l,
            None => return Ok(Err(invalid("locale", "not a locale of this site"))),
        },
    };
    let organisation_id = match (&fields.organisation, base) {
        (Some(slug), _) => match Organisations::for_tenant(conn, tenant)
            .by_slug(slug)
            .await
            .map_err(internal)?
        {
            Some(o) => o.id,
            None => return Ok(Err(invalid("organisation", "no such organisation here"))),
        },
        (None, Some(m)) => m.organisation_id,
        (None, None) => {
            let writable = missions::writable_organisations(&scope(state, tenant), holder)
                .await
                .map_err(internal)?;
            match writable.first() {
                Some(o) => o.id,
                None => {
                    return Ok(Err(WriteResponse::Forbidden(api_error(
                        "forbidden",
                        None,
                        "you write for no organisation on this site",
                    ))));
                }
            }
        }
    };
    let city_id = match &fields.city {
        Some(slug) => match Cities::for_tenant(conn, tenant)
            .by_slug(slug)
            .await
            .map_err(internal)?
        {
            Some(c) => Some(c.id),
            None => return Ok(Err(invalid("city", "not a city of this site"))),
        },
        None => base.map(|m| m.city_id),
    };
    let starts_on = match parse_date("starts_on", fields.starts_on.as_ref()) {
        Ok(d) => d.or(base.map(|m| m.starts_on)),
        Err(e) => return Ok(Err(e)),
    };
    let ends_on = match parse_date("ends_on", fields.ends_on.as_ref()) {
        Ok(d) => d.or(base.map(|m| m.ends_on)),
        Err(e) => return Ok(Err(e)),
    };
    let mut texts: Vec<TextInput> = base
        .map(|m| {
            m.texts
                .iter()
                .filter_map(|t| {
                    Some(TextInput {
                        locale: t.locale.parse().ok()?,
                        title: t.title.clone(),
                        summary: t.summary.clone(),
                        description: t.description.clone(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    if fields.title.is_some() || fields.summary.is_some() || fields.description.is_some() {
        let at = match texts.iter().position(|t| t.locale == locale) {
            Some(at) => at,
            None => {
                texts.push(TextInput {
                    locale,
                    ..TextInput::default()
                });
                texts.len() - 1
            }
        };
        let text = &mut texts[at];
        if let Some(v) = fields.title {
            text.title = v;
        }
        if let Some(v) = fields.summary {
            text.summary = v;
        }
        if let Some(v) = fields.description {
            text.description = v;
        }
    }
    let input = MissionInput {
        texts,
        city_id,
        remote: fields.remote.or(base.map(|m| m.remote)).unwrap_or(false),
        domain: fields
            .domain
            .or(base.map(|m| m.domain.clone()))
            .unwrap_or_default(),
        mission_type: fields
            .mission_type
            .or(base.map(|m| m.mission_type.clone()))
            .unwrap_or_default(),
        contribution_types: fields
            .contribution_types
            .or(base.map(|m| m.contributions.clone()))
            .unwrap_or_default(),
        flexible: fields
            .flexible
            .or(base.map(|m| m.flexible))
            .unwrap_or(false),
        starts_on,
        ends_on,
        skills: fields
            .skills
            .or(base.map(|m| m.skills.clone()))
            .unwrap_or_default(),
        capacity: match fields.capacity {
            Some(c) => Some(c),
            None => base.and_then(|m| m.capacity),
        },
        contact_name: fields
            .contact_name
            .or(base.map(|m| m.contact_name.clone()))
            .unwrap_or_default(),
    };
    Ok(Ok(Edit {
        organisation_id,
        input,
        urgent: fields.urgent.or(base.map(|m| m.urgent)).unwrap_or(false),
        featured: fields
            .featured
            .or(base.map(|m| m.featured))
            .unwrap_or(false),
    }))
}

/// The JSON of mission `m`.
pub(crate) async fn mission_out(
    state: &AppState,
    tenant: &Tenant,
    m: &MissionRecord,
) -> poem::Result<Box<MissionOut>> {
    let conn = state.store.conn();
    let organisation = Organisations::for_tenant(conn, tenant)
        .by_id(m.organisation_id)
        .await
        .map_err(internal)?;
    let city = Cities::for_tenant(conn, tenant)
        .by_id(m.city_id)
        .await
        .map_err(internal)?;
    let photos = MissionPhotos::for_tenant(conn, tenant)
        .of_mission(m.id)
        .await
        .map_err(internal)?
        .len();
    Ok(Box::new(MissionOut {
        id: m.id,
        status: m.status.as_str().to_owned(),
        organisation: organisation.map(|o| o.slug).unwrap_or_default(),
        city: city.map(|c| c.slug).unwrap_or_default(),
        remote: m.remote,
        domain: m.domain.clone(),
        mission_type: m.mission_type.clone(),
        contribution_types: m.contributions.clone(),
        flexible: m.flexible,
        starts_on: m.starts_on,
        ends_on: m.ends_on,
        skills: m.skills.clone(),
        capacity: m.capacity,
        contact_name: m.contact_name.clone(),
        urgent: m.urgent,
        featured: m.featured,
        texts: m
            .texts
            .iter()
            .map(|t| TextOut {
                locale: t.locale.clone(),
                title: t.title.clone(),
                summary: t.summary.clone(),
                description: t.description.clone(),
            })
            .collect(),
        review_comment: m.review_comment.clone(),
        photos: u32::try_from(photos).unwrap_or(u32::MAX),
        editor_url: format!(
            "{}/{}/espace/missions/{}",
            tenant.canonical_url(),
            tenant.default_locale,
            m.id
        ),
    }))
}

fn mission_id(raw: &str) -> Result<i64, WriteResponse> {
    raw.parse::<i64>().map_err(|_| {
        WriteResponse::NotFound(api_error("not_found", None, "no such mission on this site"))
    })
}

/// The token's account and the mission id of the path, or the answer to give.
async fn holder_of(
    state: &AppState,
    tenant: &CurrentTenant,
    auth: &TokenAuth,
    raw_id: &str,
) -> Result<(Account, i64), Answer> {
    let account = holder(state, tenant, auth).await?;
    let id = mission_id(raw_id).map_err(Ok)?;
    Ok((account, id))
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
                WriteResponse::Created(out)
            } else {
                WriteResponse::Ok(out)
            })
        }
        Err(refusal) => Ok(refused(refusal)),
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
        let account = match holder(&state, &tenant, &auth).await {
            Ok(a) => a,
            Err(answer) => return answer,
        };
        let edit = match edit_of(&state, &tenant.0, &account, body.0, None).await? {
            Ok(e) => e,
            Err(answer) => return Ok(answer),
        };
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
        let (account, id) = match holder_of(&state, &tenant, &auth, &id.0).await {
            Ok(found) => found,
            Err(answer) => return answer,
        };
        let Some(base) = jsap_store::MissionEdits::for_tenant(state.store.conn(), &tenant.0)
            .find(id)
            .await
            .map_err(internal)?
        else {
            return Ok(refused(MissionRefusal::NotFound));
        };
        let edit = match edit_of(&state, &tenant.0, &account, body.0, Some(&base)).await? {
            Ok(e) => e,
            Err(answer) => return Ok(answer),
        };
        let outcome = missions::update(&scope(&state, &tenant.0), &account, id, edit)
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
        let (account, id) = match holder_of(&state, &tenant, &auth, &id.0).await {
            Ok(found) => found,
            Err(answer) => return answer,
        };
        let bytes = upload.photo.into_vec().await.map_err(|e| {
            poem::Error::from_string(e.to_string(), poem::http::StatusCode::BAD_REQUEST)
        })?;
        let scope = scope(&state, &tenant.0);
        let outcome = missions::add_photo(&scope, &state.blobs, &account, id, bytes, &upload.alt)
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
            Err(PhotoRefusal::Mission(r)) => Ok(refused(r)),
            Err(PhotoRefusal::Image(ImageError::TooLarge)) => Ok(WriteResponse::TooLarge(
                api_error("too_large", Some("photo"), "at most 10 MB"),
            )),
            Err(PhotoRefusal::Image(ImageError::NotAnImage)) => {
                Ok(WriteResponse::UnsupportedType(api_error(
                    "unsupported_type",
                    Some("photo"),
                    "not a JPEG, PNG or WebP image",
                )))
            }
            Err(PhotoRefusal::Image(ImageError::Unreadable)) => {
                Ok(invalid("photo", "damaged, or too large in pixels"))
            }
            Err(PhotoRefusal::Alt) => Ok(invalid("alt", "required, at most 200 characters")),
            Err(PhotoRefusal::TooMany) => Ok(WriteResponse::Conflict(api_error(
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
        let (account, id) = match holder_of(&state, &tenant, &auth, &id.0).await {
            Ok(found) => found,
            Err(answer) => return answer,
        };
        let outcome = missions::submit(&scope(&state, &tenant.0), &account, id)
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
        let (account, id) = match holder_of(&state, &tenant, &auth, &id.0).await {
            Ok(found) => found,
            Err(answer) => return answer,
        };
        let Some(decision) = MissionStep::decision(&body.decision) else {
            return Ok(invalid("decision", "publish, changes or refuse"));
        };
        let comment = body.0.comment.unwrap_or_default();
        let outcome = missions::review(
            &scope(&state, &tenant.0),
            &account,
            id,
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
        let (account, id) = match holder_of(&state, &tenant, &auth, &id.0).await {
            Ok(found) => found,
            Err(answer) => return answer,
        };
        let Some(reason) = CloseReason::parse(&body.reason) else {
            return Ok(invalid("reason", "filled or cancelled"));
        };
        let outcome = missions::close(&scope(&state, &tenant.0), &account, id, reason)
            .await
            .map_err(internal)?;
        answer(&state, &tenant.0, outcome, false).await
    }
}
