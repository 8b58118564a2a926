//! The editor's fields as JSON (`MissionFieldsIn`), read over a mission's record into an
//! edit for the use cases.

use super::{Refused, api_error, internal, invalid, scope};
use crate::AppState;
use chrono::NaiveDate;
use jsap_app::missions::{self, Edit};
use jsap_domain::Locale;
use jsap_domain::missions::{MissionInput, TextInput};
use jsap_store::{Account, Cities, MissionRecord, Organisations};
use jsap_tenancy::Tenant;
use poem_openapi::Object;

/// The editor's fields. On creation `title`, `description`, `domain`, `mission_type`,
/// `contribution_types` and the dates (or `flexible`) are required; on a change, only what
/// is sent changes.
#[derive(Object, Default)]
pub(crate) struct MissionFieldsIn {
    /// In `locale`.
    title: Option<String>,
    summary: Option<String>,
    description: Option<String>,
    /// The locale of the texts (default: the site's).
    locale: Option<String>,
    /// A city slug of this site (default: the organisation's city).
    city: Option<String>,
    remote: Option<bool>,
    domain: Option<String>,
    mission_type: Option<String>,
    contribution_types: Option<Vec<String>>,
    /// No dates window: open for a year.
    flexible: Option<bool>,
    /// `YYYY-MM-DD`.
    starts_on: Option<String>,
    /// `YYYY-MM-DD`.
    ends_on: Option<String>,
    skills: Option<Vec<String>>,
    capacity: Option<i32>,
    contact_name: Option<String>,
    /// The organisation's slug (default: the token holder's first organisation).
    organisation: Option<String>,
    /// Focal points and operators only (ignored for others).
    urgent: Option<bool>,
    featured: Option<bool>,
}

fn parse_date(field: &str, raw: Option<&String>) -> Result<Option<NaiveDate>, Refused> {
    match raw.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| invalid(field, "a date as YYYY-MM-DD")),
    }
}

/// `fields` over `base` (a new mission: `None`), as an edit for the use cases.
pub(super) async fn edit_of(
    state: &AppState,
    tenant: &Tenant,
    holder: &Account,
    fields: MissionFieldsIn,
    base: Option<&MissionRecord>,
) -> Result<Edit, Refused> {
    let conn = state.store.conn();
    let locale = match fields.locale.as_deref().filter(|l| !l.is_empty()) {
        None => tenant.default_locale,
        Some(raw) => match raw.parse::<Locale>().ok().filter(|l| tenant.offers(*l)) {
            Some(l) => l,
            None => return Err(invalid("locale", "not a locale of this site")),
        },
    };
    let organisation_id = match (&fields.organisation, base) {
        (Some(slug), _) => match Organisations::for_tenant(conn, tenant)
            .by_slug(slug)
            .await
            .map_err(internal)?
        {
            Some(o) => o.id,
            None => return Err(invalid("organisation", "no such organisation here")),
        },
        (None, Some(m)) => m.fields.organisation_id,
        (None, None) => {
            let writable = missions::writable_organisations(&scope(state, tenant), holder)
                .await
                .map_err(internal)?;
            match writable.first() {
                Some(o) => o.id,
                None => {
                    return Err(Refused::Forbidden(api_error(
                        "forbidden",
                        None,
                        "you write for no organisation on this site",
                    )));
                }
            }
        }
    };
    let city_id = match &fields.city {
        Some(slug) => match Cities::for_tenant(conn, tenant)
            .by_slug(slug)
            .await
            .map_err(internal)?
        {
            Some(c) => Some(c.id),
            None => return Err(invalid("city", "not a city of this site")),
        },
        None => base.map(|m| m.fields.city_id),
    };
    let starts_on = match parse_date("starts_on", fields.starts_on.as_ref()) {
        Ok(d) => d.or(base.map(|m| m.fields.terms.starts_on)),
        Err(e) => return Err(e),
    };
    let ends_on = match parse_date("ends_on", fields.ends_on.as_ref()) {
        Ok(d) => d.or(base.map(|m| m.fields.terms.ends_on)),
        Err(e) => return Err(e),
    };
    let mut texts: Vec<TextInput> = base
        .map(|m| {
            m.fields
                .texts
                .iter()
                .filter_map(|t| {
                    Some(TextInput {
                        locale: t.locale.parse().ok()?,
                        title: t.title.clone(),
                        summary: t.summary.clone(),
                        description: t.description.clone(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    if fields.title.is_some() || fields.summary.is_some() || fields.description.is_some() {
        let at = match texts.iter().position(|t| t.locale == locale) {
            Some(at) => at,
            None => {
                texts.push(TextInput {
                    locale,
                    ..TextInput::default()
                });
                texts.len() - 1
            }
        };
        let text = &mut texts[at];
        if let Some(v) = fields.title {
            text.title = v;
        }
        if let Some(v) = fields.summary {
            text.summary = v;
        }
        if let Some(v) = fields.description {
            text.description = v;
        }
    }
    let input = MissionInput {
        texts,
        city_id,
        remote: fields
            .remote
            .or(base.map(|m| m.fields.terms.remote))
            .unwrap_or(false),
        domain: fields
            .domain
            .or(base.map(|m| m.fields.terms.domain.clone()))
            .unwrap_or_default(),
        mission_type: fields
            .mission_type
            .or(base.map(|m| m.fields.terms.mission_type.clone()))
            .unwrap_or_default(),
        contribution_types: fields
            .contribution_types
            .or(base.map(|m| m.fields.terms.contribution_types.clone()))
            .unwrap_or_default(),
        flexible: fields
            .flexible
            .or(base.map(|m| m.fields.terms.flexible))
            .unwrap_or(false),
        starts_on,
        ends_on,
        skills: fields
            .skills
            .or(base.map(|m| m.fields.skills.clone()))
            .unwrap_or_default(),
        capacity: match fields.capacity {
            Some(c) => Some(c),
            None => base.and_then(|m| m.fields.capacity),
        },
        contact_name: fields
            .contact_name
            .or(base.map(|m| m.fields.contact_name.clone()))
            .unwrap_or_default(),
    };
    Ok(Edit {
        organisation_id,
        input,
        urgent: fields
            .urgent
            .or(base.map(|m| m.fields.terms.urgent))
            .unwrap_or(false),
        featured: fields
            .featured
            .or(base.map(|m| m.fields.featured))
            .unwrap_or(false),
    })
}
