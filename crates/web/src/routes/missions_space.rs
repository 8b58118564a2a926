//! The mission editor (`/{locale}/espace/missions`): the missions an account may write (its
//! organisations', and for a focal point or an operator those of the cities they review),
//! a form for every field in each of the tenant's locales, a preview, and the steps an editor
//! takes (submit, close, duplicate), with the mission's history.

use crate::AppError;
use crate::kit::{Checked, Ctx, Errors, FormView, Pairs, all, one, see_other};
use crate::roles::RequireMissionWriter;
use crate::views::format_date;
use jsap_app::missions::{self, Edit, MissionRefusal};
use jsap_domain::Locale;
use jsap_domain::missions::{
    CloseReason, DESCRIPTION_MAX, MissionInput, MissionStatus, Problem, SUMMARY_MAX, TITLE_MAX,
    TextInput,
};
use jsap_store::{
    Accounts, Cities, CityRecord, MissionEdits, MissionFilter, MissionRecord, OrganisationRecord,
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

fn problem_text(ctx: &Ctx, problem: Problem) -> String {
    ctx.t(&format!("editor.err_{}", problem.code()))
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    checked: bool,
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

/// The form's page: new (`mission` none) or editing one.
#[allow(clippy::too_many_arguments)]
async fn editor_page(
    ctx: &Ctx,
    req: &Request,
    writer: &RequireMissionWriter,
    status: StatusCode,
    form: &FormView,
    contributions: &[&str],
    flags: (bool, bool, bool, bool),
    mission: Option<&MissionRecord>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let conn = ctx.state.store.conn();
    let cities = Cities::for_tenant(conn, &ctx.tenant).list().await?;
    let orgs = organisations(ctx, writer).await?;
    let taxonomy = ctx.tenant.taxonomy();
    let locale = ctx.locale;
    let domains: Vec<Choice> = taxonomy
        .domains
        .iter()
        .map(|d| Choice {
            value: d.slug.clone(),
            label: d.labels.get(locale).to_owned(),
            checked: false,
        })
        .collect();
    let types: Vec<TypeGroup> = taxonomy
        .domains
        .iter()
        .map(|d| TypeGroup {
            label: d.labels.get(locale).to_owned(),
            types: taxonomy
                .mission_types
                .iter()
                .filter(|t| t.domain == d.slug)
                .map(|t| Choice {
                    value: t.slug.clone(),
                    label: t.labels.get(locale).to_owned(),
                    checked: false,
                })
                .collect(),
        })
        .collect();
    let contribution_choices: Vec<Choice> = taxonomy
        .contribution_types
        .iter()
        .map(|c| Choice {
            value: c.slug.clone(),
            label: c.labels.get(locale).to_owned(),
            checked: contributions.contains(&c.slug.as_str()),
        })
        .collect();
    let locales: Vec<LocaleBlock> = ctx
        .tenant
        .locales
        .iter()
        .map(|l| LocaleBlock {
            locale: l.as_str(),
            name: ctx.t(&format!("lang.{}", l.as_str())),
            required: *l == ctx.tenant.default_locale,
            dir: if *l == Locale::Ar { "rtl" } else { "ltr" },
        })
        .collect();
    let reviewer = match mission {
        Some(m) => writer.permissions.reviews_city(m.city_id),
        None => writer.reviews(),
    };
    let view = mission.map(|m| mission_view(ctx, m, &orgs, &cities));
    let history = match mission {
        Some(m) => history_view(ctx, m.id).await?,
        None => Vec::new(),
    };
    let rest = match mission {
        Some(m) => format!("/espace/missions/{}", m.id),
        None => "/espace/missions/nouvelle".to_owned(),
    };
    ctx.page(req, &rest, "spaces/mission_edit.html", status, |c| {
        c.insert("form", form);
        c.insert(
            "organisations",
            &orgs
                .iter()
                .map(|o| Choice {
                    value: o.id.to_string(),
                    label: o.name.clone(),
                    checked: false,
                })
                .collect::<Vec<_>>(),
        );
        c.insert(
            "cities",
            &cities
                .iter()
                .map(|city| Choice {
                    value: city.slug.clone(),
                    label: city.name_in(locale).to_owned(),
                    checked: false,
                })
                .collect::<Vec<_>>(),
        );
        c.insert("domains", &domains);
        c.insert("type_groups", &types);
        c.insert("contribution_choices", &contribution_choices);
        c.insert("locales", &locales);
        c.insert("remote", &flags.0);
        c.insert("flexible", &flags.1);
        c.insert("urgent", &flags.2);
        c.insert("featured", &flags.3);
        c.insert("reviewer", &reviewer);
        c.insert("mission", &view);
        c.insert("history", &history);
        c.insert("notice", &notice);
        c.insert("mission_title_max", &TITLE_MAX);
        c.insert("summary_max", &SUMMARY_MAX);
        c.insert("description_max", &DESCRIPTION_MAX);
        c.insert("today", &ctx.tenant.today().to_string());
    })
}

#[derive(Serialize)]
struct MissionView {
    id: i64,
    title: String,
    status: &'static str,
    status_label: String,
    status_hint: String,
    editable: bool,
    may_submit: bool,
    may_close: bool,
    public_path: Option<String>,
    review_comment: String,
    closed_reason: String,
    organisation: String,
    city: String,
}

fn mission_view(
    ctx: &Ctx,
    m: &MissionRecord,
    orgs: &[OrganisationRecord],
    cities: &[CityRecord],
) -> MissionView {
    let status = m.status.as_str();
    let title = m
        .text(ctx.locale.as_str())
        .map_or(String::new(), |t| t.title.clone());
    MissionView {
        id: m.id,
        status,
        status_label: ctx.t(&format!("editor.status_{status}")),
        status_hint: ctx.t(&format!("editor.hint_{status}")),
        editable: m.status.editable(),
        may_submit: matches!(
            m.status,
            MissionStatus::Draft | MissionStatus::ChangesRequested
        ),
        may_close: m.status == MissionStatus::Published,
        public_path: (m.status == MissionStatus::Published)
            .then(|| crate::views::mission_path(ctx.locale, m.id, &m.slug)),
        review_comment: m.review_comment.clone(),
        closed_reason: if m.closed_reason.is_empty() {
            String::new()
        } else {
            ctx.t(&format!("editor.closed_{}", m.closed_reason))
        },
        organisation: orgs
            .iter()
            .find(|o| o.id == m.organisation_id)
            .map_or_else(String::new, |o| o.name.clone()),
        city: cities
            .iter()
            .find(|c| c.id == m.city_id)
            .map_or_else(String::new, |c| c.name_in(ctx.locale).to_owned()),
        title,
    }
}

#[derive(Serialize)]
struct HistoryView {
    at: String,
    who: String,
    action: String,
    detail: String,
}

async fn history_view(ctx: &Ctx, id: i64) -> Result<Vec<HistoryView>, AppError> {
    let conn = ctx.state.store.conn();
    let accounts = Accounts::for_tenant(conn, &ctx.tenant);
    let mut out = Vec::new();
    for h in MissionEdits::for_tenant(conn, &ctx.tenant)
        .history(id)
        .await?
    {
        let who = match h.account_id {
            Some(account) => accounts
                .find(account)
                .await?
                .map_or_else(|| ctx.t("editor.someone"), |a| a.display_name),
            None => ctx.t("editor.the_platform"),
        };
        let detail = match h.action.as_str() {
            "edit" => h
                .detail
                .split(", ")
                .filter(|f| !f.is_empty())
                .map(|f| ctx.t(&format!("editor.changed_{f}")))
                .collect::<Vec<_>>()
                .join(", "),
            "close" => ctx.t(&format!("editor.closed_{}", h.detail)),
            "duplicate" => ctx.t("editor.copied_from").replace("%{id}", &h.detail),
            _ => h.detail,
        };
        let local = h.at.with_timezone(&ctx.tenant.tz());
        out.push(HistoryView {
            at: format!(
                "{} {}",
                format_date(local.date_naive(), ctx.locale),
                local.format("%H:%M")
            ),
            who,
            action: ctx.t(&format!("editor.action_{}", h.action)),
            detail,
        });
    }
    out.reverse();
    Ok(out)
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
    let cities = Cities::for_tenant(conn, &ctx.tenant).list().await?;
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
            organisation: orgs
                .iter()
                .find(|o| o.id == m.organisation_id)
                .map_or_else(String::new, |o| o.name.clone()),
            city: cities
                .iter()
                .find(|c| c.id == m.city_id)
                .map_or_else(String::new, |c| c.name_in(ctx.locale).to_owned()),
            dates: dates(&ctx, m.flexible, m.starts_on, m.ends_on),
            updated: format_date(ctx.tenant.local_date(m.updated_at), ctx.locale),
        })
        .collect();
    let pages = total.div_ceil(PER_PAGE).max(1);
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
            c.insert("page", &page);
            c.insert("pages", &pages);
            c.insert("statuses", &statuses);
            c.insert("status", &status.map(MissionStatus::as_str));
            c.insert("may_create", &!orgs.is_empty());
            c.insert("reviewer", &writer.reviews());
            c.insert("notice", &notice);
        },
    )
}

