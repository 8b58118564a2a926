//! Bulk decisions from the review queues (`jsap_app::bulk`): the checked items' ids come in
//! the `id` fields of a form the queue page ties to each item's checkbox (`form="bulk"`, no
//! script needed); back to the queue with how many were done and refused.

use crate::AppError;
use crate::kit::{Checked, Ctx, Pairs, see_other};
use crate::roles::RequireReviewer;
use jsap_app::bulk::{self, BULK_MAX, Queue};
use poem::web::Data;
use poem::{Response, handler};
use serde::Deserialize;

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

/// `POST /{locale}/espace/{organisations|missions}/verification/lot` (the route gives the
/// queue): verify the checked organisations or publish the checked missions, then back to the
/// queue with how many were done and refused.
#[handler]
pub async fn decide(
    ctx: Ctx,
    reviewer: RequireReviewer,
    Data(queue): Data<&Queue>,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let ids = ids(&pairs)?;
    let who = reviewer.user.account();
    let bulk = bulk::decide(&ctx.scope(), who, *queue, &ids).await?;
    let done = if ids.is_empty() {
        "bulk_none".to_owned()
    } else {
        format!("bulk&n={}&refused={}", bulk.done, bulk.refused)
    };
    Ok(see_other(format!(
        "/{}/espace/{}/verification?done={done}",
        ctx.locale,
        queue.segment()
    )))
}

/// A review queue's query: `done` says what was just decided, `n` and `refused` count a bulk
/// decision's outcomes.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueParams {
    done: Option<String>,
    n: Option<usize>,
    refused: Option<usize>,
}

impl QueueParams {
    /// The queue's confirmation: a single decision's (read from the queue's `single` table of
    /// `(code, locale key)`), or a bulk decision's (`done=bulk&n=..&refused=..`).
    pub fn notice(&self, ctx: &Ctx, single: &[(&str, &str)]) -> Option<String> {
        let done = self.done.as_deref();
        crate::kit::notice(ctx, done, single).or_else(|| match done? {
            "bulk_none" => Some(ctx.t("bulk.none")),
            "bulk" => {
                let mut text = ctx
                    .t("bulk.done")
                    .replace("%{count}", &self.n.unwrap_or(0).to_string());
                if let Some(refused) = self.refused.filter(|r| *r > 0) {
                    text.push(' ');
                    text.push_str(
                        &ctx.t("bulk.refused")
                            .replace("%{count}", &refused.to_string()),
                    );
                }
                Some(text)
            }
            _ => None,
        })
    }
}
