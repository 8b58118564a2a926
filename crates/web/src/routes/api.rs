//! The JSON API (`/api/v1`), documented with OpenAPI (`/api/openapi.json`, `/api/docs`).
//! The tenant comes from the host, like the pages; search parameters are the search page's.

use crate::extract::CurrentTenant;
use crate::params::SearchParams;
use crate::routes::pages::{lookup, search};
use crate::views::mission_path;
use crate::{AppError, AppState};
use chrono::NaiveDate;
use jsap_domain::{Locale, Taxonomy};
use jsap_store::{Cities, CityRecord, MissionHit, MissionPhotos, Missions, Organisations};
use jsap_tenancy::Tenant;
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, OpenApiService};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Object)]
pub(crate) struct ApiError {
    /// Stable code: `invalid_parameter`, `not_found`, `internal`.
    error: String,
    /// The parameter at fault, for `invalid_parameter` (absent otherwise: never `null`).
    #[oai(skip_serializing_if_is_none)]
    parameter: Option<String>,
    message: String,
}

pub(crate) fn api_error(
    error: &str,
    parameter: Option<&str>,
    message: impl Into<String>,
) -> Json<ApiError> {
    Json(ApiError {
        error: error.to_owned(),
        parameter: parameter.map(str::to_owned),
        message: message.into(),
    })
}

#[derive(Object)]
struct Named {
    slug: String,
    label: String,
}

#[derive(Object)]
struct MissionItem {
    id: i64,
    slug: String,
    title: String,
    summary: String,
    /// The mission page on the tenant's canonical domain.
    url: String,
    city: Named,
    organisation: String,
    domain: Named,
    mission_type: Named,
    contribution_types: Vec<Named>,
    remote: bool,
    urgent: bool,
    featured: bool,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
}

#[derive(Object)]
struct MissionDetailItem {
    #[oai(flatten)]
    item: MissionItem,
    description: String,
    skills: Vec<String>,
    /// The locale of the texts (the requested one, or another when it is missing).
    locale: String,
    photos: Vec<PhotoItem>,
    /// `published` for everyone; a draft or a mission in review is shown to its editors
    /// only (`Authorization: Bearer <token>`).
    status: String,
}

#[derive(Object)]
struct PhotoItem {
    /// On the tenant's canonical domain; the content never changes under this URL.
    url: String,
    width: u32,
    height: u32,
    alt: String,
}

#[derive(Object)]
struct MissionFacets {
    /// City slug -> number of missions.
    cities: BTreeMap<String, u64>,
    domains: BTreeMap<String, u64>,
    mission_types: BTreeMap<String, u64>,
    contribution_types: BTreeMap<String, u64>,
}

#[derive(Object)]
struct MissionPage {
    total: u64,
    page: u64,
    per_page: u64,
    items: Vec<MissionItem>,
    facets: MissionFacets,
}

#[derive(Object)]
struct CityItem {
    slug: String,
    name: String,
    region: String,
    latitude: f64,
    longitude: f64,
    open_missions: u64,
    url: String,
}

#[derive(Object)]
struct TaxonomyItem {
    slug: String,
    label: String,
    /// For mission types: their domain. For contribution types: their tab. Absent for
    /// domains (never `null`).
    #[oai(skip_serializing_if_is_none)]
    group: Option<String>,
}

#[derive(Object)]
struct TaxonomyPayload {
    domains: Vec<TaxonomyItem>,
    mission_types: Vec<TaxonomyItem>,
    contribution_types: Vec<TaxonomyItem>,
}

#[derive(ApiResponse)]
enum MissionsResponse {
    #[oai(status = 200)]
    Ok(Json<MissionPage>),
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
}

#[derive(ApiResponse)]
enum MissionResponse {
    #[oai(status = 200)]
    Ok(Json<Box<MissionDetailItem>>),
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
}

#[derive(ApiResponse)]
enum CitiesResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<CityItem>>),
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
}

#[derive(ApiResponse)]
enum TaxonomyResponse {
    #[oai(status = 200)]
    Ok(Json<TaxonomyPayload>),
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
}

