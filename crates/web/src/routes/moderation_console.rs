//! The country operator's moderation (`/{locale}/espace/pays/moderation`): reported content,
//! the most reported first, with its reports and three decisions (dismiss, hide, remove);
//! blocking the account behind it with a reason; the blocked accounts, each unblockable; the
//! latest decisions, from the journal. Each report names its reporter.

use crate::AppError;
use crate::kit::PathId;
use crate::kit::{Checked, Ctx, Pairs, one, see_other};
use crate::roles::Console;
use crate::views::{Pager, format_date};
use jsap_app::moderation::{self, Content, ModerationRefusal};
use jsap_domain::moderation::{Decision, TargetKind};
use jsap_domain::{AccountId, ReportId};
use jsap_store::{Accounts, Reports};
use poem::http::StatusCode;
use poem::web::{Path, Query};
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};

const PER_PAGE: usize = 20;
/// The longest note on a decision or reason for a block.
pub const NOTE_MAX: usize = 1000;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Params {
    done: Option<String>,
    page: Option<String>,
}

#[derive(Serialize)]
struct ReportRow {
    reason: String,
    comment: String,
    on: String,
    /// Who reported it: "Name (address)", or "" when the account is gone.
    by: String,
}

/// The journal's moderation actions, shown as the latest decisions under the queue.
const DECISIONS: [&str; 6] = [
    "reports_dismissed",
    "content_hidden",
    "content_removed",
    "content_hidden_by_reports",
    "account_blocked",
    "account_unblocked",
];
/// How many decisions the console shows (the journal has them all).
const DECISIONS_SHOWN: u64 = 20;

/// A past decision, from the journal.
#[derive(Serialize)]
struct DecisionRow {
    on: String,
    by: String,
    action: String,
    target: String,
    note: String,
}

#[derive(Serialize)]
struct Item {
    content: Content,
    kind_label: String,
    reports: Vec<ReportRow>,
    /// The account behind the content, if any: (id, address, blocked).
    author: Option<(i64, String, bool)>,
}

#[derive(Serialize)]
struct Blocked {
    id: i64,
    email: String,
    reason: String,
    on: String,
}

/// A block refused for want of a reason: the account, to show the error on its form.
type BlockError = Option<i64>;

async fn console(
    ctx: &Ctx,
    req: &Request,
    status: StatusCode,
    params: &Params,
    block_error: BlockError,
) -> Result<Response, AppError> {
    let page = match params.page.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=10_000).contains(&n) => n,
            _ => return Err(AppError::BadRequest { code: "page" }),
        },
    };
    let (conn, tenant) = (ctx.state.store.conn(), &*ctx.tenant);
    let open = Reports::for_tenant(conn, tenant).open().await?;
    let total = open.len();
    let accounts = Accounts::for_tenant(conn, tenant);
    let operators: Vec<i64> = accounts
        .with_role(jsap_store::Role::CountryOperator)
        .await?
        .into_iter()
        .map(|(a, _)| a.id)
        .collect();
    let shown: Vec<_> = open
        .into_iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .collect();
    let mut reporter_ids: Vec<i64> = shown
        .iter()
        .flat_map(|r| r.reports.iter().map(|r| r.reporter_user_id))
        .collect();
    reporter_ids.sort_unstable();
    reporter_ids.dedup();
    let reporters = accounts.find_many(&reporter_ids).await?;
    let reporter = |id: i64| {
        reporters
            .iter()
            .find(|a| a.id == id)
            .map(|a| format!("{} ({})", a.display_name, a.email))
            .unwrap_or_default()
    };
    let mut items = Vec::new();
    for reported in shown {
        let Some(content) = moderation::content(conn, tenant, reported.kind, reported.id).await?
        else {
            continue;
        };
        // Operators are not blocked from here (the platform staff do).
        let author = match content.author_user_id {
            Some(id) => match accounts.find(id).await? {
                Some(a) if !operators.contains(&a.id) => Some((a.id, a.email.clone(), a.blocked)),
                _ => None,
            },
            None => None,
        };
        let reports = reported
            .reports
            .iter()
            .map(|r| ReportRow {
                reason: ctx.t(&format!("moderation.reason_{}", r.reason)),
                comment: r.comment.clone(),
                on: format_date(tenant.local_date(r.created_at), ctx.locale),
                by: reporter(r.reporter_user_id),
            })
            .collect();
        items.push(Item {
            kind_label: ctx.t(&format!("moderation.kind_{}", content.kind.as_str())),
            content,
            reports,
            author,
        });
    }
    let blocked: Vec<Blocked> = accounts
        .blocked()
        .await?
        .into_iter()
        .map(|(a, reason, at)| Blocked {
            id: a.id,
            email: a.email,
            reason,
            on: format_date(tenant.local_date(at), ctx.locale),
        })
        .collect();
    let decisions: Vec<DecisionRow> = jsap_store::AuditLog::for_tenant(conn, tenant)
        .latest_of(&DECISIONS, DECISIONS_SHOWN)
        .await?
        .into_iter()
        .map(|e| DecisionRow {
            on: format_date(tenant.local_date(e.at), ctx.locale),
            by: e.actor.name,
            action: ctx.t(&format!("journal.action_{}", e.action)),
            target: e.target.name,
            note: e.detail,
        })
        .collect();
    let notice = params
        .done
        .as_deref()
        .filter(|d| ["dismiss", "hide", "remove", "blocked", "unblocked"].contains(d))
        .map(|d| ctx.t(&format!("moderation.done_{d}")));
    let pager = Pager::new(page as u64, total as u64, PER_PAGE as u64);
    ctx.page(
        req,
        "/espace/pays/moderation",
        "spaces/moderation.html",
        status,
        |c| {
            c.insert("items", &items);
            c.insert("total", &total);
            pager.insert(c, |n| format!("?page={n}"));
            c.insert("blocked", &blocked);
            c.insert("decisions", &decisions);
            c.insert("notice", &notice);
            c.insert("block_error", &block_error);
            c.insert("note_max", &NOTE_MAX);
        },
    )
}

