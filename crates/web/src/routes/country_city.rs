//! One city in the country console (`/{locale}/espace/pays/villes/{slug}`): the operator edits
//! its words and place, gives it a photo, invites, invites again, replaces or removes its focal
//! points, and retires it from the site or brings it back. Each form posts to its own address
//! and comes back here with a confirmation; the rules are in `jsap_app::cities`.

use crate::AppError;
use crate::kit::{Checked, Ctx, Done, Errors, FormView, Pairs, one, see_other};
use crate::roles::{ConsoleRow, PathRow};
use crate::routes::country_cities::{check_focal_point, check_place, put_limits, shown_back};
use crate::routes::spaces::{Invitee, active, invitee};
use jsap_adapters::images::ImageError;
use jsap_app::cities::{self, CityRefusal, PhotoRefusal};
use jsap_domain::CityId;
use jsap_store::{Accounts, Cities, CityRecord, Invitations, Role};
use poem::http::StatusCode;
use poem::web::{Path, Query};
use poem::{Request, Response, handler};

use std::collections::BTreeMap;

const PLACE_FIELDS: [&str; 5] = ["name", "region", "latitude", "longitude", "description"];
const INVITE_FIELDS: [&str; 3] = ["focal_point_name", "focal_point_email", "replaces"];

/// What the page shows besides the city: the forms as they come back, and a message.
#[derive(Default)]
struct Shown {
    place: Option<FormView>,
    invite: FormView,
    photo_error: Option<String>,
    /// A refusal of the retire button ("still has 3 missions").
    alert: Option<String>,
    notice: Option<String>,
}

/// The city of address `slug` (retired or not), or 404.
async fn city(ctx: &Ctx, slug: &str) -> Result<CityRecord, AppError> {
    Cities::for_tenant(ctx.state.store.conn(), &ctx.tenant)
        .by_slug_any(slug)
        .await?
        .ok_or(AppError::NotFound)
}

/// What every handler of the city's page starts from: the console, then the city of the
/// path's `slug`, retired or not.
pub type OperatorCity = ConsoleRow<CityRecord>;

impl PathRow for CityRecord {
    async fn read(ctx: &Ctx, req: &Request) -> Result<Self, AppError> {
        let slug = req.raw_path_param("slug").ok_or(AppError::NotFound)?;
        city(ctx, slug).await
    }
}

impl OperatorCity {
    fn id(&self) -> CityId {
        CityId(self.row.id)
    }

    /// The city's page under `status`.
    async fn page(
        &self,
        req: &Request,
        status: StatusCode,
        shown: Shown,
    ) -> Result<Response, AppError> {
        page(&self.ctx, req, status, &self.row, shown).await
    }

    /// Back to the city's page with the confirmation of `done`.
    fn back(&self, done: &str) -> Response {
        back(&self.ctx, &self.row.slug, done)
    }
}

/// The city's focal points: accounts holding the role, then invitations not (yet) turned into
/// one; withdrawn invitations are not shown.
async fn focal_points(ctx: &Ctx, city: &CityRecord) -> Result<Vec<Invitee>, AppError> {
    let conn = ctx.state.store.conn();
    let holders: Vec<jsap_store::Account> = Accounts::for_tenant(conn, &ctx.tenant)
        .with_role(Role::FocalPoint)
        .await?
        .into_iter()
        .filter(|(_, m)| m.city_id == Some(city.id))
        .map(|(a, _)| a)
        .collect();
    let mut people: Vec<Invitee> = holders.iter().map(active).collect();
    for i in Invitations::for_tenant(conn, &ctx.tenant)
        .list_of(Role::FocalPoint)
        .await?
    {
        if i.grant.city_id() == Some(city.id)
            && i.withdrawn_at.is_none()
            && !holders.iter().any(|a| a.email == i.email)
        {
            people.push(invitee(ctx, &i.name, &i.email, i.accepted_at, i.expires_at));
        }
    }
    Ok(people)
}

