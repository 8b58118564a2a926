//! Moderation: a member reports a mission, an organisation or a message; after three reports
//! from different members the content hides itself until reviewed; a country operator
//! dismisses, hides or removes it, and may block an account (a reason, an email to it, its
//! sessions ended, no more log-in on this site). Every decision goes to the journal.

use crate::audit::{self, Done};
use crate::mail::Recipient;
use crate::mail::emails::AccountBlocked;
use crate::organisations::{operator_or, permissions};
use crate::{Failure, Scope};
use jsap_domain::moderation::{Decision, HIDE_AFTER_REPORTS, ReportReason, TargetKind};
use jsap_domain::{AccountId, ReportId};
use jsap_store::{
    Account, Accounts, Connection, MissionEdits, Missions, Organisations, Reported, Reports,
    Requests, StoreError,
};
use jsap_tenancy::Tenant;
use serde::Serialize;

/// What a member reports.
#[derive(Debug, Clone)]
pub struct ReportDraft {
    pub kind: TargetKind,
    pub id: i64,
    pub reason: ReportReason,
    /// Optional, at most `COMMENT_MAX` characters (checked by the page).
    pub comment: String,
}

/// Why a report was not recorded (nothing written then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportRefusal {
    /// No such content in sight of the member (hidden, not public, not their conversation).
    NotFound,
    /// One's own message.
    Own,
    /// The member reported it already.
    Already,
}

/// Reported content as the moderation queue shows it: its title or excerpt, where it is and
/// who wrote it.
#[derive(Debug, Clone, Serialize)]
pub struct Content {
    pub kind: TargetKind,
    pub id: i64,
    /// A mission's title, an organisation's name, the start of a message.
    pub title: String,
    /// Where to see it (after the locale): the public page, or the conversation.
    pub path: String,
    pub city_id: Option<i64>,
    /// The account that wrote it, when known (a message's author, the creator of a mission
    /// or an organisation).
    pub author_user_id: Option<i64>,
    pub hidden: bool,
}

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// The content `kind` `id` of the tenant, whatever its state, or `None`.
pub async fn content<C: Connection>(
    conn: &C,
    tenant: &Tenant,
    kind: TargetKind,
    id: i64,
) -> Result<Option<Content>, Failure> {
    Ok(match kind {
        TargetKind::Mission => {
            let Some(m) = MissionEdits::for_tenant(conn, tenant).find(id).await? else {
                return Ok(None);
            };
            let title = m
                .text(tenant.default_locale.as_str())
                .map(|t| t.title.clone())
                .unwrap_or_default();
            Some(Content {
                kind,
                id,
                path: format!("/missions/{}-{}", m.id, m.slug),
                title,
                city_id: Some(m.fields.city_id),
                author_user_id: m.created_by,
                hidden: m.hidden,
            })
        }
        TargetKind::Organisation => {
            let Some(o) = Organisations::for_tenant(conn, tenant).by_id(id).await? else {
                return Ok(None);
            };
            Some(Content {
                kind,
                id,
                path: format!("/organisations/{}", o.slug),
                title: o.profile.name,
                city_id: Some(o.profile.city_id),
                author_user_id: o.created_by,
                hidden: o.hidden,
            })
        }
        TargetKind::Message => {
            let requests = Requests::for_tenant(conn, tenant);
            let Some((request_id, m)) = requests.message(id).await? else {
                return Ok(None);
            };
            let city_id = requests.find(request_id).await?.map(|r| r.sent.city_id);
            Some(Content {
                kind,
                id,
                path: format!("/demandes/{request_id}"),
                title: excerpt(&m.body),
                city_id,
                author_user_id: Some(m.author_user_id),
                hidden: m.hidden,
            })
        }
    })
}

