//! Organisations: a verified member registers one (`/{locale}/organisations/nouvelle`), sees
//! where it stands in the organisation space, and the reviewers (the city's focal points, the
//! country operators) verify or refuse it from their queue
//! (`/{locale}/espace/organisations/verification`).

use crate::AppError;
use crate::kit::PathId;
use crate::kit::{
    Checked, CountrySite, Ctx, Errors, FormView, Pairs, VerifiedMember, all, field_error, one,
    see_other, text_field,
};
use crate::roles::RequireReviewer;
use crate::routes::bulk::QueueParams;
use crate::routes::profiles::phone_ok;
use crate::views::format_date;
use jsap_app::organisations::{self, Decision, Draft, Refusal};
use jsap_domain::EmailAddress;
use jsap_domain::OrganisationId;
use jsap_domain::organisations::{FACILITIES, KINDS, OrganisationStatus};
use jsap_store::{CityRecord, Organisations};
use poem::http::StatusCode;
use poem::web::Query;
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const ORG_NAME_MAX: usize = 120;
pub const ORG_DESCRIPTION_MAX: usize = 2000;
const WEBSITE_MAX: usize = 200;

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    checked: bool,
}

fn kinds(ctx: &Ctx) -> Vec<Choice> {
    KINDS
        .iter()
        .map(|k| Choice {
            value: (*k).to_owned(),
            label: ctx.t(&format!("org_kind.{k}")),
            checked: false,
        })
        .collect()
}

fn cities(ctx: &Ctx, cities: &[CityRecord]) -> Vec<Choice> {
    cities
        .iter()
        .map(|c| Choice {
            value: c.slug.clone(),
            label: c.name_in(ctx.locale).to_owned(),
            checked: false,
        })
        .collect()
}

fn facilities(ctx: &Ctx, chosen: &[&str]) -> Vec<Choice> {
    FACILITIES
        .iter()
        .map(|f| Choice {
            value: (*f).to_owned(),
            label: ctx.t(&format!("org.facility_{f}")),
            checked: chosen.contains(f),
        })
        .collect()
}

async fn register_page(
    ctx: &Ctx,
    req: &Request,
    status: StatusCode,
    form: &FormView,
    chosen: &[&str],
) -> Result<Response, AppError> {
    let all_cities = ctx.cities().await?;
    ctx.page(
        req,
        "/organisations/nouvelle",
        "organisations/new.html",
        status,
        |c| {
            c.insert("form", form);
            c.insert("kinds", &kinds(ctx));
            c.insert("cities", &cities(ctx, &all_cities));
            c.insert("facilities", &facilities(ctx, chosen));
            c.insert("org_name_max", &ORG_NAME_MAX);
            c.insert("org_description_max", &ORG_DESCRIPTION_MAX);
            c.insert("website_max", &WEBSITE_MAX);
        },
    )
}

/// `GET /{locale}/organisations/nouvelle`.
#[handler]
pub async fn register_form(
    _country: CountrySite,
    req: &Request,
    ctx: Ctx,
    _member: VerifiedMember,
) -> Result<Response, AppError> {
    register_page(&ctx, req, StatusCode::OK, &FormView::default(), &[]).await
}

/// Checks the registration form: the draft, or the field errors.
fn check(ctx: &Ctx, pairs: &Pairs, cities: &[CityRecord]) -> Result<Draft, Errors> {
    let mut errors = Errors::new();
    let text = |errors: &mut Errors, field, max, required| {
        text_field(ctx, pairs, errors, field, max, required, "org")
    };
    let name = text(&mut errors, "name", ORG_NAME_MAX, true);
    let kind = one(pairs, "kind").trim().to_owned();
    if !KINDS.contains(&kind.as_str()) {
        errors.insert(
            "kind",
            field_error(ctx, "form.err_choice", "org.kind_label"),
        );
    }
    let city = cities.iter().find(|c| c.slug == one(pairs, "city").trim());
    if city.is_none() {
        errors.insert(
            "city",
            field_error(ctx, "form.err_choice", "org.city_label"),
        );
    }
    let description = text(&mut errors, "description", ORG_DESCRIPTION_MAX, true);
    let website = text(&mut errors, "website", WEBSITE_MAX, false);
    let web_address = website.starts_with("https://") || website.starts_with("http://");
    if !website.is_empty() && !errors.contains_key("website") && !web_address {
        errors.insert("website", ctx.t("org.err_website"));
    }
    let public_email = one(pairs, "public_email").trim().to_owned();
    if !public_email.is_empty() && EmailAddress::parse(&public_email).is_err() {
        errors.insert("public_email", ctx.t("account.err_email_invalid"));
    }
    let phone = one(pairs, "phone").trim().to_owned();
    if !phone.is_empty() && !phone_ok(&phone) {
        errors.insert("phone", ctx.t("profile.err_phone"));
    }
    let chosen: Vec<String> = all(pairs, "facility")
        .into_iter()
        .filter(|f| FACILITIES.contains(f))
        .map(str::to_owned)
        .collect();
    match city.filter(|_| errors.is_empty()) {
        Some(city) => Ok(Draft {
            city_id: city.id,
            kind,
            name,
            description,
            website,
            public_email,
            phone,
            facilities: chosen,
        }),
        None => Err(errors),
    }
}

