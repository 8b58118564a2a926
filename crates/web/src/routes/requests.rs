//! Reaching out: a signed-in member answers a mission, proposes a project to a city or offers
//! their profile to a city. Each form creates a request routed to the mission's organisation
//! or to the city's focal points (always in copy), with its emails queued in the same
//! transaction. Then one conversation per request (`/{locale}/demandes/{id}`), the state
//! buttons, three inboxes (member, organisation, focal point) and the satisfaction survey.
//!
//! Only the parties of a request (its member, its organisation's members, its city's focal
//! points, the country operators) see it: anyone else gets the same 404 as for a request
//! that does not exist, on this tenant or another.

use crate::kit::{Checked, Ctx, Errors, FormView, see_other};
use crate::session::{OptionalUser, Session};
use crate::views::{contribution_label, domain_label, format_date, mission_path};
use crate::{AppError, AppState};
use chrono::{NaiveDate, Utc};
use jsap_app::SystemClock;
use jsap_app::requests::conversation;
use jsap_domain::Locale;
use jsap_store::{
    Accounts, Action, Cities, CityRecord, Inbox, MissionDetail, Missions, NewRequest,
    Organisations, RequestKind, RequestRecord, RequestState, Requests, Side, TransitionError,
};
use jsap_tenancy::Tenant;
use poem::http::{StatusCode, header};
use poem::web::{Form, Path, Query};
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const TITLE_MAX: usize = 120;
pub const BODY_MAX: usize = 4000;
pub const OFFER_MAX: usize = 2000;
pub const COMMENT_MAX: usize = 1000;
pub const PER_PAGE: u64 = 20;

/// Every field of every request form, all optional: a missing field is an empty one.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    csrf: String,
    message: String,
    contribution: String,
    available_from: String,
    available_to: String,
    title: String,
    domain: String,
    description: String,
    offer: String,
    action: String,
    score: String,
    comment: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InboxParams {
    etat: Option<String>,
    page: Option<String>,
    done: Option<String>,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

/// A visitor who must sign in first: to the log-in page, then back here.
fn to_login(locale: Locale, back: &str) -> Response {
    see_other(format!(
        "/{locale}/compte/connexion?{}",
        crate::params::encode(&[("next", back.to_owned())])
    ))
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn check_text(
    ctx: &Ctx,
    errors: &mut Errors,
    field: &'static str,
    raw: &str,
    max: usize,
) -> String {
    let value = raw.trim().to_owned();
    if value.is_empty() {
        errors.insert(field, ctx.t("request.err_required"));
    } else if chars(&value) > max {
        errors.insert(
            field,
            ctx.t("request.err_too_long")
                .replace("%{max}", &max.to_string()),
        );
    }
    value
}

fn check_date(ctx: &Ctx, errors: &mut Errors, field: &'static str, raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        errors.insert(field, ctx.t("request.err_required"));
        return None;
    }
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(date) => Some(date),
        Err(_) => {
            errors.insert(field, ctx.t("request.err_date"));
            None
        }
    }
}

/// Availability dates: both valid, in order, and (for a mission) inside `window`.
fn check_dates(
    ctx: &Ctx,
    errors: &mut Errors,
    form: &RequestForm,
    window: Option<(NaiveDate, NaiveDate)>,
) -> Option<(NaiveDate, NaiveDate)> {
    let from = check_date(ctx, errors, "available_from", &form.available_from);
    let to = check_date(ctx, errors, "available_to", &form.available_to);
    let (from, to) = (from?, to?);
    if to < from {
        errors.insert("available_to", ctx.t("request.err_date_order"));
        return None;
    }
    match window {
        Some((start, end)) => {
            let message = ctx
                .t("request.err_date_window")
                .replace("%{from}", &format_date(start, ctx.locale))
                .replace("%{to}", &format_date(end, ctx.locale));
            if from < start || from > end {
                errors.insert("available_from", message.clone());
            }
            if to < start || to > end {
                errors.insert("available_to", message);
            } else if to < ctx.tenant.today() {
                errors.insert("available_to", ctx.t("request.err_date_past"));
            }
        }
        None => {
            let today = ctx.tenant.today();
            if to < today {
                errors.insert("available_to", ctx.t("request.err_date_past"));
            } else if from > today + chrono::Duration::days(3 * 365) {
                errors.insert("available_from", ctx.t("request.err_date_far"));
            }
        }
    }
    errors.is_empty().then_some((from, to))
}

