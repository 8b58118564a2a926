//! The mission editor (`/{locale}/espace/missions`): the missions an account may write (its
//! organisations', and for a focal point or an operator those of the cities they review),
//! a form for every field in each of the tenant's locales, a preview, and the steps an editor
//! takes (submit, close, duplicate), with the mission's history and its photos.

mod form;
mod from_message;
mod members;
mod page;
mod photos;
mod steps;
mod translations;

pub(crate) use form::refusal_text;
pub use form::{create, edit_form, new_form, save};
pub use from_message::draft_from_message;
pub use members::{fitting_members, propose_mission};
pub use photos::{change_photo, upload_photo};
pub use steps::{preview, step};
pub use translations::review_translation;

use page::Editor;

use crate::AppError;
use crate::kit::{
    Checked, Ctx, Errors, FormView, Pairs, all, field_error, field_name, one, see_other,
};
use crate::roles::RequireMissionWriter;
use crate::views::Choice;
use crate::views::{Pager, format_date};
use jsap_app::missions::{self, Edit, MissionRefusal};
use jsap_domain::Locale;
use jsap_domain::missions::{
    CloseReason, DESCRIPTION_MAX, MissionInput, MissionStatus, Problem, SUMMARY_MAX, TITLE_MAX,
    TextInput,
};
use jsap_store::{
    Accounts, CityRecord, MissionEdits, MissionFilter, MissionPhotos, MissionRecord,
    OrganisationRecord,
};
use poem::http::StatusCode;
use poem::web::{Path, Query};
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const PER_PAGE: u64 = 20;

/// Every field name the form has, as the `'static` keys of its values and errors.
const FIELDS: &[&str] = &[
    "organisation",
    "title_fr",
    "summary_fr",
    "description_fr",
    "title_en",
    "summary_en",
    "description_en",
    "title_ar",
    "summary_ar",
    "description_ar",
    "city",
    "domain",
    "mission_type",
    "contribution_types",
    "starts_on",
    "ends_on",
    "skills",
    "capacity",
    "contact_name",
];

fn field(name: &str) -> &'static str {
    FIELDS
        .iter()
        .find(|f| **f == name)
        .copied()
        .unwrap_or("title_fr")
}

/// The label key of the form's field `name`, and the locale of a text field (`title_en`).
fn label_of(name: &str) -> (&'static str, Option<&str>) {
    let (base, locale) = match name.rsplit_once('_') {
        Some((base, l)) if ["fr", "en", "ar"].contains(&l) => (base, Some(l)),
        _ => (name, None),
    };
    let key = match base {
        "organisation" => "editor.organisation_label",
        "summary" => "editor.summary_label",
        "description" => "editor.description_label",
        "city" => "editor.city_label",
        "domain" => "editor.domain_label",
        "mission_type" => "editor.type_label",
        "contribution_types" => "editor.contributions_legend",
        "starts_on" => "editor.starts_label",
        "ends_on" => "editor.ends_label",
        "skills" => "editor.skills_label",
        "capacity" => "editor.capacity_label",
        "contact_name" => "editor.contact_label",
        _ => "editor.title_label",
    };
    (key, locale)
}

/// The message of `problem` on the field `name`: the common ones (required, too long, not in
/// the list) name the field, and its language for a text in one.
fn problem_text(ctx: &Ctx, name: &str, problem: Problem) -> String {
    let key = match problem {
        Problem::Required => "form.err_required",
        Problem::TooLong => "form.err_too_long_text",
        Problem::Unknown => "form.err_choice",
        other => return ctx.t(&format!("editor.err_{}", other.code())),
    };
    let (label, locale) = label_of(name);
    let mut field = field_name(ctx, label);
    if let Some(locale) = locale {
        field = ctx
            .t("form.field_in")
            .replace("%{field}", &field)
            .replace("%{language}", &ctx.t(&format!("lang.{locale}")));
    }
    ctx.t(key).replace("%{field}", &field)
}

#[derive(Serialize)]
struct TypeGroup {
    label: String,
    types: Vec<Choice>,
}

#[derive(Serialize)]
struct LocaleBlock {
    locale: &'static str,
    name: String,
    required: bool,
    dir: &'static str,
}

/// The organisations `writer` may write for, as choices.
async fn organisations(
    ctx: &Ctx,
    writer: &RequireMissionWriter,
) -> Result<Vec<OrganisationRecord>, AppError> {
    Ok(missions::writable_organisations(&ctx.scope(), writer.user.account()).await?)
}