/// `GET /{locale}/espace/pays/moderation`.
#[handler]
pub async fn queue(
    req: &Request,
    Console(ctx, _operator): Console,
    Query(params): Query<Params>,
) -> Result<Response, AppError> {
    console(&ctx, req, StatusCode::OK, &params, None).await
}

fn note(pairs: &Pairs, field: &str) -> Result<String, AppError> {
    let note = one(pairs, field).trim().to_owned();
    if note.chars().count() > NOTE_MAX {
        return Err(AppError::BadRequest { code: "note" });
    }
    Ok(note)
}

fn refused(refusal: ModerationRefusal) -> AppError {
    match refusal {
        ModerationRefusal::NotOperator | ModerationRefusal::Own => AppError::Forbidden,
        ModerationRefusal::NotFound => AppError::NotFound,
        ModerationRefusal::Reason => AppError::BadRequest { code: "reason" },
    }
}

/// `POST /{locale}/espace/pays/moderation/{kind}/{id}`: `decision` (dismiss, hide, remove)
/// and an optional `note`.
#[handler]
pub async fn decide(
    Console(ctx, operator): Console,
    Path((_, kind, id)): Path<(String, String, String)>,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let kind = TargetKind::parse(&kind).ok_or(AppError::NotFound)?;
    let id: ReportId = id.parse().map_err(|_| AppError::NotFound)?;
    let decision = Decision::parse(one(&pairs, "decision"))
        .ok_or(AppError::BadRequest { code: "decision" })?;
    let note = note(&pairs, "note")?;
    let who = operator.user.account();
    moderation::decide(&ctx.scope(), who, kind, id, decision, &note)
        .await?
        .map_err(refused)?;
    Ok(see_other(format!(
        "/{}/espace/pays/moderation?done={}",
        ctx.locale,
        decision.as_str()
    )))
}

/// `POST /{locale}/espace/pays/comptes/{id}/bloquer` with a `reason` (required).
#[handler]
pub async fn block(
    req: &Request,
    Console(ctx, operator): Console,
    PathId(id): PathId<AccountId>,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let reason = note(&pairs, "reason")?;
    let who = operator.user.account();
    match moderation::block(&ctx.scope(), who, id, &reason).await? {
        Ok(_) => Ok(see_other(format!(
            "/{}/espace/pays/moderation?done=blocked",
            ctx.locale
        ))),
        Err(ModerationRefusal::Reason) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            console(&ctx, req, status, &Params::default(), Some(id.get())).await
        }
        Err(refusal) => Err(refused(refusal)),
    }
}

/// `POST /{locale}/espace/pays/comptes/{id}/debloquer`.
#[handler]
pub async fn unblock(
    Console(ctx, operator): Console,
    PathId(id): PathId<AccountId>,
    Checked(_pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    moderation::unblock(&ctx.scope(), operator.user.account(), id)
        .await?
        .map_err(refused)?;
    Ok(see_other(format!(
        "/{}/espace/pays/moderation?done=unblocked",
        ctx.locale
    )))
}
