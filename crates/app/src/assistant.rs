//! The assistant inside the product: a mission drafted from a pasted message for its editor
//! to review (nothing is saved, let alone published, without a human), and an incoming
//! request triaged. The [`Assistant`] is built once at start-up (the LLM engine when `LLM_*`
//! is configured, the offline engine as its fallback) and passed in; this layer gives it the
//! tenant's live cities (those added from the console too) and the tenant's today.

use crate::{Failure, Scope};
use jsap_assistant::{Assistant, City, Draft, DraftInput, Message, Triage};
use jsap_domain::Locale;
use jsap_store::{Account, Cities};

/// The longest message the assistant reads, in characters.
pub const MESSAGE_MAX: usize = 10_000;

/// Why no draft was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftRefusal {
    /// Nothing to read.
    Empty,
    /// Longer than [`MESSAGE_MAX`].
    TooLong,
    /// Only those who write missions (an organisation's members, focal points, operators)
    /// draft them.
    NotAllowed,
}

/// The tenant's live cities, as the engine knows them.
pub(crate) async fn cities(scope: &Scope<'_>) -> Result<Vec<City>, Failure> {
    Ok(Cities::for_tenant(scope.store.conn(), scope.tenant)
        .list()
        .await?
        .into_iter()
        .map(|c| City {
            name_ar: c.names.name_ar.clone(),
            slug: c.slug,
            name: c.names.name,
        })
        .collect())
}

/// `text` as read on the scope's tenant: its code, its `cities` and its today.
pub(crate) fn on_site<'a>(scope: &Scope<'a>, text: &'a str, cities: &'a [City]) -> Message<'a> {
    Message {
        text,
        tenant: scope.tenant.code.as_str(),
        cities,
        today: scope.tenant.local_date(scope.clock.now()),
    }
}

fn checked(text: &str) -> Result<&str, DraftRefusal> {
    let text = text.trim();
    if text.is_empty() {
        Err(DraftRefusal::Empty)
    } else if text.chars().count() > MESSAGE_MAX {
        Err(DraftRefusal::TooLong)
    } else {
        Ok(text)
    }
}

/// Whether `who` writes missions on the scope's site.
async fn writes_missions(scope: &Scope<'_>, who: &Account) -> Result<bool, Failure> {
    let p = crate::organisations::permissions(scope.store.conn(), scope.tenant, who).await?;
    Ok(p.is_operator() || !p.focal_cities().is_empty() || !p.organisations().is_empty())
}

/// `who` (who writes missions) has a mission drafted from `message` (a WhatsApp message, an
/// email, meeting notes), its generated texts in `locale`: every field with its confidence
/// and alternatives. Nothing is written.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = who.id, message.chars = message.len()))]
pub async fn draft_mission(
    scope: &Scope<'_>,
    assistant: &Assistant,
    who: &Account,
    message: &str,
    locale: Locale,
) -> Result<Result<Draft, DraftRefusal>, Failure> {
    if !writes_missions(scope, who).await? {
        return Ok(Err(DraftRefusal::NotAllowed));
    }
    let text = or_refuse!(checked(message));
    let cities = cities(scope).await?;
    let input = DraftInput {
        message: on_site(scope, text, &cities),
        locale,
    };
    let draft = assistant.draft(&input).await;
    tracing::info!(
        domain = draft.domains.first().map(|d| d.slug.as_str()),
        city = draft.city.as_deref(),
        "mission drafted"
    );
    Ok(Ok(draft))
}

/// An incoming request's topic, urgency, language and a suggested reply.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code))]
pub async fn triage_request(
    scope: &Scope<'_>,
    assistant: &Assistant,
    message: &str,
) -> Result<Result<Triage, DraftRefusal>, Failure> {
    let text = or_refuse!(checked(message));
    let cities = cities(scope).await?;
    Ok(Ok(assistant.triage(&on_site(scope, text, &cities)).await))
}