/// The form of the city's fields filled with what it says now.
fn place_form(city: &CityRecord) -> FormView {
    FormView {
        values: BTreeMap::from([
            ("name", city.names.name.clone()),
            ("region", city.region.clone()),
            ("latitude", city.latitude.to_string()),
            ("longitude", city.longitude.to_string()),
            ("description", city.description.clone()),
        ]),
        errors: Errors::new(),
    }
}

async fn page(
    ctx: &Ctx,
    req: &Request,
    status: StatusCode,
    city: &CityRecord,
    shown: Shown,
) -> Result<Response, AppError> {
    let people = focal_points(ctx, city).await?;
    let place = shown.place.unwrap_or_else(|| place_form(city));
    let photo = (!city.photo_card_key.is_empty()).then(|| {
        (
            crate::routes::media::photo_path(&city.photo_card_key),
            crate::routes::media::photo_path(&city.photo_key),
        )
    });
    let rest = format!("/espace/pays/villes/{}", city.slug);
    ctx.page(req, &rest, "spaces/city_edit.html", status, |c| {
        c.insert("city", city);
        c.insert("city_label", city.name_in(ctx.locale));
        c.insert("retired", &city.retired_at.is_some());
        put!(c, photo);
        c.insert("focal_points", &people);
        c.insert("form", &place);
        c.insert("invite", &shown.invite);
        c.insert("photo_error", &shown.photo_error);
        c.insert("alert", &shown.alert);
        c.insert("notice", &shown.notice);
        put_limits(c);
    })
}

/// Back to the city's page with the confirmation of `done`.
fn back(ctx: &Ctx, slug: &str, done: &str) -> Response {
    see_other(format!(
        "/{}/espace/pays/villes/{slug}?done={done}",
        ctx.locale
    ))
}

/// The confirmation of each `?done=` code.
const NOTICES: [(&str, &str); 7] = [
    ("edited", "city_admin.done_edited"),
    ("photo", "city_admin.done_photo"),
    ("invited", "city_admin.done_focal_invited"),
    ("replaced", "city_admin.done_focal_replaced"),
    ("removed", "city_admin.done_focal_removed"),
    ("retired", "city_admin.done_retired"),
    ("restored", "city_admin.done_restored"),
];

/// `GET /{locale}/espace/pays/villes/{slug}`.
#[handler]
pub async fn city_page(
    req: &Request,
    at: OperatorCity,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let shown = Shown {
        notice: done.notice(&at.ctx, &NOTICES),
        ..Shown::default()
    };
    at.page(req, StatusCode::OK, shown).await
}

/// `POST /{locale}/espace/pays/villes/{slug}`: the city's name, region, place, description.
#[handler]
pub async fn save_city(
    req: &Request,
    at: OperatorCity,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let mut errors = Errors::new();
    let Some(edit) = check_place(&at.ctx, &pairs, &mut errors) else {
        let shown = Shown {
            place: Some(shown_back(&pairs, errors, &PLACE_FIELDS)),
            ..Shown::default()
        };
        return at.page(req, StatusCode::UNPROCESSABLE_ENTITY, shown).await;
    };
    match cities::edit(&at.ctx.scope(), at.account(), at.id(), edit).await? {
        Ok(_) => Ok(at.back("edited")),
        Err(_) => Err(AppError::NotFound),
    }
}

