//! The members who fit a mission, for the focal points of its city and the country operators:
//! only members who let focal points find them (`findable`, opt-in on their profile), ranked
//! by the same rules as "Missions pour vous" the other way round (the mission must keep the
//! member's hard constraints: a stay in its city that overlaps its window, or remote and
//! welcome). A reviewer proposes the mission by email; a member gets a mission proposed once,
//! and at most [`PER_MONTH`] proposals in 30 days, whoever sends them.

use super::{candidate, reasons, saved_member, score};
use crate::mail::Recipient;
use crate::mail::emails::MissionProposed;
use crate::{Failure, Scope};
use chrono::{Duration, NaiveDate};
use jsap_domain::Locale;
use jsap_store::{
    Account, Accounts, CandidateFilter, Cities, MissionEdits, MissionProposals, Profiles,
    Recommendables,
};
use std::collections::HashMap;

/// Proposals a member receives in 30 days at most.
pub const PER_MONTH: u64 = 2;

/// How far back [`PER_MONTH`] counts.
pub const MONTH: Duration = Duration::days(30);

/// A member who fits the mission.
#[derive(Debug, Clone, PartialEq)]
pub struct FittingMember {
    pub user_id: i64,
    pub name: String,
    /// Their stay in the mission's city, if that is why they fit.
    pub stay: Option<(NaiveDate, NaiveDate)>,
    /// Why, in the reviewer's language.
    pub reasons: Vec<String>,
    pub score: f64,
    /// This mission was proposed to them already.
    pub proposed: bool,
    /// They had [`PER_MONTH`] proposals in the last 30 days: not now.
    pub enough_for_now: bool,
}

/// Why the members of a mission cannot be shown or a proposal made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FitRefusal {
    /// No such public mission in the reviewer's cities (or on this site).
    NoMission,
    /// The member does not (or no longer) let focal points find them, or does not fit.
    NotFitting,
    /// Proposed to them already.
    AlreadyProposed,
    /// They had enough proposals this month.
    TooOften,
}

/// The mission `mission_id` as the ranking reads it, if it is public, open and in `cities`
/// (`None`: every city, for an operator); with its title in `locale`.
async fn the_mission(
    scope: &Scope<'_>,
    cities: Option<&[i64]>,
    mission_id: i64,
    locale: Locale,
) -> Result<Option<(score::Candidate, String)>, Failure> {
    let (conn, tenant) = (scope.store.conn(), scope.tenant);
    let Some(record) = MissionEdits::for_tenant(conn, tenant)
        .find(mission_id)
        .await?
    else {
        return Ok(None);
    };
    let city_id = record.fields.city_id;
    if cities.is_some_and(|c| !c.contains(&city_id)) {
        return Ok(None);
    }
    let today = tenant.local_date(scope.clock.now());
    let filter = CandidateFilter {
        today,
        city_ids: vec![city_id],
        remote: record.fields.terms.remote,
    };
    let recommendables = Recommendables::for_tenant(conn, tenant);
    let Some(read) = recommendables
        .candidates(&filter)
        .await?
        .into_iter()
        .find(|m| m.id == mission_id)
    else {
        return Ok(None);
    };
    let all = Cities::for_tenant(conn, tenant).list().await?;
    let slug_of: HashMap<i64, &str> = all.iter().map(|c| (c.id, c.slug.as_str())).collect();
    let Some(candidate) = candidate(read, &slug_of, tenant) else {
        return Ok(None);
    };
    let title = super::title_in(conn, tenant, mission_id, locale).await?;
    Ok(Some((candidate, title)))
}

