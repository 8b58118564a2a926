//! Triage of incoming requests: a topic (a domain), an urgency, the language it is written in
//! and a suggested reply in that language, for the handling side's inbox.
//!
//! A request is triaged as it is sent, by the offline engine (instant, so sending never waits
//! on a network call). The `request_triage` job then triages what was sent before triage
//! existed and, when an LLM is configured, refines the offline readings of the last day with
//! it (once: a failed call keeps the offline reading). A topic the request states (the domain
//! of the mission it answers, the one chosen for a project) is kept over the text's.

use crate::assistant::on_site;
use crate::{Failure, Scope};
use chrono::Duration;
use jsap_assistant::{Assistant, Triage};
use jsap_store::{NewRequest, OFFLINE_TRIAGE, RequestRecord, RequestTriage, Requests};

/// How many requests one pass of the job triages per tenant.
pub const BATCH: u64 = 100;

/// How far back the job refines offline readings with an LLM.
pub const REFINE_WITHIN: Duration = Duration::days(1);

/// The name a kept offline reading is recorded under once the LLM failed on it (not tried
/// again).
pub const OFFLINE_KEPT: &str = "offline-kept";

/// What the assistant reads of a request: its title, message and offer.
fn text_of(sent: &NewRequest) -> String {
    [&sent.title, &sent.body, &sent.offer]
        .into_iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn stored(triage: Triage, engine: &str) -> RequestTriage {
    RequestTriage {
        topic: triage.topic,
        urgency: triage.urgency,
        language: triage.language,
        suggested_reply: triage.suggested_reply,
        engine: engine.to_owned(),
    }
}

/// The offline engine's triage of a request being sent.
pub(crate) async fn offline(
    scope: &Scope<'_>,
    sent: &NewRequest,
) -> Result<RequestTriage, Failure> {
    let cities = crate::assistant::cities(scope).await?;
    let text = text_of(sent);
    let triage =
        jsap_assistant::triage::triage_on(&on_site(scope, &text, &cities), sent.domain.as_deref());
    Ok(stored(triage, OFFLINE_TRIAGE))
}

/// One pass of the triage job on the scope's tenant: up to [`BATCH`] requests never triaged
/// are triaged (by the LLM when configured, else offline), and with an LLM, the offline
/// readings of the last [`REFINE_WITHIN`] are refined. How many requests were written.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code))]
pub async fn triage_pending(scope: &Scope<'_>, assistant: &Assistant) -> Result<usize, Failure> {
    let requests = Requests::for_tenant(scope.store.conn(), scope.tenant);
    let refine = assistant
        .has_primary()
        .then(|| scope.clock.now() - REFINE_WITHIN);
    let pending: Vec<RequestRecord> = requests.needing_triage(refine, BATCH).await?;
    if pending.is_empty() {
        return Ok(0);
    }
    let cities = crate::assistant::cities(scope).await?;
    for request in &pending {
        let text = text_of(&request.sent);
        let input = on_site(scope, &text, &cities);
        let known = request.sent.domain.as_deref();
        let triage = match assistant.primary_triage(&input, known).await {
            Some((triage, engine)) => stored(triage, engine),
            None => {
                let offline = jsap_assistant::triage::triage_on(&input, known);
                // A request the offline engine read already keeps that reading, marked so
                // that the LLM is not asked again.
                let engine = if request.triage.is_some() {
                    OFFLINE_KEPT
                } else {
                    OFFLINE_TRIAGE
                };
                stored(offline, engine)
            }
        };
        requests.set_triage(request.id, &triage).await?;
    }
    tracing::info!(triaged = pending.len(), "requests triaged");
    Ok(pending.len())
}
