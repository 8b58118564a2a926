//! The country operator adds a city from the console (`/{locale}/espace/pays/villes/nouvelle`):
//! name, region, coordinates, a description and, optionally, its first focal point, invited
//! by email in the same step (`jsap_app::cities::add`).

use crate::AppError;
use crate::kit::{Checked, Ctx, Errors, FormView, Pairs, one, see_other};
use crate::kit::{field_error, text_field};
use crate::roles::Console;
use jsap_app::cities::{self, CityDraft, CityRefusal};
use jsap_domain::EmailAddress;
use jsap_store::CityEdit;
use poem::http::StatusCode;
use poem::{Request, Response, handler};
use std::collections::BTreeMap;

pub const CITY_NAME_MAX: usize = 80;
pub const REGION_MAX: usize = 80;
pub const CITY_DESCRIPTION_MAX: usize = 2000;
const FIELDS: [&str; 7] = [
    "name",
    "region",
    "latitude",
    "longitude",
    "description",
    "focal_point_name",
    "focal_point_email",
];

async fn form_page(
    ctx: &Ctx,
    req: &Request,
    status: StatusCode,
    form: &FormView,
) -> Result<Response, AppError> {
    ctx.page(
        req,
        "/espace/pays/villes/nouvelle",
        "spaces/city_new.html",
        status,
        |c| {
            c.insert("form", form);
            put_limits(c);
        },
    )
}

/// The city form's length limits (its counters and `maxlength`s), on the new city's page and
/// on a city's.
pub(crate) fn put_limits(c: &mut tera::Context) {
    c.insert("city_name_max", &CITY_NAME_MAX);
    c.insert("region_max", &REGION_MAX);
    c.insert("city_description_max", &CITY_DESCRIPTION_MAX);
}

/// `GET /{locale}/espace/pays/villes/nouvelle`.
#[handler]
pub async fn new_city_form(
    req: &Request,
    Console(ctx, _operator): Console,
) -> Result<Response, AppError> {
    form_page(&ctx, req, StatusCode::OK, &FormView::default()).await
}

const LATITUDE: &str = "city_admin.latitude_label";
const LONGITUDE: &str = "city_admin.longitude_label";

/// A coordinate in `range` (a dot or a comma as the decimal mark), or the error of the field
/// labelled `label_key`.
pub(crate) fn coordinate(
    ctx: &Ctx,
    raw: &str,
    label_key: &str,
    range: std::ops::RangeInclusive<f64>,
) -> Result<f64, String> {
    if raw.is_empty() {
        return Err(field_error(ctx, "form.err_required", label_key));
    }
    match raw.replace(',', ".").parse::<f64>() {
        Ok(v) if v.is_finite() && range.contains(&v) => Ok(v),
        _ => Err(field_error(ctx, "city_admin.err_coordinate", label_key)
            .replace("%{min}", &range.start().to_string())
            .replace("%{max}", &range.end().to_string())),
    }
}

/// Checks the city's own fields (name, region, coordinates, description): what they say, or
/// `None` with their errors in `errors`.
pub(crate) fn check_place(ctx: &Ctx, pairs: &Pairs, errors: &mut Errors) -> Option<CityEdit> {
    let name = text_field(
        ctx,
        pairs,
        errors,
        "name",
        CITY_NAME_MAX,
        true,
        "city_admin",
    );
    let region = text_field(ctx, pairs, errors, "region", REGION_MAX, true, "city_admin");
    let latitude = coordinate(ctx, one(pairs, "latitude").trim(), LATITUDE, -90.0..=90.0)
        .map_err(|e| errors.insert("latitude", e))
        .ok();
    let longitude = coordinate(
        ctx,
        one(pairs, "longitude").trim(),
        LONGITUDE,
        -180.0..=180.0,
    )
    .map_err(|e| errors.insert("longitude", e))
    .ok();
    let description = text_field(
        ctx,
        pairs,
        errors,
        "description",
        CITY_DESCRIPTION_MAX,
        false,
        "city_admin",
    );
    match (latitude, longitude) {
        (Some(latitude), Some(longitude)) if errors.is_empty() => Some(CityEdit {
            name,
            region,
            latitude,
            longitude,
            description,
        }),
        _ => None,
    }
}

