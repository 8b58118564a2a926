//! Missions for a member: the tenant's public missions that fit the member's stays (or
//! remote, when accepted), ranked by what the member said they care about, each with its
//! reasons in the member's language. The rules are in `score`; this reads the tenant's data
//! and puts the result into words and links.

pub mod fit;
mod reasons;
pub mod score;
pub mod weekly;

pub use reasons::short_dates;
pub use score::{Member, MemberStay, Reason};

use crate::Failure;
use chrono::NaiveDate;
use jsap_domain::Locale;
use jsap_store::{
    CandidateFilter, CandidateMission, Cities, CityRecord, Profiles, Recommendables, Store,
    StoreError,
};
use jsap_tenancy::Tenant;
use serde::Serialize;
use std::collections::HashMap;

/// One recommended mission.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    pub id: i64,
    /// The mission's page on the tenant's canonical domain.
    pub url: String,
    /// Between 0 and 1.
    pub score: f64,
    /// Why, most important first, in the member's language.
    pub reasons: Vec<String>,
    /// The page's path on this site (`/fr/missions/12-slug`).
    #[serde(skip)]
    pub path: String,
    /// The title in `locale`, or another when missing.
    #[serde(skip)]
    pub title: String,
}

/// Why a member's profile cannot be ranked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileProblem {
    #[error("stays[{index}]: \"to\" ({to}) is before \"from\" ({from})")]
    StayEndsBeforeStart {
        index: usize,
        from: NaiveDate,
        to: NaiveDate,
    },
    #[error("{field}: no city \"{slug}\" on this site")]
    UnknownCity { field: String, slug: String },
}

/// The cities of `member` not on the tenant's site, or stays that end before they start.
fn check(member: &Member, cities: &[CityRecord]) -> Result<(), ProfileProblem> {
    let known = |slug: &str| cities.iter().any(|c| c.slug == slug);
    if let Some(slug) = member.home_city.as_deref().filter(|s| !known(s)) {
        return Err(ProfileProblem::UnknownCity {
            field: "home_city".to_owned(),
            slug: slug.to_owned(),
        });
    }
    for (index, stay) in member.stays.iter().enumerate() {
        if stay.to < stay.from {
            return Err(ProfileProblem::StayEndsBeforeStart {
                index,
                from: stay.from,
                to: stay.to,
            });
        }
        if let Some(slug) = stay.cities.iter().find(|s| !known(s)) {
            return Err(ProfileProblem::UnknownCity {
                field: format!("stays[{index}].cities"),
                slug: slug.clone(),
            });
        }
    }
    Ok(())
}

/// The language a member's own emails are written in: the one they chose their emails in,
/// when the site offers it, else the site's.
pub(crate) fn email_locale(tenant: &Tenant, chosen: Option<&str>) -> Locale {
    chosen
        .and_then(|l| l.parse::<Locale>().ok())
        .filter(|l| tenant.locales.contains(l))
        .unwrap_or(tenant.default_locale)
}

/// The title of mission `id` in `locale` (the site's language when it has none there).
pub(crate) async fn title_in<C: jsap_store::Connection>(
    conn: &C,
    tenant: &Tenant,
    id: i64,
    locale: Locale,
) -> Result<String, StoreError> {
    Ok(Recommendables::for_tenant(conn, tenant)
        .titles(&[id], locale.as_str(), tenant.default_locale.as_str())
        .await?
        .remove(&id)
        .unwrap_or_default())
}

/// A public mission as the ranking reads it; `None` for a mission of a retired city (not on
/// the site's city pages: left out).
fn candidate(
    m: CandidateMission,
    slug_of: &HashMap<i64, &str>,
    tenant: &Tenant,
) -> Option<score::Candidate> {
    let city = (*slug_of.get(&m.city_id)?).to_owned();
    Some(score::Candidate {
        id: m.id,
        slug: m.slug,
        city,
        terms: m.terms,
        skills: m.skills,
        languages: m.locales.iter().filter_map(|l| l.parse().ok()).collect(),
        published_on: m.published_at.map(|at| tenant.local_date(at)),
    })
}