fn values(form: &RequestForm) -> BTreeMap<&'static str, String> {
    BTreeMap::from([
        ("message", form.message.trim().to_owned()),
        ("contribution", form.contribution.trim().to_owned()),
        ("available_from", form.available_from.trim().to_owned()),
        ("available_to", form.available_to.trim().to_owned()),
        ("title", form.title.trim().to_owned()),
        ("domain", form.domain.trim().to_owned()),
        ("description", form.description.trim().to_owned()),
        ("offer", form.offer.trim().to_owned()),
    ])
}

/// Creates the request and queues its emails, in one transaction; then to the conversation.
async fn send_request(
    ctx: &Ctx,
    req: &Request,
    session: &Session,
    city: &CityRecord,
    new: NewRequest,
) -> Result<Response, AppError> {
    // Each request emails several people: limited per address and per member.
    if let Some(refused) = ctx
        .throttle(req, "request", Some(&session.account.email))
        .await?
    {
        return Ok(refused);
    }
    let request = jsap_app::requests::submit::submit(
        &ctx.state.store,
        ctx.state.themes.clone(),
        &ctx.tenant,
        &session.account,
        city,
        new,
        &SystemClock,
    )
    .await?;
    Ok(see_other(format!(
        "/{}/demandes/{}?done=sent",
        ctx.locale, request.id
    )))
}

// ----- A: answer a mission -----