/// `POST /{locale}/organisations/nouvelle`: registers the organisation, pending review, with
/// the member as its admin.
#[handler]
pub async fn register(
    _country: CountrySite,
    req: &Request,
    ctx: Ctx,
    VerifiedMember(session): VerifiedMember,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let all_cities = ctx.cities().await?;
    match check(&ctx, &pairs, &all_cities) {
        Err(errors) => {
            let values = [
                "name",
                "kind",
                "city",
                "description",
                "website",
                "public_email",
                "phone",
            ]
            .into_iter()
            .map(|f| (f, one(&pairs, f).trim().to_owned()))
            .collect::<BTreeMap<_, _>>();
            let chosen = all(&pairs, "facility");
            let form = FormView { values, errors };
            register_page(&ctx, req, StatusCode::UNPROCESSABLE_ENTITY, &form, &chosen).await
        }
        Ok(draft) => {
            let (_, admin) = organisations::register(&ctx.scope(), &session.account, draft).await?;
            let next = see_other(format!(
                "/{}/espace/organisation?done=registered",
                ctx.locale
            ));
            // The admin role ended the member's sessions: this one goes on with a fresh id.
            ctx.renew_session(req, &session, &admin, next).await
        }
    }
}

#[derive(Serialize)]
struct Pending {
    id: i64,
    name: String,
    kind: String,
    city: String,
    description: String,
    website: String,
    public_email: String,
    phone: String,
    facilities: Vec<String>,
    registered_on: String,
}

/// A verified or suspended organisation, which a reviewer may suspend or restore.
#[derive(Serialize)]
struct Reviewed {
    id: i64,
    name: String,
    slug: String,
    status: &'static str,
    status_label: String,
    reason: String,
}

async fn queue_page(
    ctx: &Ctx,
    req: &Request,
    reviewer: &RequireReviewer,
    status: StatusCode,
    failure: Option<(i64, String)>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let conn = ctx.state.store.conn();
    let all_cities = ctx.cities().await?;
    let organisations = Organisations::for_tenant(conn, &ctx.tenant);
    let cities = reviewer.city_ids.as_deref();
    let mut reviewed = Vec::new();
    for status in [OrganisationStatus::Verified, OrganisationStatus::Suspended] {
        for o in organisations.in_status(status, cities).await? {
            reviewed.push(Reviewed {
                id: o.id,
                name: o.profile.name,
                slug: o.slug,
                status: status.as_str(),
                status_label: ctx.t(&format!("org.status_{}", status.as_str())),
                reason: o.status_reason,
            });
        }
    }
    let pending: Vec<Pending> = organisations
        .pending(cities)
        .await?
        .into_iter()
        .map(|o| Pending {
            id: o.id,
            kind: ctx.t(&format!("org_kind.{}", o.profile.kind)),
            city: all_cities
                .iter()
                .find(|c| c.id == o.profile.city_id)
                .map_or_else(String::new, |c| c.name_in(ctx.locale).to_owned()),
            facilities: o
                .profile
                .facilities
                .iter()
                .map(|f| ctx.t(&format!("org.facility_{f}")))
                .collect(),
            registered_on: format_date(ctx.tenant.local_date(o.created_at), ctx.locale),
            name: o.profile.name,
            description: o.profile.description,
            website: o.profile.website,
            public_email: o.profile.public_email,
            phone: o.profile.phone,
        })
        .collect();
    ctx.page(
        req,
        "/espace/organisations/verification",
        "spaces/organisations_review.html",
        status,
        |c| {
            c.insert("pending", &pending);
            c.insert("reviewed", &reviewed);
            c.insert("notice", &notice);
            c.insert("failed_id", &failure.as_ref().map(|(id, _)| *id));
            c.insert(
                "failed_text",
                &failure.as_ref().map(|(_, text)| text.clone()),
            );
        },
    )
}

/// `GET /{locale}/espace/organisations/verification`: the organisations waiting for this
/// reviewer, oldest first.
#[handler]
pub async fn review_queue(
    req: &Request,
    ctx: Ctx,
    reviewer: RequireReviewer,
    Query(params): Query<QueueParams>,
) -> Result<Response, AppError> {
    queue_page(
        &ctx,
        req,
        &reviewer,
        StatusCode::OK,
        None,
        params.notice(&ctx, &NOTICES),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    decision: String,
    reason: String,
}

/// `POST /{locale}/espace/organisations/{id}/verification`: verify, or refuse with a reason.
#[handler]
pub async fn review(
    req: &Request,
    ctx: Ctx,
    PathId(id): PathId<OrganisationId>,
    reviewer: RequireReviewer,
    Checked(form): Checked<ReviewForm>,
) -> Result<Response, AppError> {
    let decision = match form.decision.as_str() {
        "verify" => Decision::Verify,
        "refuse" => Decision::Refuse(form.reason.chars().take(1000).collect()),
        "suspend" => Decision::Suspend(form.reason.chars().take(1000).collect()),
        _ => return ctx.bad_request(req, &ctx.t("org.err_decision")),
    };
    let done = match decision {
        Decision::Verify => "verified",
        Decision::Refuse(_) => "refused",
        Decision::Suspend(_) => "suspended",
    };
    let account = reviewer.user.account().clone();
    match organisations::review(&ctx.scope(), &account, id, decision).await? {
        Ok(_) => Ok(see_other(format!(
            "/{}/espace/organisations/verification?done={done}",
            ctx.locale
        ))),
        Err(Refusal::NotFound) => Err(AppError::NotFound),
        Err(Refusal::NotAReviewer) => Err(AppError::NotFound),
        Err(Refusal::WrongState) => Ok(see_other(format!(
            "/{}/espace/organisations/verification?done=already",
            ctx.locale
        ))),
        Err(Refusal::ReasonRequired) => {
            queue_page(
                &ctx,
                req,
                &reviewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some((id.get(), ctx.t("org.err_reason"))),
                None,
            )
            .await
        }
    }
}

/// The confirmation of each `?done=` code.
const NOTICES: [(&str, &str); 4] = [
    ("verified", "org.done_verified"),
    ("refused", "org.done_refused"),
    ("suspended", "org.done_suspended"),
    ("already", "org.err_state"),
];
