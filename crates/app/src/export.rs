//! Everything the platform holds about a member on one site, as one JSON document (the
//! member's right of access): account, profile, stays, roles, requests with their messages,
//! API tokens (never their secret), saved missions, consents and the emails sent to them.
//! Read in one transaction so the parts agree.

use crate::{Failure, Scope};
use jsap_domain::roles::Permissions;
use jsap_store::{
    AccessTokens, Account, Accounts, Cities, Consents, Favourites, Inbox, InboxView, Outbox,
    OutboxStatus, Profiles, Requests, StoreError,
};
use serde_json::{Value, json};

/// How many requests an export holds at most (far more than a member sends).
const REQUESTS_MAX: u64 = 10_000;
/// How many saved missions an export holds at most.
const FAVOURITES_MAX: u64 = 10_000;

#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = member.id))]
pub async fn member_data(scope: &Scope<'_>, member: &Account) -> Result<Value, Failure> {
    let tenant = scope.tenant;
    let tx = scope.store.begin().await?;
    let cities = Cities::for_tenant(&tx, tenant).list().await?;
    let city_slug = |id: i64| {
        cities
            .iter()
            .find(|c| c.id == id)
            .map_or_else(String::new, |c| c.slug.clone())
    };
    let profiles = Profiles::for_tenant(&tx, tenant);
    let profile = profiles.get(member.id).await?;
    let stays: Vec<Value> = profiles
        .stays(member.id)
        .await?
        .into_iter()
        .map(|s| {
            json!({
                "starts_on": s.starts_on,
                "ends_on": s.ends_on,
                "cities": s.city_ids.iter().map(|id| city_slug(*id)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let roles: Vec<Value> = Accounts::for_tenant(&tx, tenant)
        .memberships(member.id)
        .await?
        .into_iter()
        .map(|m| {
            json!({
                "role": m.role.as_str(),
                "city": m.city_id.map(city_slug),
                "organisation_id": m.organisation_id,
            })
        })
        .collect();
    let proposals: Vec<Value> = jsap_store::MissionProposals::for_tenant(&tx, tenant)
        .of_member(member.id)
        .await?
        .into_iter()
        .map(|(mission_id, sent_at)| json!({"mission_id": mission_id, "sent_at": sent_at}))
        .collect();
    let requests_repo = Requests::for_tenant(&tx, tenant);
    let mut requests = Vec::new();
    for item in requests_repo
        .inbox(
            member.id,
            &Permissions::default(),
            Inbox::Member,
            &InboxView::default(),
            1,
            REQUESTS_MAX,
        )
        .await?
        .items
    {
        let messages = requests_repo.messages(item.request.id).await?;
        let mut request = serde_json::to_value(&item.request).map_err(json_failure)?;
        request["messages"] = serde_json::to_value(&messages).map_err(json_failure)?;
        requests.push(request);
    }
    let tokens: Vec<Value> = AccessTokens::for_tenant(&tx, tenant)
        .of_user(member.id)
        .await?
        .into_iter()
        .map(|t| {
            json!({
                "name": t.name,
                "prefix": t.prefix,
                "created_at": t.created_at,
                "last_used_at": t.last_used_at,
                "revoked_at": t.revoked_at,
            })
        })
        .collect();
    let favourites: Vec<Value> = Favourites::for_tenant(&tx, tenant)
        .of_member(member.id, tenant.default_locale.as_str(), 1, FAVOURITES_MAX)
        .await?
        .missions
        .into_iter()
        .map(|m| {
            json!({
                "mission": format!("{}-{}", m.mission_id, m.slug),
                "title": m.title,
                "saved_at": m.saved_at,
                "open": m.open,
            })
        })
        .collect();
    let consents = Consents::for_tenant(&tx, tenant).of_user(member.id).await?;
    let emails: Vec<Value> = Outbox::for_tenant(&tx, tenant)
        .to_address(&member.email)
        .await?
        .into_iter()
        .map(|e| {
            json!({
                "kind": e.kind,
                "subject": e.subject,
                "status": match e.status {
                    OutboxStatus::Pending => "pending",
                    OutboxStatus::Sent => "sent",
                    OutboxStatus::Failed => "failed",
                },
            })
        })
        .collect();
    tx.commit().await.map_err(StoreError::from)?;
    Ok(json!({
        "site": tenant.canonical_url(),
        "exported_at": scope.clock.now(),
        "account": {
            "email": member.email,
            "display_name": member.display_name,
            "email_verified": member.email_verified,
            "terms_accepted_at": member.terms_accepted_at,
            "created_at": member.created_at,
            "last_seen_at": member.last_seen_at,
        },
        "profile": {
            "country_of_residence": profile.country_of_residence,
            "home_city": profile.home_city_id.map(city_slug),
            "home_city_other": profile.home_city_other,
            "skills": profile.skills,
            "languages": profile.languages,
            "domains": profile.domains,
            "contributions": profile.contributions,
            "phone": profile.phone,
            "email_campaigns": profile.email_campaigns,
            "email_reminders": profile.email_reminders,
            "email_missions": profile.email_missions,
            "email_locale": profile.email_locale,
            "remote_ok": profile.remote_ok,
            "findable": profile.findable,
        },
        "missions_proposed_to_you": proposals,
        "stays": stays,
        "roles": roles,
        "requests": requests,
        "access_tokens": tokens,
        "saved_missions": favourites,
        "consents": consents,
        "emails_sent_to_you": emails,
    }))
}

/// A record that does not serialise: data the code cannot represent.
fn json_failure(e: serde_json::Error) -> Failure {
    Failure::Store(StoreError::Corrupt(format!("export: {e}")))
}