async fn published_mission(
    state: &AppState,
    tenant: &Tenant,
    locale: Locale,
    id_slug: &str,
) -> Result<(MissionDetail, CityRecord), AppError> {
    let id: i64 = id_slug
        .split('-')
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or(AppError::NotFound)?;
    let conn = state.store.conn();
    let detail = Missions::for_tenant(conn, tenant)
        .published(id, locale.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let city = Cities::for_tenant(conn, tenant)
        .by_id(detail.mission.city_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((detail, city))
}

fn mission_form_page(
    ctx: &Ctx,
    req: &Request,
    detail: &MissionDetail,
    id_slug: &str,
    form: &FormView,
    status: StatusCode,
) -> Result<Response, AppError> {
    let taxonomy = ctx.tenant.taxonomy();
    let contributions: Vec<Choice> = detail
        .mission
        .contribution_types
        .iter()
        .map(|c| {
            let label = contribution_label(&taxonomy, c, ctx.locale);
            Choice {
                value: label.slug,
                label: label.label,
            }
        })
        .collect();
    ctx.page(
        req,
        &format!("/missions/{id_slug}/repondre"),
        "requests/answer.html",
        status,
        |c| {
            c.insert("form", form);
            c.insert("mission_title", &detail.mission.title);
            c.insert(
                "mission_url",
                &mission_path(ctx.locale, detail.mission.id, &detail.mission.slug),
            );
            c.insert(
                "action",
                &format!("/{}/missions/{id_slug}/repondre", ctx.locale),
            );
            c.insert("contributions", &contributions);
            c.insert("window_from", &detail.mission.starts_on.to_string());
            c.insert("window_to", &detail.mission.ends_on.to_string());
            c.insert(
                "window",
                &ctx.t("request.window")
                    .replace(
                        "%{from}",
                        &format_date(detail.mission.starts_on, ctx.locale),
                    )
                    .replace("%{to}", &format_date(detail.mission.ends_on, ctx.locale)),
            );
        },
    )
}

#[handler]
pub async fn answer_form(
    req: &Request,
    ctx: Ctx,
    Path((_, id_slug)): Path<(String, String)>,
    OptionalUser(user): OptionalUser,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let (detail, _) = published_mission(state, tenant, ctx.locale, &id_slug).await?;
    let Some(session) = user else {
        return Ok(to_login(ctx.locale, req.uri().path()));
    };
    if !session.account.email_verified {
        return ctx.unverified(req);
    }
    mission_form_page(
        &ctx,
        req,
        &detail,
        &id_slug,
        &FormView::default(),
        StatusCode::OK,
    )
}

#[handler]
pub async fn answer(
    req: &Request,
    ctx: Ctx,
    Path((_, id_slug)): Path<(String, String)>,
    OptionalUser(user): OptionalUser,
    Form(form): Form<RequestForm>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let Some(session) = user else {
        return Ok(to_login(ctx.locale, req.uri().path()));
    };
    if !ctx.csrf_ok(req, &form.csrf) {
        return ctx.forbidden(req);
    }
    let (detail, city) = published_mission(state, tenant, ctx.locale, &id_slug).await?;
    if !session.account.email_verified {
        return ctx.unverified(req);
    }
    let mut errors = Errors::new();
    let body = check_text(&ctx, &mut errors, "message", &form.message, BODY_MAX);
    let contribution = form.contribution.trim().to_owned();
    if !detail.mission.contribution_types.contains(&contribution) {
        errors.insert("contribution", ctx.t("request.err_choice"));
    }
    let window = (detail.mission.starts_on, detail.mission.ends_on);
    let dates = check_dates(&ctx, &mut errors, &form, Some(window));
    let Some((from, to)) = dates.filter(|_| errors.is_empty()) else {
        let view = FormView {
            values: values(&form),
            errors,
        };
        return mission_form_page(
            &ctx,
            req,
            &detail,
            &id_slug,
            &view,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let new = NewRequest {
        kind: RequestKind::Mission,
        member_user_id: session.account.id,
        mission_id: Some(detail.mission.id),
        organisation_id: Some(detail.mission.organisation_id),
        city_id: city.id,
        locale: ctx.locale.as_str().to_owned(),
        title: detail.mission.title.chars().take(200).collect(),
        body,
        offer: String::new(),
        contribution: Some(contribution),
        available_from: Some(from),
        available_to: Some(to),
        domain: Some(detail.mission.domain.clone()),
    };
    send_request(&ctx, req, &session, &city, new).await
}

// ----- B and C: propose a project, offer a profile to a city -----

#[derive(Clone, Copy, PartialEq, Eq)]
enum CityForm {
    Project,
    Profile,
}

impl CityForm {
    fn segment(self) -> &'static str {
        match self {
            CityForm::Project => "proposer",
            CityForm::Profile => "offrir",
        }
    }

    fn template(self) -> &'static str {
        match self {
            CityForm::Project => "requests/project.html",
            CityForm::Profile => "requests/profile.html",
        }
    }
}

fn city_form_page(
    ctx: &Ctx,
    req: &Request,
    which: CityForm,
    city: &CityRecord,
    form: &FormView,
    status: StatusCode,
) -> Result<Response, AppError> {
    let taxonomy = ctx.tenant.taxonomy();
    let domains: Vec<Choice> = taxonomy
        .domains
        .iter()
        .map(|d| {
            let label = domain_label(&taxonomy, &d.slug, ctx.locale);
            Choice {
                value: label.slug,
                label: label.label,
            }
        })
        .collect();
    let rest = format!("/villes/{}/{}", city.slug, which.segment());
    ctx.page(req, &rest, which.template(), status, |c| {
        c.insert("form", form);
        c.insert("city_name", city.name_in(ctx.locale));
        c.insert("city_url", &format!("/{}/villes/{}", ctx.locale, city.slug));
        c.insert("action", &format!("/{}{rest}", ctx.locale));
        c.insert("domains", &domains);
    })
}

async fn city_of(state: &AppState, tenant: &Tenant, slug: &str) -> Result<CityRecord, AppError> {
    Cities::for_tenant(state.store.conn(), tenant)
        .by_slug(slug)
        .await?
        .ok_or(AppError::NotFound)
}

async fn city_get(
    req: &Request,
    ctx: Ctx,
    slug: &str,
    user: Option<Session>,
    which: CityForm,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let city = city_of(state, tenant, slug).await?;
    let Some(session) = user else {
        return Ok(to_login(ctx.locale, req.uri().path()));
    };
    if !session.account.email_verified {
        return ctx.unverified(req);
    }
    city_form_page(
        &ctx,
        req,
        which,
        &city,
        &FormView::default(),
        StatusCode::OK,
    )
}

async fn city_post(
    req: &Request,
    ctx: Ctx,
    slug: String,
    user: Option<Session>,
    form: RequestForm,
    which: CityForm,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let Some(session) = user else {
        return Ok(to_login(ctx.locale, req.uri().path()));
    };
    if !ctx.csrf_ok(req, &form.csrf) {
        return ctx.forbidden(req);
    }
    let city = city_of(state, tenant, &slug).await?;
    if !session.account.email_verified {
        return ctx.unverified(req);
    }
    let mut errors = Errors::new();
    let new = match which {
        CityForm::Project => {
            let title = check_text(&ctx, &mut errors, "title", &form.title, TITLE_MAX);
            let domain = form.domain.trim().to_owned();
            if tenant.taxonomy().domain(&domain).is_none() {
                errors.insert("domain", ctx.t("request.err_choice"));
            }
            let body = check_text(
                &ctx,
                &mut errors,
                "description",
                &form.description,
                BODY_MAX,
            );
            let offer = check_text(&ctx, &mut errors, "offer", &form.offer, OFFER_MAX);
            NewRequest {
                kind: RequestKind::Project,
                member_user_id: session.account.id,
                mission_id: None,
                organisation_id: None,
                city_id: city.id,
                locale: ctx.locale.as_str().to_owned(),
                title,
                body,
                offer,
                contribution: None,
                available_from: None,
                available_to: None,
                domain: Some(domain),
            }
        }
        CityForm::Profile => {
            let offer = check_text(&ctx, &mut errors, "offer", &form.offer, OFFER_MAX);
            let dates = check_dates(&ctx, &mut errors, &form, None);
            let body = check_text(
                &ctx,
                &mut errors,
                "description",
                &form.description,
                BODY_MAX,
            );
            NewRequest {
                kind: RequestKind::Profile,
                member_user_id: session.account.id,
                mission_id: None,
                organisation_id: None,
                city_id: city.id,
                locale: ctx.locale.as_str().to_owned(),
                title: ctx
                    .t("request.profile_title")
                    .replace("%{name}", &session.account.display_name)
                    .chars()
                    .take(200)
                    .collect(),
                body,
                offer,
                contribution: None,
                available_from: dates.map(|d| d.0),
                available_to: dates.map(|d| d.1),
                domain: None,
            }
        }
    };
    if !errors.is_empty() {
        let view = FormView {
            values: values(&form),
            errors,
        };
        return city_form_page(
            &ctx,
            req,
            which,
            &city,
            &view,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    send_request(&ctx, req, &session, &city, new).await
}

#[handler]
pub async fn project_form(
    req: &Request,
    ctx: Ctx,
    Path((_, slug)): Path<(String, String)>,
    OptionalUser(user): OptionalUser,
) -> Result<Response, AppError> {
    city_get(req, ctx, &slug, user, CityForm::Project).await
}

#[handler]
pub async fn project(
    req: &Request,
    ctx: Ctx,
    Path((_, slug)): Path<(String, String)>,
    OptionalUser(user): OptionalUser,
    Form(form): Form<RequestForm>,
) -> Result<Response, AppError> {
    city_post(req, ctx, slug, user, form, CityForm::Project).await
}

#[handler]
pub async fn profile_form(
    req: &Request,
    ctx: Ctx,
    Path((_, slug)): Path<(String, String)>,
    OptionalUser(user): OptionalUser,
) -> Result<Response, AppError> {
    city_get(req, ctx, &slug, user, CityForm::Profile).await
}

#[handler]
pub async fn profile(
    req: &Request,
    ctx: Ctx,
    Path((_, slug)): Path<(String, String)>,
    OptionalUser(user): OptionalUser,
    Form(form): Form<RequestForm>,
) -> Result<Response, AppError> {
    city_post(req, ctx, slug, user, form, CityForm::Profile).await
}

// ----- conversation -----

#[derive(Serialize)]
struct MessageView {
    author: String,
    mine: bool,
    body: Vec<String>,
    at: String,
}

#[derive(Serialize)]
struct ButtonView {
    action: &'static str,
    label: String,
}

/// The request `id` if `session` is one of its parties, with their side; else 404.
async fn party(
    state: &AppState,
    tenant: &Tenant,
    id: &str,
    session: &Session,
) -> Result<(RequestRecord, Side), AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let requests = Requests::for_tenant(state.store.conn(), tenant);
    let request = requests.find(id).await?.ok_or(AppError::NotFound)?;
    let side = requests
        .side_of(&request, session.account.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((request, side))
}

fn state_label(ctx: &Ctx, state: RequestState) -> String {
    ctx.t(&format!("request.state_{}", state.as_str()))
}

fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn thread_page(
    ctx: &Ctx,
    req: &Request,
    session: &Session,
    request: &RequestRecord,
    side: Side,
    form: &FormView,
    status: StatusCode,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let conn = ctx.state.store.conn();
    let requests = Requests::for_tenant(conn, &ctx.tenant);
    let messages: Vec<MessageView> = requests
        .messages(request.id)
        .await?
        .into_iter()
        .map(|m| MessageView {
            mine: m.author_user_id == session.account.id,
            author: m.author_name,
            body: paragraphs(&m.body),
            at: format_date(ctx.tenant.local_date(m.created_at), ctx.locale),
        })
        .collect();
    let member = Accounts::for_tenant(conn, &ctx.tenant)
        .find(request.member_user_id)
        .await?;
    // The member's phone (from their profile) goes with the email, to the answering side only.
    let member_phone = if side.handles() {
        Some(
            jsap_store::Profiles::for_tenant(conn, &ctx.tenant)
                .get(request.member_user_id)
                .await?
                .phone,
        )
        .filter(|p| !p.is_empty())
    } else {
        None
    };
    let city = Cities::for_tenant(conn, &ctx.tenant)
        .by_id(request.city_id)
        .await?;
    let organisation = match request.organisation_id {
        Some(id) => {
            Organisations::for_tenant(conn, &ctx.tenant)
                .by_id(id)
                .await?
        }
        None => None,
    };
    let taxonomy = ctx.tenant.taxonomy();
    let buttons: Vec<ButtonView> = Action::ALL
        .into_iter()
        .filter(|a| a.available(side, request.state))
        .map(|a| ButtonView {
            action: a.as_str(),
            label: ctx.t(&format!("request.action_{}", a.as_str())),
        })
        .collect();
    let closed = request.state.is_closed();
    requests
        .mark_read(request.id, session.account.id, Utc::now())
        .await?;
    // The header was counted before this reading.
    let viewer = match crate::session::viewer() {
        Some(mut viewer) => {
            viewer.unread_requests = requests.unread_count(session.account.id).await?;
            Some(viewer)
        }
        None => None,
    };
    ctx.page(
        req,
        &format!("/demandes/{}", request.id),
        "requests/thread.html",
        status,
        |c| {
            if let Some(viewer) = &viewer {
                c.insert("viewer", viewer);
            }
            c.insert("request", request);
            c.insert(
                "kind_label",
                &ctx.t(&format!("request.kind_{}", request.kind.as_str())),
            );
            c.insert("state_label", &state_label(ctx, request.state));
            c.insert("side", &side);
            c.insert("body", &paragraphs(&request.body));
            c.insert("offer", &paragraphs(&request.offer));
            c.insert("messages", &messages);
            c.insert("buttons", &buttons);
            c.insert("closed", &closed);
            c.insert("form", form);
            c.insert("notice", &notice);
            c.insert(
                "sent_at",
                &format_date(ctx.tenant.local_date(request.created_at), ctx.locale),
            );
            c.insert(
                "due_on",
                &format_date(ctx.tenant.local_date(request.due_at), ctx.locale),
            );
            c.insert(
                "available",
                &request
                    .available_from
                    .zip(request.available_to)
                    .map(|(f, t)| {
                        ctx.t("request.available_range")
                            .replace("%{from}", &format_date(f, ctx.locale))
                            .replace("%{to}", &format_date(t, ctx.locale))
                    }),
            );
            c.insert(
                "contribution",
                &request
                    .contribution
                    .as_deref()
                    .map(|s| contribution_label(&taxonomy, s, ctx.locale).label),
            );
            c.insert(
                "domain",
                &request
                    .domain
                    .as_deref()
                    .map(|s| domain_label(&taxonomy, s, ctx.locale).label),
            );
            c.insert(
                "city_name",
                &city.as_ref().map(|c| c.name_in(ctx.locale).to_owned()),
            );
            c.insert("organisation_name", &organisation.map(|o| o.name));
            c.insert(
                "member_name",
                &member.as_ref().map(|m| m.display_name.clone()),
            );
            // Contact details only for the side that answers.
            c.insert(
                "member_email",
                &member.filter(|_| side.handles()).map(|m| m.email),
            );
            c.insert("member_phone", &member_phone);
        },
    )
    .map(|mut resp| {
        resp.headers_mut().insert(
            header::HeaderName::from_static("x-robots-tag"),
            header::HeaderValue::from_static("noindex"),
        );
        resp
    })
}

#[handler]
pub async fn thread(
    req: &Request,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    OptionalUser(user): OptionalUser,
    Query(params): Query<InboxParams>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let Some(session) = user else {
        return Ok(to_login(ctx.locale, req.uri().path()));
    };
    let (request, side) = party(state, tenant, &id, &session).await?;
    let notice = match params.done.as_deref() {
        Some("sent") => Some(
            ctx.t("request.sent_notice")
                .replace("%{days}", &tenant.response_delay_days.to_string()),
        ),
        Some("message") => Some(ctx.t("request.message_notice")),
        Some("state") => Some(ctx.t("request.state_notice")),
        _ => None,
    };
    thread_page(
        &ctx,
        req,
        &session,
        &request,
        side,
        &FormView::default(),
        StatusCode::OK,
        notice,
    )
    .await
}

#[handler]
pub async fn post_message(
    req: &Request,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    OptionalUser(user): OptionalUser,
    Form(form): Form<RequestForm>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let Some(session) = user else {
        return Ok(to_login(
            ctx.locale,
            &format!("/{}/demandes/{id}", ctx.locale),
        ));
    };
    if !ctx.csrf_ok(req, &form.csrf) {
        return ctx.forbidden(req);
    }
    let (request, side) = party(state, tenant, &id, &session).await?;
    if request.state.is_closed() {
        return ctx.message(
            req,
            StatusCode::CONFLICT,
            &ctx.t("request.conflict_title"),
            &ctx.t("request.conflict_closed")
                .replace("%{state}", &state_label(&ctx, request.state)),
            Some((
                format!("/{}/demandes/{}", ctx.locale, request.id),
                ctx.t("request.back_to_thread"),
            )),
        );
    }
    let mut errors = Errors::new();
    let body = check_text(&ctx, &mut errors, "message", &form.message, BODY_MAX);
    if !errors.is_empty() {
        let view = FormView {
            values: BTreeMap::from([("message", form.message.trim().to_owned())]),
            errors,
        };
        return thread_page(
            &ctx,
            req,
            &session,
            &request,
            side,
            &view,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
        )
        .await;
    }
    conversation::post_message(
        &state.store,
        state.themes.clone(),
        tenant,
        &request,
        side,
        &session.account,
        &body,
        &SystemClock,
    )
    .await?;
    Ok(see_other(format!(
        "/{}/demandes/{}?done=message",
        ctx.locale, request.id
    )))
}

#[handler]
pub async fn change_state(
    req: &Request,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    OptionalUser(user): OptionalUser,
    Form(form): Form<RequestForm>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let Some(session) = user else {
        return Ok(to_login(
            ctx.locale,
            &format!("/{}/demandes/{id}", ctx.locale),
        ));
    };
    if !ctx.csrf_ok(req, &form.csrf) {
        return ctx.forbidden(req);
    }
    let (request, side) = party(state, tenant, &id, &session).await?;
    let Some(action) = Action::parse(form.action.trim()) else {
        return ctx.bad_request(req, &ctx.t("request.err_action"));
    };
    let back = Some((
        format!("/{}/demandes/{}", ctx.locale, request.id),
        ctx.t("request.back_to_thread"),
    ));
    let applied = conversation::change_state(
        &state.store,
        state.themes.clone(),
        tenant,
        &request,
        side,
        &session.account,
        action,
        &SystemClock,
    )
    .await?;
    match applied {
        Ok(_) => Ok(see_other(format!(
            "/{}/demandes/{}?done=state",
            ctx.locale, request.id
        ))),
        Err(TransitionError::NotAllowed) => ctx.message(
            req,
            StatusCode::CONFLICT,
            &ctx.t("request.conflict_title"),
            &ctx.t("request.conflict_side"),
            back,
        ),
        Err(TransitionError::WrongState(current)) => ctx.message(
            req,
            StatusCode::CONFLICT,
            &ctx.t("request.conflict_title"),
            &ctx.t("request.conflict_state")
                .replace("%{state}", &state_label(&ctx, current)),
            back,
        ),
    }
}

// ----- inboxes -----

#[derive(Serialize)]
struct InboxRow {
    url: String,
    title: String,
    kind: String,
    state: String,
    unread: bool,
    updated: String,
}

#[derive(Serialize)]
struct Tab {
    url: String,
    label: String,
    unread: u64,
    current: bool,
}

async fn inbox_page(
    req: &Request,
    ctx: Ctx,
    user: Option<Session>,
    params: InboxParams,
    inbox: Inbox,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let Some(session) = user else {
        return Ok(to_login(ctx.locale, req.uri().path()));
    };
    let requests = Requests::for_tenant(state.store.conn(), tenant);
    let user_id = session.account.id;
    if !requests.has_inbox(user_id, inbox).await? {
        return Err(AppError::NotFound);
    }
    let filter = match params
        .etat
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(raw) => match RequestState::parse(raw) {
            Some(s) => Some(s),
            None => return ctx.bad_request(req, &ctx.t("request.err_filter")),
        },
    };
    let page = match params
        .page
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => 1,
        Some(raw) => match raw.parse::<u64>() {
            Ok(n) if (1..=10_000).contains(&n) => n,
            _ => return ctx.bad_request(req, &ctx.t("request.err_page")),
        },
    };
    let found = requests
        .inbox(user_id, inbox, filter, page, PER_PAGE)
        .await?;
    let path = match inbox {
        Inbox::Member => "/compte/demandes",
        Inbox::Organisation => "/espace/organisation/demandes",
        Inbox::FocalPoint => "/espace/ville/demandes",
        Inbox::Country => "/espace/pays/demandes",
    };
    let mut tabs = Vec::new();
    for (other, other_path, key) in [
        (Inbox::Member, "/compte/demandes", "request.inbox_member"),
        (
            Inbox::Organisation,
            "/espace/organisation/demandes",
            "request.inbox_organisation",
        ),
        (
            Inbox::FocalPoint,
            "/espace/ville/demandes",
            "request.inbox_focal",
        ),
        (
            Inbox::Country,
            "/espace/pays/demandes",
            "request.inbox_country",
        ),
    ] {
        if other == inbox {
            tabs.push(Tab {
                url: format!("/{}{other_path}", ctx.locale),
                label: ctx.t(key),
                unread: found.unread,
                current: true,
            });
        } else if let Some(unread) = requests.inbox_unread(user_id, other).await? {
            tabs.push(Tab {
                url: format!("/{}{other_path}", ctx.locale),
                label: ctx.t(key),
                unread,
                current: false,
            });
        }
    }
    let rows: Vec<InboxRow> = found
        .items
        .iter()
        .map(|item| InboxRow {
            url: format!("/{}/demandes/{}", ctx.locale, item.request.id),
            title: item.request.title.clone(),
            kind: ctx.t(&format!("request.kind_{}", item.request.kind.as_str())),
            state: state_label(&ctx, item.request.state),
            unread: item.unread,
            updated: format_date(item.request.updated_at.date_naive(), ctx.locale),
        })
        .collect();
    let filters: Vec<Tab> = std::iter::once(None)
        .chain(RequestState::ALL.into_iter().map(Some))
        .map(|s| Tab {
            url: match s {
                Some(s) => format!("/{}{path}?etat={}", ctx.locale, s.as_str()),
                None => format!("/{}{path}", ctx.locale),
            },
            label: s.map_or_else(|| ctx.t("request.filter_all"), |s| state_label(&ctx, s)),
            unread: 0,
            current: s == filter,
        })
        .collect();
    let pages = found.total.div_ceil(PER_PAGE).max(1);
    let page_url = |n: u64| {
        let mut pairs = Vec::new();
        if let Some(s) = filter {
            pairs.push(("etat", s.as_str().to_owned()));
        }
        pairs.push(("page", n.to_string()));
        format!("/{}{path}?{}", ctx.locale, crate::params::encode(&pairs))
    };
    let prev = (page > 1).then(|| page_url(page - 1));
    let next = (page < pages).then(|| page_url(page + 1));
    let title = tabs
        .iter()
        .find(|t| t.current)
        .map(|t| t.label.clone())
        .unwrap_or_default();
    ctx.page(req, path, "requests/inbox.html", StatusCode::OK, |c| {
        c.insert("title", &title);
        c.insert("tabs", &tabs);
        c.insert("filters", &filters);
        c.insert("rows", &rows);
        c.insert("total", &found.total);
        c.insert("unread", &found.unread);
        c.insert("page", &page);
        c.insert("pages", &pages);
        c.insert("prev", &prev);
        c.insert("next", &next);
    })
}

#[handler]
pub async fn member_inbox(
    req: &Request,
    ctx: Ctx,
    OptionalUser(user): OptionalUser,
    Query(params): Query<InboxParams>,
) -> Result<Response, AppError> {
    inbox_page(req, ctx, user, params, Inbox::Member).await
}

#[handler]
pub async fn country_inbox(
    req: &Request,
    ctx: Ctx,
    OptionalUser(user): OptionalUser,
    Query(params): Query<InboxParams>,
) -> Result<Response, AppError> {
    inbox_page(req, ctx, user, params, Inbox::Country).await
}

#[handler]
pub async fn organisation_inbox(
    req: &Request,
    ctx: Ctx,
    OptionalUser(user): OptionalUser,
    Query(params): Query<InboxParams>,
) -> Result<Response, AppError> {
    inbox_page(req, ctx, user, params, Inbox::Organisation).await
}

#[handler]
pub async fn focal_inbox(
    req: &Request,
    ctx: Ctx,
    OptionalUser(user): OptionalUser,
    Query(params): Query<InboxParams>,
) -> Result<Response, AppError> {
    inbox_page(req, ctx, user, params, Inbox::FocalPoint).await
}

// ----- survey -----

fn survey_gone(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    ctx.message(
        req,
        StatusCode::GONE,
        &ctx.t("survey.gone_title"),
        &ctx.t("survey.gone_text"),
        None,
    )
}

fn survey_page(
    ctx: &Ctx,
    req: &Request,
    token: &str,
    title: &str,
    form: &FormView,
    status: StatusCode,
) -> Result<Response, AppError> {
    ctx.page(req, "/enquete", "requests/survey.html", status, |c| {
        c.insert("action", &format!("/{}/enquete/{token}", ctx.locale));
        c.insert("request_title", title);
        c.insert("form", form);
        c.insert("scores", &[1, 2, 3, 4, 5]);
    })
}

async fn open_survey(
    state: &AppState,
    tenant: &Tenant,
    token: &str,
) -> Result<Option<String>, AppError> {
    let requests = Requests::for_tenant(state.store.conn(), tenant);
    let Some(survey) = requests.open_survey(token, Utc::now()).await? else {
        return Ok(None);
    };
    Ok(Some(
        requests
            .find(survey.request_id)
            .await?
            .map(|r| r.title)
            .unwrap_or_default(),
    ))
}

#[handler]
pub async fn survey_form(
    req: &Request,
    ctx: Ctx,
    Path((_, token)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    match open_survey(state, tenant, &token).await? {
        None => survey_gone(&ctx, req),
        Some(title) => survey_page(
            &ctx,
            req,
            &token,
            &title,
            &FormView::default(),
            StatusCode::OK,
        ),
    }
}

#[handler]
pub async fn survey_answer(
    req: &Request,
    ctx: Ctx,
    Path((_, token)): Path<(String, String)>,
    Checked(form): Checked<RequestForm>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let Some(title) = open_survey(state, tenant, &token).await? else {
        return survey_gone(&ctx, req);
    };
    let mut errors = Errors::new();
    let score = match form.score.trim().parse::<i32>() {
        Ok(n) if (1..=5).contains(&n) => Some(n),
        _ => {
            errors.insert("score", ctx.t("survey.err_score"));
            None
        }
    };
    let comment = form.comment.trim().to_owned();
    if chars(&comment) > COMMENT_MAX {
        errors.insert(
            "comment",
            ctx.t("request.err_too_long")
                .replace("%{max}", &COMMENT_MAX.to_string()),
        );
    }
    let Some(score) = score.filter(|_| errors.is_empty()) else {
        let view = FormView {
            values: BTreeMap::from([
                ("score", form.score.trim().to_owned()),
                ("comment", comment),
            ]),
            errors,
        };
        return survey_page(
            &ctx,
            req,
            &token,
            &title,
            &view,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    if !Requests::for_tenant(state.store.conn(), tenant)
        .answer_survey(&token, score, &comment, Utc::now())
        .await?
    {
        return survey_gone(&ctx, req);
    }
    ctx.message(
        req,
        StatusCode::OK,
        &ctx.t("survey.thanks_title"),
        &ctx.t("survey.thanks_text"),
        Some((format!("/{}/", ctx.locale), ctx.t("nav.home"))),
    )
}