pub struct Api;

/// The locale of an API call: `?locale=`, limited to the tenant's; default the tenant's.
fn api_locale(tenant: &Tenant, raw: Option<&str>) -> Result<Locale, Json<ApiError>> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(tenant.default_locale),
        Some(raw) => raw
            .parse::<Locale>()
            .ok()
            .filter(|l| tenant.offers(*l))
            .ok_or_else(|| {
                let offered: Vec<&str> = tenant.locales.iter().map(|l| l.as_str()).collect();
                api_error(
                    "invalid_parameter",
                    Some("locale"),
                    format!("must be one of {}", offered.join(", ")),
                )
            }),
    }
}

pub(crate) fn country(tenant: &CurrentTenant) -> Result<Arc<Tenant>, Json<ApiError>> {
    if tenant.0.is_portal() {
        Err(api_error(
            "not_found",
            None,
            "the portal has no missions: ask a country site",
        ))
    } else {
        Ok(tenant.0.clone())
    }
}

fn internal(e: AppError) -> poem::Error {
    tracing::error!(error = %e, "api request failed");
    poem::Error::from_status(poem::http::StatusCode::INTERNAL_SERVER_ERROR)
}

#[OpenApi(prefix_path = "/v1")]
impl Api {
    /// Search the open missions of this country site (same filters as the search page).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/missions", method = "get")]
    async fn missions(
        &self,
        req: &Request,
        state: Data<&Arc<AppState>>,
        tenant: CurrentTenant,
        /// Free text; accents and case do not matter.
        #[oai(name = "q")]
        _q: Query<Option<String>>,
        /// City slug; repeat for several.
        #[oai(name = "city")]
        _city: Query<Vec<String>>,
        /// Domain slug; repeat for several.
        #[oai(name = "domain")]
        _domain: Query<Vec<String>>,
        /// Mission type slug; repeat for several.
        #[oai(name = "mission_type")]
        _mission_type: Query<Vec<String>>,
        /// Contribution type slug; repeat for several.
        #[oai(name = "contribution")]
        _contribution: Query<Vec<String>>,
        /// `sinvestir`, `investir` or `distance`.
        #[oai(name = "tab")]
        _tab: Query<Option<String>>,
        /// First day of the stay (ISO date).
        #[oai(name = "from")]
        _from: Query<Option<String>>,
        /// Last day of the stay (ISO date).
        #[oai(name = "to")]
        _to: Query<Option<String>>,
        /// `true` for urgent missions only.
        #[oai(name = "urgent")]
        _urgent: Query<Option<String>>,
        /// `relevance`, `soonest` or `newest`.
        #[oai(name = "sort")]
        _sort: Query<Option<String>>,
        /// 1-based page number.
        #[oai(name = "page")]
        _page: Query<Option<String>>,
        /// Items per page, 1 to 50 (default 12).
        #[oai(name = "per_page")]
        _per_page: Query<Option<String>>,
        /// `fr`, `en` or `ar`, among the site's locales.
        #[oai(name = "locale")]
        _locale: Query<Option<String>>,
    ) -> poem::Result<MissionsResponse> {
        let tenant = match country(&tenant) {
            Ok(t) => t,
            Err(e) => return Ok(MissionsResponse::NotFound(e)),
        };
        let taxonomy = tenant.taxonomy();
        let params = match SearchParams::parse(req.uri().query().unwrap_or(""), &taxonomy) {
            Ok(p) => p,
            Err(e) => {
                return Ok(MissionsResponse::BadRequest(api_error(
                    "invalid_parameter",
                    Some(e.param),
                    e.message,
                )));
            }
        };
        let raw_locale = params
            .extra
            .iter()
            .find(|(k, _)| k == "locale")
            .map(|(_, v)| v.as_str());
        let locale = match api_locale(&tenant, raw_locale) {
            Ok(l) => l,
            Err(e) => return Ok(MissionsResponse::BadRequest(e)),
        };
        let lookup = lookup(&state, &tenant).await.map_err(internal)?;
        if let Some(unknown) = params
            .cities
            .iter()
            .find(|s| !lookup.cities.values().any(|c| &&c.slug == s))
        {
            return Ok(MissionsResponse::BadRequest(api_error(
                "invalid_parameter",
                Some("city"),
                format!("unknown city \"{unknown}\""),
            )));
        }
        let q = params.mission_query(locale, tenant.today(), &lookup.cities);
        let results = search(&state, &lookup, &q).await.map_err(internal)?;
        let items = results
            .items
            .iter()
            .map(|hit| {
                let organisation = lookup
                    .organisations
                    .get(&hit.organisation_id)
                    .map(|o| o.name.as_str());
                MissionItem::new(
                    hit,
                    &tenant,
                    locale,
                    lookup.cities.get(&hit.city_id),
                    organisation,
                    &taxonomy,
                )
            })
            .collect();
        let city_slug = |id: &i64| {
            lookup
                .cities
                .get(id)
                .map(|c| c.slug.clone())
                .unwrap_or_default()
        };
        let facets = MissionFacets {
            cities: results
                .facets
                .cities
                .iter()
                .map(|(id, n)| (city_slug(id), *n))
                .collect(),
            domains: results.facets.domains.into_iter().collect(),
            mission_types: results.facets.mission_types.into_iter().collect(),
            contribution_types: results.facets.contributions.into_iter().collect(),
        };
        Ok(MissionsResponse::Ok(Json(MissionPage {
            total: results.total,
            page: params.page,
            per_page: params.per_page,
            items,
            facets,
        })))
    }

