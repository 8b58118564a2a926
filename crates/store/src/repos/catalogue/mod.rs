//! The mission catalogue of one tenant, held in memory: the filterable facts of every
//! published mission, its titles and summaries, a full-text index of its texts (`text`), the
//! tenant's cities and organisations. Filters, the full-text match, facet counts, sorting and
//! pagination run over it without a database round trip.
//!
//! A catalogue is stamped with `tenants.catalogue_version`, which every write to missions,
//! organisations or cities bumps in the same transaction; `Catalogues::get` compares the stamp
//! with the database's (one read of every tenant's version for the whole process) at most
//! every 100 ms, and at once after a write made through this process: other replicas see a
//! write within 100 ms.

use super::Scope;
use super::cities::CityRecord;
use super::missions::MissionCounts;
use super::organisations::OrganisationRecord;
use super::search::{
    Facets, MissionHit, MissionQuery, SearchResults, SearchTab, SortOrder, Sql, get, mission_text,
};
use crate::StoreError;
use crate::repos::mission_edits::MissionTerms;
use crate::repos::{cities::Cities, organisations::Organisations};
use chrono::NaiveDate;
use jsap_domain::search::query_terms;
use jsap_domain::spelling::Vocabulary;
use jsap_domain::taxonomy::Tab;
use jsap_domain::{Locale, Taxonomy};
use jsap_tenancy::Tenant;
use sea_orm::ConnectionTrait;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod cache;
mod load;
mod query;
mod recommend;
mod spelling;
mod strings;
mod text;
pub use cache::*;
use query::Memo;
pub use spelling::VocabularyBuilds;
use strings::Strings;

/// The filterable facts of one published mission. Labels (domain, mission type, contribution
/// types) are indexes into the catalogue's label table and the city an index into its cities,
/// so filters compare integers and facet counts go into arrays.
#[derive(Debug, Clone)]
struct Entry {
    id: i64,
    city_id: i64,
    /// Index in `Catalogue::cities`, `NO_CITY` when the city is unknown.
    city: u16,
    organisation_id: i64,
    domain: u16,
    mission_type: u16,
    /// Sorted by label, distinct.
    contributions: Box<[u16]>,
    remote: bool,
    urgent: bool,
    featured: bool,
    /// No dates window: shown as "flexible dates".
    flexible: bool,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    /// Milliseconds since the epoch; 0 when unknown.
    published_at: i64,
    /// The languages the mission has a text in: `LOCALE_BITS` flags.
    locales: u8,
    /// Its slug, skills (for the recommendation), titles and summaries.
    strings: Strings,
}

/// The flag of each language in `Entry::locales`, in the order of their codes.
const LOCALE_BITS: [(&str, u8); 3] = [("ar", 4), ("en", 2), ("fr", 1)];

const NO_CITY: u16 = u16::MAX;

/// Every distinct label of a catalogue, numbered.
#[derive(Default)]
struct Labels {
    names: Vec<Arc<str>>,
    ids: HashMap<Arc<str>, u16>,
}

impl Labels {
    fn id(&mut self, s: &str) -> Result<u16, StoreError> {
        if let Some(id) = self.ids.get(s) {
            return Ok(*id);
        }
        let id = u16::try_from(self.names.len())
            .map_err(|_| StoreError::Corrupt("more than 65,535 distinct labels".to_owned()))?;
        let name: Arc<str> = Arc::from(s);
        self.names.push(name.clone());
        self.ids.insert(name, id);
        Ok(id)
    }

    /// Flags per label id for a filter list; `None` when the list is empty (no filter).
    fn flags(&self, wanted: &[String]) -> Option<Vec<bool>> {
        if wanted.is_empty() {
            return None;
        }
        let mut flags = vec![false; self.names.len()];
        for w in wanted {
            if let Some(id) = self.ids.get(w.as_str()) {
                flags[usize::from(*id)] = true;
            }
        }
        Some(flags)
    }

    fn name(&self, id: u16) -> &str {
        self.names.get(usize::from(id)).map_or("", |n| n)
    }
}

/// One tenant's catalogue at one version.
pub struct Catalogue {
    scope: Scope,
    version: i64,
    /// Ordered by id.
    missions: Vec<Entry>,
    /// The full-text index of `missions`' texts (documents are indexes in `missions`).
    text: text::TextIndex,
    labels: Labels,
    cities: Vec<CityRecord>,
    organisations: Vec<OrganisationRecord>,
    /// Full-text matches already computed on this version of the data.
    matches: Mutex<Memo>,
    /// The words of this version's missions per language, read at the first search that
    /// finds nothing (for "did you mean").
    vocabularies: Mutex<HashMap<Locale, Arc<Vocabulary>>>,
    /// Held while a vocabulary is built: concurrent searches go without a suggestion rather
    /// than build it again or wait.
    building: tokio::sync::Mutex<()>,
    /// The process's limit on vocabulary builds at once, shared by every site's catalogue.
    builds: Arc<VocabularyBuilds>,
}

impl Catalogue {
    /// The version of the data this catalogue holds.
    pub fn version(&self) -> i64 {
        self.version
    }

    /// The tenant's cities, in the order of `Cities::list`.
    pub fn cities(&self) -> &[CityRecord] {
        &self.cities
    }

    /// The tenant's organisations, by name.
    pub fn organisations(&self) -> &[OrganisationRecord] {
        &self.organisations
    }

    /// The terms of mission `e`, its labels spelled out.
    fn terms(&self, e: &Entry) -> MissionTerms {
        MissionTerms {
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
        }
    }

    /// Published missions still open on `today`, in total and per city.
    pub fn open_counts(&self, today: NaiveDate) -> MissionCounts {
        let mut counts = MissionCounts::default();
        for e in self.missions.iter().filter(|e| e.ends_on >= today) {
            counts.open += 1;
            *counts.by_city.entry(e.city_id).or_default() += 1;
        }
        counts
    }
}
