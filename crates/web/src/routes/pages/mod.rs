//! Search, mission, city and organisation pages of a country site.

use crate::kit::Ctx;
use crate::params::{SearchParams, encode, sort_name, tab_name};
use crate::render::{html, html_body, page_context};
use crate::views::{
    Label, Lookup, MissionCard, contribution_label, domain_label, format_date, mission_path,
    mission_type_label,
};
use crate::{AppError, AppState};
use jsap_domain::{Locale, Taxonomy};
use jsap_store::{MissionQuery, SearchResults};
use jsap_tenancy::Tenant;
use poem::http::{StatusCode, header};
use poem::web::{Path, Query};
use poem::{Request, Response, handler};
use serde::Serialize;
use std::collections::HashMap;

mod details;
mod portal;
pub use details::*;
use portal::*;

/// The tenant's cached catalogue, with its cities and organisations by id.
pub async fn lookup(state: &AppState, tenant: &Tenant) -> Result<Lookup, AppError> {
    Ok(Lookup::of(state.store.catalogue(tenant).await?))
}

/// Searches the catalogue the lookup came from (in memory: no database round trip).
pub fn search(lookup: &Lookup, q: &MissionQuery) -> SearchResults {
    lookup.catalogue.search(q)
}

pub fn cards(
    results: &SearchResults,
    locale: Locale,
    lookup: &Lookup,
    taxonomy: &Taxonomy,
) -> Vec<MissionCard> {
    results
        .items
        .iter()
        .map(|hit| MissionCard::new(hit, locale, lookup, taxonomy))
        .collect()
}

/// A compact listing (no facet counts) as cards, with the lookup that named them.
pub async fn listing(
    state: &AppState,
    tenant: &Tenant,
    q: MissionQuery,
) -> Result<(u64, Vec<MissionCard>, Lookup), AppError> {
    let lookup = lookup(state, tenant).await?;
    let (total, missions) = listing_in(tenant, &lookup, q);
    Ok((total, missions, lookup))
}

/// A compact listing from a lookup the caller already holds.
pub fn listing_in(
    tenant: &Tenant,
    lookup: &Lookup,
    mut q: MissionQuery,
) -> (u64, Vec<MissionCard>) {
    q.with_facets = false;
    let results = search(lookup, &q);
    (
        results.total,
        cards(&results, q.locale, lookup, &tenant.taxonomy()),
    )
}

#[derive(Serialize)]
struct FacetOption {
    slug: String,
    label: String,
    count: u64,
    selected: bool,
}

fn options(
    all: impl Iterator<Item = (String, String)>,
    counts: &HashMap<String, u64>,
    selected: &[String],
    keep_empty: bool,
) -> Vec<FacetOption> {
    all.map(|(slug, label)| FacetOption {
        count: counts.get(&slug).copied().unwrap_or(0),
        selected: selected.contains(&slug),
        slug,
        label,
    })
    .filter(|o| keep_empty || o.count > 0 || o.selected)
    .collect()
}

#[derive(Serialize)]
struct PageLink {
    number: u64,
    url: String,
    current: bool,
}

/// Builds the query of `params` (and what the caller changes) into a `/missions` URL.
fn search_url(locale: Locale, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        format!("/{locale}/missions")
    } else {
        format!("/{locale}/missions?{}", encode(pairs))
    }
}

/// How long a rendered search page is shared by anonymous visitors.
const SEARCH_PAGE_TTL: std::time::Duration = std::time::Duration::from_secs(30);

