//! A signed-in member reports a mission, an organisation or a message of their conversation
//! (`…/signaler`): a reason among five and an optional comment (`jsap_app::moderation`).

use crate::AppError;
use crate::kit::{Checked, Ctx, Errors, FormView, Pairs, one, see_other};
use crate::roles::RequireMember;
use jsap_app::moderation::{self, Content, ReportDraft, ReportRefusal};
use jsap_domain::moderation::{COMMENT_MAX, ReportReason, TargetKind};
use jsap_store::Organisations;
use poem::http::StatusCode;
use poem::web::Query;
use poem::{FromRequest, Request, RequestBody, Response, handler};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Sent {
    envoye: Option<String>,
}

#[derive(Serialize)]
struct Choice {
    value: &'static str,
    label: String,
}

/// What the form page shows: the content, and either the form, a thank-you (just sent) or
/// "already reported".
async fn page(
    ctx: &Ctx,
    req: &Request,
    rest: &str,
    status: StatusCode,
    content: &Content,
    state: &str,
    form: &FormView,
) -> Result<Response, AppError> {
    let reasons: Vec<Choice> = ReportReason::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str(),
            label: ctx.t(&format!("moderation.reason_{}", r.as_str())),
        })
        .collect();
    ctx.page(req, rest, "moderation/report.html", status, |c| {
        c.insert("content", content);
        c.insert(
            "kind_label",
            &ctx.t(&format!("moderation.kind_{}", content.kind.as_str())),
        );
        c.insert("state", state);
        c.insert("form", form);
        c.insert("reasons", &reasons);
        c.insert("comment_max", &COMMENT_MAX);
        c.insert("action", &format!("/{}{rest}", ctx.locale));
    })
}

/// The target of a report path (`…/missions/{id_slug}/signaler`,
/// `…/organisations/{slug}/signaler`, `…/demandes/{id}/messages/{message}/signaler`): its kind
/// and id, and the path of the form (after the locale). One extractor for the three routes,
/// so the form and the sending are one handler each.
pub struct Target {
    kind: TargetKind,
    id: i64,
    rest: String,
}

impl<'a> FromRequest<'a> for Target {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let param = |name| req.raw_path_param(name).ok_or(AppError::NotFound);
        if let Some(id_slug) = req.raw_path_param("id_slug") {
            return Ok(Target {
                kind: TargetKind::Mission,
                id: crate::views::mission_id(id_slug)?,
                rest: format!("/missions/{id_slug}/signaler"),
            });
        }
        if let Some(slug) = req.raw_path_param("slug") {
            let ctx = Ctx::from_request(req, body).await?;
            let organisation = Organisations::for_tenant(ctx.state.store.conn(), &ctx.tenant)
                .by_slug(slug)
                .await
                .map_err(AppError::from)?
                .ok_or(AppError::NotFound)?;
            return Ok(Target {
                kind: TargetKind::Organisation,
                id: organisation.id,
                rest: format!("/organisations/{slug}/signaler"),
            });
        }
        let request: i64 = param("id")?.parse().map_err(|_| AppError::NotFound)?;
        let id: i64 = param("message")?.parse().map_err(|_| AppError::NotFound)?;
        Ok(Target {
            kind: TargetKind::Message,
            id,
            rest: format!("/demandes/{request}/messages/{id}/signaler"),
        })
    }
}

/// Whether the form's path is the content's own: a message is reported from its
/// conversation's address, not another one's.
fn at_home(content: &Content, rest: &str) -> bool {
    content.kind != TargetKind::Message || rest.starts_with(&format!("{}/", content.path))
}

/// The report form, or the thank-you / "already reported" page.
async fn show(
    ctx: &Ctx,
    req: &Request,
    member: &RequireMember,
    Target { kind, id, rest }: Target,
    sent: &Sent,
) -> Result<Response, AppError> {
    let conn = ctx.state.store.conn();
    let who = member.account();
    let (content, state) = match moderation::reportable(conn, &ctx.tenant, who, kind, id).await? {
        Ok(content) if at_home(&content, &rest) => (content, "form"),
        Ok(_) | Err(ReportRefusal::NotFound) => return Err(AppError::NotFound),
        Err(ReportRefusal::Own) => return Err(AppError::Forbidden),
        Err(ReportRefusal::Already) => {
            // Hidden by this very report, perhaps: shown from the record, whatever its state.
            let content = moderation::content(conn, &ctx.tenant, kind, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let state = if sent.envoye.is_some() {
                "sent"
            } else {
                "already"
            };
            (content, state)
        }
    };
    let form = FormView::default();
    page(ctx, req, &rest, StatusCode::OK, &content, state, &form).await
}

async fn send(
    ctx: &Ctx,
    req: &Request,
    member: &RequireMember,
    Target { kind, id, rest }: Target,
    pairs: &Pairs,
) -> Result<Response, AppError> {
    let conn = ctx.state.store.conn();
    let back = see_other(format!("/{}{rest}?envoye=1", ctx.locale));
    let content =
        match moderation::reportable(conn, &ctx.tenant, member.account(), kind, id).await? {
            Ok(content) if at_home(&content, &rest) => content,
            Ok(_) | Err(ReportRefusal::NotFound) => return Err(AppError::NotFound),
            Err(ReportRefusal::Already) => return Ok(back),
            Err(ReportRefusal::Own) => return Err(AppError::Forbidden),
        };
    let mut errors = Errors::new();
    let reason = ReportReason::parse(one(pairs, "reason"));
    if reason.is_none() {
        errors.insert("reason", ctx.t("moderation.err_reason"));
    }
    let comment = one(pairs, "comment").trim().to_owned();
    if comment.chars().count() > COMMENT_MAX {
        errors.insert(
            "comment",
            ctx.t("moderation.err_comment_long")
                .replace("%{max}", &COMMENT_MAX.to_string()),
        );
    }
    let (Some(reason), true) = (reason, errors.is_empty()) else {
        let form = FormView {
            values: BTreeMap::from([
                ("reason", one(pairs, "reason").to_owned()),
                ("comment", comment),
            ]),
            errors,
        };
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return page(ctx, req, &rest, status, &content, "form", &form).await;
    };
    let draft = ReportDraft {
        kind,
        id,
        reason,
        comment,
    };
    match moderation::report(&ctx.scope(), member.account(), draft).await? {
        Ok(_) | Err(ReportRefusal::Already) => Ok(back),
        Err(ReportRefusal::Own) => Err(AppError::Forbidden),
        Err(ReportRefusal::NotFound) => Err(AppError::NotFound),
    }
}

/// The report form of a mission, an organisation or a message.
#[handler]
pub async fn report_form(
    req: &Request,
    ctx: Ctx,
    member: RequireMember,
    target: Target,
    Query(sent): Query<Sent>,
) -> Result<Response, AppError> {
    show(&ctx, req, &member, target, &sent).await
}

/// A report of a mission, an organisation or a message.
#[handler]
pub async fn submit(
    req: &Request,
    ctx: Ctx,
    member: RequireMember,
    target: Target,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    send(&ctx, req, &member, target, &pairs).await
}
