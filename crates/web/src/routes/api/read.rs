//! The public reads of the API: missions (search and one), cities, taxonomy.

use super::items::{
    CityItem, MissionDetailItem, MissionFacets, MissionItem, MissionPage, PhotoItem, TaxonomyItem,
    TaxonomyPayload,
};
use super::{ApiError, api_error, api_locale, country, internal};
use crate::AppState;
use crate::extract::CurrentTenant;
use crate::params::SearchParams;
use crate::routes::pages::{lookup, search};
use jsap_store::{Cities, MissionPhotos, Missions, Organisations};
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use std::sync::Arc;

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
        let results = search(&lookup, &q);
        let items = results
            .items
            .iter()
            .map(|hit| {
                let organisation = lookup
                    .organisations
                    .get(&hit.organisation_id)
                    .map(|o| o.profile.name.as_str());
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
            None => match super::drafts::unpublished(req, &state, &tenant, id, locale).await? {
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
                organisation.as_ref().map(|o| o.profile.name.as_str()),
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
