//! "Missions pour vous" on the account page: the missions ranked for the member's saved
//! profile and next stay, with their reasons.

use super::*;
use jsap_app::recommend;

/// How many missions the account page ranks.
pub const FOR_YOU_MISSIONS: usize = 5;

#[derive(Serialize)]
pub struct ForYouMission {
    title: String,
    path: String,
    reasons: Vec<String>,
}

/// The section's content: whether the member said anything to rank for, and the missions.
#[derive(Serialize)]
pub struct ForYou {
    wishes: bool,
    missions: Vec<ForYouMission>,
}

/// The missions for `user_id`, at most `FOR_YOU_MISSIONS`; none (and no query) when the
/// member has neither a stay to come nor interests.
pub async fn for_you(
    state: &AppState,
    tenant: &jsap_tenancy::Tenant,
    locale: Locale,
    user_id: i64,
) -> Result<ForYou, AppError> {
    let today = tenant.today();
    let member = recommend::saved_member(&state.store, tenant, user_id, today).await?;
    if !member.has_wishes() {
        return Ok(ForYou {
            wishes: false,
            missions: vec![],
        });
    }
    // The saved profile only holds cities of this tenant: nothing to refuse.
    let missions = recommend::recommend(
        &state.store,
        tenant,
        &member,
        FOR_YOU_MISSIONS,
        today,
        locale,
    )
    .await?
    .unwrap_or_default();
    Ok(ForYou {
        wishes: true,
        missions: missions
            .into_iter()
            .map(|r| ForYouMission {
                title: r.title,
                path: r.path,
                reasons: r.reasons,
            })
            .collect(),
    })
}
