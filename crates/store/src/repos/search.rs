//! Mission search: full-text (FTS5 on SQLite, tsvector on PostgreSQL, over terms analysed in
//! Rust so both behave the same), filters, facet counts, sorting and pagination. Every
//! statement is bound to the tenant.

use super::Scope;
use crate::StoreError;
use chrono::NaiveDate;
use jsap_domain::search::{analyze, index_body};
use jsap_domain::taxonomy::Tab;
use jsap_domain::{Locale, Taxonomy};
use jsap_tenancy::Tenant;
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};
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
    /// Compute the facet counts (four more queries); off for compact listings.
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
    pub city_id: i64,
    pub organisation_id: i64,
    pub domain: String,
    pub mission_type: String,
    pub contribution_types: Vec<String>,
    pub remote: bool,
    pub urgent: bool,
    pub featured: bool,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dim {
    None,
    City,
    Domain,
    MissionType,
    Contribution,
}

/// SQL text with positional parameters in the backend's syntax.
struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }

    fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    fn param(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => {
                let _ = write!(self.text, "${}", self.values.len());
            }
            _ => self.text.push('?'),
        }
        self
    }

    fn list<T: Clone + Into<Value>>(&mut self, values: &[T]) -> &mut Self {
        self.text.push('(');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.param(v.clone());
        }
        self.text.push(')');
        self
    }

    fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// Search over the missions of one tenant.
pub struct MissionSearch<'a, C> {
    conn: &'a C,
    scope: Scope,
}

fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> Result<T, StoreError> {
    Ok(row.try_get::<T>("", column)?)
}

impl<'a, C: ConnectionTrait> MissionSearch<'a, C> {
    pub fn for_tenant(conn: &'a C, tenant: &Tenant) -> Self {
        Self {
            conn,
            scope: Scope::of(tenant),
        }
    }

    fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// The full-text matches of this tenant, computed once per statement (a materialised
    /// CTE: a join on the FTS query would otherwise be re-run for every mission row).
    fn with_matches(&self, sql: &mut Sql, q: &MissionQuery, terms: &[String]) {
        if terms.is_empty() {
            return;
        }
        match self.backend() {
            DbBackend::Postgres => {
                let tsquery = terms.join(" & ");
                sql.push("WITH s AS MATERIALIZED (SELECT mission_id AS mid, -ts_rank(tsv, to_tsquery('simple', ")
                    .param(tsquery.clone())
                    .push(")) AS score FROM mission_search WHERE tenant_id = ")
                    .param(self.scope.id())
                    .push(" AND locale = ")
                    .param(q.locale.as_str())
                    .push(" AND tsv @@ to_tsquery('simple', ")
                    .param(tsquery)
                    .push(")) ");
            }
            _ => {
                let fts: Vec<String> = terms.iter().map(|t| format!("\"{t}\"")).collect();
                sql.push("WITH s AS MATERIALIZED (SELECT CAST(mission_id AS INTEGER) AS mid, bm25(mission_search) AS score FROM mission_search WHERE mission_search MATCH ")
                    .param(fts.join(" "))
                    .push(" AND tenant_id = ")
                    .param(self.scope.id())
                    .push(" AND locale = ")
                    .param(q.locale.as_str())
                    .push(") ");
            }
        }
    }

    /// `FROM missions m`, joined to the matches when there are terms.
    fn from(&self, sql: &mut Sql, terms: &[String]) {
        sql.push(" FROM missions m");
        if !terms.is_empty() {
            sql.push(" JOIN s ON s.mid = m.id");
        }
    }

    fn contribution_exists(sql: &mut Sql, values: &[String]) {
        sql.push(" AND EXISTS (SELECT 1 FROM mission_contributions mc WHERE mc.tenant_id = m.tenant_id AND mc.mission_id = m.id AND mc.contribution IN ")
            .list(values)
            .push(")");
    }

