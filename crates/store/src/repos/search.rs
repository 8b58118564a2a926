//! Mission search: full-text (FTS5 on SQLite, tsvector on PostgreSQL, over terms analysed in
//! Rust so both behave the same), filters, facet counts, sorting and pagination. Every
//! statement is bound to the tenant.

use super::catalogue::{Catalogue, current_version};
use crate::StoreError;
use chrono::NaiveDate;
use jsap_domain::search::index_body;
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

    pub(crate) fn list<T: Clone + Into<Value>>(&mut self, values: &[T]) -> &mut Self {
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
    conn: &'a C,
    tenant: &'a Tenant,
}

impl<'a, C: ConnectionTrait> MissionSearch<'a, C> {
    pub fn for_tenant(conn: &'a C, tenant: &'a Tenant) -> Self {
        Self { conn, tenant }
    }

    pub async fn run(&self, q: &MissionQuery) -> Result<SearchResults, StoreError> {
        let version = current_version(self.conn, self.tenant.code.as_str()).await?;
        Catalogue::load(self.conn, self.tenant, version)
            .await?
            .search(self.conn, q)
            .await
    }
}

/// The tenant's missions whose text in `locale` holds every term, with a score (lower is
/// more relevant). The tenant is part of the full-text query itself, so the index intersects
/// its postings with the tenant's instead of scoring every tenant's matches.
pub(crate) async fn full_text_matches<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
    locale: Locale,
    terms: &[String],
) -> Result<HashMap<i64, f64>, StoreError> {
    let mut sql = Sql::new(conn.get_database_backend());
    match conn.get_database_backend() {
        DbBackend::Postgres => {
            let tsquery = terms.join(" & ");
            sql.push("SELECT mission_id AS mid, CAST(-ts_rank(tsv, to_tsquery('simple', ")
                .param(tsquery.clone())
                .push(")) AS DOUBLE PRECISION) AS score FROM mission_search WHERE tenant_id = ")
                .param(tenant_id)
                .push(" AND locale = ")
                .param(locale.as_str())
                .push(" AND tsv @@ to_tsquery('simple', ")
                .param(tsquery)
                .push(")");
        }
        _ => {
            // Terms are analysed words (letters and digits only), quoted as FTS5 strings.
            let mut expr = format!("tenant_id : \"{}\"", tenant_id.replace('"', ""));
            for t in terms {
                let _ = write!(expr, " AND body : \"{}\"", t.replace('"', ""));
            }
            sql.push("SELECT CAST(mission_id AS INTEGER) AS mid, bm25(mission_search, 1.0, 0.0) AS score FROM mission_search WHERE mission_search MATCH ")
                .param(expr)
                .push(" AND locale = ")
                .param(locale.as_str());
        }
    }
    let mut out = HashMap::new();
    for row in conn.query_all_raw(sql.statement()).await? {
        let id: i64 = get(&row, "mid")?;
        let score: f64 = get(&row, "score")?;
        // A mission has one row per locale; keep its best.
        out.entry(id)
            .and_modify(|s: &mut f64| *s = s.min(score))
            .or_insert(score);
    }
    Ok(out)
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
