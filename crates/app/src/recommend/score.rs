//! The ranking of missions for a member, pure: hard constraints first (a mission is a
//! candidate only during one of the member's stays in one of that stay's cities, or remote
//! when the member accepts remote; never once it has ended), then points for what the member
//! said they care about, and the reasons behind them as data (`Reason`), put into words by
//! the caller in the member's language.

use chrono::NaiveDate;
use jsap_domain::Locale;
use jsap_domain::search::analyze;
use jsap_store::MissionTerms;
use serde::Deserialize;
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

/// What the ranking knows of a member: the JSON of `assistant recommend --profile`, or built
/// from a saved profile and stays.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Member {
    pub residence_country: String,
    /// City slug of the tenant.
    pub home_city: Option<String>,
    pub skills: Vec<String>,
    /// Language codes or names ("fr", "Français", "English", "arabe").
    pub languages: Vec<String>,
    /// Domain slugs.
    pub interests_domains: Vec<String>,
    /// Contribution type slugs.
    pub contribution_types: Vec<String>,
    pub stays: Vec<MemberStay>,
    pub remote_ok: bool,
    /// Missions not to offer again (the weekly email's earlier selections), sorted: never
    /// ranked.
    #[serde(skip)]
    pub leave_out: Vec<i64>,
}

/// A stay: its first and last days and the city slugs visited.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberStay {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(default)]
    pub cities: Vec<String>,
}

/// The facts of one published mission the ranking reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: i64,
    pub slug: String,
    /// City slug.
    pub city: String,
    pub terms: MissionTerms,
    pub skills: Vec<String>,
    /// The locales the mission has a text in.
    pub languages: Vec<Locale>,
    /// The tenant's local date of publication.
    pub published_on: Option<NaiveDate>,
}

/// Why a mission is recommended, most important first in `Ranked::reasons`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// On site during a stay: the mission's city and the stay's dates.
    Stay {
        city: String,
        from: NaiveDate,
        to: NaiveDate,
    },
    Remote,
    /// A domain of interest (slug).
    Interest(String),
    /// A contribution type the member offers (slug).
    Contribution(String),
    /// The member's skills the mission asks for, as the member wrote them.
    Skills(Vec<String>),
    Urgent,
    /// The member's home city (slug).
    HomeCity(String),
}

/// One result: the candidate's index in the input, its points and its reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub index: usize,
    pub id: i64,
    pub points: u32,
    pub reasons: Vec<Reason>,
}

// The points. Interests weigh most; urgency and freshness only order what already fits.
pub const INTEREST: u32 = 40;
pub const CONTRIBUTION: u32 = 25;
pub const SKILL: u32 = 8;
pub const SKILLS_COUNTED: u32 = 3;
pub const LANGUAGE: u32 = 6;
pub const URGENT: u32 = 8;
pub const FRESH: u32 = 10;
pub const HOME_CITY: u32 = 5;
pub const ON_SITE: u32 = 4;
/// The most points a mission can get: `score` is points over this.
pub const MAX_POINTS: u32 = INTEREST
    + CONTRIBUTION
    + SKILL * SKILLS_COUNTED
    + LANGUAGE
    + URGENT
    + FRESH
    + HOME_CITY
    + ON_SITE;

/// Days after publication during which a mission gets all of `FRESH`; it then loses a point
/// every `FRESH_DECAY_DAYS`.
const FRESH_FULL_DAYS: i64 = 7;
const FRESH_DECAY_DAYS: i64 = 6;

/// The locales a member reads, from what they wrote ("fr", "Français", "anglais", "العربية").
pub fn spoken_locales(languages: &[String]) -> Vec<Locale> {
    let mut found = Vec::new();
    for language in languages {
        let folded: String = language
            .trim()
            .to_lowercase()
            .chars()
            .map(jsap_domain::search::fold)
            .collect();
        let locale = match folded.as_str() {
            "fr" | "francais" | "french" | "francophone" => Some(Locale::Fr),
            "en" | "anglais" | "english" | "anglophone" => Some(Locale::En),
            "ar" | "arabe" | "arabic" | "العربية" | "عربي" => Some(Locale::Ar),
            _ => None,
        };
        if let Some(l) = locale
            && !found.contains(&l)
        {
            found.push(l);
        }
    }
    found
}

/// The hard constraints: `Some` with the reason it fits (a stay, or remote), `None` when the
/// mission must not be shown. A stay over before `today` does not count; a mission over
/// before `today` never fits; a flexible mission fits any stay's dates.
pub fn eligibility(member: &Member, c: &Candidate, today: NaiveDate) -> Option<Reason> {
    if c.terms.ends_on < today {
        return None;
    }
    let on_site = member.stays.iter().find(|s| {
        s.to >= today
            && s.from <= s.to
            && s.cities.contains(&c.city)
            && (c.terms.flexible || (c.terms.starts_on <= s.to && c.terms.ends_on >= s.from))
    });
    if let Some(stay) = on_site {
        return Some(Reason::Stay {
            city: c.city.clone(),
            from: stay.from,
            to: stay.to,
        });
    }
    (c.terms.remote && member.remote_ok).then_some(Reason::Remote)
}