    /// Every filter of `q` except the dimension `skip` (facets count without their own filter).
    fn filters(&self, sql: &mut Sql, q: &MissionQuery, skip: Dim) {
        sql.push(" WHERE m.tenant_id = ")
            .param(self.scope.id())
            .push(" AND m.status = 'published' AND m.ends_on >= ")
            .param(q.today);
        if skip != Dim::City && !q.city_ids.is_empty() {
            sql.push(" AND m.city_id IN ").list(&q.city_ids);
        }
        if !q.organisation_ids.is_empty() {
            sql.push(" AND m.organisation_id IN ")
                .list(&q.organisation_ids);
        }
        if skip != Dim::Domain && !q.domains.is_empty() {
            sql.push(" AND m.domain IN ").list(&q.domains);
        }
        if skip != Dim::MissionType && !q.mission_types.is_empty() {
            sql.push(" AND m.mission_type IN ").list(&q.mission_types);
        }
        if skip != Dim::Contribution && !q.contributions.is_empty() {
            Self::contribution_exists(sql, &q.contributions);
        }
        match q.tab {
            Some(SearchTab::Distance) => {
                sql.push(" AND m.remote = ").param(true);
            }
            Some(tab) => {
                let wanted = if tab == SearchTab::Investir {
                    Tab::Investir
                } else {
                    Tab::Sinvestir
                };
                let slugs: Vec<String> = Taxonomy::builtin()
                    .contribution_types
                    .iter()
                    .filter(|c| c.tab == wanted)
                    .map(|c| c.slug.clone())
                    .collect();
                Self::contribution_exists(sql, &slugs);
            }
            None => {}
        }
        if let Some((from, to)) = q.stay {
            sql.push(" AND (m.remote = ")
                .param(true)
                .push(" OR (m.starts_on <= ")
                .param(to)
                .push(" AND m.ends_on >= ")
                .param(from)
                .push("))");
        }
        if q.urgent_only {
            sql.push(" AND m.urgent = ").param(true);
        }
    }

    async fn facet<K: sea_orm::TryGetable + std::hash::Hash + Eq>(
        &self,
        q: &MissionQuery,
        terms: &[String],
        dim: Dim,
    ) -> Result<HashMap<K, u64>, StoreError> {
        let mut sql = Sql::new(self.backend());
        self.with_matches(&mut sql, q, terms);
        let column = match dim {
            Dim::City => "m.city_id",
            Dim::Domain => "m.domain",
            Dim::MissionType => "m.mission_type",
            _ => "fc.contribution",
        };
        let _ = write!(sql.text, "SELECT {column} AS k, COUNT(DISTINCT m.id) AS n");
        self.from(&mut sql, terms);
        if dim == Dim::Contribution {
            sql.push(" JOIN mission_contributions fc ON fc.tenant_id = m.tenant_id AND fc.mission_id = m.id");
        }
        self.filters(&mut sql, q, dim);
        let _ = write!(sql.text, " GROUP BY {column}");
        let rows = self.conn.query_all_raw(sql.statement()).await?;
        let mut out = HashMap::new();
        for row in rows {
            let n: i64 = get(&row, "n")?;
            out.insert(get::<K>(&row, "k")?, u64::try_from(n).unwrap_or(0));
        }
        Ok(out)
    }

