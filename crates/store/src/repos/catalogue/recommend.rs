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
                slug: e.strings.slug().to_owned(),
                city_id: e.city_id,
                terms: self.terms(e),
                skills: e.strings.skills().map(str::to_owned).collect(),
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
