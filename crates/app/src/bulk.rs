//! Bulk decisions from the review queues: verify the checked organisations, publish the
//! checked missions. Each item goes through its own use case (its own transaction, its
//! emails, its journal entry), so one refusal does not undo the others.

use crate::organisations::{self, Decision};
use crate::{Failure, Scope, missions};
use jsap_domain::missions::MissionStep;
use jsap_store::Account;

/// The most items one bulk decision takes.
pub const BULK_MAX: usize = 100;

/// What a bulk decision did: how many items it applied to, how many it could not (not this
/// reviewer's, another reviewer was first, an organisation not verified yet...).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bulk {
    pub done: usize,
    pub refused: usize,
}

/// `who` verifies the organisations `ids`.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, count = ids.len()))]
pub async fn verify_organisations(
    scope: &Scope<'_>,
    who: &Account,
    ids: &[i64],
) -> Result<Bulk, Failure> {
    let mut bulk = Bulk::default();
    for id in ids.iter().take(BULK_MAX) {
        match organisations::review(scope, who, *id, Decision::Verify).await? {
            Ok(_) => bulk.done += 1,
            Err(_) => bulk.refused += 1,
        }
    }
    Ok(bulk)
}

/// `who` publishes the submitted missions `ids`.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, count = ids.len()))]
pub async fn publish_missions(
    scope: &Scope<'_>,
    who: &Account,
    ids: &[i64],
) -> Result<Bulk, Failure> {
    let mut bulk = Bulk::default();
    for id in ids.iter().take(BULK_MAX) {
        match missions::review(scope, who, *id, MissionStep::Publish, "").await? {
            Ok(_) => bulk.done += 1,
            Err(_) => bulk.refused += 1,
        }
    }
    Ok(bulk)
}
