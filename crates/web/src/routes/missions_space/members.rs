//! `/{locale}/espace/missions/{id}/membres`: the members a public mission fits, for the focal
//! points of its city and the country operators, and the button that proposes the mission to
//! one of them by email (`jsap_app::recommend::fit`). Only members who let focal points find
//! them are listed; their address is never shown.

use crate::AppError;
use crate::kit::{Checked, Ctx, Done, Pairs, see_other};
use crate::roles::RequireReviewer;
use crate::views::format_date;
use jsap_app::recommend::fit::{self, FitRefusal};
use poem::http::StatusCode;
use poem::web::{Path, Query};
use poem::{Request, Response, handler};
use serde::Serialize;

const NOTICES: &[(&str, &str)] = &[("proposed", "fit.done_proposed")];

#[derive(Serialize)]
struct MemberView {
    id: i64,
    name: String,
    stay: Option<String>,
    reasons: Vec<String>,
    proposed: bool,
    enough_for_now: bool,
}

fn mission_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// `GET`: the members the mission fits, best first.
#[handler]
pub async fn fitting_members(
    req: &Request,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    reviewer: RequireReviewer,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let id = mission_id(&id)?;
    let cities = reviewer.city_ids.as_deref();
    let Ok((title, members)) =
        fit::members_for_mission(&ctx.scope(), cities, id, ctx.locale).await?
    else {
        return Err(AppError::NotFound);
    };
    let members: Vec<MemberView> = members
        .into_iter()
        .map(|m| MemberView {
            id: m.user_id,
            name: m.name,
            stay: m.stay.map(|(from, to)| {
                ctx.t("fit.stay")
                    .replace("%{from}", &format_date(from, ctx.locale))
                    .replace("%{to}", &format_date(to, ctx.locale))
            }),
            reasons: m.reasons,
            proposed: m.proposed,
            enough_for_now: m.enough_for_now,
        })
        .collect();
    let notice = done.notice(&ctx, NOTICES);
    ctx.page(
        req,
        &format!("/espace/missions/{id}/membres"),
        "spaces/mission_members.html",
        StatusCode::OK,
        |c| {
            c.insert("mission_id", &id);
            c.insert("mission_title", &title);
            c.insert("members", &members);
            c.insert("notice", &notice);
            c.insert("per_month", &fit::PER_MONTH);
        },
    )
}

/// `POST /{locale}/espace/missions/{id}/membres/{user}`: proposes the mission to that member.
#[handler]
pub async fn propose_mission(
    req: &Request,
    ctx: Ctx,
    Path((_, id, user)): Path<(String, String, String)>,
    reviewer: RequireReviewer,
    Checked(_): Checked<Pairs>,
) -> Result<Response, AppError> {
    let id = mission_id(&id)?;
    let user: i64 = user.parse().map_err(|_| AppError::NotFound)?;
    let cities = reviewer.city_ids.as_deref();
    let by = reviewer.user.account();
    let key = match fit::propose(&ctx.scope(), by, cities, id, user).await? {
        Ok(()) => {
            return Ok(see_other(format!(
                "/{}/espace/missions/{id}/membres?done=proposed",
                ctx.locale
            )));
        }
        Err(FitRefusal::NoMission) => return Err(AppError::NotFound),
        Err(FitRefusal::NotFitting) => "fit.err_not_fitting",
        Err(FitRefusal::AlreadyProposed) => "fit.err_already",
        Err(FitRefusal::TooOften) => "fit.err_too_often",
    };
    ctx.message(
        req,
        StatusCode::CONFLICT,
        &ctx.t("fit.err_title"),
        &ctx.t(key),
        Some((
            format!("/{}/espace/missions/{id}/membres", ctx.locale),
            ctx.t("fit.back"),
        )),
    )
}