/// The values the form shows for `m`.
fn values_of(ctx: &Ctx, m: &MissionRecord, cities: &[CityRecord]) -> FormView {
    let mut values = BTreeMap::new();
    values.insert("organisation", m.organisation_id.to_string());
    for t in &m.texts {
        values.insert(field(&format!("title_{}", t.locale)), t.title.clone());
        values.insert(field(&format!("summary_{}", t.locale)), t.summary.clone());
        values.insert(
            field(&format!("description_{}", t.locale)),
            t.description.clone(),
        );
    }
    if let Some(c) = cities.iter().find(|c| c.id == m.city_id) {
        values.insert("city", c.slug.clone());
    }
    values.insert("domain", m.domain.clone());
    values.insert("mission_type", m.mission_type.clone());
    if !m.flexible {
        values.insert("starts_on", m.starts_on.to_string());
        values.insert("ends_on", m.ends_on.to_string());
    }
    values.insert("skills", m.skills.join(", "));
    if let Some(c) = m.capacity {
        values.insert("capacity", c.to_string());
    }
    values.insert("contact_name", m.contact_name.clone());
    let _ = ctx;
    FormView {
        values,
        errors: Errors::new(),
    }
}

/// `GET /{locale}/espace/missions/nouvelle`: an empty form (`?organisation=` preselects one).
#[handler]
pub async fn new_form(
    req: &Request,
    ctx: Ctx,
    writer: RequireMissionWriter,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    let orgs = organisations(&ctx, &writer).await?;
    let mut form = FormView::default();
    let chosen = params
        .organisation
        .and_then(|o| o.parse::<i64>().ok())
        .and_then(|id| orgs.iter().find(|o| o.id == id))
        .or(orgs.first());
    if let Some(o) = chosen {
        form.values.insert("organisation", o.id.to_string());
        let cities = Cities::for_tenant(ctx.state.store.conn(), &ctx.tenant)
            .list()
            .await?;
        if let Some(c) = cities.iter().find(|c| c.id == o.city_id) {
            form.values.insert("city", c.slug.clone());
        }
    }
    let flags = (false, false, false, false);
    editor_page(
        &ctx,
        req,
        &writer,
        StatusCode::OK,
        &form,
        &[],
        flags,
        None,
        None,
    )
    .await
}

