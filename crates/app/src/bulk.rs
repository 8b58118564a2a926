//! Bulk decisions from the review queues: verify the checked organisations, publish the
//! checked missions. Each item goes through its own use case (its own transaction, its
//! emails, its journal entry), so one refusal does not undo the others.

use crate::organisations::{self, Decision};
use crate::{Failure, Scope, missions};
use jsap_domain::missions::MissionStep;
use jsap_domain::{MissionId, OrganisationId};
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

/// The review queue a bulk decision is taken from, and what it does to each item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Verify the checked organisations.
    Organisations,
    /// Publish the checked (submitted) missions.
    Missions,
}

impl Queue {
    /// The queue's path segment (`/espace/{segment}/verification`).
    pub fn segment(self) -> &'static str {
        match self {
            Queue::Organisations => "organisations",
            Queue::Missions => "missions",
        }
    }
}

/// `who` takes the queue's decision on the items `ids` (the first [`BULK_MAX`]).
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, queue = queue.segment(), count = ids.len()))]
pub async fn decide(
    scope: &Scope<'_>,
    who: &Account,
    queue: Queue,
    ids: &[i64],
) -> Result<Bulk, Failure> {
    let mut bulk = Bulk::default();
    for &id in ids.iter().take(BULK_MAX) {
        let applied = match queue {
            Queue::Organisations => {
                organisations::review(scope, who, OrganisationId(id), Decision::Verify)
                    .await?
                    .is_ok()
            }
            Queue::Missions => {
                missions::review(scope, who, MissionId(id), MissionStep::Publish, "")
                    .await?
                    .is_ok()
            }
        };
        if applied {
            bulk.done += 1;
        } else {
            bulk.refused += 1;
        }
    }
    Ok(bulk)
}