/// The name of organisation `id` among `orgs` ('' when not among them).
fn organisation_name(orgs: &[OrganisationRecord], id: i64) -> String {
    orgs.iter()
        .find(|o| o.id == id)
        .map_or_else(String::new, |o| o.profile.name.clone())
}

/// The name of city `id` among `cities` in `locale` ('' when not among them).
fn city_name(cities: &[CityRecord], id: i64, locale: Locale) -> String {
    cities
        .iter()
        .find(|c| c.id == id)
        .map_or_else(String::new, |c| c.name_in(locale).to_owned())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    page: Option<u64>,
    etat: Option<String>,
    done: Option<String>,
    organisation: Option<String>,
    copie: Option<String>,
}

#[derive(Serialize)]
struct Row {
    id: i64,
    title: String,
    status: &'static str,
    status_label: String,
    organisation: String,
    city: String,
    dates: String,
    updated: String,
}

fn dates(ctx: &Ctx, flexible: bool, from: chrono::NaiveDate, to: chrono::NaiveDate) -> String {
    if flexible {
        ctx.t("editor.flexible_dates")
    } else {
        ctx.t("editor.window")
            .replace("%{from}", &format_date(from, ctx.locale))
            .replace("%{to}", &format_date(to, ctx.locale))
    }
}

/// `GET /{locale}/espace/missions`: the missions this account writes, most recent first.
#[handler]
pub async fn list(
    req: &Request,
    ctx: Ctx,
    writer: RequireMissionWriter,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    let conn = ctx.state.store.conn();
    let orgs = organisations(&ctx, &writer).await?;
    let cities = ctx.cities().await?;
    let status = params.etat.as_deref().and_then(MissionStatus::parse);
    let filter = MissionFilter {
        organisations: (!writer.permissions.is_operator())
            .then(|| orgs.iter().map(|o| o.id).collect()),
        cities: (!writer.permissions.is_operator()).then(|| writer.permissions.focal_cities()),
        statuses: status.into_iter().collect(),
    };
    let page = params.page.unwrap_or(1).max(1);
    let (rows, total) = MissionEdits::for_tenant(conn, &ctx.tenant)
        .list(
            &filter,
            ctx.locale.as_str(),
            (page - 1) * PER_PAGE,
            PER_PAGE,
        )
        .await?;
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|m| Row {
            id: m.id,
            title: m.title,
            status: m.status.as_str(),
            status_label: ctx.t(&format!("editor.status_{}", m.status.as_str())),
            organisation: organisation_name(&orgs, m.organisation_id),
            city: city_name(&cities, m.city_id, ctx.locale),
            dates: dates(&ctx, m.flexible, m.starts_on, m.ends_on),
            updated: format_date(ctx.tenant.local_date(m.updated_at), ctx.locale),
        })
        .collect();
    let pager = Pager::new(page, total, PER_PAGE);
    let state = status.map_or(String::new(), |s| format!("&etat={}", s.as_str()));
    let statuses: Vec<Choice> = MissionStatus::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: ctx.t(&format!("editor.status_{}", s.as_str())),
            checked: Some(*s) == status,
        })
        .collect();
    let notice = params
        .done
        .as_deref()
        .filter(|d| ["closed"].contains(d))
        .map(|d| ctx.t(&format!("editor.done_{d}")));
    ctx.page(
        req,
        "/espace/missions",
        "spaces/missions.html",
        StatusCode::OK,
        |c| {
            c.insert("rows", &rows);
            c.insert("total", &total);
            pager.insert(c, |n| {
                format!("/{}/espace/missions?page={n}{state}", ctx.locale)
            });
            c.insert("statuses", &statuses);
            c.insert("status", &status.map(MissionStatus::as_str));
            c.insert("may_create", &!orgs.is_empty());
            c.insert("reviewer", &writer.reviews());
            c.insert("notice", &notice);
        },
    )
}

/// The values the form shows for `m`.
pub(super) async fn find(ctx: &Ctx, id: &str) -> Result<MissionRecord, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    MissionEdits::for_tenant(ctx.state.store.conn(), &ctx.tenant)
        .find(id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Mission `id`, when `writer` may write it (404 otherwise: another's mission is not shown).
pub(super) async fn writable(
    ctx: &Ctx,
    writer: &RequireMissionWriter,
    id: &str,
) -> Result<MissionRecord, AppError> {
    let m = find(ctx, id).await?;
    let orgs = organisations(ctx, writer).await?;
    let allowed = orgs.iter().any(|o| o.id == m.fields.organisation_id)
        || writer.permissions.reviews_city(m.fields.city_id);
    if !allowed {
        return Err(AppError::NotFound);
    }
    Ok(m)
}