/// Reads the form into an edit; unreadable dates, numbers or choices are errors already.
fn parse(ctx: &Ctx, pairs: &Pairs, cities: &[CityRecord]) -> (Option<Edit>, Errors) {
    let mut errors = Errors::new();
    let organisation_id = one(pairs, "organisation").trim().parse::<i64>().ok();
    if organisation_id.is_none() {
        errors.insert("organisation", ctx.t("editor.err_unknown"));
    }
    let texts = ctx
        .tenant
        .locales
        .iter()
        .map(|l| TextInput {
            locale: *l,
            title: one(pairs, &format!("title_{}", l.as_str())).to_owned(),
            summary: one(pairs, &format!("summary_{}", l.as_str())).to_owned(),
            description: one(pairs, &format!("description_{}", l.as_str())).to_owned(),
        })
        .collect();
    let city_slug = one(pairs, "city").trim();
    let city_id = cities.iter().find(|c| c.slug == city_slug).map(|c| c.id);
    if city_id.is_none() && !city_slug.is_empty() {
        errors.insert("city", ctx.t("editor.err_unknown"));
    }
    let date = |errors: &mut Errors, name: &'static str| {
        let raw = one(pairs, name).trim();
        if raw.is_empty() {
            return None;
        }
        let parsed = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok();
        if parsed.is_none() {
            errors.insert(name, ctx.t("editor.err_date_format"));
        }
        parsed
    };
    let flexible = one(pairs, "flexible") == "yes";
    let (starts_on, ends_on) = if flexible {
        (None, None)
    } else {
        (date(&mut errors, "starts_on"), date(&mut errors, "ends_on"))
    };
    let capacity_raw = one(pairs, "capacity").trim();
    let capacity = if capacity_raw.is_empty() {
        None
    } else {
        match capacity_raw.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.insert("capacity", problem_text(ctx, Problem::OutOfRange));
                None
            }
        }
    };
    let mission_type = one(pairs, "mission_type").trim().to_owned();
    let mut domain = one(pairs, "domain").trim().to_owned();
    if domain.is_empty()
        && let Some(t) = ctx.tenant.taxonomy().mission_type(&mission_type)
    {
        domain = t.domain.clone();
    }
    let input = MissionInput {
        texts,
        city_id,
        remote: one(pairs, "remote") == "yes",
        domain,
        mission_type,
        contribution_types: all(pairs, "contribution")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        flexible,
        starts_on,
        ends_on,
        skills: one(pairs, "skills")
            .split([',', ';', '\n'])
            .map(str::to_owned)
            .collect(),
        capacity,
        contact_name: one(pairs, "contact_name").to_owned(),
    };
    let edit = organisation_id.map(|organisation_id| Edit {
        organisation_id,
        input,
        urgent: one(pairs, "urgent") == "yes",
        featured: one(pairs, "featured") == "yes",
    });
    (edit, errors)
}