/// Whether `who` sees the content: a public mission or organisation, a message of one of
/// their conversations not written by them.
async fn check_reportable<C: Connection>(
    conn: &C,
    tenant: &Tenant,
    who: &Account,
    draft: &ReportDraft,
) -> Result<Result<(), ReportRefusal>, Failure> {
    let seen = match draft.kind {
        TargetKind::Mission => Missions::for_tenant(conn, tenant)
            .published(draft.id, tenant.default_locale.as_str())
            .await?
            .is_some(),
        TargetKind::Organisation => Organisations::for_tenant(conn, tenant)
            .by_id(draft.id)
            .await?
            .is_some_and(|o| o.is_public()),
        TargetKind::Message => {
            let requests = Requests::for_tenant(conn, tenant);
            let Some((request_id, message)) = requests.message(draft.id).await? else {
                return Ok(Err(ReportRefusal::NotFound));
            };
            if message.author_user_id == who.id {
                return Ok(Err(ReportRefusal::Own));
            }
            let request = requests.find(request_id).await?;
            let party = match &request {
                Some(r) => requests.side_of(r, who.id).await?.is_some(),
                None => false,
            };
            party && !message.hidden
        }
    };
    Ok(if seen {
        Ok(())
    } else {
        Err(ReportRefusal::NotFound)
    })
}

/// The content `who` may report (the report form shows it), or why not: `Already` once they
/// did.
pub async fn reportable<C: Connection>(
    conn: &C,
    tenant: &Tenant,
    who: &Account,
    kind: TargetKind,
    id: i64,
) -> Result<Result<Content, ReportRefusal>, Failure> {
    let probe = ReportDraft {
        kind,
        id,
        reason: ReportReason::Other,
        comment: String::new(),
    };
    // Reported already: said so even once the reports hid it.
    if Reports::for_tenant(conn, tenant)
        .reported_by(kind, id, who.id)
        .await?
    {
        return Ok(Err(ReportRefusal::Already));
    }
    or_refuse!(check_reportable(conn, tenant, who, &probe).await?);
    Ok(content(conn, tenant, kind, id)
        .await?
        .ok_or(ReportRefusal::NotFound))
}

/// `who` reports `draft`: recorded once per member and content; the third member's report
/// hides the content until an operator reviews it (recorded in the journal).
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = who.id))]
pub async fn report(
    scope: &Scope<'_>,
    who: &Account,
    draft: ReportDraft,
) -> Result<Result<Reported, ReportRefusal>, Failure> {
    let tenant = scope.tenant;
    let tx = scope.store.begin().await?;
    or_refuse!(check_reportable(&tx, tenant, who, &draft).await?);
    let reported = Reports::for_tenant(&tx, tenant)
        .add(
            draft.kind,
            draft.id,
            who.id,
            draft.reason,
            draft.comment.trim(),
            scope.clock.now(),
            HIDE_AFTER_REPORTS,
        )
        .await?;
    if reported == Reported::Already {
        return Ok(Err(ReportRefusal::Already));
    }
    if let Reported::Recorded { hidden: true, open } = reported
        && let Some(content) = content(&tx, tenant, draft.kind, draft.id).await?
    {
        let detail = format!("{open}");
        let hidden = Done {
            action: "content_hidden_by_reports",
            kind: draft.kind.as_str(),
            id: Some(draft.id),
            target: &content.title,
            detail: &detail,
        };
        audit::record_as(&tx, scope, "moderation", hidden).await?;
        tracing::info!(
            kind = draft.kind.as_str(),
            id = draft.id,
            "content hidden by reports"
        );
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(reported))
}

/// Why a moderation step was refused (nothing written then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModerationRefusal {
    /// Only a country operator moderates.
    NotOperator,
    /// No such content (or account) on this tenant.
    NotFound,
    /// A block needs a reason.
    Reason,
    /// An operator cannot block their own account, nor another country operator's (the
    /// platform staff do).
    Own,
}

/// `Ok` when `who` is a country operator of the scope's tenant: only they moderate.
async fn operator(
    scope: &Scope<'_>,
    who: &Account,
) -> Result<Result<(), ModerationRefusal>, Failure> {
    operator_or(scope, who, ModerationRefusal::NotOperator).await
}

