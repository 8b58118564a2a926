//! The mission catalogue of one tenant, held in memory: the filterable facts of every
//! published mission (no texts), the tenant's cities and organisations. Filters, facet counts,
//! sorting and pagination run over it in one pass; the database answers only the full-text
//! match (its index) and the texts of the page shown.
//!
//! A catalogue is stamped with `tenants.catalogue_version`, which every write to missions,
//! organisations or cities bumps in the same transaction; `Catalogues::get` compares the stamp
//! with the database on each call (one primary-key read), so every replica sees a write at once.

use super::Scope;
use super::cities::CityRecord;
use super::missions::MissionCounts;
use super::organisations::OrganisationRecord;
use super::search::{
    Facets, MissionHit, MissionQuery, SearchResults, SearchTab, SortOrder, Sql, full_text_matches,
    get,
};
use crate::StoreError;
use crate::repos::{cities::Cities, organisations::Organisations};
use chrono::NaiveDate;
use jsap_domain::search::analyze;
use jsap_domain::taxonomy::Tab;
use jsap_domain::{Locale, Taxonomy};
use jsap_tenancy::Tenant;
use sea_orm::ConnectionTrait;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// The filterable facts of one published mission.
#[derive(Debug, Clone)]
struct Entry {
    id: i64,
    slug: Box<str>,
    city_id: i64,
    organisation_id: i64,
    domain: Arc<str>,
    mission_type: Arc<str>,
    /// Sorted, distinct.
    contributions: Box<[Arc<str>]>,
    remote: bool,
    urgent: bool,
    featured: bool,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    /// Milliseconds since the epoch; 0 when unknown.
    published_at: i64,
}

/// Shares one allocation per distinct label (30 mission types over thousands of missions).
#[derive(Default)]
struct Interner(HashSet<Arc<str>>);

impl Interner {
    fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(found) = self.0.get(s) {
            return found.clone();
        }
        let new: Arc<str> = Arc::from(s);
        self.0.insert(new.clone());
        new
    }
}

/// One tenant's catalogue at one version.
pub struct Catalogue {
    scope: Scope,
    version: i64,
    missions: Vec<Entry>,
    cities: Vec<CityRecord>,
    organisations: Vec<OrganisationRecord>,
}

// The filter dimensions that have facet counts, as bits of a "failed" mask.
const CITY: u8 = 1;
const DOMAIN: u8 = 2;
const MISSION_TYPE: u8 = 4;
const CONTRIBUTION: u8 = 8;
/// Fails a filter that has no facet: out of every count.
const OTHER: u8 = 16;

/// A query with its lists turned into sets once.
struct Prepared<'q> {
    q: &'q MissionQuery,
    cities: HashSet<i64>,
    organisations: HashSet<i64>,
    tab_contributions: Option<Vec<String>>,
}

impl Prepared<'_> {
    /// The dimensions `e` fails (0: it is a result).
    fn failed(&self, e: &Entry, matches: Option<&HashMap<i64, f64>>) -> u8 {
        let q = self.q;
        let mut failed = 0;
        if e.ends_on < q.today
            || (!self.organisations.is_empty() && !self.organisations.contains(&e.organisation_id))
            || (q.urgent_only && !e.urgent)
            || matches.is_some_and(|m| !m.contains_key(&e.id))
        {
            return OTHER;
        }
        if let Some((from, to)) = q.stay
            && !e.remote
            && !(e.starts_on <= to && e.ends_on >= from)
        {
            return OTHER;
        }
        match q.tab {
            Some(SearchTab::Distance) if !e.remote => return OTHER,
            Some(SearchTab::Distance) | None => {}
            Some(_) => {
                let wanted = self.tab_contributions.as_deref().unwrap_or_default();
                if !e
                    .contributions
                    .iter()
                    .any(|c| wanted.iter().any(|w| **c == **w))
                {
                    return OTHER;
                }
            }
        }
        if !self.cities.is_empty() && !self.cities.contains(&e.city_id) {
            failed |= CITY;
        }
        if !q.domains.is_empty() && !q.domains.iter().any(|d| **d == *e.domain) {
            failed |= DOMAIN;
        }
        if !q.mission_types.is_empty() && !q.mission_types.iter().any(|t| **t == *e.mission_type) {
            failed |= MISSION_TYPE;
        }
        if !q.contributions.is_empty()
            && !e
                .contributions
                .iter()
                .any(|c| q.contributions.iter().any(|w| **c == **w))
        {
            failed |= CONTRIBUTION;
        }
        failed
    }
}

