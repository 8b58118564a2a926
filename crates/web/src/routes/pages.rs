//! Search, mission, city and organisation pages of a country site.

use crate::extract::{CurrentTenant, page_locale};
use crate::params::{SearchParams, encode, sort_name, tab_name};
use crate::render::{html, page_context};
use crate::views::{
    Label, Lookup, MissionCard, contribution_label, domain_label, format_date, mission_path,
    mission_type_label,
};
use crate::{AppError, AppState};
use jsap_domain::{Locale, Taxonomy};
use jsap_store::{MissionPhotos, MissionQuery, Missions, SearchResults};
use jsap_tenancy::Tenant;
use poem::http::{StatusCode, header};
use poem::web::{Data, Path};
use poem::{Request, Response, handler};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// The tenant's cached catalogue, with its cities and organisations by id.
pub async fn lookup(state: &AppState, tenant: &Tenant) -> Result<Lookup, AppError> {
    let catalogue = state.store.catalogue(tenant).await?;
    Ok(Lookup {
        cities: catalogue
            .cities()
            .iter()
            .map(|c| (c.id, c.clone()))
            .collect(),
        organisations: catalogue
            .organisations()
            .iter()
            .map(|o| (o.id, o.clone()))
            .collect(),
        catalogue,
    })
}

/// Searches the catalogue the lookup came from.
pub async fn search(
    state: &AppState,
    lookup: &Lookup,
    q: &MissionQuery,
) -> Result<SearchResults, AppError> {
    Ok(lookup.catalogue.search(state.store.conn(), q).await?)
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
    let (total, missions) = listing_in(state, tenant, &lookup, q).await?;
    Ok((total, missions, lookup))
}