/// `who` (a country operator) decides on reported content: the open reports are closed with
/// the decision, the content shown again, hidden or removed, and the journal says so.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = who.id))]
pub async fn decide(
    scope: &Scope<'_>,
    who: &Account,
    kind: TargetKind,
    id: ReportId,
    decision: Decision,
    note: &str,
) -> Result<Result<u64, ModerationRefusal>, Failure> {
    let id = id.get();
    let tenant = scope.tenant;
    or_refuse!(operator(scope, who).await?);
    let tx = scope.store.begin().await?;
    let Some(content) = content(&tx, tenant, kind, id).await? else {
        return Ok(Err(ModerationRefusal::NotFound));
    };
    let now = scope.clock.now();
    let reports = Reports::for_tenant(&tx, tenant);
    let action = match decision {
        Decision::Dismiss => {
            reports.show(kind, id).await?;
            "reports_dismissed"
        }
        Decision::Hide => {
            reports.hide(kind, id, now).await?;
            "content_hidden"
        }
        Decision::Remove => {
            reports.remove(kind, id, note.trim(), now).await?;
            "content_removed"
        }
    };
    let closed = reports.resolve(kind, id, decision, now).await?;
    let done = Done {
        action,
        kind: kind.as_str(),
        id: Some(id),
        target: &content.title,
        detail: note.trim(),
    };
    audit::record(&tx, scope, Some(who), done).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(closed))
}

/// `who` (a country operator) blocks account `user_id` on this site for `reason`: it is
/// emailed the reason, its sessions end and it can no longer log in here.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = who.id))]
pub async fn block(
    scope: &Scope<'_>,
    who: &Account,
    user_id: AccountId,
    reason: &str,
) -> Result<Result<Account, ModerationRefusal>, Failure> {
    let user_id = user_id.get();
    or_refuse!(operator(scope, who).await?);
    if user_id == who.id {
        return Ok(Err(ModerationRefusal::Own));
    }
    block_as(scope, who, user_id, reason, true).await
}

/// Blocks `user_id` for `reason` on the scope's tenant, `who` having been checked (an
/// operator, or the platform staff); `spare_operators`: a country operator is not blocked.
pub(crate) async fn block_as(
    scope: &Scope<'_>,
    who: &Account,
    user_id: i64,
    reason: &str,
    spare_operators: bool,
) -> Result<Result<Account, ModerationRefusal>, Failure> {
    let tenant = scope.tenant;
    let reason = reason.trim();
    if reason.is_empty() {
        return Ok(Err(ModerationRefusal::Reason));
    }
    let tx = scope.store.begin().await?;
    let accounts = Accounts::for_tenant(&tx, tenant);
    let Some(target) = accounts.find(user_id).await? else {
        return Ok(Err(ModerationRefusal::NotFound));
    };
    if target.is_staff
        || (spare_operators && permissions(&tx, tenant, &target).await?.is_operator())
    {
        return Ok(Err(ModerationRefusal::Own));
    }
    let now = scope.clock.now();
    let blocked = accounts.block(user_id, reason, now).await?;
    if blocked {
        let email = AccountBlocked { reason };
        scope
            .mailer(&tx)
            .send(Recipient::account(&target, tenant.default_locale), &email)
            .await?;
        let done = Done {
            action: "account_blocked",
            kind: "account",
            id: Some(user_id),
            target: &target.email,
            detail: reason,
        };
        audit::record(&tx, scope, Some(who), done).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(target))
}

/// `who` (a country operator) lifts the block on account `user_id`.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = who.id))]
pub async fn unblock(
    scope: &Scope<'_>,
    who: &Account,
    user_id: AccountId,
) -> Result<Result<Account, ModerationRefusal>, Failure> {
    let user_id = user_id.get();
    or_refuse!(operator(scope, who).await?);
    unblock_as(scope, who, user_id).await
}

/// Lifts the block on `user_id`, `who` having been checked.
pub(crate) async fn unblock_as(
    scope: &Scope<'_>,
    who: &Account,
    user_id: i64,
) -> Result<Result<Account, ModerationRefusal>, Failure> {
    let tx = scope.store.begin().await?;
    let accounts = Accounts::for_tenant(&tx, scope.tenant);
    let Some(target) = accounts.find(user_id).await? else {
        return Ok(Err(ModerationRefusal::NotFound));
    };
    if accounts.unblock(user_id).await? {
        let done = Done {
            action: "account_unblocked",
            kind: "account",
            id: Some(user_id),
            target: &target.email,
            detail: "",
        };
        audit::record(&tx, scope, Some(who), done).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(target))
}