impl Catalogue {
    /// Reads the tenant's catalogue from the database.
    pub(crate) async fn load<C: ConnectionTrait>(
        conn: &C,
        tenant: &Tenant,
        version: i64,
    ) -> Result<Self, StoreError> {
        let scope = Scope::of(tenant);
        let backend = conn.get_database_backend();
        let mut interner = Interner::default();

        let mut sql = Sql::new(backend);
        sql.push("SELECT mission_id, contribution FROM mission_contributions WHERE tenant_id = ")
            .param(scope.id())
            .push(" ORDER BY mission_id, contribution");
        let mut contributions: HashMap<i64, Vec<Arc<str>>> = HashMap::new();
        for row in conn.query_all_raw(sql.statement()).await? {
            let contribution: String = get(&row, "contribution")?;
            let list = contributions.entry(get(&row, "mission_id")?).or_default();
            let value = interner.get(&contribution);
            if !list.contains(&value) {
                list.push(value);
            }
        }

        let mut sql = Sql::new(backend);
        sql.push(
            "SELECT id, slug, city_id, organisation_id, domain, mission_type, remote, urgent, featured, \
             starts_on, ends_on, published_at FROM missions WHERE tenant_id = ",
        )
        .param(scope.id())
        .push(" AND status = 'published' ORDER BY id");
        let rows = conn.query_all_raw(sql.statement()).await?;
        let mut missions = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i64 = get(&row, "id")?;
            let domain: String = get(&row, "domain")?;
            let mission_type: String = get(&row, "mission_type")?;
            let published_at: Option<chrono::DateTime<chrono::Utc>> = get(&row, "published_at")?;
            missions.push(Entry {
                id,
                slug: get::<String>(&row, "slug")?.into_boxed_str(),
                city_id: get(&row, "city_id")?,
                organisation_id: get(&row, "organisation_id")?,
                domain: interner.get(&domain),
                mission_type: interner.get(&mission_type),
                contributions: contributions.remove(&id).unwrap_or_default().into(),
                remote: get(&row, "remote")?,
                urgent: get(&row, "urgent")?,
                featured: get(&row, "featured")?,
                starts_on: get(&row, "starts_on")?,
                ends_on: get(&row, "ends_on")?,
                published_at: published_at.map_or(0, |t| t.timestamp_millis()),
            });
        }
        Ok(Self {
            cities: Cities::for_tenant(conn, tenant).list().await?,
            organisations: Organisations::for_tenant(conn, tenant).list().await?,
            scope,
            version,
            missions,
        })
    }

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

    /// Published missions still open on `today`, in total and per city.
    pub fn open_counts(&self, today: NaiveDate) -> MissionCounts {
        let mut counts = MissionCounts::default();
        for e in self.missions.iter().filter(|e| e.ends_on >= today) {
            counts.open += 1;
            *counts.by_city.entry(e.city_id).or_default() += 1;
        }
        counts
    }

    /// Runs a search: the full-text match in the database when there is text, then filters,
    /// facets (each counted without its own filter), order and page here, then the texts of
    /// the page's missions.
    pub async fn search<C: ConnectionTrait>(
        &self,
        conn: &C,
        q: &MissionQuery,
    ) -> Result<SearchResults, StoreError> {
        let terms = analyze(&q.text, q.locale);
        let matches = if terms.is_empty() {
            None
        } else {
            Some(full_text_matches(conn, self.scope.id(), q.locale, &terms).await?)
        };
        let prepared = Prepared {
            q,
            cities: q.city_ids.iter().copied().collect(),
            organisations: q.organisation_ids.iter().copied().collect(),
            tab_contributions: q.tab.filter(|t| *t != SearchTab::Distance).map(|tab| {
                let wanted = if tab == SearchTab::Investir {
                    Tab::Investir
                } else {
                    Tab::Sinvestir
                };
                Taxonomy::builtin()
                    .contribution_types
                    .iter()
                    .filter(|c| c.tab == wanted)
                    .map(|c| c.slug.clone())
                    .collect()
            }),
        };

        let mut facets = Facets::default();
        let mut hits: Vec<&Entry> = Vec::new();
        for e in &self.missions {
            let failed = prepared.failed(e, matches.as_ref());
            if failed == 0 {
                hits.push(e);
            }
            if !q.with_facets || failed & OTHER != 0 || failed.count_ones() > 1 {
                continue;
            }
            // A mission counts in a facet when it passes every other filter.
            if failed & !CITY == 0 {
                *facets.cities.entry(e.city_id).or_default() += 1;
            }
            if failed & !DOMAIN == 0 {
                *facets.domains.entry(e.domain.to_string()).or_default() += 1;
            }
            if failed & !MISSION_TYPE == 0 {
                *facets
                    .mission_types
                    .entry(e.mission_type.to_string())
                    .or_default() += 1;
            }
            if failed & !CONTRIBUTION == 0 {
                for c in &e.contributions {
                    *facets.contributions.entry(c.to_string()).or_default() += 1;
                }
            }
        }

        let score = |e: &Entry| {
            matches
                .as_ref()
                .and_then(|m| m.get(&e.id).copied())
                .unwrap_or(0.0)
        };
        match (q.sort, matches.is_some()) {
            (SortOrder::Relevance, true) => {
                hits.sort_by(|a, b| score(a).total_cmp(&score(b)).then_with(|| b.id.cmp(&a.id)))
            }
            (SortOrder::Relevance, false) => hits.sort_by(|a, b| {
                b.featured
                    .cmp(&a.featured)
                    .then_with(|| b.urgent.cmp(&a.urgent))
                    .then_with(|| a.starts_on.cmp(&b.starts_on))
                    .then_with(|| a.id.cmp(&b.id))
            }),
            (SortOrder::Soonest, _) => {
                hits.sort_by(|a, b| a.starts_on.cmp(&b.starts_on).then_with(|| a.id.cmp(&b.id)))
            }
            (SortOrder::Newest, _) => hits.sort_by(|a, b| {
                b.published_at
                    .cmp(&a.published_at)
                    .then_with(|| b.id.cmp(&a.id))
            }),
        }

        let total = hits.len() as u64;
        let per_page = q.per_page.clamp(1, 100);
        let start =
            usize::try_from((q.page.max(1) - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
        let page: Vec<&Entry> = hits
            .into_iter()
            .skip(start)
            .take(per_page as usize)
            .collect();
        let mut texts = self.texts(conn, q.locale, &page).await?;
        let items = page
            .into_iter()
            .map(|e| {
                let (title, summary) = texts.remove(&e.id).unwrap_or_default();
                MissionHit {
                    id: e.id,
                    slug: e.slug.to_string(),
                    title,
                    summary,
                    city_id: e.city_id,
                    organisation_id: e.organisation_id,
                    domain: e.domain.to_string(),
                    mission_type: e.mission_type.to_string(),
                    contribution_types: e.contributions.iter().map(|c| c.to_string()).collect(),
                    remote: e.remote,
                    urgent: e.urgent,
                    featured: e.featured,
                    starts_on: e.starts_on,
                    ends_on: e.ends_on,
                }
            })
            .collect();
        Ok(SearchResults {
            total,
            items,
            facets,
        })
    }

    /// (title, summary) in `locale` of the given missions (empty when a text is missing).
    async fn texts<C: ConnectionTrait>(
        &self,
        conn: &C,
        locale: Locale,
        page: &[&Entry],
    ) -> Result<HashMap<i64, (String, String)>, StoreError> {
        let mut out = HashMap::with_capacity(page.len());
        if page.is_empty() {
            return Ok(out);
        }
        let ids: Vec<i64> = page.iter().map(|e| e.id).collect();
        let mut sql = Sql::new(conn.get_database_backend());
        sql.push("SELECT mission_id, title, summary FROM mission_texts WHERE tenant_id = ")
            .param(self.scope.id())
            .push(" AND locale = ")
            .param(locale.as_str())
            .push(" AND mission_id IN ")
            .list(&ids);
        for row in conn.query_all_raw(sql.statement()).await? {
            out.insert(
                get(&row, "mission_id")?,
                (get(&row, "title")?, get(&row, "summary")?),
            );
        }
        Ok(out)
    }
}

/// The catalogue version of a tenant as the database has it.
pub(crate) async fn current_version<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
) -> Result<i64, StoreError> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push("SELECT catalogue_version AS v FROM tenants WHERE code = ")
        .param(tenant_id);
    Ok(match conn.query_one_raw(sql.statement()).await? {
        Some(row) => get::<i64>(&row, "v")?,
        None => 0,
    })
}

