//! A signed-in member reports a mission, an organisation or a message of their conversation
//! (`…/signaler`): a reason among five and an optional comment (`jsap_app::moderation`).

use crate::AppError;
use crate::kit::{Checked, Ctx, Errors, FormView, Pairs, one, see_other};
use crate::roles::RequireMember;
use jsap_app::moderation::{self, Content, ReportDraft, ReportRefusal};
use jsap_domain::moderation::{COMMENT_MAX, ReportReason, TargetKind};
use poem::http::StatusCode;
use poem::web::{Path, Query};
use poem::{Request, Response, handler};
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

/// The target of a report path: its kind and id, and the path of the form (after the locale).
fn mission_target(id_slug: &str) -> Result<(TargetKind, i64, String), AppError> {
    let id = crate::views::mission_id(id_slug)?;
    Ok((
        TargetKind::Mission,
        id,
        format!("/missions/{id_slug}/signaler"),
    ))
}

async fn organisation_target(ctx: &Ctx, slug: &str) -> Result<(TargetKind, i64, String), AppError> {
    let organisation = jsap_store::Organisations::for_tenant(ctx.state.store.conn(), &ctx.tenant)
        .by_slug(slug)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        TargetKind::Organisation,
        organisation.id,
        format!("/organisations/{slug}/signaler"),
    ))
}

fn message_target(request: &str, message: &str) -> Result<(TargetKind, i64, String), AppError> {
    let request: i64 = request.parse().map_err(|_| AppError::NotFound)?;
    let id: i64 = message.parse().map_err(|_| AppError::NotFound)?;
    Ok((
        TargetKind::Message,
        id,
        format!("/demandes/{request}/messages/{id}/signaler"),
    ))
}

/// Whether the form's path is the content's own: a message is reported from its
/// conversation's address, not another one's.
fn at_home(content: &Content, rest: &str) -> bool {
    content.kind != TargetKind::Message || rest.starts_with(&format!("{}/", content.path))
}

async fn show(
    ctx: &Ctx,
    req: &Request,
    member: &RequireMember,
    (kind, id, rest): (TargetKind, i64, String),
    sent: &Sent,
) -> Result<Response, AppError> {
    let conn = ctx.state.store.conn();
    let who = member.account();
    match moderation::reportable(conn, &ctx.tenant, who, kind, id).await? {
        Ok(content) if at_home(&content, &rest) => {
            page(
                ctx,
                req,
                &rest,
                StatusCode::OK,
                &content,
                "form",
                &FormView::default(),
            )
            .await
        }
        Ok(_) => Err(AppError::NotFound),
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
            page(
                ctx,
                req,
                &rest,
                StatusCode::OK,
                &content,
                state,
                &FormView::default(),
            )
            .await
        }
        Err(ReportRefusal::Own) => Err(AppError::Forbidden),
        Err(ReportRefusal::NotFound) => Err(AppError::NotFound),
    }
}

async fn send(
    ctx: &Ctx,
    req: &Request,
    member: &RequireMember,
    (kind, id, rest): (TargetKind, i64, String),
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

#[handler]
pub async fn mission_form(
    req: &Request,
    ctx: Ctx,
    member: RequireMember,
    Path((_, id_slug)): Path<(String, String)>,
    Query(sent): Query<Sent>,
) -> Result<Response, AppError> {
    show(&ctx, req, &member, mission_target(&id_slug)?, &sent).await
}

#[handler]
pub async fn mission_report(
    req: &Request,
    ctx: Ctx,
    member: RequireMember,
    Path((_, id_slug)): Path<(String, String)>,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    send(&ctx, req, &member, mission_target(&id_slug)?, &pairs).await
}

#[handler]
pub async fn organisation_form(
    req: &Request,
    ctx: Ctx,
    member: RequireMember,
    Path((_, slug)): Path<(String, String)>,
    Query(sent): Query<Sent>,
) -> Result<Response, AppError> {
    let target = organisation_target(&ctx, &slug).await?;
    show(&ctx, req, &member, target, &sent).await
}

#[handler]
pub async fn organisation_report(
    req: &Request,
    ctx: Ctx,
    member: RequireMember,
    Path((_, slug)): Path<(String, String)>,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let target = organisation_target(&ctx, &slug).await?;
    send(&ctx, req, &member, target, &pairs).await
}

#[handler]
pub async fn message_form(
    req: &Request,
    ctx: Ctx,
    member: RequireMember,
    Path((_, request, message)): Path<(String, String, String)>,
    Query(sent): Query<Sent>,
) -> Result<Response, AppError> {
    show(
        &ctx,
        req,
        &member,
        message_target(&request, &message)?,
        &sent,
    )
    .await
}

#[handler]
pub async fn message_report(
    req: &Request,
    ctx: Ctx,
    member: RequireMember,
    Path((_, request, message)): Path<(String, String, String)>,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    send(
        &ctx,
        req,
        &member,
        message_target(&request, &message)?,
        &pairs,
    )
    .await
}
