//! Demo data: realistic organisations and missions for every country site (`seed-demo`), and
//! synthetic missions in bulk for benchmarks (`seed-demo --missions N`).

use crate::startup::Services;
use anyhow::{Context, bail};
use chrono::{Duration, NaiveDate, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use jsap_domain::{Locale, Taxonomy, slugify};
use jsap_store::{
    Cities, CityRecord, Missions, NewMission, NewMissionPhoto, NewMissionText, NewOrganisation,
    Organisations,
};
use jsap_tenancy::Tenant;
use serde::Deserialize;
use std::collections::HashMap;
use std::io::IsTerminal;

mod accounts;
mod synthetic;
pub use accounts::*;
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
    fn texts(&self, tenant: &Tenant, city: &CityRecord, suffix: &str) -> Vec<NewMissionText> {
        tenant
            .locales
            .iter()
            .map(|&l| NewMissionText {
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
            organisation_id,
            city_id: city.id,
            slug: slugify(&texts[0].title),
            domain: self.domain.clone(),
            mission_type: self.mission_type.clone(),
            contributions: self.contributions.clone(),
            remote: self.remote,
            urgent: self.urgent,
            featured: self.featured,
            published: true,
            starts_on,
            ends_on: starts_on + Duration::days(self.duration_days.max(1)),
            skills: self.skills.clone(),
            photos: vec![],
            texts,
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

/// A light illustration for a domain (the demo has no real photos): a landscape in the
/// domain's colour, the sun placed by country, 640x360, about 600 bytes.
fn illustration(domain: &str, tenant_code: &str) -> String {
    let taxonomy = Taxonomy::builtin();
    let index = taxonomy
        .domains
        .iter()
        .position(|d| d.slug == domain)
        .unwrap_or(0);
    let hue = (index * 24) % 360;
    let country: usize = tenant_code.bytes().map(usize::from).sum();
    let sun = 80 + (index * 29 + country * 7) % 480;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 360\" width=\"640\" height=\"360\">\
         <defs><linearGradient id=\"s\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">\
         <stop offset=\"0\" stop-color=\"hsl({hue},60%,72%)\"/><stop offset=\"1\" stop-color=\"#fff4dd\"/>\
         </linearGradient></defs><rect width=\"640\" height=\"360\" fill=\"url(#s)\"/>\
         <circle cx=\"{sun}\" cy=\"92\" r=\"40\" fill=\"#ffd166\"/>\
         <path d=\"M0 262Q160 192 320 250T640 228V360H0Z\" fill=\"hsl({hue},45%,48%)\"/>\
         <path d=\"M0 304Q200 252 400 300T640 288V360H0Z\" fill=\"hsl({hue},50%,32%)\"/></svg>"
    )
}

/// Stores a domain's illustration for a tenant (content-addressed, so once) and returns
/// the photo to attach to a mission.
async fn demo_photo(
    services: &Services,
    tenant: &Tenant,
    domain: &str,
) -> anyhow::Result<NewMissionPhoto> {
    use sha2::Digest;
    let svg = illustration(domain, tenant.code.as_str());
    let digest = sha2::Sha256::digest(svg.as_bytes());
    let key = format!("photos/{}.svg", &hex::encode(digest)[..20]);
    services
        .blobs
        .put(tenant.code.as_str(), &key, svg.into_bytes().into())
        .await
        .with_context(|| format!("Failed to store {key}"))?;
    Ok(NewMissionPhoto {
        blob_key: key,
        content_type: "image/svg+xml".to_owned(),
        width: 640,
        height: 360,
        alt: String::new(),
    })
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

/// Loads the realistic demo data into every country site that has no organisation yet;
/// a second run changes nothing.
pub async fn seed_demo(services: &Services) -> anyhow::Result<SeedReport> {
    let content = content()?;
    let today = Utc::now().date_naive();
    let mut report = SeedReport::default();
    let countries: Vec<_> = services.registry.countries().cloned().collect();
    let bar = progress(countries.len() as u64, "demo data");
    for tenant in &countries {
        // Each tenant's demo in one transaction: a tenant has all of it or none.
        let tx = services.store.begin().await?;
        let orgs = Organisations::for_tenant(&tx, tenant);
        // The synthetic missions' organisation is not demo content: a tenant that has only
        // that one still gets its demo.
        if orgs
            .list()
            .await?
            .iter()
            .any(|o| o.slug != SYNTHETIC_ORGANISATION)
        {
            tracing::info!(tenant.code = %tenant.code, "demo data (or real organisations) present: skipped");
            bar.inc(1);
            continue;
        }
        let cities = Cities::for_tenant(&tx, tenant).list().await?;
        let Some(main_city) = tenant
            .main_city
            .as_ref()
            .and_then(|m| cities.iter().find(|c| c.slug == m.as_str()))
            .or_else(|| cities.first())
        else {
            bar.inc(1);
            continue;
        };
        let locale = tenant.default_locale;
        let country = tenant.country_name.get(locale);
        // (template key, city id) -> organisation id
        let mut org_ids: HashMap<(String, i64), i64> = HashMap::new();
        for template in &content.organisations {
            let targets: Vec<&CityRecord> = if template.per_city {
                cities.iter().collect()
            } else {
                vec![main_city]
            };
            for city in targets {
                let name = pick(
                    locale,
                    &template.name_fr,
                    &template.name_en,
                    &template.name_ar,
                )
                .replace("{city}", city.name_in(locale))
                .replace("{country}", country);
                let id = orgs
                    .insert(NewOrganisation {
                        city_id: city.id,
                        slug: slugify(&name),
                        kind: template.kind.clone(),
                        description: pick(
                            locale,
                            &template.description_fr,
                            &template.description_en,
                            &template.description_ar,
                        )
                        .to_owned(),
                        name,
                        verified: true,
                    })
                    .await?;
                org_ids.insert((template.key.clone(), city.id), id);
                report.organisations += 1;
            }
        }
        // Each mission template twice, in two different cities, so every city gets missions.
        let mut missions = Vec::new();
        // One stored illustration per domain for this tenant.
        let mut photos: HashMap<String, NewMissionPhoto> = HashMap::new();
        for round in 0..2 {
            for (i, m) in content.missions.iter().enumerate() {
                let n = round * content.missions.len() + i;
                let city = &cities[(i + round * 7) % cities.len()];
                let org_city = if org_ids.contains_key(&(m.org.clone(), city.id)) {
                    city
                } else {
                    main_city
                };
                let Some(&organisation_id) = org_ids.get(&(m.org.clone(), org_city.id)) else {
                    bail!("no organisation {} in {}", m.org, tenant.code);
                };
                let mut mission = m.mission(tenant, city, organisation_id, today, n, "");
                // Stored before the transaction commits: a failed seed leaves at most an
                // unused illustration behind, never a mission pointing at a missing one.
                let photo = match photos.get(&m.domain) {
                    Some(photo) => photo.clone(),
                    None => {
                        let photo = demo_photo(services, tenant, &m.domain).await?;
                        photos.insert(m.domain.clone(), photo.clone());
                        photo
                    }
                };
                mission.photos = vec![photo];
                // The second round repeats the templates elsewhere, without the badges.
                mission.urgent &= round == 0;
                mission.featured &= round == 0;
                missions.push(mission);
            }
        }
        report.missions += Missions::for_tenant(&tx, tenant)
            .insert_all(missions)
            .await?;
        tx.commit().await?;
        report.tenants += 1;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(report)
}