    /// One open mission of this country site.
    #[oai(path = "/missions/:id", method = "get")]
    async fn mission(
        &self,
        req: &Request,
        state: Data<&Arc<AppState>>,
        tenant: CurrentTenant,
        /// The mission id.
        id: Path<String>,
        /// `fr`, `en` or `ar`, among the site's locales.
        locale: Query<Option<String>>,
    ) -> poem::Result<MissionResponse> {
        let tenant = match country(&tenant) {
            Ok(t) => t,
            Err(e) => return Ok(MissionResponse::NotFound(e)),
        };
        let Ok(id) = id.0.parse::<i64>() else {
            return Ok(MissionResponse::BadRequest(api_error(
                "invalid_parameter",
                Some("id"),
                "must be a number",
            )));
        };
        let locale = match api_locale(&tenant, locale.0.as_deref()) {
            Ok(l) => l,
            Err(e) => return Ok(MissionResponse::BadRequest(e)),
        };
        let conn = state.store.conn();
        let published = Missions::for_tenant(conn, &tenant)
            .published(id, locale.as_str())
            .await
            .map_err(|e| internal(e.into()))?;
        let (detail, status) = match published {
            Some(detail) => (detail, "published".to_owned()),
            // Not public: shown to its editors, by token, whatever its status.
            None => match unpublished(req, &state, &tenant, id, locale).await? {
                Some(found) => found,
                None => {
                    return Ok(MissionResponse::NotFound(api_error(
                        "not_found",
                        None,
                        format!("no mission {id} on this site"),
                    )));
                }
            },
        };
        let taxonomy = tenant.taxonomy();
        let city = Cities::for_tenant(conn, &tenant)
            .by_id(detail.mission.city_id)
            .await
            .map_err(|e| internal(e.into()))?;
        let organisation = Organisations::for_tenant(conn, &tenant)
            .by_id(detail.mission.organisation_id)
            .await
            .map_err(|e| internal(e.into()))?;
        let photos = MissionPhotos::for_tenant(conn, &tenant)
            .of_mission(detail.mission.id)
            .await
            .map_err(|e| internal(e.into()))?
            .into_iter()
            .map(|p| PhotoItem {
                url: format!(
                    "{}{}",
                    tenant.canonical_url(),
                    crate::routes::media::photo_path(&p.blob_key)
                ),
                width: p.width,
                height: p.height,
                alt: p.alt_or(&detail.mission.title),
            })
            .collect();
        Ok(MissionResponse::Ok(Json(Box::new(MissionDetailItem {
            item: MissionItem::new(
                &detail.mission,
                &tenant,
                locale,
                city.as_ref(),
                organisation.as_ref().map(|o| o.name.as_str()),
                &taxonomy,
            ),
            description: detail.description,
            skills: detail.skills,
            locale: detail.locale,
            photos,
            status,
        }))))
    }

