//! The staff console's accounts (`/{locale}/admin/comptes`, portal only): the platform staff
//! find an account by a piece of its address on every site, see its roles there, end its
//! sessions, block it with a reason or lift the block (`jsap_app::staff`).

use crate::AppError;
use crate::kit::{Checked, Ctx, Pairs, one, see_other};
use crate::roles::RequireStaff;
use jsap_app::staff::{self, StaffAction, StaffRefusal};
use jsap_domain::AccountId;
use poem::http::StatusCode;
use poem::web::{Path, Query};
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};

/// The longest search; the shortest is 3 characters (fewer would list half the platform).
const SEARCH_MAX: usize = 100;
const SEARCH_MIN: usize = 3;
/// The longest block reason.
pub const REASON_MAX: usize = 500;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchParams {
    q: String,
    done: Option<String>,
}

#[derive(Serialize)]
struct Row {
    tenant: String,
    tenant_name: String,
    id: i64,
    email: String,
    name: String,
    roles: Vec<String>,
    created: String,
    /// The block's reason and date, when blocked.
    blocked: Option<(String, String)>,
    staff: bool,
}

/// The role labels of one membership list, where they hold.
fn role_labels(ctx: &Ctx, found: &staff::FoundAccount) -> Vec<String> {
    found
        .memberships
        .iter()
        .map(|m| ctx.t(&format!("staff.role_{}", m.role.as_str())))
        .collect()
}

async fn page(
    req: &Request,
    ctx: &Ctx,
    staff_member: &RequireStaff,
    status: StatusCode,
    q: &str,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let searched = q.chars().count() >= SEARCH_MIN && error.is_none();
    let rows: Vec<Row> = if searched {
        let tenants = ctx.state.registry.tenants();
        let account = staff_member.user.account();
        staff::search_accounts(&ctx.state.store, account, tenants, q)
            .await?
            .map_err(|_| AppError::Forbidden)?
            .into_iter()
            .map(|f| Row {
                tenant: f.tenant.code.to_string(),
                tenant_name: f.tenant.site_name.get(ctx.locale).to_owned(),
                id: f.account.id,
                email: f.account.email.clone(),
                name: f.account.display_name.clone(),
                roles: role_labels(ctx, &f),
                created: crate::views::format_date(
                    f.tenant.local_date(f.account.created_at),
                    ctx.locale,
                ),
                blocked: f.blocked.map(|b| {
                    let since = crate::views::format_date(f.tenant.local_date(b.since), ctx.locale);
                    (b.reason, since)
                }),
                staff: f.account.is_staff,
            })
            .collect()
    } else {
        Vec::new()
    };
    ctx.page(
        req,
        "/admin/comptes",
        "spaces/admin_accounts.html",
        status,
        |c| {
            c.insert("q", q);
            put!(c, searched, rows, notice, error);
            c.insert("reason_max", &REASON_MAX);
            c.insert("search_min", &SEARCH_MIN);
        },
    )
}

/// `GET /{locale}/admin/comptes?q=`.
#[handler]
pub async fn accounts(
    req: &Request,
    ctx: Ctx,
    staff_member: RequireStaff,
    Query(params): Query<SearchParams>,
) -> Result<Response, AppError> {
    let q = params.q.trim();
    let error = if q.chars().count() > SEARCH_MAX {
        Some(ctx.t("journal.err_search"))
    } else if !q.is_empty() && q.chars().count() < SEARCH_MIN {
        Some(ctx.t("staff.err_search_short"))
    } else {
        None
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let notice = crate::kit::notice(&ctx, params.done.as_deref(), &NOTICES);
    page(req, &ctx, &staff_member, status, q, notice, error).await
}

/// `POST /{locale}/admin/comptes/{tenant}/{id}/{sessions|bloquer|debloquer}` (`q`: the search
/// to come back to; `reason` to block).
#[handler]
pub async fn act(
    req: &Request,
    ctx: Ctx,
    Path((_, code, id, action)): Path<(String, String, String, String)>,
    staff_member: RequireStaff,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let tenant = ctx
        .state
        .registry
        .get(&code)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let id: AccountId = id.parse().map_err(|_| AppError::NotFound)?;
    let q = one(&pairs, "q").trim().to_owned();
    let scope = jsap_app::Scope::new(
        &ctx.state.store,
        ctx.state.themes.clone(),
        &tenant,
        &jsap_app::SystemClock,
    );
    let who = staff_member.user.account();
    let reason = one(&pairs, "reason").trim();
    // The page again, with the refusal `key` says.
    let refuse = async |key: &str| {
        let error = Some(ctx.t(key));
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        page(req, &ctx, &staff_member, status, &q, None, error).await
    };
    let (action, done) = match action.as_str() {
        "sessions" => (StaffAction::EndSessions, "sessions"),
        "debloquer" => (StaffAction::Unblock, "unblocked"),
        "bloquer" if reason.chars().count() > REASON_MAX => {
            return refuse("staff.err_reason_long").await;
        }
        "bloquer" => (StaffAction::Block(reason), "blocked"),
        _ => return Err(AppError::NotFound),
    };
    let outcome = staff::act(&scope, who, id, action).await?;
    let key = match outcome {
        Ok(_) => {
            let query = serde_urlencoded::to_string([("q", q.as_str()), ("done", done)])
                .map_err(|e| AppError::Internal(e.into()))?;
            let back = format!("/{}/admin/comptes?{query}", ctx.locale);
            return Ok(see_other(back));
        }
        Err(StaffRefusal::Reason) => "staff.err_reason",
        Err(StaffRefusal::StaffAccount) => "staff.err_staff_account",
        Err(StaffRefusal::NotFound | StaffRefusal::NotStaff) => return Err(AppError::NotFound),
    };
    refuse(key).await
}

/// The confirmation of each `?done=` code.
const NOTICES: [(&str, &str); 3] = [
    ("sessions", "staff.done_sessions"),
    ("blocked", "staff.done_blocked"),
    ("unblocked", "staff.done_unblocked"),
];
