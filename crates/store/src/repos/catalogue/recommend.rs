//! The recommendation's read, from memory: the facts `Recommendables::candidates` reads from
//! the database, for the same missions, without a query (the catalogue is reloaded when its
//! version changes).

use super::*;
use crate::repos::recommend::{CandidateFilter, CandidateMission};

impl Catalogue {
    /// The public missions `filter` selects (still open on its day, in one of its cities or
    /// remote when it says so), by id: as `Recommendables::candidates` reads them.
    pub fn candidates(&self, filter: &CandidateFilter) -> Vec<CandidateMission> {
        if filter.city_ids.is_empty() && !filter.remote {
            return Vec::new();
        }
        self.missions
            .iter()
            .filter(|e| e.ends_on >= filter.today)
            .filter(|e| (filter.remote && e.remote) || filter.city_ids.contains(&e.city_id))
            .map(|e| CandidateMission {
                id: e.id,
                slug: e.slug.to_string(),
                city_id: e.city_id,
                terms: MissionTerms {
                    domain: self.labels.name(e.domain).to_owned(),
                    mission_type: self.labels.name(e.mission_type).to_owned(),
                    contribution_types: e
                        .contributions
                        .iter()
                        .map(|c| self.labels.name(*c).to_owned())
                        .collect(),
                    remote: e.remote,
                    urgent: e.urgent,
                    flexible: e.flexible,
                    starts_on: e.starts_on,
                    ends_on: e.ends_on,
                },
                skills: e.skills.iter().map(|s| s.to_string()).collect(),
                locales: LOCALE_BITS
                    .iter()
                    .filter(|(_, bit)| e.locales & bit != 0)
                    .map(|(code, _)| (*code).to_owned())
                    .collect(),
                published_at: (e.published_at != 0)
                    .then(|| chrono::DateTime::from_timestamp_millis(e.published_at))
                    .flatten(),
            })
            .collect()
    }
}