#[handler]
pub async fn search_page(req: &Request, page: Ctx) -> Result<Response, AppError> {
    let (state, tenant, locale) = (&page.state, &page.tenant, page.locale);
    let query = req.uri().query().unwrap_or("");
    if tenant.is_portal() {
        return portal_search(state, tenant, locale, query).await;
    }
    let taxonomy = tenant.taxonomy();
    // Anonymous visitors share rendered pages: the page depends only on this key (the
    // catalogue version changes with every write; the day moves the open missions).
    let catalogue = state.store.catalogue(tenant).await?;
    let shared = crate::session::viewer().is_none();
    let memo_key = format!(
        "{}:{locale}:{}:{}:{query}",
        tenant.code,
        catalogue.version(),
        tenant.today()
    );
    if shared && let Some(hit) = state.search_pages.get(&memo_key) {
        return Ok(hit.response(req.headers()));
    }
    let lookup = Lookup::of(catalogue);
    let mut error = None;
    let params = match SearchParams::parse(query, &taxonomy) {
        Ok(p) => match p
            .cities
            .iter()
            .find(|slug| !lookup.cities.values().any(|c| &&c.slug == slug))
        {
            Some(unknown) => {
                error = Some(("city", unknown.clone()));
                SearchParams {
                    page: 1,
                    per_page: crate::params::DEFAULT_PER_PAGE,
                    ..Default::default()
                }
            }
            None => p,
        },
        Err(e) => {
            error = Some((e.param, e.message));
            SearchParams {
                page: 1,
                per_page: crate::params::DEFAULT_PER_PAGE,
                ..Default::default()
            }
        }
    };
    let q = params.mission_query(locale, tenant.today(), &lookup.cities);
    let results = search(&lookup, &q);
    // Nothing found for a text: a close spelling that finds something with the same filters.
    let suggestion = if results.total == 0 && error.is_none() {
        lookup.catalogue.suggest(state.store.conn(), &q).await?
    } else {
        None
    };

    let mut sorted_cities: Vec<_> = lookup.cities.values().collect();
    sorted_cities.sort_by_key(|c| c.name_in(locale).to_owned());
    let city_counts: HashMap<String, u64> = lookup
        .cities
        .values()
        .map(|c| {
            (
                c.slug.clone(),
                results.facets.cities.get(&c.id).copied().unwrap_or(0),
            )
        })
        .collect();
    let facet_cities = options(
        sorted_cities
            .iter()
            .map(|c| (c.slug.clone(), c.name_in(locale).to_owned())),
        &city_counts,
        &params.cities,
        true,
    );
    let facet_domains = options(
        taxonomy
            .domains
            .iter()
            .map(|d| (d.slug.clone(), d.labels.get(locale).to_owned())),
        &results.facets.domains,
        &params.domains,
        true,
    );
    let facet_types = options(
        taxonomy
            .mission_types
            .iter()
            .map(|d| (d.slug.clone(), d.labels.get(locale).to_owned())),
        &results.facets.mission_types,
        &params.mission_types,
        false,
    );
    let facet_contributions = options(
        taxonomy
            .contribution_types
            .iter()
            .map(|d| (d.slug.clone(), d.labels.get(locale).to_owned())),
        &results.facets.contributions,
        &params.contributions,
        true,
    );

    let base = params.to_query();
    let pages = results.total.div_ceil(params.per_page.max(1));
    let page_url = |n: u64| {
        let mut pairs = base.clone();
        if n > 1 {
            pairs.push(("page", n.to_string()));
        }
        search_url(locale, &pairs)
    };
    let window = params.page.saturating_sub(2).max(1)..=(params.page + 2).min(pages);
    let page_links: Vec<PageLink> = window
        .map(|n| PageLink {
            number: n,
            url: page_url(n),
            current: n == params.page,
        })
        .collect();
    let tab_links: Vec<(String, String, bool)> = ["sinvestir", "investir", "distance"]
        .iter()
        .map(|t| {
            let mut pairs: Vec<(&str, String)> =
                base.iter().filter(|(k, _)| *k != "tab").cloned().collect();
            pairs.push(("tab", (*t).to_owned()));
            (
                t.to_string(),
                search_url(locale, &pairs),
                params.tab.map(tab_name) == Some(t),
            )
        })
        .collect();

    let rest = if query.is_empty() {
        "/missions".to_owned()
    } else {
        format!("/missions?{query}")
    };
    let mut ctx = page_context(state, tenant, locale, &rest);
    ctx.insert("q", &params.q);
    ctx.insert(
        "from",
        &params.from.map(|d| d.to_string()).unwrap_or_default(),
    );
    ctx.insert("to", &params.to.map(|d| d.to_string()).unwrap_or_default());
    ctx.insert("urgent", &params.urgent);
    ctx.insert("tab", params.tab.map(tab_name).unwrap_or(""));
    ctx.insert("sort", sort_name(params.sort));
    ctx.insert("tabs", &tab_links);
    ctx.insert("facet_cities", &facet_cities);
    ctx.insert("facet_domains", &facet_domains);
    ctx.insert("facet_types", &facet_types);
    ctx.insert("facet_contributions", &facet_contributions);
    // Which facets open with the page: those with a choice made (or a bad city named).
    let chosen = |o: &[FacetOption]| o.iter().any(|o| o.selected);
    ctx.insert(
        "open_cities",
        &(chosen(&facet_cities) || error.as_ref().is_some_and(|e| e.0 == "city")),
    );
    ctx.insert("open_domains", &chosen(&facet_domains));
    ctx.insert("open_types", &chosen(&facet_types));
    ctx.insert("open_contributions", &chosen(&facet_contributions));
    ctx.insert("total", &results.total);
    let mut missions = cards(&results, locale, &lookup, &taxonomy);
    crate::routes::favourites::mark_cards(&page, &mut missions).await?;
    ctx.insert("back", &page.here);
    put!(ctx, missions);
    ctx.insert("page", &params.page);
    ctx.insert("pages", &pages);
    ctx.insert("page_links", &page_links);
    ctx.insert(
        "prev_url",
        &(params.page > 1).then(|| page_url(params.page - 1)),
    );
    ctx.insert(
        "next_url",
        &(params.page < pages).then(|| page_url(params.page + 1)),
    );
    ctx.insert("has_filters", &params.has_filters());
    let suggestion_url = suggestion.as_ref().map(|text| {
        let mut pairs: Vec<(&str, String)> =
            base.iter().filter(|(k, _)| *k != "q").cloned().collect();
        pairs.insert(0, ("q", text.clone()));
        search_url(locale, &pairs)
    });
    put!(ctx, suggestion, suggestion_url);
    ctx.insert("error_param", &error.as_ref().map(|e| e.0));
    ctx.insert("error_message", &error.as_ref().map(|e| e.1.clone()));
    let body = state.themes.render(&tenant.theme, "search.html", &ctx)?;
    if error.is_some() {
        let mut response = html_body(body);
        response.set_status(StatusCode::BAD_REQUEST);
        return Ok(response);
    }
    if shared {
        let page = state.search_pages.put(memo_key, &body, SEARCH_PAGE_TTL);
        return Ok(page.response(req.headers()));
    }
    Ok(html_body(body))
}