/// Checks a focal point's name and address (`name_field`, `email_field`); `optional`: both
/// may be left empty. `None` when they are (or are wrong: the errors are in `errors`).
pub(crate) fn check_focal_point(
    ctx: &Ctx,
    pairs: &Pairs,
    errors: &mut Errors,
    optional: bool,
) -> Option<(String, EmailAddress)> {
    let name = text_field(
        ctx,
        pairs,
        errors,
        "focal_point_name",
        CITY_NAME_MAX,
        false,
        "city_admin",
    );
    let email = one(pairs, "focal_point_email").trim().to_owned();
    if email.is_empty() {
        if !name.is_empty() || !optional {
            errors.insert(
                "focal_point_email",
                ctx.t("city_admin.err_focal_point_email"),
            );
        }
        return None;
    }
    match EmailAddress::parse(&email) {
        Ok(email) if !name.is_empty() => Some((name, email)),
        Ok(_) => {
            errors.insert("focal_point_name", ctx.t("city_admin.err_focal_point_name"));
            None
        }
        Err(_) => {
            errors.insert("focal_point_email", ctx.t("account.err_email_invalid"));
            None
        }
    }
}

/// Checks the form: the draft, or the field errors (in the form's order).
fn check(ctx: &Ctx, pairs: &Pairs) -> Result<CityDraft, Errors> {
    let mut errors = Errors::new();
    let place = check_place(ctx, pairs, &mut errors);
    let focal_point = check_focal_point(ctx, pairs, &mut errors, true);
    match place {
        Some(place) if errors.is_empty() => Ok(CityDraft {
            name: place.name,
            region: place.region,
            latitude: place.latitude,
            longitude: place.longitude,
            description: place.description,
            focal_point,
        }),
        _ => Err(errors),
    }
}

/// What the form shows back: the operator's input and the errors, in the form's order.
pub(crate) fn shown_back(pairs: &Pairs, mut errors: Errors, fields: &[&'static str]) -> FormView {
    errors.sort_by_cached_key(|field, _| fields.iter().position(|f| f == field));
    FormView {
        values: fields
            .iter()
            .map(|f| (*f, one(pairs, f).trim().to_owned()))
            .collect::<BTreeMap<_, _>>(),
        errors,
    }
}

/// `POST /{locale}/espace/pays/villes/nouvelle`: adds the city (and invites its focal point),
/// then back to the console with a confirmation.
#[handler]
pub async fn add_city(
    req: &Request,
    Console(ctx, operator): Console,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let draft = match check(&ctx, &pairs) {
        Ok(draft) => draft,
        Err(errors) => {
            let view = shown_back(&pairs, errors, &FIELDS);
            return form_page(&ctx, req, StatusCode::UNPROCESSABLE_ENTITY, &view).await;
        }
    };
    let invited = draft.focal_point.is_some();
    match cities::add(&ctx.scope(), operator.user.account(), draft).await? {
        Ok((city, _)) => {
            let done = if invited {
                "city_invited"
            } else {
                "city_added"
            };
            Ok(see_other(format!(
                "/{}/espace/pays?done={done}&ville={}#villes",
                ctx.locale, city.slug
            )))
        }
        Err(refusal) => {
            let (field, key) = match refusal {
                CityRefusal::Name => ("name", "city_admin.err_name"),
                CityRefusal::Exists => ("name", "city_admin.err_exists"),
                _ => return Err(AppError::NotFound),
            };
            let errors = Errors::from([(field, ctx.t(key))]);
            let view = shown_back(&pairs, errors, &FIELDS);
            form_page(&ctx, req, StatusCode::CONFLICT, &view).await
        }
    }
}
