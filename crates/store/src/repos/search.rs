//! Mission search: the query (full text, filters, sort, page), its results and facet counts,
//! and the searchable text of a mission. The search itself runs over the tenant's catalogue,
//! in memory (`catalogue`), the same on both databases.

use super::catalogue::{Catalogue, current_version};
use crate::StoreError;
use crate::repos::mission_edits::MissionTerms;
use chrono::NaiveDate;
use jsap_domain::{Locale, Taxonomy};
use jsap_tenancy::Tenant;
use sea_orm::{DbBackend, QueryResult, Statement, Value};
use std::collections::HashMap;
use std::fmt::Write;

/// The three entry tabs of the home page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchTab {
    /// Time, skills, donations.
    Sinvestir,
    /// Investment and savings.
    Investir,
    /// Remote missions.
    Distance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    #[default]
    Relevance,
    Soonest,
    Newest,
}

#[derive(Debug, Clone)]
pub struct MissionQuery {
    pub locale: Locale,
    /// Free text, analysed for `locale`.
    pub text: String,
    pub city_ids: Vec<i64>,
    pub organisation_ids: Vec<i64>,
    pub domains: Vec<String>,
    pub mission_types: Vec<String>,
    pub contributions: Vec<String>,
    pub tab: Option<SearchTab>,
    /// The visitor's stay: a mission matches when its window overlaps it; remote ones always do.
    pub stay: Option<(NaiveDate, NaiveDate)>,
    pub urgent_only: bool,
    pub sort: SortOrder,
    /// 1-based.
    pub page: u64,
    pub per_page: u64,
    /// Missions that ended before this day are not listed.
    pub today: NaiveDate,
    /// Compute the facet counts (in the same pass over the catalogue); off for compact listings.
    pub with_facets: bool,
}

impl MissionQuery {
    pub fn new(locale: Locale, today: NaiveDate) -> Self {
        Self {
            locale,
            text: String::new(),
            city_ids: vec![],
            organisation_ids: vec![],
            domains: vec![],
            mission_types: vec![],
            contributions: vec![],
            tab: None,
            stay: None,
            urgent_only: false,
            sort: SortOrder::default(),
            page: 1,
            per_page: 20,
            today,
            with_facets: true,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MissionHit {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// The locale of `title` and `summary`: the one asked for when the mission has it,
    /// another one of its texts otherwise.
    pub lang: String,
    pub city_id: i64,
    pub organisation_id: i64,
    pub featured: bool,
    /// Its kind and window, in the catalogue's labels (serialised as the hit's own fields).
    #[serde(flatten)]
    pub terms: MissionTerms,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Facets {
    pub cities: HashMap<i64, u64>,
    pub domains: HashMap<String, u64>,
    pub mission_types: HashMap<String, u64>,
    pub contributions: HashMap<String, u64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchResults {
    pub total: u64,
    pub items: Vec<MissionHit>,
    pub facets: Facets,
}

/// SQL text with positional parameters in the backend's syntax.
pub(crate) struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub(crate) fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    pub(crate) fn param(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => {
                let _ = write!(self.text, "${}", self.values.len());
            }
            _ => self.text.push('?'),
        }
        self
    }

    pub(crate) fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

pub(crate) fn get<T: sea_orm::TryGetable>(
    row: &QueryResult,
    column: &str,
) -> Result<T, StoreError> {
    Ok(row.try_get::<T>("", column)?)
}

/// Search over the missions of one tenant, from a catalogue read for this call. The web
/// layer searches the cached catalogue instead (`Store::catalogue`); both share `Catalogue::search`.
pub struct MissionSearch<'a, C> {
    conn: crate::rls::Scoped<'a, C>,
    tenant: &'a Tenant,
}

impl<'a, C: crate::Connection> MissionSearch<'a, C> {
    pub fn for_tenant(conn: &'a C, tenant: &'a Tenant) -> Self {
        Self {
            conn: crate::rls::Scoped::tenant(conn, tenant.code.as_str()),
            tenant,
        }
    }

    pub async fn run(&self, q: &MissionQuery) -> Result<SearchResults, StoreError> {
        let version = current_version(&self.conn, self.tenant.code.as_str()).await?;
        Ok(
            Catalogue::load(&self.conn, self.tenant, version, Default::default())
                .await?
                .search(q),
        )
    }
}

/// The searchable text of a mission text: `parts` (title, summary, description, skills, city)
/// and its domain's and type's names in `locale`.
pub(crate) fn mission_text(
    locale: Locale,
    parts: &[&str],
    domain: &str,
    mission_type: &str,
) -> String {
    let taxonomy = Taxonomy::builtin();
    let mut text = parts.join(" ");
    if let Some(d) = taxonomy.domain(domain) {
        text.push(' ');
        text.push_str(d.labels.get(locale));
    }
    if let Some(t) = taxonomy.mission_type(mission_type) {
        text.push(' ');
        text.push_str(t.labels.get(locale));
    }
    text
}