/// The `limit` best missions of `tenant` for `member` on `today` (the tenant's date), best
/// first, with reasons in `locale` (the tenant's default when it does not offer it). Only
/// missions that keep the hard constraints, however few.
#[tracing::instrument(skip_all, fields(tenant.code = %tenant.code, limit))]
pub async fn recommend(
    store: &Store,
    tenant: &Tenant,
    member: &Member,
    limit: usize,
    today: NaiveDate,
    locale: Locale,
) -> Result<Result<Vec<Recommendation>, ProfileProblem>, Failure> {
    let conn = store.conn();
    // The catalogue in memory: the tenant's cities and public missions, no query while its
    // version holds.
    let catalogue = store.catalogue(tenant).await?;
    let cities = catalogue.cities();
    or_refuse!(check(member, cities));
    let locale = if tenant.locales.contains(&locale) {
        locale
    } else {
        tenant.default_locale
    };
    let slug_of: HashMap<i64, &str> = cities.iter().map(|c| (c.id, c.slug.as_str())).collect();
    let mut stay_cities: Vec<i64> = member
        .stays
        .iter()
        .filter(|s| s.to >= today)
        .flat_map(|s| &s.cities)
        .filter_map(|slug| cities.iter().find(|c| c.slug == *slug).map(|c| c.id))
        .collect();
    stay_cities.sort_unstable();
    stay_cities.dedup();
    let filter = CandidateFilter {
        today,
        city_ids: stay_cities,
        remote: member.remote_ok,
    };
    let read = catalogue.candidates(&filter);
    let candidates: Vec<score::Candidate> = read
        .into_iter()
        .filter_map(|m| candidate(m, &slug_of, tenant))
        .collect();
    let ranked = score::rank(member, &candidates, today, limit);
    let taxonomy = tenant.taxonomy();
    let words = reasons::Words {
        section: "recommend",
        locale,
        taxonomy: &taxonomy,
        cities,
    };
    let base = tenant.canonical_url();
    let ids: Vec<i64> = ranked.iter().map(|r| r.id).collect();
    let mut titles = Recommendables::for_tenant(conn, tenant)
        .titles(&ids, locale.as_str(), tenant.default_locale.as_str())
        .await?;
    Ok(Ok(ranked
        .into_iter()
        .filter_map(|r| {
            let c = candidates.get(r.index)?;
            let path = format!("/{locale}/missions/{}-{}", c.id, c.slug);
            Some(Recommendation {
                id: c.id,
                url: format!("{base}{path}"),
                score: score::score_of(r.points),
                reasons: r
                    .reasons
                    .iter()
                    .map(|reason| words.reason(reason))
                    .collect(),
                path,
                title: titles.remove(&c.id).unwrap_or_default(),
            })
        })
        .collect()))
}

/// The member as the account page ranks for them: their saved profile (remote missions
/// welcome or not) and their next stay (under way or to come).
pub async fn saved_member(
    store: &Store,
    tenant: &Tenant,
    user_id: i64,
    today: NaiveDate,
) -> Result<Member, StoreError> {
    let conn = store.conn();
    let profiles = Profiles::for_tenant(conn, tenant);
    let profile = profiles.get(user_id).await?;
    let stay = profiles.next_stay(user_id, today).await?;
    let cities = Cities::for_tenant(conn, tenant).list().await?;
    let slug = |id: i64| cities.iter().find(|c| c.id == id).map(|c| c.slug.clone());
    Ok(Member {
        residence_country: profile.country_of_residence,
        home_city: profile.home_city_id.and_then(slug),
        skills: profile.skills,
        languages: profile.languages,
        interests_domains: profile.domains,
        contribution_types: profile.contributions,
        stays: stay
            .into_iter()
            .map(|s| MemberStay {
                from: s.starts_on,
                to: s.ends_on,
                cities: s.city_ids.into_iter().filter_map(slug).collect(),
            })
            .collect(),
        remote_ok: profile.remote_ok,
        leave_out: Vec::new(),
    })
}

impl Member {
    /// Whether there is anything to rank for: a stay, or something the member cares about.
    pub fn has_wishes(&self) -> bool {
        !self.stays.is_empty()
            || !self.interests_domains.is_empty()
            || !self.contribution_types.is_empty()
    }
}
