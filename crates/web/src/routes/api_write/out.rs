//! A mission as its editors see it, in the write API's answers.

use super::internal;
use crate::AppState;
use chrono::NaiveDate;
use jsap_store::{Cities, MissionPhotos, MissionRecord, Organisations};
use jsap_tenancy::Tenant;
use poem_openapi::Object;

#[derive(Object)]
pub(super) struct TextOut {
    locale: String,
    title: String,
    summary: String,
    description: String,
}

/// A mission as its editors see it.
#[derive(Object)]
pub(crate) struct MissionOut {
    id: i64,
    /// `draft`, `submitted`, `published`, `changes_requested`, `refused`, `closed`, `expired`.
    status: String,
    organisation: String,
    city: String,
    remote: bool,
    domain: String,
    mission_type: String,
    contribution_types: Vec<String>,
    flexible: bool,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    skills: Vec<String>,
    #[oai(skip_serializing_if_is_none)]
    capacity: Option<i32>,
    contact_name: String,
    urgent: bool,
    featured: bool,
    texts: Vec<TextOut>,
    /// The last reviewer's comment ('' for none).
    review_comment: String,
    photos: u32,
    /// The page of the mission in the editor.
    editor_url: String,
}

/// The JSON of mission `m`.
pub(crate) async fn mission_out(
    state: &AppState,
    tenant: &Tenant,
    m: &MissionRecord,
) -> Result<Box<MissionOut>, super::Refused> {
    let conn = state.store.conn();
    let organisation = Organisations::for_tenant(conn, tenant)
        .by_id(m.fields.organisation_id)
        .await
        .map_err(internal)?;
    let city = Cities::for_tenant(conn, tenant)
        .by_id(m.fields.city_id)
        .await
        .map_err(internal)?;
    let photos = MissionPhotos::for_tenant(conn, tenant)
        .of_mission(m.id)
        .await
        .map_err(internal)?
        .len();
    Ok(Box::new(MissionOut {
        id: m.id,
        status: m.status.as_str().to_owned(),
        organisation: organisation.map(|o| o.slug).unwrap_or_default(),
        city: city.map(|c| c.slug).unwrap_or_default(),
        remote: m.fields.terms.remote,
        domain: m.fields.terms.domain.clone(),
        mission_type: m.fields.terms.mission_type.clone(),
        contribution_types: m.fields.terms.contribution_types.clone(),
        flexible: m.fields.terms.flexible,
        starts_on: m.fields.terms.starts_on,
        ends_on: m.fields.terms.ends_on,
        skills: m.fields.skills.clone(),
        capacity: m.fields.capacity,
        contact_name: m.fields.contact_name.clone(),
        urgent: m.fields.terms.urgent,
        featured: m.fields.featured,
        texts: m
            .fields
            .texts
            .iter()
            .map(|t| TextOut {
                locale: t.locale.clone(),
                title: t.title.clone(),
                summary: t.summary.clone(),
                description: t.description.clone(),
            })
            .collect(),
        review_comment: m.review_comment.clone(),
        photos: u32::try_from(photos).unwrap_or(u32::MAX),
        editor_url: format!(
            "{}/{}/espace/missions/{}",
            tenant.canonical_url(),
            tenant.default_locale,
            m.id
        ),
    }))
}