    pub async fn run(&self, q: &MissionQuery) -> Result<SearchResults, StoreError> {
        let terms = analyze(&q.text, q.locale);
        let backend = self.backend();

        let mut count = Sql::new(backend);
        self.with_matches(&mut count, q, &terms);
        count.push("SELECT COUNT(*) AS n");
        self.from(&mut count, &terms);
        self.filters(&mut count, q, Dim::None);
        let total = match self.conn.query_one_raw(count.statement()).await? {
            Some(row) => u64::try_from(get::<i64>(&row, "n")?).unwrap_or(0),
            None => 0,
        };

        let per_page = q.per_page.clamp(1, 100);
        let page = q.page.max(1);
        let mut items = Sql::new(backend);
        self.with_matches(&mut items, q, &terms);
        items.push(
            "SELECT m.id, m.slug, m.city_id, m.organisation_id, m.domain, m.mission_type, m.remote, m.urgent, \
             m.featured, m.starts_on, m.ends_on, t.title, t.summary",
        );
        self.from(&mut items, &terms);
        items
            .push(" LEFT JOIN mission_texts t ON t.tenant_id = m.tenant_id AND t.mission_id = m.id AND t.locale = ")
            .param(q.locale.as_str());
        self.filters(&mut items, q, Dim::None);
        let order = match (q.sort, terms.is_empty()) {
            (SortOrder::Relevance, false) => " ORDER BY s.score ASC, m.id DESC",
            (SortOrder::Relevance, true) => {
                " ORDER BY m.featured DESC, m.urgent DESC, m.starts_on ASC, m.id ASC"
            }
            (SortOrder::Soonest, _) => " ORDER BY m.starts_on ASC, m.id ASC",
            (SortOrder::Newest, _) => " ORDER BY m.published_at DESC, m.id DESC",
        };
        items
            .push(order)
            .push(" LIMIT ")
            .param(per_page as i64)
            .push(" OFFSET ")
            .param(((page - 1) * per_page) as i64);
        let rows = self.conn.query_all_raw(items.statement()).await?;
        let mut hits = Vec::with_capacity(rows.len());
        for row in &rows {
            hits.push(MissionHit {
                id: get(row, "id")?,
                slug: get(row, "slug")?,
                title: get::<Option<String>>(row, "title")?.unwrap_or_default(),
                summary: get::<Option<String>>(row, "summary")?.unwrap_or_default(),
                city_id: get(row, "city_id")?,
                organisation_id: get(row, "organisation_id")?,
                domain: get(row, "domain")?,
                mission_type: get(row, "mission_type")?,
                contribution_types: Vec::new(),
                remote: get(row, "remote")?,
                urgent: get(row, "urgent")?,
                featured: get(row, "featured")?,
                starts_on: get(row, "starts_on")?,
                ends_on: get(row, "ends_on")?,
            });
        }
        if !hits.is_empty() {
            let ids: Vec<i64> = hits.iter().map(|h| h.id).collect();
            let mut sql = Sql::new(backend);
            sql.push(
                "SELECT mission_id, contribution FROM mission_contributions WHERE tenant_id = ",
            )
            .param(self.scope.id())
            .push(" AND mission_id IN ")
            .list(&ids)
            .push(" ORDER BY contribution");
            let mut by_mission: HashMap<i64, Vec<String>> = HashMap::new();
            for row in self.conn.query_all_raw(sql.statement()).await? {
                by_mission
                    .entry(get(&row, "mission_id")?)
                    .or_default()
                    .push(get(&row, "contribution")?);
            }
            for hit in &mut hits {
                hit.contribution_types = by_mission.remove(&hit.id).unwrap_or_default();
            }
        }

        let facets = if q.with_facets {
            Facets {
                cities: self.facet(q, &terms, Dim::City).await?,
                domains: self.facet(q, &terms, Dim::Domain).await?,
                mission_types: self.facet(q, &terms, Dim::MissionType).await?,
                contributions: self.facet(q, &terms, Dim::Contribution).await?,
            }
        } else {
            Facets::default()
        };
        Ok(SearchResults {
            total,
            items: hits,
            facets,
        })
    }
}

/// One row of the search index to write.
pub(crate) struct IndexRow {
    pub mission_id: i64,
    pub locale: String,
    pub body: String,
}

/// The analysed text of a mission in one locale: its texts, skills, labels and city.
pub(crate) fn mission_body(
    locale: &str,
    parts: &[&str],
    domain: &str,
    mission_type: &str,
) -> String {
    let locale: Locale = locale.parse().unwrap_or(Locale::Fr);
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
    index_body(&text, locale)
}

/// Writes index rows in batches (one statement per batch).
pub(crate) async fn write_index<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
    rows: &[IndexRow],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(200) {
        let mut sql = Sql::new(conn.get_database_backend());
        sql.push("INSERT INTO mission_search (tenant_id, mission_id, locale, body) VALUES ");
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .param(tenant_id)
                .push(", ")
                .param(row.mission_id)
                .push(", ")
                .param(row.locale.as_str())
                .push(", ")
                .param(row.body.as_str())
                .push(")");
        }
        conn.execute_raw(sql.statement()).await?;
    }
    Ok(())
}

/// Deletes a tenant's index rows.
pub(crate) async fn clear_index<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
) -> Result<(), StoreError> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push("DELETE FROM mission_search WHERE tenant_id = ")
        .param(tenant_id);
    conn.execute_raw(sql.statement()).await?;
    Ok(())
}

pub(crate) async fn count_index<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
) -> Result<u64, StoreError> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push("SELECT COUNT(*) AS n FROM mission_search WHERE tenant_id = ")
        .param(tenant_id);
    Ok(match conn.query_one_raw(sql.statement()).await? {
        Some(row) => u64::try_from(get::<i64>(&row, "n")?).unwrap_or(0),
        None => 0,
    })
}
