//! Who hears of a request, and in which language: decided here once for the request pages
//! (a new request, a message, a state change) and for the deadline job (reminders, surveys).
//! Before, each wrote its own copy and they drifted: only the page removed a focal point
//! reached twice, only the job checked that the site still offers the member's language.

use jsap_domain::Locale;
use jsap_store::{Account, Accounts, Connection, RequestRecord, Requests, Side, StoreError};
use jsap_tenancy::Tenant;

/// Who answers a request, as its member is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answerer {
    /// The members of the mission's organisation (named).
    Organisation(String),
    /// The focal points of the request's city.
    FocalPoints,
    /// Nobody holds a role for it yet: the country operators answer.
    Operators,
}

/// Who answers `request`: its organisation when it has members, else its city's focal points
/// when there are any, else the country operators.
pub async fn answerer<C: Connection>(
    conn: &C,
    tenant: &Tenant,
    request: &RequestRecord,
) -> Result<Answerer, StoreError> {
    let requests = Requests::for_tenant(conn, tenant);
    if let Some(org) = request.sent.organisation_id
        && !requests.organisation_members(org).await?.is_empty()
    {
        let name = jsap_store::Organisations::for_tenant(conn, tenant)
            .by_id(org)
            .await?
            .map(|o| o.profile.name)
            .unwrap_or_default();
        return Ok(Answerer::Organisation(name));
    }
    if !requests
        .focal_points(request.sent.city_id)
        .await?
        .is_empty()
    {
        return Ok(Answerer::FocalPoints);
    }
    Ok(Answerer::Operators)
}

/// The handling side of a request: the mission's organisation and the city's focal points
/// (`author` left out: they know what they wrote). While the city has no focal-point account
/// yet, the focal points of the tenant file are reached at their configured address; while
/// nobody at all holds a role for the request, the country operators are reached too, so a
/// request always reaches someone who can act. Each address once.
pub async fn handling_side<C: Connection>(
    conn: &C,
    tenant: &Tenant,
    request: &RequestRecord,
    city_slug: Option<&str>,
    author: Option<i64>,
) -> Result<Vec<Account>, StoreError> {
    let requests = Requests::for_tenant(conn, tenant);
    let mut recipients = requests.handlers(request, author).await?;
    if let Some(slug) = city_slug
        && requests
            .focal_points(request.sent.city_id)
            .await?
            .is_empty()
    {
        recipients.extend(
            crate::cities::configured_focal_points(conn, tenant, request.sent.city_id, slug)
                .await?,
        );
    }
    if requests.handlers(request, None).await?.is_empty() {
        recipients.extend(requests.operators().await?);
    }
    let mut seen = std::collections::HashSet::new();
    recipients.retain(|r| seen.insert(r.email.to_lowercase()));
    Ok(recipients)
}

/// Who hears of what `author`, on `side`, did: the member, or the handling side.
pub async fn other_side<C: Connection>(
    conn: &C,
    tenant: &Tenant,
    request: &RequestRecord,
    side: Side,
    author: i64,
) -> Result<Vec<Account>, StoreError> {
    if side.handles() {
        Ok(Accounts::for_tenant(conn, tenant)
            .find(request.sent.member_user_id)
            .await?
            .into_iter()
            .collect())
    } else {
        let requests = Requests::for_tenant(conn, tenant);
        let mut recipients = requests.handlers(request, Some(author)).await?;
        let mut seen = std::collections::HashSet::new();
        recipients.retain(|r| seen.insert(r.email.to_lowercase()));
        Ok(recipients)
    }
}

/// The member's language: the one they wrote the request in, while the site still offers it;
/// else the site's.
pub fn member_locale(tenant: &Tenant, request: &RequestRecord) -> Locale {
    request
        .sent
        .locale
        .parse::<Locale>()
        .ok()
        .filter(|l| tenant.offers(*l))
        .unwrap_or(tenant.default_locale)
}

/// The member gets emails in their language (`member_locale`); the handling side in the
/// site's.
pub fn recipient_locale(tenant: &Tenant, request: &RequestRecord, to: &Account) -> Locale {
    if to.id == request.sent.member_user_id {
        member_locale(tenant, request)
    } else {
        tenant.default_locale
    }
}
