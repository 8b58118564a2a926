//! The role spaces: a page per role, each behind its extractor (`crate::roles`).
//!
//! - `/{locale}/espace/organisation`: organisation admins and editors, their organisations.
//! - `/{locale}/espace/ville`: focal points, their cities.
//! - `/{locale}/espace/pays`: country operators, the tenant's cities and focal points with the
//!   state of their invitations, the country operators invited, and a form to invite one.
//! - `/{locale}/admin` (portal only): staff, every tenant with its counts, and a form to invite
//!   a country operator for a tenant.

use crate::kit::{Checked, Ctx, Errors, FormView, see_other};
use crate::roles::{Console, RequireStaff};
use crate::routes::accounts::{check_email, check_name};
use crate::{AppError, AppState};
use chrono::{DateTime, Utc};
use jsap_domain::EmailAddress;
use jsap_store::{Accounts, Grant, Invitations, Organisations, Role};
use jsap_tenancy::Tenant;
use poem::http::StatusCode;
use poem::web::Query;
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    csrf: String,
    tenant: String,
    display_name: String,
    email: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: Option<String>,
    /// The city just added from the console (its row is marked).
    ville: Option<String>,
}

/// The invitation form of a space page as it shows: under `status`, the form shown back (or
/// empty), the notice of the last invitation.
struct InviteView {
    status: StatusCode,
    form: FormView,
    notice: Option<String>,
    /// The city just added from the console (its row is marked).
    added_city: Option<String>,
}

/// The confirmation of each `?done=` code.
const NOTICES: [(&str, &str); 4] = [
    ("invited", "roles.done_invited"),
    ("city_added", "city_admin.done_added"),
    ("city_invited", "city_admin.done_invited"),
    ("staff", "staff.entered"),
];

impl InviteView {
    /// The page as asked for: an empty form, and the notice of `?done=invited`.
    fn first(ctx: &Ctx, done: &Done) -> Self {
        let notice = crate::kit::notice(ctx, done.done.as_deref(), &NOTICES);
        Self {
            status: StatusCode::OK,
            form: FormView::default(),
            added_city: done.ville.clone().filter(|_| notice.is_some()),
            notice,
        }
    }

    /// The form shown back with its errors (422).
    fn refused(form: FormView) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            form,
            notice: None,
            added_city: None,
        }
    }

    /// Space page `template` at `rest`, with what `fill` adds and this form.
    fn render(
        self,
        ctx: &Ctx,
        req: &Request,
        rest: &str,
        template: &str,
        fill: impl FnOnce(&mut tera::Context),
    ) -> Result<Response, AppError> {
        ctx.page(req, rest, template, self.status, |c| {
            fill(c);
            c.insert("form", &self.form);
            c.insert("notice", &self.notice);
            c.insert("added_city", &self.added_city);
        })
    }
}

/// Creates (or refreshes) the country-operator invitation of `email` on `tenant` and queues
/// its email in the same transaction (`jsap_app::invitations::invite`).
pub async fn invite_operator(
    state: &AppState,
    tenant: &Tenant,
    name: &str,
    email: &EmailAddress,
    by: &jsap_store::Account,
) -> Result<(), AppError> {
    jsap_app::invitations::invite(
        &state.store,
        state.themes.clone(),
        tenant,
        Grant::CountryOperator,
        Some(name),
        email,
        Some(by),
    )
    .await?;
    Ok(())
}

#[derive(Serialize)]
pub(crate) struct Invitee {
    name: String,
    email: String,
    /// `accepted`, `pending` or `expired`.
    status: &'static str,
    until: String,
}

pub(crate) fn invitee(
    ctx: &Ctx,
    name: &str,
    email: &str,
    accepted_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
) -> Invitee {
    let status = if accepted_at.is_some() {
        "accepted"
    } else if expires_at > Utc::now() {
        "pending"
    } else {
        "expired"
    };
    Invitee {
        name: name.to_owned(),
        email: email.to_owned(),
        status,
        until: crate::views::format_date(ctx.tenant.local_date(expires_at), ctx.locale),
    }
}

/// An account holding the role.
pub(crate) fn active(account: &jsap_store::Account) -> Invitee {
    Invitee {
        name: account.display_name.clone(),
        email: account.email.clone(),
        status: "active",
        until: String::new(),
    }
}