    /// The cities of this country site with their open missions.
    #[oai(path = "/cities", method = "get")]
    async fn cities(
        &self,
        state: Data<&Arc<AppState>>,
        tenant: CurrentTenant,
        /// `fr`, `en` or `ar`, among the site's locales.
        locale: Query<Option<String>>,
    ) -> poem::Result<CitiesResponse> {
        let tenant = match country(&tenant) {
            Ok(t) => t,
            Err(e) => return Ok(CitiesResponse::NotFound(e)),
        };
        let locale = match api_locale(&tenant, locale.0.as_deref()) {
            Ok(l) => l,
            Err(e) => return Ok(CitiesResponse::BadRequest(e)),
        };
        let catalogue = state
            .store
            .catalogue(&tenant)
            .await
            .map_err(|e| internal(e.into()))?;
        let counts = catalogue.open_counts(tenant.today());
        Ok(CitiesResponse::Ok(Json(
            catalogue
                .cities()
                .iter()
                .cloned()
                .map(|c| CityItem {
                    open_missions: counts.by_city.get(&c.id).copied().unwrap_or(0),
                    url: format!("{}/{locale}/villes/{}", tenant.canonical_url(), c.slug),
                    name: c.name_in(locale).to_owned(),
                    slug: c.slug,
                    region: c.region,
                    latitude: c.latitude,
                    longitude: c.longitude,
                })
                .collect(),
        )))
    }

    /// The taxonomy this site uses: domains, mission types and contribution types.
    #[oai(path = "/taxonomy", method = "get")]
    async fn taxonomy(
        &self,
        tenant: CurrentTenant,
        /// `fr`, `en` or `ar`, among the site's locales.
        locale: Query<Option<String>>,
    ) -> poem::Result<TaxonomyResponse> {
        let tenant = tenant.0;
        let locale = match api_locale(&tenant, locale.0.as_deref()) {
            Ok(l) => l,
            Err(e) => return Ok(TaxonomyResponse::BadRequest(e)),
        };
        let taxonomy = tenant.taxonomy();
        Ok(TaxonomyResponse::Ok(Json(TaxonomyPayload {
            domains: taxonomy
                .domains
                .iter()
                .map(|d| TaxonomyItem {
                    slug: d.slug.clone(),
                    label: d.labels.get(locale).to_owned(),
                    group: None,
                })
                .collect(),
            mission_types: taxonomy
                .mission_types
                .iter()
                .map(|m| TaxonomyItem {
                    slug: m.slug.clone(),
                    label: m.labels.get(locale).to_owned(),
                    group: Some(m.domain.clone()),
                })
                .collect(),
            contribution_types: taxonomy
                .contribution_types
                .iter()
                .map(|c| TaxonomyItem {
                    slug: c.slug.clone(),
                    label: c.labels.get(locale).to_owned(),
                    group: Some(crate::params::tab_label(c.tab).to_owned()),
                })
                .collect(),
        })))
    }
}