/// `POST /{locale}/espace/pays/villes/{slug}/photo` (multipart: `csrf`, `photo`).
#[handler]
pub async fn upload_photo(
    req: &Request,
    at: OperatorCity,
    multipart: poem::web::Multipart,
) -> Result<Response, AppError> {
    let Some(upload) = at.ctx.upload(req, multipart, "photo").await? else {
        return at.ctx.forbidden(req);
    };
    let (status, key) = match upload.file.filter(|b| !b.is_empty()) {
        None => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "city_admin.err_photo_missing",
        ),
        Some(bytes) => {
            let scope = at.ctx.scope();
            match cities::set_photo(&scope, &at.ctx.state.blobs, at.account(), at.id(), bytes)
                .await?
            {
                Ok(_) => return Ok(at.back("photo")),
                Err(PhotoRefusal::City(_)) => return Err(AppError::NotFound),
                Err(PhotoRefusal::Image(ImageError::TooLarge)) => {
                    (StatusCode::PAYLOAD_TOO_LARGE, "org.err_logo_large")
                }
                Err(PhotoRefusal::Image(_)) => (
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "city_admin.err_photo_type",
                ),
            }
        }
    };
    let shown = Shown {
        photo_error: Some(at.ctx.t(key)),
        ..Shown::default()
    };
    at.page(req, status, shown).await
}

/// `POST /{locale}/espace/pays/villes/{slug}/points-focaux`: invites a focal point (again,
/// when they were: a fresh link), replacing `replaces` (an address) when it is given.
#[handler]
pub async fn invite_focal_point(
    req: &Request,
    at: OperatorCity,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let mut errors = Errors::new();
    let invitee = check_focal_point(&at.ctx, &pairs, &mut errors, false);
    let replaces = Some(one(&pairs, "replaces").trim()).filter(|r| !r.is_empty());
    let refused = |errors: Errors| Shown {
        invite: shown_back(&pairs, errors, &INVITE_FIELDS),
        ..Shown::default()
    };
    let Some((name, email)) = invitee.filter(|_| errors.is_empty()) else {
        let shown = refused(errors);
        return at.page(req, StatusCode::UNPROCESSABLE_ENTITY, shown).await;
    };
    let scope = at.ctx.scope();
    match cities::invite_focal_point(&scope, at.account(), at.id(), &name, &email, replaces).await?
    {
        Ok(_) if replaces.is_some() => Ok(at.back("replaced")),
        Ok(_) => Ok(at.back("invited")),
        Err(CityRefusal::NoSuchFocalPoint) => {
            let errors = Errors::from([("replaces", at.ctx.t("city_admin.err_replaces"))]);
            at.page(req, StatusCode::CONFLICT, refused(errors)).await
        }
        Err(_) => Err(AppError::NotFound),
    }
}

/// `POST /{locale}/espace/pays/villes/{slug}/points-focaux/retirer` (`email`): removes a focal
/// point of the city (or withdraws their invitation).
#[handler]
pub async fn remove_focal_point(
    req: &Request,
    at: OperatorCity,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let email = one(&pairs, "email").trim();
    match cities::remove_focal_point(&at.ctx.scope(), at.account(), at.id(), email).await? {
        Ok(()) => Ok(at.back("removed")),
        Err(CityRefusal::NoSuchFocalPoint) => {
            let shown = Shown {
                alert: Some(at.ctx.t("city_admin.err_no_focal_point")),
                ..Shown::default()
            };
            at.page(req, StatusCode::CONFLICT, shown).await
        }
        Err(_) => Err(AppError::NotFound),
    }
}

/// `POST /{locale}/espace/pays/villes/{slug}/{retirer|remettre}`: retires the city from the
/// site, or brings it back.
#[handler]
pub async fn retire_city(
    req: &Request,
    at: OperatorCity,
    Path((_, _, change)): Path<(String, String, String)>,
    Checked(_pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let retire = match change.as_str() {
        "retirer" => true,
        "remettre" => false,
        _ => return Err(AppError::NotFound),
    };
    match cities::set_retired(&at.ctx.scope(), at.account(), at.id(), retire).await? {
        Ok(_) => Ok(at.back(if retire { "retired" } else { "restored" })),
        Err(CityRefusal::HasMissions(count)) => {
            let shown = Shown {
                alert: Some(
                    at.ctx
                        .t("city_admin.err_has_missions")
                        .replace("%{count}", &count.to_string()),
                ),
                ..Shown::default()
            };
            at.page(req, StatusCode::CONFLICT, shown).await
        }
        Err(_) => Err(AppError::NotFound),
    }
}
