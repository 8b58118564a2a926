//! The focal point's workspace (`/{locale}/espace/ville`): what waits on them in their cities,
//! each item one click from its action (`jsap_app::workspace`).

use crate::AppError;
use crate::kit::Ctx;
use crate::roles::RequireFocalPoint;
use crate::views::format_date;
use jsap_app::Clock;
use jsap_app::workspace::{OpenRequest, TimeLeft, Workspace};
use jsap_store::Cities;
use poem::http::StatusCode;
use poem::{Request, Response, handler};
use serde::Serialize;

#[derive(Serialize)]
struct CityRow {
    name: String,
    slug: String,
    region: String,
}

/// A request as the workspace lists it: its dates written for the page's language.
#[derive(Serialize)]
struct RequestRow<'a> {
    #[serde(flatten)]
    request: &'a OpenRequest,
    due_on: String,
    left: TimeLeft,
    /// `overdue`, `soon` (today or tomorrow) or `later`: the badge's look.
    urgency: &'static str,
}

fn rows<'a>(ctx: &Ctx, requests: &'a [OpenRequest]) -> Vec<RequestRow<'a>> {
    requests
        .iter()
        .map(|r| RequestRow {
            request: r,
            due_on: format_date(ctx.tenant.local_date(r.due_at), ctx.locale),
            left: TimeLeft {
                days: r.left.days.abs(),
                overdue: r.left.overdue,
            },
            urgency: match r.left {
                TimeLeft { overdue: true, .. } => "overdue",
                TimeLeft { days: 0 | 1, .. } => "soon",
                _ => "later",
            },
        })
        .collect()
}

#[handler]
pub async fn city_space(
    req: &Request,
    ctx: Ctx,
    focal: RequireFocalPoint,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let cities: Vec<CityRow> = Cities::for_tenant(state.store.conn(), tenant)
        .list()
        .await?
        .into_iter()
        .filter(|c| focal.city_ids.contains(&c.id))
        .map(|c| CityRow {
            name: c.name_in(ctx.locale).to_owned(),
            slug: c.slug.clone(),
            region: c.region.clone(),
        })
        .collect();
    let now = jsap_app::SystemClock.now();
    let workspace: Workspace = jsap_app::workspace::of_focal_point(
        state.store.conn(),
        tenant,
        &focal.city_ids,
        ctx.locale,
        now,
    )
    .await?;
    let missions: Vec<_> = workspace
        .missions
        .iter()
        .map(|m| {
            let on = m
                .submitted_at
                .map(|at| format_date(tenant.local_date(at), ctx.locale));
            (m, on)
        })
        .map(|(m, on)| serde_json::json!({ "mission": m, "submitted_on": on }))
        .collect();
    let organisations: Vec<_> = workspace
        .organisations
        .iter()
        .map(|o| {
            let on = format_date(tenant.local_date(o.registered_at), ctx.locale);
            serde_json::json!({ "organisation": o, "registered_on": on })
        })
        .collect();
    ctx.page(
        req,
        "/espace/ville",
        "spaces/city.html",
        StatusCode::OK,
        |c| {
            c.insert("cities", &cities);
            c.insert("to_do", &workspace.to_do());
            c.insert("missions", &missions);
            c.insert("missions_total", &workspace.missions_total);
            c.insert("organisations", &organisations);
            c.insert("new_requests", &rows(&ctx, &workspace.new_requests));
            c.insert(
                "requests_in_progress",
                &rows(&ctx, &workspace.requests_in_progress),
            );
            let reports: Vec<_> = workspace
                .reports
                .iter()
                .map(|r| {
                    let kind = ctx.t(&format!("moderation.kind_{}", r.content.kind.as_str()));
                    serde_json::json!({ "item": r, "kind": kind })
                })
                .collect();
            c.insert("reports", &reports);
        },
    )
}
