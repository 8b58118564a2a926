//! The missions waiting for review (`/{locale}/espace/missions/verification`): those of the
//! cities a focal point reviews, every one for a country operator, the longest waiting
//! first; publish, request changes or refuse, each with an email to the organisation.

use crate::AppError;
use crate::kit::PathId;
use crate::kit::{Checked, Ctx, see_other};
use crate::roles::RequireReviewer;
use crate::routes::bulk::QueueParams;
use crate::routes::missions_space::refusal_text;
use crate::views::format_date;
use jsap_app::missions::{self, MissionRefusal};
use jsap_domain::MissionId;
use jsap_domain::missions::MissionStep;
use jsap_store::{MissionEdits, MissionFilter, Organisations};
use poem::http::StatusCode;
use poem::web::Query;
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};

/// How many waiting missions one page shows (the count says how many there are in all).
const QUEUE_MAX: u64 = 50;

#[derive(Serialize)]
struct Waiting {
    id: i64,
    title: String,
    organisation: String,
    organisation_verified: bool,
    city: String,
    submitted_on: String,
    waiting: String,
    /// Waiting longer than the tenant's promised response delay.
    late: bool,
}

/// The confirmation of each `?done=` code of a single decision.
const NOTICES: [(&str, &str); 4] = [
    ("publish", "editor.decided_notice_publish"),
    ("changes", "editor.decided_notice_changes"),
    ("refuse", "editor.decided_notice_refuse"),
    ("state", "editor.decided_notice_state"),
];

/// "2 jours", "5 heures", "moins d'une heure".
fn waiting_for(ctx: &Ctx, since: chrono::DateTime<chrono::Utc>) -> (String, i64) {
    let elapsed = chrono::Utc::now() - since;
    let days = elapsed.num_days();
    let text = if days >= 1 {
        ctx.t(if days == 1 {
            "editor.waiting_day"
        } else {
            "editor.waiting_days"
        })
        .replace("%{count}", &days.to_string())
    } else if elapsed.num_hours() >= 1 {
        ctx.t("editor.waiting_hours")
            .replace("%{count}", &elapsed.num_hours().to_string())
    } else {
        ctx.t("editor.waiting_minutes")
    };
    (text, days)
}

async fn queue_page(
    ctx: &Ctx,
    req: &Request,
    reviewer: &RequireReviewer,
    status: StatusCode,
    notice: Option<String>,
    failure: Option<(i64, String)>,
) -> Result<Response, AppError> {
    let conn = ctx.state.store.conn();
    let cities = ctx.cities().await?;
    let organisations = Organisations::for_tenant(conn, &ctx.tenant).list().await?;
    let filter = MissionFilter {
        cities: reviewer.city_ids.clone(),
        ..MissionFilter::default()
    };
    let (rows, total) = MissionEdits::for_tenant(conn, &ctx.tenant)
        .queue(&filter, ctx.locale.as_str(), QUEUE_MAX)
        .await?;
    let delay = i64::from(ctx.tenant.response_delay_days);
    let waiting: Vec<Waiting> = rows
        .into_iter()
        .map(|m| {
            let since = m.submitted_at.unwrap_or(m.updated_at);
            let (waiting, days) = waiting_for(ctx, since);
            let organisation = organisations.iter().find(|o| o.id == m.organisation_id);
            Waiting {
                id: m.id,
                title: m.title,
                organisation: organisation.map_or_else(String::new, |o| o.profile.name.clone()),
                organisation_verified: organisation.is_some_and(|o| o.verified),
                city: cities
                    .iter()
                    .find(|c| c.id == m.city_id)
                    .map_or_else(String::new, |c| c.name_in(ctx.locale).to_owned()),
                submitted_on: format_date(ctx.tenant.local_date(since), ctx.locale),
                waiting,
                late: days >= delay,
            }
        })
        .collect();
    ctx.page(
        req,
        "/espace/missions/verification",
        "spaces/missions_review.html",
        status,
        |c| {
            c.insert("waiting", &waiting);
            c.insert("total", &total);
            c.insert("notice", &notice);
            c.insert("failed_id", &failure.as_ref().map(|(id, _)| *id));
            c.insert("failed_text", &failure.as_ref().map(|(_, t)| t.clone()));
        },
    )
}

/// `GET /{locale}/espace/missions/verification`.
#[handler]
pub async fn queue(
    req: &Request,
    ctx: Ctx,
    reviewer: RequireReviewer,
    Query(params): Query<QueueParams>,
) -> Result<Response, AppError> {
    let notice = params.notice(&ctx, &NOTICES);
    let status = StatusCode::OK;
    queue_page(&ctx, req, &reviewer, status, notice, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    comment: String,
}

/// `POST /{locale}/espace/missions/{id}/decision`.
#[handler]
pub async fn decide(
    req: &Request,
    ctx: Ctx,
    PathId(id): PathId<MissionId>,
    reviewer: RequireReviewer,
    Checked(form): Checked<DecisionForm>,
) -> Result<Response, AppError> {
    let Some(decision) = MissionStep::decision(&form.decision) else {
        return ctx.bad_request(req, &ctx.t("editor.err_decision"));
    };
    let comment: String = form.comment.chars().take(2000).collect();
    let account = reviewer.user.account().clone();
    let back = |done: &str| {
        see_other(format!(
            "/{}/espace/missions/verification?done={done}",
            ctx.locale
        ))
    };
    match missions::review(&ctx.scope(), &account, id, decision, &comment).await? {
        Ok(_) => Ok(back(decision.as_str())),
        Err(MissionRefusal::NotFound | MissionRefusal::NotAllowed) => Err(AppError::NotFound),
        Err(MissionRefusal::WrongState) => Ok(back("state")),
        Err(refusal) => {
            let text = refusal_text(&ctx, &refusal);
            queue_page(
                &ctx,
                req,
                &reviewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some((id.get(), text)),
            )
            .await
        }
    }
}
