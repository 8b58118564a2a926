//! The JSON objects of the read API.

use crate::views::mission_path;
use chrono::NaiveDate;
use jsap_domain::{Locale, Taxonomy};
use jsap_store::{CityRecord, MissionHit};
use jsap_tenancy::Tenant;
use poem_openapi::Object;
use std::collections::BTreeMap;

#[derive(Object)]
pub(super) struct Named {
    pub(super) slug: String,
    pub(super) label: String,
}

#[derive(Object)]
pub(super) struct MissionItem {
    pub(super) id: i64,
    pub(super) slug: String,
    pub(super) title: String,
    pub(super) summary: String,
    /// The mission page on the tenant's canonical domain.
    pub(super) url: String,
    pub(super) city: Named,
    pub(super) organisation: String,
    pub(super) domain: Named,
    pub(super) mission_type: Named,
    pub(super) contribution_types: Vec<Named>,
    pub(super) remote: bool,
    pub(super) urgent: bool,
    pub(super) featured: bool,
    pub(super) starts_on: NaiveDate,
    pub(super) ends_on: NaiveDate,
}

#[derive(Object)]
pub(super) struct MissionDetailItem {
    #[oai(flatten)]
    pub(super) item: MissionItem,
    pub(super) description: String,
    pub(super) skills: Vec<String>,
    /// The locale of the texts (the requested one, or another when it is missing).
    pub(super) locale: String,
    pub(super) photos: Vec<PhotoItem>,
    /// `published` for everyone; a draft or a mission in review is shown to its editors
    /// only (`Authorization: Bearer <token>`).
    pub(super) status: String,
}

#[derive(Object)]
pub(super) struct PhotoItem {
    /// On the tenant's canonical domain; the content never changes under this URL.
    pub(super) url: String,
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) alt: String,
}

#[derive(Object)]
pub(super) struct MissionFacets {
    /// City slug -> number of missions.
    pub(super) cities: BTreeMap<String, u64>,
    pub(super) domains: BTreeMap<String, u64>,
    pub(super) mission_types: BTreeMap<String, u64>,
    pub(super) contribution_types: BTreeMap<String, u64>,
}

#[derive(Object)]
pub(super) struct MissionPage {
    pub(super) total: u64,
    pub(super) page: u64,
    pub(super) per_page: u64,
    pub(super) items: Vec<MissionItem>,
    pub(super) facets: MissionFacets,
}

#[derive(Object)]
pub(super) struct CityItem {
    pub(super) slug: String,
    pub(super) name: String,
    pub(super) region: String,
    pub(super) latitude: f64,
    pub(super) longitude: f64,
    pub(super) open_missions: u64,
    pub(super) url: String,
}

#[derive(Object)]
pub(super) struct TaxonomyItem {
    pub(super) slug: String,
    pub(super) label: String,
    /// For mission types: their domain. For contribution types: their tab. Absent for
    /// domains (never `null`).
    #[oai(skip_serializing_if_is_none)]
    pub(super) group: Option<String>,
}

#[derive(Object)]
pub(super) struct TaxonomyPayload {
    pub(super) domains: Vec<TaxonomyItem>,
    pub(super) mission_types: Vec<TaxonomyItem>,
    pub(super) contribution_types: Vec<TaxonomyItem>,
}

impl MissionItem {
    pub(super) fn new(
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
            domain: named(crate::views::domain_label(
                taxonomy,
                &hit.terms.domain,
                locale,
            )),
            mission_type: named(crate::views::mission_type_label(
                taxonomy,
                &hit.terms.mission_type,
                locale,
            )),
            contribution_types: hit
                .terms
                .contribution_types
                .iter()
                .map(|c| named(crate::views::contribution_label(taxonomy, c, locale)))
                .collect(),
            remote: hit.terms.remote,
            urgent: hit.terms.urgent,
            featured: hit.featured,
            starts_on: hit.terms.starts_on,
            ends_on: hit.terms.ends_on,
        }
    }
}

fn named(label: crate::views::Label) -> Named {
    Named {
        slug: label.slug,
        label: label.label,
    }
}