/// The form as sent, to show back with its errors.
fn sent(pairs: &Pairs, errors: Errors) -> FormView {
    let values = FIELDS
        .iter()
        .map(|f| (*f, one(pairs, f).trim().to_owned()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    FormView { values, errors }
}

fn flags_of(pairs: &Pairs) -> (bool, bool, bool, bool) {
    let on = |name| one(pairs, name) == "yes";
    (on("remote"), on("flexible"), on("urgent"), on("featured"))
}

/// Shows the form again with `errors` (422).
async fn refuse(
    ctx: &Ctx,
    req: &Request,
    writer: &RequireMissionWriter,
    pairs: &Pairs,
    errors: Errors,
    mission: Option<&MissionRecord>,
) -> Result<Response, AppError> {
    let contributions = all(pairs, "contribution");
    editor_page(
        ctx,
        req,
        writer,
        StatusCode::UNPROCESSABLE_ENTITY,
        &sent(pairs, errors),
        &contributions,
        flags_of(pairs),
        mission,
        None,
    )
    .await
}

/// The errors of a refusal, or the answer it is (403, 404, a 409 page).
fn refusal_errors(ctx: &Ctx, refusal: MissionRefusal) -> Result<Errors, AppError> {
    let mut errors = Errors::new();
    match refusal {
        MissionRefusal::Invalid(problems) => {
            for (name, problem) in problems {
                errors
                    .entry(field(&name))
                    .or_insert_with(|| problem_text(ctx, problem));
            }
        }
        MissionRefusal::NotFound => return Err(AppError::NotFound),
        MissionRefusal::NotAllowed => {
            errors.insert("organisation", ctx.t("editor.err_not_allowed"));
        }
        other => {
            errors.insert("organisation", refusal_text(ctx, &other));
        }
    }
    Ok(errors)
}

pub(crate) fn refusal_text(ctx: &Ctx, refusal: &MissionRefusal) -> String {
    ctx.t(match refusal {
        MissionRefusal::WrongState => "editor.err_state",
        MissionRefusal::OrganisationNotVerified => "editor.err_not_verified",
        MissionRefusal::NoRecipient => "editor.err_no_recipient",
        MissionRefusal::CommentRequired => "editor.err_comment",
        MissionRefusal::NotAllowed => "editor.err_not_allowed",
        MissionRefusal::NotFound | MissionRefusal::Invalid(_) => "editor.err_invalid",
    })
}

/// `POST /{locale}/espace/missions/nouvelle`: creates a draft.
#[handler]
pub async fn create(
    req: &Request,
    ctx: Ctx,
    writer: RequireMissionWriter,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let cities = Cities::for_tenant(ctx.state.store.conn(), &ctx.tenant)
        .list()
        .await?;
    let (edit, errors) = parse(&ctx, &pairs, &cities);
    let Some(edit) = edit.filter(|_| errors.is_empty()) else {
        return refuse(&ctx, req, &writer, &pairs, errors, None).await;
    };
    match missions::create(&ctx.scope(), writer.user.account(), edit).await? {
        Ok(m) => Ok(see_other(format!(
            "/{}/espace/missions/{}?done=created",
            ctx.locale, m.id
        ))),
        Err(refusal) => {
            let errors = refusal_errors(&ctx, refusal)?;
            refuse(&ctx, req, &writer, &pairs, errors, None).await
        }
    }
}

/// Mission `id` of this tenant, or 404.
async fn find(ctx: &Ctx, id: &str) -> Result<MissionRecord, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    MissionEdits::for_tenant(ctx.state.store.conn(), &ctx.tenant)
        .find(id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Mission `id`, when `writer` may write it (404 otherwise: another's mission is not shown).
async fn writable(
    ctx: &Ctx,
    writer: &RequireMissionWriter,
    id: &str,
) -> Result<MissionRecord, AppError> {
    let m = find(ctx, id).await?;
    let orgs = organisations(ctx, writer).await?;
    let allowed = orgs.iter().any(|o| o.id == m.organisation_id)
        || writer.permissions.reviews_city(m.city_id);
    if !allowed {
        return Err(AppError::NotFound);
    }
    Ok(m)
}

/// `GET /{locale}/espace/missions/{id}`: the mission's form, status, steps and history.
#[handler]
pub async fn edit_form(
    req: &Request,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    writer: RequireMissionWriter,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    let m = writable(&ctx, &writer, &id).await?;
    let cities = Cities::for_tenant(ctx.state.store.conn(), &ctx.tenant)
        .list()
        .await?;
    let notice = params
        .done
        .as_deref()
        .filter(|d| {
            [
                "created",
                "saved",
                "submitted",
                "closed",
                "duplicated",
                "back_to_review",
                "state",
            ]
            .contains(d)
        })
        .map(|d| ctx.t(&format!("editor.done_{d}")));
    let form = values_of(&ctx, &m, &cities);
    let contributions: Vec<&str> = m.contributions.iter().map(String::as_str).collect();
    let flags = (m.remote, m.flexible, m.urgent, m.featured);
    editor_page(
        &ctx,
        req,
        &writer,
        StatusCode::OK,
        &form,
        &contributions,
        flags,
        Some(&m),
        notice,
    )
    .await
}

/// `POST /{locale}/espace/missions/{id}`: saves the form over the mission.
#[handler]
pub async fn save(
    req: &Request,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    writer: RequireMissionWriter,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let m = writable(&ctx, &writer, &id).await?;
    let cities = Cities::for_tenant(ctx.state.store.conn(), &ctx.tenant)
        .list()
        .await?;
    let (edit, errors) = parse(&ctx, &pairs, &cities);
    let Some(edit) = edit.filter(|_| errors.is_empty()) else {
        return refuse(&ctx, req, &writer, &pairs, errors, Some(&m)).await;
    };
    match missions::update(&ctx.scope(), writer.user.account(), m.id, edit).await? {
        Ok(saved) => {
            let done = if saved.back_to_review {
                "back_to_review"
            } else {
                "saved"
            };
            Ok(see_other(format!(
                "/{}/espace/missions/{}?done={done}",
                ctx.locale, m.id
            )))
        }
        Err(MissionRefusal::WrongState) => Ok(see_other(format!(
            "/{}/espace/missions/{}?done=state",
            ctx.locale, m.id
        ))),
        Err(refusal) => {
            let errors = refusal_errors(&ctx, refusal)?;
            refuse(&ctx, req, &writer, &pairs, errors, Some(&m)).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    reason: String,
}

/// `POST /{locale}/espace/missions/{id}/{step}`: `soumettre`, `cloturer` (with `reason`
/// filled or cancelled) or `dupliquer`.
#[handler]
pub async fn step(
    req: &Request,
    ctx: Ctx,
    Path((_, id, step)): Path<(String, String, String)>,
    writer: RequireMissionWriter,
    Checked(form): Checked<StepForm>,
) -> Result<Response, AppError> {
    let m = writable(&ctx, &writer, &id).await?;
    let scope = ctx.scope();
    let account = writer.user.account();
    let (outcome, done) = match step.as_str() {
        "soumettre" => (missions::submit(&scope, account, m.id).await?, "submitted"),
        "cloturer" => {
            let Some(reason) = CloseReason::parse(&form.reason) else {
                return ctx.bad_request(req, &ctx.t("editor.err_close_reason"));
            };
            (
                missions::close(&scope, account, m.id, reason).await?,
                "closed",
            )
        }
        "dupliquer" => match missions::duplicate(&scope, account, m.id).await? {
            Ok(copy) => {
                return Ok(see_other(format!(
                    "/{}/espace/missions/{}?done=duplicated",
                    ctx.locale, copy.id
                )));
            }
            Err(refusal) => (Err(refusal), ""),
        },
        _ => return Err(AppError::NotFound),
    };
    match outcome {
        Ok(_) => Ok(see_other(format!(
            "/{}/espace/missions/{}?done={done}",
            ctx.locale, m.id
        ))),
        Err(MissionRefusal::NotFound | MissionRefusal::NotAllowed) => Err(AppError::NotFound),
        Err(MissionRefusal::Invalid(problems)) => {
            let cities = Cities::for_tenant(ctx.state.store.conn(), &ctx.tenant)
                .list()
                .await?;
            let mut form = values_of(&ctx, &m, &cities);
            for (name, problem) in problems {
                form.errors
                    .insert(field(&name), problem_text(&ctx, problem));
            }
            let contributions: Vec<&str> = m.contributions.iter().map(String::as_str).collect();
            editor_page(
                &ctx,
                req,
                &writer,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                &contributions,
                (m.remote, m.flexible, m.urgent, m.featured),
                Some(&m),
                None,
            )
            .await
        }
        Err(_) => Ok(see_other(format!(
            "/{}/espace/missions/{}?done=state",
            ctx.locale, m.id
        ))),
    }
}

#[derive(Serialize)]
struct Preview {
    title: String,
    summary: String,
    paragraphs: Vec<String>,
    organisation: String,
    city: String,
    domain: String,
    mission_type: String,
    contributions: Vec<String>,
    dates: String,
    remote: bool,
    urgent: bool,
    featured: bool,
    skills: Vec<String>,
    capacity: Option<i32>,
    contact_name: String,
    text_locale: String,
}

/// `GET /{locale}/espace/missions/{id}/apercu`: the mission as visitors will see it.
#[handler]
pub async fn preview(
    req: &Request,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    writer: RequireMissionWriter,
) -> Result<Response, AppError> {
    let m = writable(&ctx, &writer, &id).await?;
    let conn = ctx.state.store.conn();
    let cities = Cities::for_tenant(conn, &ctx.tenant).list().await?;
    let orgs = organisations(&ctx, &writer).await?;
    let taxonomy = ctx.tenant.taxonomy();
    let locale = ctx.locale;
    let text = m
        .text(locale.as_str())
        .cloned()
        .unwrap_or_else(|| jsap_store::MissionTextRecord {
            locale: locale.as_str().to_owned(),
            title: String::new(),
            summary: String::new(),
            description: String::new(),
        });
    let view = Preview {
        title: text.title,
        summary: text.summary,
        paragraphs: text
            .description
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        organisation: orgs
            .iter()
            .find(|o| o.id == m.organisation_id)
            .map_or_else(String::new, |o| o.name.clone()),
        city: cities
            .iter()
            .find(|c| c.id == m.city_id)
            .map_or_else(String::new, |c| c.name_in(locale).to_owned()),
        domain: crate::views::domain_label(&taxonomy, &m.domain, locale).label,
        mission_type: crate::views::mission_type_label(&taxonomy, &m.mission_type, locale).label,
        contributions: m
            .contributions
            .iter()
            .map(|c| crate::views::contribution_label(&taxonomy, c, locale).label)
            .collect(),
        dates: dates(&ctx, m.flexible, m.starts_on, m.ends_on),
        remote: m.remote,
        urgent: m.urgent,
        featured: m.featured,
        skills: m.skills.clone(),
        capacity: m.capacity,
        contact_name: m.contact_name.clone(),
        text_locale: text.locale,
    };
    ctx.page(
        req,
        &format!("/espace/missions/{}/apercu", m.id),
        "spaces/mission_preview.html",
        StatusCode::OK,
        |c| {
            c.insert("preview", &view);
            c.insert("mission_id", &m.id);
            c.insert(
                "status_label",
                &ctx.t(&format!("editor.status_{}", m.status.as_str())),
            );
        },
    )
}
