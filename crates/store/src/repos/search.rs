//! Mission search: full-text (FTS5 on SQLite, tsvector on PostgreSQL, over terms analysed in
//! Rust so both behave the same), filters, facet counts, sorting and pagination. Every
//! statement is bound to the tenant.

use super::catalogue::{Catalogue, current_version};
use crate::StoreError;
use crate::repos::mission_edits::MissionTerms;
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
        Ok(Catalogue::load(&self.conn, self.tenant, version)
            .await?
            .search(q))
    }
}

// SQLite's index is partitioned by rowid: `search_key << 40 | mission_id << 2 | locale`.
const KEY_SHIFT: u32 = 40;
const LOCALE_BITS: u32 = 2;

fn locale_code(locale: &str) -> i64 {
    match locale {
        "fr" => 0,
        "en" => 1,
        "ar" => 2,
        _ => 3,
    }
}

fn index_rowid(search_key: i64, mission_id: i64, locale: &str) -> i64 {
    (search_key << KEY_SHIFT) | (mission_id << LOCALE_BITS) | locale_code(locale)
}

/// The rowids of one tenant's index rows.
fn key_range(search_key: i64) -> (i64, i64) {
    (search_key << KEY_SHIFT, ((search_key + 1) << KEY_SHIFT) - 1)
}

/// The tenant's number in the SQLite index (assigned at its first sync).
pub(crate) async fn search_key<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
) -> Result<i64, StoreError> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push("SELECT search_key AS k FROM tenants WHERE code = ")
        .param(tenant_id);
    let key = match conn.query_one_raw(sql.statement()).await? {
        Some(row) => get::<Option<i64>>(&row, "k")?,
        None => None,
    };
    key.ok_or_else(|| StoreError::Corrupt(format!("tenant {tenant_id} has no search key")))
}

/// Gives a new tenant the next search key.
pub(crate) async fn assign_search_key<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
) -> Result<(), StoreError> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push("UPDATE tenants SET search_key = (SELECT COALESCE(MAX(search_key), 0) + 1 FROM tenants) WHERE code = ")
        .param(tenant_id)
        .push(" AND search_key IS NULL");
    conn.execute_raw(sql.statement()).await?;
    Ok(())
}

/// One row of the search index to write.
pub(crate) struct IndexRow {
    pub mission_id: i64,
    pub locale: String,
    pub body: String,
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

/// The index body of a mission text (`mission_text`, analysed).
pub(crate) fn mission_body(
    locale: &str,
    parts: &[&str],
    domain: &str,
    mission_type: &str,
) -> String {
    let locale: Locale = locale.parse().unwrap_or(Locale::Fr);
    index_body(&mission_text(locale, parts, domain, mission_type), locale)
}

/// Writes index rows in batches (one statement per batch).
pub(crate) async fn write_index<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
    rows: &[IndexRow],
) -> Result<(), StoreError> {
    let backend = conn.get_database_backend();
    let key = match backend {
        DbBackend::Postgres => 0,
        _ => search_key(conn, tenant_id).await?,
    };
    for chunk in rows.chunks(200) {
        let mut sql = Sql::new(backend);
        match backend {
            DbBackend::Postgres => {
                sql.push(
                    "INSERT INTO mission_search (tenant_id, mission_id, locale, body) VALUES ",
                );
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
            }
            _ => {
                sql.push("INSERT INTO mission_search (rowid, body) VALUES ");
                for (i, row) in chunk.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.push("(")
                        .param(index_rowid(key, row.mission_id, &row.locale))
                        .push(", ")
                        .param(row.body.as_str())
                        .push(")");
                }
            }
        }
        conn.execute_raw(sql.statement()).await?;
    }
    Ok(())
}

/// `WHERE` clause selecting a tenant's index rows.
async fn tenant_rows<C: ConnectionTrait>(
    conn: &C,
    sql: &mut Sql,
    tenant_id: &str,
) -> Result<(), StoreError> {
    match conn.get_database_backend() {
        DbBackend::Postgres => {
            sql.push(" WHERE tenant_id = ").param(tenant_id);
        }
        _ => {
            let (low, high) = key_range(search_key(conn, tenant_id).await?);
            sql.push(" WHERE rowid BETWEEN ")
                .param(low)
                .push(" AND ")
                .param(high);
        }
    }
    Ok(())
}

/// Deletes the index rows of one mission (every locale).
pub(crate) async fn clear_mission_index<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
    mission_id: i64,
) -> Result<(), StoreError> {
    let backend = conn.get_database_backend();
    let mut sql = Sql::new(backend);
    match backend {
        DbBackend::Postgres => {
            sql.push("DELETE FROM mission_search WHERE tenant_id = ")
                .param(tenant_id)
                .push(" AND mission_id = ")
                .param(mission_id);
        }
        _ => {
            let low = index_rowid(search_key(conn, tenant_id).await?, mission_id, "fr");
            sql.push("DELETE FROM mission_search WHERE rowid BETWEEN ")
                .param(low)
                .push(" AND ")
                .param(low | ((1 << LOCALE_BITS) - 1));
        }
    }
    conn.execute_raw(sql.statement()).await?;
    Ok(())
}

/// Deletes a tenant's index rows.
pub(crate) async fn clear_index<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
) -> Result<(), StoreError> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push("DELETE FROM mission_search");
    tenant_rows(conn, &mut sql, tenant_id).await?;
    conn.execute_raw(sql.statement()).await?;
    Ok(())
}

pub(crate) async fn count_index<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
) -> Result<u64, StoreError> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push("SELECT COUNT(*) AS n FROM mission_search");
    tenant_rows(conn, &mut sql, tenant_id).await?;
    Ok(match conn.query_one_raw(sql.statement()).await? {
        Some(row) => u64::try_from(get::<i64>(&row, "n")?).unwrap_or(0),
        None => 0,
    })
}

/// The analyzer version that built the tenant's index (see `jsap_domain::search`).
pub(crate) async fn analyzer_version<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
) -> Result<i32, StoreError> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push("SELECT search_analyzer AS v FROM tenants WHERE code = ")
        .param(tenant_id);
    Ok(match conn.query_one_raw(sql.statement()).await? {
        Some(row) => get::<i32>(&row, "v")?,
        None => 0,
    })
}

pub(crate) async fn set_analyzer_version<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
    version: i32,
) -> Result<(), StoreError> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push("UPDATE tenants SET search_analyzer = ")
        .param(version)
        .push(" WHERE code = ")
        .param(tenant_id);
    conn.execute_raw(sql.statement()).await?;
    Ok(())
}