impl MissionItem {
    fn new(
        hit: &MissionHit,
        tenant: &Tenant,
        locale: Locale,
        city: Option<&CityRecord>,
        organisation: Option<&str>,
        taxonomy: &Taxonomy,
    ) -> Self {
        Self {
            id: hit.id,
            slug: hit.slug.clone(),
            title: hit.title.clone(),
            summary: hit.summary.clone(),
            url: format!(
                "{}{}",
                tenant.canonical_url(),
                mission_path(locale, hit.id, &hit.slug)
            ),
            city: Named {
                slug: city.map(|c| c.slug.clone()).unwrap_or_default(),
                label: city
                    .map(|c| c.name_in(locale).to_owned())
                    .unwrap_or_default(),
            },
            organisation: organisation.unwrap_or_default().to_owned(),
            domain: named(crate::views::domain_label(taxonomy, &hit.domain, locale)),
            mission_type: named(crate::views::mission_type_label(
                taxonomy,
                &hit.mission_type,
                locale,
            )),
            contribution_types: hit
                .contribution_types
                .iter()
                .map(|c| named(crate::views::contribution_label(taxonomy, c, locale)))
                .collect(),
            remote: hit.remote,
            urgent: hit.urgent,
            featured: hit.featured,
            starts_on: hit.starts_on,
            ends_on: hit.ends_on,
        }
    }
}

/// Mission `id` as its editor sees it, when the request's bearer token is one of its
/// editors' (`None` otherwise: no token, another's, or no such mission).
async fn unpublished(
    req: &Request,
    state: &AppState,
    tenant: &Arc<Tenant>,
    id: i64,
    locale: Locale,
) -> poem::Result<Option<(jsap_store::MissionDetail, String)>> {
    let Some(token) = req
        .headers()
        .get(poem::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return Ok(None);
    };
    let scope = super::api_write::scope(state, tenant);
    let Some(account) = jsap_app::tokens::authenticate(&scope, token.trim())
        .await
        .map_err(|e| internal(e.into()))?
    else {
        return Ok(None);
    };
    let conn = state.store.conn();
    let Some(m) = jsap_store::MissionEdits::for_tenant(conn, tenant)
        .find(id)
        .await
        .map_err(|e| internal(e.into()))?
    else {
        return Ok(None);
    };
    let writable = jsap_app::missions::writable_organisations(&scope, &account)
        .await
        .map_err(|e| internal(e.into()))?;
    if !writable.iter().any(|o| o.id == m.organisation_id) {
        return Ok(None);
    }
    let text = m
        .text(locale.as_str())
        .cloned()
        .unwrap_or(jsap_store::MissionTextRecord {
            locale: locale.as_str().to_owned(),
            title: String::new(),
            summary: String::new(),
            description: String::new(),
        });
    let detail = jsap_store::MissionDetail {
        mission: MissionHit {
            id: m.id,
            slug: m.slug.clone(),
            title: text.title,
            summary: text.summary,
            lang: text.locale.clone(),
            city_id: m.city_id,
            organisation_id: m.organisation_id,
            domain: m.domain.clone(),
            mission_type: m.mission_type.clone(),
            contribution_types: m.contributions.clone(),
            remote: m.remote,
            urgent: m.urgent,
            featured: m.featured,
            flexible: m.flexible,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
        },
        description: text.description,
        skills: m.skills.clone(),
        locale: text.locale,
        capacity: m.capacity,
        contact_name: m.contact_name.clone(),
        validated: m.validated,
    };
    Ok(Some((detail, m.status.as_str().to_owned())))
}

fn named(label: crate::views::Label) -> Named {
    Named {
        slug: label.slug,
        label: label.label,
    }
}

pub fn service() -> OpenApiService<(Api, super::api_write::WriteApi), ()> {
    OpenApiService::new((Api, super::api_write::WriteApi), "jesuisaupays", "1.0").server("/api")
}

/// Errors raised before a handler runs (a body that is not the JSON or the multipart form
/// documented, a missing token) answered as JSON with a stable code, like the handlers' own.
pub async fn json_error(err: poem::Error) -> poem::Response {
    use poem::IntoResponse;
    let status = err.status();
    let code = match status.as_u16() {
        401 => "unauthorized",
        404 => "not_found",
        405 => "method_not_allowed",
        413 => "too_large",
        415 => "unsupported_type",
        400..=499 => "invalid_body",
        _ => "internal",
    };
    let message = if status.is_server_error() {
        "internal error".to_owned()
    } else {
        err.to_string()
    };
    let mut resp = api_error(code, None, message).into_response();
    resp.set_status(status);
    resp
}
