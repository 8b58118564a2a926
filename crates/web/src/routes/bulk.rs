//! Bulk decisions from the review queues (`jsap_app::bulk`): the checked items' ids come in
//! the `id` fields of a form the queue page ties to each item's checkbox (`form="bulk"`, no
//! script needed); back to the queue with how many were done and refused.

use crate::AppError;
use crate::kit::{Checked, Ctx, Pairs, see_other};
use crate::roles::RequireReviewer;
use jsap_app::bulk::{self, BULK_MAX, Bulk};
use poem::{Response, handler};

/// The checked ids: at least one, at most `BULK_MAX`, each a number (else a 400).
fn ids(pairs: &Pairs) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::new();
    for (_, value) in pairs.iter().filter(|(k, _)| k == "id") {
        let id: i64 = value
            .parse()
            .map_err(|_| AppError::BadRequest { code: "id" })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.len() > BULK_MAX {
        return Err(AppError::BadRequest { code: "too_many" });
    }
    Ok(ids)
}

fn back(ctx: &Ctx, queue: &str, ids: &[i64], bulk: Bulk) -> Response {
    let done = if ids.is_empty() {
        "bulk_none".to_owned()
    } else {
        format!("bulk&n={}&refused={}", bulk.done, bulk.refused)
    };
    see_other(format!(
        "/{}/espace/{queue}/verification?done={done}",
        ctx.locale
    ))
}

/// `POST /{locale}/espace/organisations/verification/lot`: verify the checked organisations.
#[handler]
pub async fn organisations(
    ctx: Ctx,
    reviewer: RequireReviewer,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let ids = ids(&pairs)?;
    let who = reviewer.user.account();
    let bulk = bulk::verify_organisations(&ctx.scope(), who, &ids).await?;
    Ok(back(&ctx, "organisations", &ids, bulk))
}

/// `POST /{locale}/espace/missions/verification/lot`: publish the checked missions.
#[handler]
pub async fn missions(
    ctx: Ctx,
    reviewer: RequireReviewer,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let ids = ids(&pairs)?;
    let who = reviewer.user.account();
    let bulk = bulk::publish_missions(&ctx.scope(), who, &ids).await?;
    Ok(back(&ctx, "missions", &ids, bulk))
}

/// The notice of a bulk decision on a queue page (`done=bulk&n=..&refused=..`).
pub fn notice(
    ctx: &Ctx,
    done: Option<&str>,
    n: Option<usize>,
    refused: Option<usize>,
) -> Option<String> {
    match done? {
        "bulk_none" => Some(ctx.t("bulk.none")),
        "bulk" => {
            let mut text = ctx
                .t("bulk.done")
                .replace("%{count}", &n.unwrap_or(0).to_string());
            if let Some(refused) = refused.filter(|r| *r > 0) {
                text.push(' ');
                text.push_str(
                    &ctx.t("bulk.refused")
                        .replace("%{count}", &refused.to_string()),
                );
            }
            Some(text)
        }
        _ => None,
    }
}
