//! The public pages of a country site and of the portal.

use crate::extract::{CurrentTenant, page_locale};
use crate::kit::Ctx;
use crate::render::{html, html_body, page_context};
use crate::routes::pages::listing;
use crate::{AppError, AppState};
use jsap_domain::Locale;
use jsap_store::MissionQuery;
use jsap_tenancy::Tenant;
use poem::http::{StatusCode, header};
use poem::web::Path;
use poem::{Request, Response, handler};
use serde::Serialize;

/// `/` -> `/{locale}/`, the best of the tenant's locales for `Accept-Language`.
#[handler]
pub fn root(req: &Request, CurrentTenant(tenant): CurrentTenant) -> Response {
    let accept = req.header(header::ACCEPT_LANGUAGE).unwrap_or("");
    let locale = Locale::negotiate(accept, &tenant.locales).unwrap_or(tenant.default_locale);
    Response::builder()
        .status(StatusCode::FOUND)
        .header(header::LOCATION, format!("/{locale}/"))
        .header(header::VARY, "Accept-Language")
        .finish()
}

/// `/fr` -> `/fr/`.
#[handler]
pub fn locale_without_slash(
    CurrentTenant(tenant): CurrentTenant,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    let locale = page_locale(&tenant, &raw)?;
    Ok(Response::builder()
        .status(StatusCode::MOVED_PERMANENTLY)
        .header(header::LOCATION, format!("/{locale}/"))
        .finish())
}

#[derive(Serialize)]
struct CityView {
    slug: String,
    name: String,
    region: String,
    missions: u64,
}

#[derive(Serialize)]
struct SiteView {
    name: String,
    country: String,
    url: String,
    locale: &'static str,
    cities: usize,
    missions: u64,
}

#[handler]
pub async fn home(req: &Request, page: Ctx) -> Result<Response, AppError> {
    let (state, tenant, locale) = (&page.state, &page.tenant, page.locale);
    if tenant.is_portal() {
        return portal_home(state, tenant, locale).await;
    }
    // The home page is the busiest: rendered once per tenant and locale, then served by
    // `memoised_home` for HOME_TTL (the mission count and the weather are at most that old).
    // Only anonymous visitors share the memoised page: a signed-in header is per person.
    let shared = crate::session::viewer().is_none();
    // Featured and urgent first (the default order without text); its catalogue also gives
    // the counts and the cities.
    let mut top = MissionQuery::new(locale, tenant.today());
    top.per_page = 6;
    let (_, highlights, lookup) = listing(state, tenant, top).await?;
    let counts = lookup.catalogue.open_counts(tenant.today());
    let cities: Vec<CityView> = lookup
        .catalogue
        .cities()
        .iter()
        .cloned()
        .map(|c| CityView {
            missions: counts.by_city.get(&c.id).copied().unwrap_or(0),
            name: c.name_in(locale).to_owned(),
            slug: c.slug,
            region: c.region,
        })
        .collect();
    let taxonomy = tenant.taxonomy();
    let mut organisations: Vec<_> = lookup
        .organisations
        .values()
        .filter(|o| o.is_public())
        .cloned()
        .collect();
    organisations.sort_by(|a, b| a.profile.name.cmp(&b.profile.name));
    organisations.truncate(12);
    let weather_city = tenant
        .main_city
        .as_ref()
        .and_then(|slug| tenant.cities.iter().find(|c| &c.slug == slug))
        .or_else(|| tenant.cities.first())
        .map(|c| c.name_in(locale).to_owned());
    let celsius =
        jsap_adapters::weather::cached_temperature(&state.cache, tenant.code.as_str()).await;
    let news = crate::routes::news::latest(&page, 3).await?;
    let mut ctx = page_context(state, tenant, locale, "/");
    ctx.insert("news", &news);
    ctx.insert("weather", &weather_city.zip(celsius));
    ctx.insert("open_missions", &counts.open);
    ctx.insert("cities", &cities);
    ctx.insert("response_delay_days", &tenant.response_delay_days);
    ctx.insert("highlights", &highlights);
    ctx.insert("organisations", &organisations);
    crate::views::insert_search_choices(&mut ctx, &taxonomy, locale);
    let body = state.themes.render(&tenant.theme, "home.html", &ctx)?;
    if shared {
        // Without a reading yet, briefly: the weather job's first one may come any moment.
        let ttl = if celsius.is_some() {
            HOME_TTL
        } else {
            HOME_TTL_WITHOUT_WEATHER
        };
        let key = home_key(tenant, locale);
        return Ok(state.pages.put(key, body, ttl).response(req.headers()));
    }
    Ok(html_body(body))
}

/// How long a rendered home page is served from the cache.
const HOME_TTL: std::time::Duration = std::time::Duration::from_secs(30);

/// How long a home page rendered without a weather reading is served from the cache.
const HOME_TTL_WITHOUT_WEATHER: std::time::Duration = std::time::Duration::from_secs(2);

/// The route of the home page, as the metrics name it.
pub(crate) const HOME_ROUTE: &str = "/:locale/";

/// The page cache's key of a site's home page in one language.
fn home_key(tenant: &Tenant, locale: Locale) -> String {
    format!("page:home:{}:{locale}", tenant.code)
}

/// Drops a site's cached home pages, every language (`home_key` without its locale): a
/// change they show was written.
pub(crate) fn forget_home_pages(state: &AppState, tenant: &Tenant) {
    state
        .pages
        .forget_prefix(&format!("page:home:{}:", tenant.code));
}

/// The memoised home page, for an anonymous `GET /{locale}/` of a country site whose page is
/// in the cache: answered before the session, compression and routing layers, the busiest
/// page at the cost of a cache read. Anything else (a signed-in visitor, a page not rendered
/// yet or expired) goes on to `home`, which renders and memoises it.
pub(crate) fn memoised_home(state: &AppState, tenant: &Tenant, req: &Request) -> Option<Response> {
    if req.method() != poem::http::Method::GET || tenant.is_portal() {
        return None;
    }
    let locale = req
        .uri()
        .path()
        .strip_prefix('/')
        .and_then(|rest| rest.strip_suffix('/'))
        .and_then(|raw| page_locale(tenant, raw).ok())?;
    if crate::security::cookie(req, crate::session::SESSION_COOKIE).is_some() {
        return None;
    }
    let page = state.pages.get(&home_key(tenant, locale))?;
    Some(page.response(req.headers()))
}

async fn portal_home(
    state: &AppState,
    portal: &Tenant,
    locale: Locale,
) -> Result<Response, AppError> {
    let mut sites = Vec::new();
    for tenant in state.registry.countries() {
        let counts = state
            .store
            .catalogue(tenant)
            .await?
            .open_counts(tenant.today());
        let site_locale = if tenant.offers(locale) {
            locale
        } else {
            tenant.default_locale
        };
        sites.push(SiteView {
            name: tenant.site_name.get(site_locale).to_owned(),
            country: tenant.country_name.get(locale).to_owned(),
            url: format!("{}/{}/", tenant.canonical_url(), site_locale),
            locale: site_locale.as_str(),
            cities: tenant.cities.len(),
            missions: counts.open,
        });
    }
    let mut ctx = page_context(state, portal, locale, "/");
    ctx.insert("sites", &sites);
    html(state, portal, "portal.html", &ctx)
}
