//! Demo data: realistic organisations and missions for every country site (`seed-demo`), and
//! synthetic missions in bulk for benchmarks (`seed-demo --missions N`).

use crate::startup::Services;
use anyhow::{Context, bail};
use chrono::{Duration, NaiveDate, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use jsap_domain::{Locale, Taxonomy, slugify};
use jsap_store::{
    Cities, CityRecord, MissionFields, MissionTerms, MissionText, Missions, NewMission,
    NewOrganisation, OrganisationProfile, Organisations,
};
use jsap_tenancy::Tenant;
use serde::Deserialize;
use std::collections::HashMap;
use std::io::IsTerminal;

mod accounts;
mod demo;
mod illustration;
mod synthetic;
pub use accounts::*;
pub use demo::*;
pub use synthetic::*;

#[derive(Debug, Deserialize)]
struct DemoContent {
    organisations: Vec<OrgTemplate>,
    missions: Vec<MissionTemplate>,
}

#[derive(Debug, Deserialize)]
struct OrgTemplate {
    key: String,
    kind: String,
    name_fr: String,
    name_en: String,
    name_ar: String,
    description_fr: String,
    description_en: String,
    description_ar: String,
    per_city: bool,
}

#[derive(Debug, Deserialize)]
struct MissionTemplate {
    org: String,
    domain: String,
    mission_type: String,
    contributions: Vec<String>,
    remote: bool,
    urgent: bool,
    featured: bool,
    duration_days: i64,
    title_fr: String,
    title_en: String,
    title_ar: String,
    summary_fr: String,
    summary_en: String,
    summary_ar: String,
    description_fr: String,
    description_en: String,
    description_ar: String,
    skills: Vec<String>,
}

fn pick<'a>(locale: Locale, fr: &'a str, en: &'a str, ar: &'a str) -> &'a str {
    match locale {
        Locale::Fr => fr,
        Locale::En => en,
        Locale::Ar => ar,
    }
}

impl MissionTemplate {
    fn texts(&self, tenant: &Tenant, city: &CityRecord, suffix: &str) -> Vec<MissionText> {
        tenant
            .locales
            .iter()
            .map(|&l| MissionText {
                locale: l.as_str().to_owned(),
                title: format!(
                    "{}{suffix}",
                    pick(l, &self.title_fr, &self.title_en, &self.title_ar)
                        .replace("{city}", city.name_in(l))
                ),
                summary: pick(l, &self.summary_fr, &self.summary_en, &self.summary_ar).to_owned(),
                description: pick(
                    l,
                    &self.description_fr,
                    &self.description_en,
                    &self.description_ar,
                )
                .to_owned(),
            })
            .collect()
    }
}

impl MissionTemplate {
    /// A published mission from this template in `city`; `n` spreads its dates over the year.
    fn mission(
        &self,
        tenant: &Tenant,
        city: &CityRecord,
        organisation_id: i64,
        today: NaiveDate,
        n: usize,
        suffix: &str,
    ) -> NewMission {
        let starts_on = start_date(today, n);
        let texts = self.texts(tenant, city, suffix);
        NewMission {
            slug: slugify(&texts[0].title),
            published: true,
            photos: vec![],
            fields: MissionFields {
                organisation_id,
                city_id: city.id,
                featured: self.featured,
                terms: MissionTerms {
                    domain: self.domain.clone(),
                    mission_type: self.mission_type.clone(),
                    contribution_types: self.contributions.clone(),
                    remote: self.remote,
                    urgent: self.urgent,
                    flexible: false,
                    starts_on,
                    ends_on: starts_on + Duration::days(self.duration_days.max(1)),
                },
                capacity: None,
                contact_name: String::new(),
                skills: self.skills.clone(),
                texts,
            },
        }
    }
}

/// The demo content shipped in the binary, checked against the taxonomy.
fn content() -> anyhow::Result<DemoContent> {
    let content: DemoContent = toml::from_str(include_str!("../../seed/demo.toml"))
        .context("seed/demo.toml is invalid")?;
    let taxonomy = Taxonomy::builtin();
    for m in &content.missions {
        let Some(kind) = taxonomy.mission_type(&m.mission_type) else {
            bail!(
                "demo mission type {} is not in the taxonomy",
                m.mission_type
            );
        };
        if kind.domain != m.domain {
            bail!(
                "demo mission type {} is not in domain {}",
                m.mission_type,
                m.domain
            );
        }
        if let Some(c) = m
            .contributions
            .iter()
            .find(|c| taxonomy.contribution_type(c).is_none())
        {
            bail!("demo contribution {c} is not in the taxonomy");
        }
        if !content.organisations.iter().any(|o| o.key == m.org) {
            bail!(
                "demo mission {} names unknown organisation {}",
                m.mission_type,
                m.org
            );
        }
    }
    Ok(content)
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub tenants: usize,
    pub organisations: usize,
    pub missions: usize,
}

pub async fn has_missions(services: &Services) -> anyhow::Result<bool> {
    for tenant in services.registry.countries() {
        if Missions::for_tenant(services.store.conn(), tenant)
            .count_all()
            .await?
            > 0
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The tenant's main city (its file names it), or its first one.
fn main_city<'c>(tenant: &Tenant, cities: &'c [CityRecord]) -> Option<&'c CityRecord> {
    tenant
        .main_city
        .as_ref()
        .and_then(|m| cities.iter().find(|c| c.slug == m.as_str()))
        .or_else(|| cities.first())
}

fn start_date(today: NaiveDate, i: usize) -> NaiveDate {
    // Spread over the coming year; a few already running.
    today + Duration::days(((i * 37) % 340) as i64 - 10)
}

fn progress(len: u64, what: &str) -> ProgressBar {
    if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(len);
        if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what.to_owned());
        bar
    } else {
        ProgressBar::hidden()
    }
}