/// Marks the tenant's catalogue as changed. Call it in the transaction of the write.
pub(crate) async fn bump_version<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
) -> Result<(), StoreError> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push("UPDATE tenants SET catalogue_version = catalogue_version + 1 WHERE code = ")
        .param(tenant_id);
    conn.execute_raw(sql.statement()).await?;
    Ok(())
}

type Slot = Arc<tokio::sync::Mutex<Option<Arc<Catalogue>>>>;

/// The catalogues of this process, one per tenant, loaded on first use and reloaded when the
/// database holds a newer version. One load at a time per tenant; others wait for it.
#[derive(Default)]
pub struct Catalogues {
    slots: Mutex<HashMap<String, Slot>>,
}

impl std::fmt::Debug for Catalogues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenants = self.slots.lock().map_or(0, |s| s.len());
        f.debug_struct("Catalogues")
            .field("tenants", &tenants)
            .finish()
    }
}

impl Catalogues {
    pub async fn get<C: ConnectionTrait>(
        &self,
        conn: &C,
        tenant: &Tenant,
    ) -> Result<Arc<Catalogue>, StoreError> {
        let code = tenant.code.as_str();
        let version = current_version(conn, code).await?;
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots.entry(code.to_owned()).or_default().clone()
        };
        let mut held = slot.lock().await;
        if let Some(catalogue) = held.as_ref()
            && catalogue.version >= version
        {
            return Ok(catalogue.clone());
        }
        let fresh = Arc::new(Catalogue::load(conn, tenant, version).await?);
        *held = Some(fresh.clone());
        Ok(fresh)
    }
}