/// How many submitted missions wait for review in `cities` (all of them: `None`).
async fn missions_waiting(ctx: &Ctx, cities: Option<Vec<i64>>) -> Result<u64, AppError> {
    let filter = jsap_store::MissionFilter {
        cities,
        ..jsap_store::MissionFilter::default()
    };
    Ok(
        jsap_store::MissionEdits::for_tenant(ctx.state.store.conn(), &ctx.tenant)
            .queue(&filter, ctx.locale.as_str(), 0)
            .await?
            .1,
    )
}

// ----- country operators -----

#[derive(Serialize)]
struct CountryCity {
    name: String,
    slug: String,
    retired: bool,
    focal_points: Vec<Invitee>,
}

async fn country_page(ctx: &Ctx, req: &Request, view: InviteView) -> Result<Response, AppError> {
    let conn = ctx.state.store.conn();
    let accounts = Accounts::for_tenant(conn, &ctx.tenant);
    let focal_points = accounts.with_role(Role::FocalPoint).await?;
    let invitations = Invitations::for_tenant(conn, &ctx.tenant);
    let focal_invitations = invitations.list_of(Role::FocalPoint).await?;
    let cities: Vec<CountryCity> = jsap_store::Cities::for_tenant(conn, &ctx.tenant)
        .list_all()
        .await?
        .into_iter()
        .map(|c| {
            // Accounts holding the role, then invitations not (yet) turned into one.
            let holders: Vec<&jsap_store::Account> = focal_points
                .iter()
                .filter(|(_, m)| m.city_id == Some(c.id))
                .map(|(a, _)| a)
                .collect();
            let mut people: Vec<Invitee> = holders.iter().map(|a| active(a)).collect();
            people.extend(
                focal_invitations
                    .iter()
                    .filter(|i| {
                        i.grant.city_id() == Some(c.id)
                            && i.withdrawn_at.is_none()
                            && !holders.iter().any(|a| a.email == i.email)
                    })
                    .map(|i| invitee(ctx, &i.name, &i.email, i.accepted_at, i.expires_at)),
            );
            CountryCity {
                name: c.name_in(ctx.locale).to_owned(),
                slug: c.slug.clone(),
                retired: c.retired_at.is_some(),
                focal_points: people,
            }
        })
        .collect();
    let holders = accounts.with_role(Role::CountryOperator).await?;
    let mut operators: Vec<Invitee> = holders.iter().map(|(a, _)| active(a)).collect();
    operators.extend(
        invitations
            .list_of(Role::CountryOperator)
            .await?
            .iter()
            .filter(|i| !holders.iter().any(|(a, _)| a.email == i.email))
            .map(|i| invitee(ctx, &i.name, &i.email, i.accepted_at, i.expires_at)),
    );
    let waiting = Organisations::for_tenant(conn, &ctx.tenant)
        .pending(None)
        .await?
        .len();
    let missions_waiting = missions_waiting(ctx, None).await?;
    let reports_open = jsap_store::Reports::for_tenant(conn, &ctx.tenant)
        .open_count()
        .await?;
    view.render(ctx, req, "/espace/pays", "spaces/country.html", |c| {
        c.insert("organisations_waiting", &waiting);
        c.insert("missions_waiting", &missions_waiting);
        c.insert("reports_open", &reports_open);
        c.insert("cities", &cities);
        c.insert("operators", &operators);
    })
}

#[handler]
pub async fn country_space(
    req: &Request,
    Console(ctx, _operator): Console,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    country_page(&ctx, req, InviteView::first(&ctx, &done)).await
}

/// Checks an invitation form: the invitee's name and email, or the form to show back.
fn check_invite(ctx: &Ctx, form: &InviteForm) -> Result<(String, EmailAddress), FormView> {
    let mut errors = Errors::new();
    let name = check_name(ctx, &form.display_name, &mut errors);
    let email = check_email(ctx, &form.email, "email", &mut errors);
    match email.filter(|_| errors.is_empty()) {
        Some(email) => Ok((name, email)),
        None => Err(FormView {
            values: BTreeMap::from([
                ("display_name", form.display_name.trim().to_owned()),
                ("email", form.email.trim().to_owned()),
                ("tenant", form.tenant.clone()),
            ]),
            errors,
        }),
    }
}

#[handler]
pub async fn country_invite(
    req: &Request,
    Console(ctx, operator): Console,
    Checked(form): Checked<InviteForm>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    match check_invite(&ctx, &form) {
        Err(view) => country_page(&ctx, req, InviteView::refused(view)).await,
        Ok((name, email)) => {
            invite_operator(state, tenant, &name, &email, operator.user.account()).await?;
            Ok(see_other(format!(
                "/{}/espace/pays?done=invited",
                ctx.locale
            )))
        }
    }
}