/// The findable members `mission` fits (only member `only` when given), best first, with
/// reasons in `locale`.
async fn fitting(
    scope: &Scope<'_>,
    mission: &score::Candidate,
    locale: Locale,
    only: Option<i64>,
) -> Result<Vec<FittingMember>, Failure> {
    let (store, tenant) = (scope.store, scope.tenant);
    let conn = store.conn();
    let now = scope.clock.now();
    let today = tenant.local_date(now);
    let cities = Cities::for_tenant(conn, tenant).list().await?;
    let taxonomy = tenant.taxonomy();
    let words = reasons::Words {
        section: "fit",
        locale,
        taxonomy: &taxonomy,
        cities: &cities,
    };
    let proposals = MissionProposals::for_tenant(conn, tenant);
    let proposed = proposals.proposed(mission.id).await?;
    let accounts = Accounts::for_tenant(conn, tenant);
    let mut found = Vec::new();
    let findable = Profiles::for_tenant(conn, tenant).findable().await?;
    for user_id in findable
        .into_iter()
        .filter(|id| only.is_none_or(|o| o == *id))
    {
        let Some(account) = accounts.find(user_id).await? else {
            continue;
        };
        if account.deleted || account.blocked {
            continue;
        }
        let member = saved_member(store, tenant, user_id, today).await?;
        let Some(ranked) = score::rank(&member, std::slice::from_ref(mission), today, 1).pop()
        else {
            continue;
        };
        let stay = member
            .stays
            .iter()
            .find(|s| s.cities.contains(&mission.city))
            .map(|s| (s.from, s.to));
        found.push(FittingMember {
            user_id,
            name: account.display_name,
            stay,
            reasons: ranked.reasons.iter().map(|r| words.reason(r)).collect(),
            score: score::score_of(ranked.points),
            proposed: proposed.contains(&user_id),
            enough_for_now: proposals.count_since(user_id, now - MONTH).await? >= PER_MONTH,
        });
    }
    found.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.user_id.cmp(&b.user_id)));
    Ok(found)
}

/// The mission's title and the members it fits, for a reviewer of `cities` (`None`: an
/// operator).
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, mission.id = mission_id))]
pub async fn members_for_mission(
    scope: &Scope<'_>,
    cities: Option<&[i64]>,
    mission_id: i64,
    locale: Locale,
) -> Result<Result<(String, Vec<FittingMember>), FitRefusal>, Failure> {
    let Some((mission, title)) = the_mission(scope, cities, mission_id, locale).await? else {
        return Ok(Err(FitRefusal::NoMission));
    };
    let members = fitting(scope, &mission, locale, None).await?;
    Ok(Ok((title, members)))
}

/// `by` (a reviewer of `cities`) proposes mission `mission_id` to member `user_id`: an email in
/// the member's language, recorded so that it is sent once and counted.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, mission.id = mission_id, account.id = by.id))]
pub async fn propose(
    scope: &Scope<'_>,
    by: &Account,
    cities: Option<&[i64]>,
    mission_id: i64,
    user_id: i64,
) -> Result<Result<(), FitRefusal>, Failure> {
    let tenant = scope.tenant;
    let Some((mission, _)) = the_mission(scope, cities, mission_id, tenant.default_locale).await?
    else {
        return Ok(Err(FitRefusal::NoMission));
    };
    let Some(member) = fitting(scope, &mission, tenant.default_locale, Some(user_id))
        .await?
        .pop()
    else {
        return Ok(Err(FitRefusal::NotFitting));
    };
    if member.proposed {
        return Ok(Err(FitRefusal::AlreadyProposed));
    }
    if member.enough_for_now {
        return Ok(Err(FitRefusal::TooOften));
    }
    let conn = scope.store.conn();
    let Some(account) = Accounts::for_tenant(conn, tenant).find(user_id).await? else {
        return Ok(Err(FitRefusal::NotFitting));
    };
    let chosen = Profiles::for_tenant(conn, tenant)
        .get(user_id)
        .await?
        .email_locale;
    let locale = super::email_locale(tenant, chosen.as_deref());
    let title = super::title_in(conn, tenant, mission_id, locale).await?;
    let now = scope.clock.now();
    let tx = scope.store.begin().await?;
    if !MissionProposals::for_tenant(&tx, tenant)
        .record(user_id, mission_id, by.id, now)
        .await?
    {
        return Ok(Err(FitRefusal::AlreadyProposed));
    }
    let email = MissionProposed {
        mission_title: &title,
        path: format!("/missions/{}-{}", mission.id, mission.slug),
        by_name: &by.display_name,
    };
    scope
        .mailer(&tx)
        .send(Recipient::account(&account, locale), &email)
        .await?;
    tx.commit().await.map_err(jsap_store::StoreError::from)?;
    tracing::info!("mission proposed to a member");
    Ok(Ok(()))
}
