//! The journal of administrative actions: a country operator reads their tenant's
//! (`/{locale}/espace/pays/journal`), the platform staff every tenant's
//! (`/{locale}/admin/journal`, on the portal). Newest first, searchable, 50 a page.

use crate::AppError;
use crate::kit::Ctx;
use crate::roles::{Console, RequireStaff};
use crate::views::{Pager, format_date};
use jsap_store::{AuditLog, AuditPage, JournalQuery, StaffAuditLog};
use poem::http::StatusCode;
use poem::web::Query;
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};

const PER_PAGE: u64 = 50;
/// The longest search.
const SEARCH_MAX: usize = 100;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JournalParams {
    q: String,
    page: Option<String>,
}

#[derive(Serialize)]
struct Row {
    at: String,
    tenant: String,
    actor: String,
    action: String,
    target: String,
    detail: String,
}

/// The search and the page asked for, or the 400 text.
fn parse(ctx: &Ctx, params: &JournalParams) -> Result<(String, u64), String> {
    let q = params.q.trim();
    if q.chars().count() > SEARCH_MAX {
        return Err(ctx.t("journal.err_search"));
    }
    let page = match params.page.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some(raw) => match raw.parse::<u64>() {
            Ok(n) if (1..=10_000).contains(&n) => n,
            _ => return Err(ctx.t("request.err_page")),
        },
    };
    Ok((q.to_owned(), page))
}

async fn journal_page(
    req: &Request,
    ctx: &Ctx,
    path: &str,
    found: AuditPage,
    (q, page): (String, u64),
    every_tenant: bool,
) -> Result<Response, AppError> {
    let rows: Vec<Row> = found
        .entries
        .into_iter()
        .map(|e| {
            let at = ctx.tenant.local_date(e.at);
            let time =
                e.at.with_timezone(&ctx.tenant.tz())
                    .format("%H:%M")
                    .to_string();
            let key = format!("journal.action_{}", e.action);
            let label = ctx.t(&key);
            Row {
                at: format!("{} {time}", format_date(at, ctx.locale)),
                tenant: e.tenant,
                actor: e.actor.name,
                action: if label == key { e.action } else { label },
                target: e.target.name,
                detail: e.detail,
            }
        })
        .collect();
    let pager = Pager::new(page, found.total, PER_PAGE);
    let link = |n: u64| {
        let query = serde_urlencoded::to_string([("q", q.as_str()), ("page", &n.to_string())])
            .unwrap_or_default();
        format!("/{}{path}?{query}", ctx.locale)
    };
    ctx.page(req, path, "spaces/journal.html", StatusCode::OK, |c| {
        c.insert("rows", &rows);
        c.insert("total", &found.total);
        c.insert("q", &q);
        pager.insert(c, link);
        c.insert("every_tenant", &every_tenant);
        c.insert("search_max", &SEARCH_MAX);
        c.insert("action_path", &format!("/{}{path}", ctx.locale));
    })
}

/// The journal asked for by `params`: this tenant's, or every tenant's for the staff.
async fn serve(
    req: &Request,
    ctx: &Ctx,
    params: &JournalParams,
    every_tenant: bool,
) -> Result<Response, AppError> {
    let (q, page) = match parse(ctx, params) {
        Ok(parsed) => parsed,
        Err(text) => return ctx.bad_request(req, &text),
    };
    let asked = JournalQuery {
        search: &q,
        page,
        per_page: PER_PAGE,
    };
    let conn = ctx.state.store.conn();
    let (found, path) = if every_tenant {
        let found = StaffAuditLog::new(conn).list(&asked).await?;
        (found, "/admin/journal")
    } else {
        let found = AuditLog::for_tenant(conn, &ctx.tenant).list(&asked).await?;
        (found, "/espace/pays/journal")
    };
    journal_page(req, ctx, path, found, (q, page), every_tenant).await
}

/// `GET /{locale}/espace/pays/journal`: this tenant's journal.
#[handler]
pub async fn country_journal(
    req: &Request,
    Console(ctx, _operator): Console,
    Query(params): Query<JournalParams>,
) -> Result<Response, AppError> {
    serve(req, &ctx, &params, false).await
}

/// `GET /{locale}/admin/journal` (portal): every tenant's journal.
#[handler]
pub async fn staff_journal(
    req: &Request,
    ctx: Ctx,
    _staff: RequireStaff,
    Query(params): Query<JournalParams>,
) -> Result<Response, AppError> {
    serve(req, &ctx, &params, true).await
}