/// A member's words, analysed once for matching (French and English stems).
struct Words {
    /// Per skill as written: its stems.
    skills: Vec<(String, HashSet<String>)>,
    /// The stems of each missions' skill list seen in this ranking: missions share their
    /// skills lists ("comptabilité, gestion"), and stemming is most of a ranking's time.
    seen: RefCell<HashMap<String, HashSet<String>>>,
}

fn stems(text: &str) -> HashSet<String> {
    let mut set: HashSet<String> = analyze(text, Locale::Fr).into_iter().collect();
    set.extend(analyze(text, Locale::En));
    set
}

impl Words {
    fn of(member: &Member) -> Self {
        Self {
            skills: member
                .skills
                .iter()
                .map(|s| (s.trim().to_owned(), stems(s)))
                .filter(|(_, stems)| !stems.is_empty())
                .collect(),
            seen: RefCell::new(HashMap::new()),
        }
    }

    /// The member's skills (as written) that share a word with the mission's skills.
    fn matching(&self, mission_skills: &[String]) -> Vec<String> {
        if self.skills.is_empty() || mission_skills.is_empty() {
            return vec![];
        }
        let joined = mission_skills.join(" ");
        let mut seen = self.seen.borrow_mut();
        let wanted = seen.entry(joined).or_insert_with_key(|text| stems(text));
        self.skills
            .iter()
            .filter(|(_, s)| !s.is_disjoint(wanted))
            .map(|(written, _)| written.clone())
            .collect()
    }
}

/// Points for freshness: all of `FRESH` the first week, then less and less.
fn freshness(published_on: Option<NaiveDate>, today: NaiveDate) -> u32 {
    let Some(on) = published_on else { return 0 };
    let days = (today - on).num_days().max(0);
    let lost = (days - FRESH_FULL_DAYS).max(0) / FRESH_DECAY_DAYS;
    u32::try_from((i64::from(FRESH) - lost).max(0)).unwrap_or(0)
}

/// Points and reasons of an eligible mission.
fn score(
    member: &Member,
    words: &Words,
    locales: &[Locale],
    c: &Candidate,
    fit: Reason,
    today: NaiveDate,
) -> (u32, Vec<Reason>) {
    let mut points = 0;
    let mut matched = Vec::new();
    if matches!(fit, Reason::Stay { .. }) {
        points += ON_SITE;
    }
    if member.interests_domains.contains(&c.terms.domain) {
        points += INTEREST;
        matched.push(Reason::Interest(c.terms.domain.clone()));
    }
    if let Some(offered) = c
        .terms
        .contribution_types
        .iter()
        .find(|t| member.contribution_types.contains(t))
    {
        points += CONTRIBUTION;
        matched.push(Reason::Contribution(offered.clone()));
    }
    let skills = words.matching(&c.skills);
    if !skills.is_empty() {
        let counted = u32::try_from(skills.len())
            .unwrap_or(u32::MAX)
            .min(SKILLS_COUNTED);
        points += SKILL * counted;
        matched.push(Reason::Skills(skills));
    }
    if c.languages.iter().any(|l| locales.contains(l)) {
        points += LANGUAGE;
    }
    points += freshness(c.published_on, today);
    let home = member.home_city.as_deref() == Some(c.city.as_str());
    if home {
        points += HOME_CITY;
    }
    // The fit, then the best match, then urgency: three short reasons at most.
    let mut reasons = vec![fit];
    reasons.extend(matched.into_iter().next());
    if c.terms.urgent {
        points += URGENT;
        reasons.push(Reason::Urgent);
    } else if home && reasons.len() < 2 {
        reasons.push(Reason::HomeCity(c.city.clone()));
    }
    (points, reasons)
}

/// The `limit` best missions of `candidates` for `member` on `today`, best first. Only
/// missions that pass `eligibility` are returned, however few. Ties: the most recently
/// published first, then the smallest id.
pub fn rank(
    member: &Member,
    candidates: &[Candidate],
    today: NaiveDate,
    limit: usize,
) -> Vec<Ranked> {
    let words = Words::of(member);
    let locales = spoken_locales(&member.languages);
    let mut ranked: Vec<(Ranked, Option<NaiveDate>)> = candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| member.leave_out.binary_search(&c.id).is_err())
        .filter_map(|(index, c)| {
            let fit = eligibility(member, c, today)?;
            let (points, reasons) = score(member, &words, &locales, c, fit, today);
            Some((
                Ranked {
                    index,
                    id: c.id,
                    points,
                    reasons,
                },
                c.published_on,
            ))
        })
        .collect();
    ranked.sort_by_key(|(r, published)| (Reverse(r.points), Reverse(*published), r.id));
    ranked.truncate(limit);
    ranked.into_iter().map(|(r, _)| r).collect()
}

/// `points` as a score between 0 and 1, three decimals.
pub fn score_of(points: u32) -> f64 {
    (f64::from(points) / f64::from(MAX_POINTS) * 1000.0).round() / 1000.0
}

#[cfg(test)]
#[path = "score_tests.rs"]
mod tests;