// ----- staff console -----

#[derive(Serialize)]
struct TenantRow {
    code: String,
    name: String,
    url: String,
    /// The date the tenant file was last synced, or "" when never.
    synced: String,
    members: u64,
    organisations: u64,
    organisations_pending: u64,
    missions_published: u64,
    missions_waiting: u64,
    requests_open: u64,
    requests_overdue: u64,
    invitations_pending: u64,
    reports_open: u64,
    operators: usize,
    /// The date of the last activity, or "" when none.
    last_activity: String,
}

async fn admin_page(ctx: &Ctx, req: &Request, view: InviteView) -> Result<Response, AppError> {
    let conn = ctx.state.store.conn();
    let now = Utc::now();
    let mut rows = Vec::new();
    for t in ctx.state.registry.countries() {
        let o = jsap_store::TenantOverview::for_tenant(conn, t)
            .figures(now)
            .await?;
        let date = |at: Option<DateTime<Utc>>| {
            at.map(|at| crate::views::format_date(t.local_date(at), ctx.locale))
                .unwrap_or_default()
        };
        rows.push(TenantRow {
            code: t.code.to_string(),
            name: t.site_name.get(ctx.locale).to_owned(),
            url: t.canonical_url(),
            synced: date(o.synced_at),
            members: o.members,
            organisations: o.organisations,
            organisations_pending: o.organisations_pending,
            missions_published: o.missions_published,
            missions_waiting: o.missions_waiting,
            requests_open: o.requests_open,
            requests_overdue: o.requests_overdue,
            invitations_pending: o.invitations_pending,
            reports_open: o.reports_open,
            operators: Accounts::for_tenant(conn, t)
                .with_role(Role::CountryOperator)
                .await?
                .len(),
            last_activity: date(o.last_activity),
        });
    }
    view.render(ctx, req, "/admin", "spaces/admin.html", |c| {
        c.insert("tenants", &rows);
    })
}

#[handler]
pub async fn admin_home(
    req: &Request,
    ctx: Ctx,
    _staff: RequireStaff,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    admin_page(&ctx, req, InviteView::first(&ctx, &done)).await
}

#[handler]
pub async fn admin_invite(
    req: &Request,
    ctx: Ctx,
    staff: RequireStaff,
    Checked(form): Checked<InviteForm>,
) -> Result<Response, AppError> {
    let state = &*ctx.state;
    let target = state
        .registry
        .get(form.tenant.trim())
        .filter(|t| !t.is_portal())
        .cloned();
    let checked = check_invite(&ctx, &form);
    match (target, checked) {
        (Some(target), Ok((name, email))) => {
            invite_operator(state, &target, &name, &email, staff.user.account()).await?;
            Ok(see_other(format!("/{}/admin?done=invited", ctx.locale)))
        }
        (target, checked) => {
            let mut view = checked.err().unwrap_or_default();
            view.values
                .insert("display_name", form.display_name.trim().to_owned());
            view.values.insert("email", form.email.trim().to_owned());
            view.values.insert("tenant", form.tenant.clone());
            if target.is_none() {
                view.errors.insert("tenant", ctx.t("roles.err_tenant"));
            }
            admin_page(&ctx, req, InviteView::refused(view)).await
        }
    }
}

/// Links to the spaces the account may open (for the account page): `[href, label]`.
pub fn space_links(
    ctx: &Ctx,
    account: &jsap_store::Account,
    memberships: &[jsap_store::Membership],
) -> Vec<[String; 2]> {
    let has = |roles: &[Role]| memberships.iter().any(|m| roles.contains(&m.role));
    let mut links = Vec::new();
    let mut link = |rest: &str, key: &str| {
        links.push([format!("/{}{rest}", ctx.locale), ctx.t(key)]);
    };
    if ctx.tenant.is_portal() {
        if account.is_staff {
            link("/admin", "roles.admin_title");
        }
        return links;
    }
    if has(&[Role::OrganisationAdmin, Role::OrganisationEditor]) {
        link("/espace/organisation", "roles.organisation_space_title");
    }
    if has(&[Role::FocalPoint]) {
        link("/espace/ville", "roles.city_space_title");
    }
    if has(&[Role::FocalPoint, Role::CountryOperator]) {
        link("/espace/organisations/verification", "org.review_link");
    }
    if has(&[Role::CountryOperator]) {
        link("/espace/pays", "roles.country_space_title");
    }
    // Any member may bring their organisation.
    link("/organisations/nouvelle", "org.register_title");
    links
}