/// A compact listing from a lookup the caller already holds.
pub async fn listing_in(
    state: &AppState,
    tenant: &Tenant,
    lookup: &Lookup,
    mut q: MissionQuery,
) -> Result<(u64, Vec<MissionCard>), AppError> {
    q.with_facets = false;
    let results = search(state, lookup, &q).await?;
    Ok((
        results.total,
        cards(&results, q.locale, lookup, &tenant.taxonomy()),
    ))
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

#[handler]
pub async fn search_page(
    req: &Request,
    state: Data<&Arc<AppState>>,
    CurrentTenant(tenant): CurrentTenant,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    let locale = page_locale(&tenant, &raw)?;
    let query = req.uri().query().unwrap_or("");
    if tenant.is_portal() {
        return portal_search(&state, &tenant, locale, query).await;
    }
    let taxonomy = tenant.taxonomy();
    let lookup = lookup(&state, &tenant).await?;
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
    let results = search(&state, &lookup, &q).await?;

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
    let mut ctx = page_context(&state, &tenant, locale, &rest);
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
    ctx.insert("total", &results.total);
    ctx.insert("missions", &cards(&results, locale, &lookup, &taxonomy));
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
    ctx.insert("error_param", &error.as_ref().map(|e| e.0));
    ctx.insert("error_message", &error.as_ref().map(|e| e.1.clone()));
    let mut response = html(&state, &tenant, "search.html", &ctx)?;
    if error.is_some() {
        response.set_status(StatusCode::BAD_REQUEST);
    }
    Ok(response)
}

#[derive(Serialize)]
struct FocalPointView {
    name: String,
    email: String,
}

fn focal_points(tenant: &Tenant, city_slug: &str) -> Vec<FocalPointView> {
    tenant
        .focal_points
        .iter()
        .filter(|f| f.city.as_str() == city_slug)
        .map(|f| FocalPointView {
            name: f.name.clone(),
            email: f.email.to_string(),
        })
        .collect()
}

fn json_ld(value: &serde_json::Value) -> String {
    // Inside <script>, "</" could close the element: escape it.
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace("</", "<\\/")
}

#[derive(Serialize)]
struct PhotoView {
    url: String,
    width: u32,
    height: u32,
    alt: String,
}

#[handler]
pub async fn mission_page(
    state: Data<&Arc<AppState>>,
    CurrentTenant(tenant): CurrentTenant,
    Path((raw, id_slug)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let locale = page_locale(&tenant, &raw)?;
    let id: i64 = id_slug
        .split('-')
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or(AppError::NotFound)?;
    let conn = state.store.conn();
    let detail = Missions::for_tenant(conn, &tenant)
        .published(id, locale.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let canonical_path = mission_path(locale, detail.mission.id, &detail.mission.slug);
    if format!("{}-{}", detail.mission.id, detail.mission.slug) != id_slug {
        return Ok(Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header(header::LOCATION, canonical_path)
            .finish());
    }
    let taxonomy = tenant.taxonomy();
    // The similar missions' catalogue also names the mission's city and organisation.
    let mut similar_query = MissionQuery::new(locale, tenant.today());
    similar_query.domains = vec![detail.mission.domain.clone()];
    similar_query.per_page = 4;
    let (_, similar, lookup) = listing(&state, &tenant, similar_query).await?;
    let city = lookup
        .cities
        .get(&detail.mission.city_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let organisation = lookup
        .organisations
        .get(&detail.mission.organisation_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let photos: Vec<PhotoView> = MissionPhotos::for_tenant(conn, &tenant)
        .of_mission(detail.mission.id)
        .await?
        .into_iter()
        .map(|p| PhotoView {
            url: crate::routes::media::photo_path(&p.blob_key),
            width: p.width,
            height: p.height,
            alt: if p.alt.is_empty() {
                detail.mission.title.clone()
            } else {
                p.alt
            },
        })
        .collect();
    let similar: Vec<MissionCard> = similar
        .into_iter()
        .filter(|c| c.id != detail.mission.id)
        .take(3)
        .collect();

    let rest = format!("/missions/{id_slug}");
    let mut ctx = page_context(&state, &tenant, locale, &rest);
    let page_url = format!("{}{}", tenant.canonical_url(), canonical_path);
    let site_name = tenant.site_name.get(locale);
    let share_text = format!("{} — {} {}", detail.mission.title, site_name, page_url);
    let whatsapp = format!("https://wa.me/?{}", encode(&[("text", share_text)]));
    let paragraphs: Vec<&str> = detail
        .description
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let json_ld = json_ld(&serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Event",
        "name": detail.mission.title,
        "description": detail.mission.summary,
        "url": page_url,
        "startDate": detail.mission.starts_on.to_string(),
        "endDate": detail.mission.ends_on.to_string(),
        "eventAttendanceMode": if detail.mission.remote { "https://schema.org/OnlineEventAttendanceMode" } else { "https://schema.org/OfflineEventAttendanceMode" },
        "location": {
            "@type": "Place",
            "name": city.name_in(locale),
            "address": { "@type": "PostalAddress", "addressLocality": city.name_in(locale), "addressRegion": city.region, "addressCountry": tenant.country_code },
        },
        "organizer": { "@type": "Organization", "name": organisation.name },
    }));
    ctx.insert("mission", &detail);
    ctx.insert("paragraphs", &paragraphs);
    ctx.insert(
        "domain",
        &domain_label(&taxonomy, &detail.mission.domain, locale),
    );
    ctx.insert(
        "mission_type",
        &mission_type_label(&taxonomy, &detail.mission.mission_type, locale),
    );
    let contributions: Vec<Label> = detail
        .mission
        .contribution_types
        .iter()
        .map(|c| contribution_label(&taxonomy, c, locale))
        .collect();
    ctx.insert("contributions", &contributions);
    ctx.insert("starts_on", &format_date(detail.mission.starts_on, locale));
    ctx.insert("ends_on", &format_date(detail.mission.ends_on, locale));
    ctx.insert("city_name", city.name_in(locale));
    ctx.insert("city_slug", &city.slug);
    ctx.insert("organisation", &organisation);
    let contacts = focal_points(&tenant, &city.slug);
    // The call to action: answer the mission (a request to its organisation).
    ctx.insert("contact_url", &format!("{canonical_path}/repondre"));
    ctx.insert("focal_points", &contacts);
    ctx.insert("similar", &similar);
    ctx.insert(
        "share_image",
        &photos
            .first()
            .map(|p| format!("{}{}", tenant.canonical_url(), p.url)),
    );
    ctx.insert("photos", &photos);
    ctx.insert("page_url", &page_url);
    ctx.insert("whatsapp_url", &whatsapp);
    ctx.insert("json_ld", &json_ld);
    ctx.insert("text_locale", &detail.locale);
    html(&state, &tenant, "mission.html", &ctx)
}

#[handler]
pub async fn city_page(
    state: Data<&Arc<AppState>>,
    CurrentTenant(tenant): CurrentTenant,
    Path((raw, slug)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let locale = page_locale(&tenant, &raw)?;
    let lookup = lookup(&state, &tenant).await?;
    let city = lookup
        .cities
        .values()
        .find(|c| c.slug == slug)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let mut q = MissionQuery::new(locale, tenant.today());
    q.city_ids = vec![city.id];
    q.per_page = 12;
    let (total, missions) = listing_in(&state, &tenant, &lookup, q).await?;
    let organisations: Vec<_> = lookup
        .organisations
        .values()
        .filter(|o| o.city_id == city.id)
        .cloned()
        .collect();
    let mut ctx = page_context(&state, &tenant, locale, &format!("/villes/{slug}"));
    ctx.insert("city_name", city.name_in(locale));
    ctx.insert("city", &city);
    ctx.insert(
        "map_url",
        &format!(
            "https://www.openstreetmap.org/?mlat={lat:.5}&mlon={lon:.5}#map=12/{lat:.5}/{lon:.5}",
            lat = city.latitude,
            lon = city.longitude
        ),
    );
    ctx.insert("focal_points", &focal_points(&tenant, &city.slug));
    ctx.insert("total", &total);
    ctx.insert("missions", &missions);
    ctx.insert("organisations", &organisations);
    ctx.insert(
        "all_url",
        &search_url(locale, &[("city", city.slug.clone())]),
    );
    html(&state, &tenant, "city.html", &ctx)
}

#[handler]
pub async fn organisation_page(
    state: Data<&Arc<AppState>>,
    CurrentTenant(tenant): CurrentTenant,
    Path((raw, slug)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let locale = page_locale(&tenant, &raw)?;
    let lookup = lookup(&state, &tenant).await?;
    let organisation = lookup
        .organisations
        .values()
        .find(|o| o.slug == slug)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let mut q = MissionQuery::new(locale, tenant.today());
    q.organisation_ids = vec![organisation.id];
    q.per_page = 24;
    let (total, missions) = listing_in(&state, &tenant, &lookup, q).await?;
    let city = lookup.cities.get(&organisation.city_id);
    let mut ctx = page_context(&state, &tenant, locale, &format!("/organisations/{slug}"));
    ctx.insert("organisation", &organisation);
    ctx.insert(
        "kind_label",
        &jsap_adapters::translate(locale.as_str(), &format!("org_kind.{}", organisation.kind)),
    );
    ctx.insert("city_name", &city.map(|c| c.name_in(locale).to_owned()));
    ctx.insert("city_slug", &city.map(|c| c.slug.clone()));
    ctx.insert("total", &total);
    ctx.insert("missions", &missions);
    let satisfaction = jsap_store::Requests::for_tenant(state.store.conn(), &tenant)
        .organisation_score(organisation.id)
        .await?
        .map(|(average, count)| (format!("{average:.1}"), count));
    ctx.insert("satisfaction", &satisfaction);
    html(&state, &tenant, "organisation.html", &ctx)
}

#[derive(Serialize)]
struct CountryResults {
    site: String,
    country: String,
    locale: &'static str,
    total: u64,
    missions: Vec<MissionCard>,
    all_url: String,
}

/// The portal's search: the same text and filters (stay dates, domain, contribution type,
/// remote only) over every country site, each searched on its own (tenant-scoped) and linked
/// on its canonical domain with the same filters.
async fn portal_search(
    state: &AppState,
    portal: &Tenant,
    locale: Locale,
    query: &str,
) -> Result<Response, AppError> {
    let taxonomy = Taxonomy::builtin();
    let (params, error) = match SearchParams::parse(query, taxonomy) {
        Ok(p) => (p, None),
        Err(e) => (
            SearchParams {
                page: 1,
                per_page: crate::params::DEFAULT_PER_PAGE,
                ..Default::default()
            },
            Some((e.param, e.message)),
        ),
    };
    // The filters to carry to each country's own search page.
    let mut carried: Vec<(&str, String)> = Vec::new();
    if !params.q.is_empty() {
        carried.push(("q", params.q.clone()));
    }
    for (name, date) in [("from", params.from), ("to", params.to)] {
        if let Some(d) = date {
            carried.push((name, d.to_string()));
        }
    }
    carried.extend(params.cities.iter().map(|c| ("city", c.clone())));
    carried.extend(params.domains.iter().map(|d| ("domain", d.clone())));
    carried.extend(
        params
            .contributions
            .iter()
            .map(|c| ("contribution", c.clone())),
    );
    if let Some(tab) = params.tab {
        carried.push(("tab", tab_name(tab).to_owned()));
    }
    let mut countries = Vec::new();
    let mut total = 0;
    for tenant in state.registry.countries() {
        let site_locale = if tenant.offers(locale) {
            locale
        } else {
            tenant.default_locale
        };
        let lookup = lookup(state, tenant).await?;
        // A city filter names cities of some countries only: the others have no result.
        if !params.cities.is_empty()
            && !lookup
                .cities
                .values()
                .any(|c| params.cities.contains(&c.slug))
        {
            continue;
        }
        let mut q = params.mission_query(site_locale, tenant.today(), &lookup.cities);
        q.page = 1;
        q.per_page = 3;
        q.with_facets = false;
        let results = search(state, &lookup, &q).await?;
        if results.total == 0 {
            continue;
        }
        total += results.total;
        let mut missions = cards(&results, site_locale, &lookup, &tenant.taxonomy());
        for card in &mut missions {
            card.url = format!("{}{}", tenant.canonical_url(), card.url);
        }
        let search = if carried.is_empty() {
            String::new()
        } else {
            format!("?{}", encode(&carried))
        };
        countries.push(CountryResults {
            site: tenant.site_name.get(site_locale).to_owned(),
            country: tenant.country_name.get(locale).to_owned(),
            locale: site_locale.as_str(),
            total: results.total,
            missions,
            all_url: format!("{}/{site_locale}/missions{search}", tenant.canonical_url()),
        });
    }
    countries.sort_by_key(|c| std::cmp::Reverse(c.total));
    let rest = if query.is_empty() {
        "/missions".to_owned()
    } else {
        format!("/missions?{query}")
    };
    let mut ctx = page_context(state, portal, locale, &rest);
    ctx.insert("q", &params.q);
    ctx.insert("from", &params.from.map(|d| d.to_string()));
    ctx.insert("to", &params.to.map(|d| d.to_string()));
    ctx.insert(
        "remote_only",
        &(params.tab == Some(jsap_store::SearchTab::Distance)),
    );
    ctx.insert(
        "domains",
        &taxonomy
            .domains
            .iter()
            .map(|d| Label {
                slug: d.slug.clone(),
                label: d.labels.get(locale).to_owned(),
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert(
        "contribution_types",
        &taxonomy
            .contribution_types
            .iter()
            .map(|c| Label {
                slug: c.slug.clone(),
                label: c.labels.get(locale).to_owned(),
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert("selected_domain", &params.domains.first());
    ctx.insert("selected_contribution", &params.contributions.first());
    ctx.insert("total", &total);
    ctx.insert("countries", &countries);
    ctx.insert("error_param", &error.as_ref().map(|e| e.0));
    ctx.insert("error_message", &error.as_ref().map(|e| e.1.clone()));
    let mut response = html(state, portal, "portal_search.html", &ctx)?;
    if error.is_some() {
        response.set_status(StatusCode::BAD_REQUEST);
    }
    Ok(response)
}
