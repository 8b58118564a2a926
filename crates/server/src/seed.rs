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
    let content: DemoContent =
        toml::from_str(include_str!("../seed/demo.toml")).context("seed/demo.toml is invalid")?;
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

/// The organisation that holds the synthetic missions.
pub const SYNTHETIC_ORGANISATION: &str = "organisation-de-demonstration";

/// Brings the synthetic published missions to `total`, spread evenly over every country site,
/// for benchmarks. Each tenant's missing share is inserted in one transaction with its
/// organisation, so a run killed halfway is completed by the next one, never duplicated.
pub async fn seed_synthetic(services: &Services, total: usize) -> anyhow::Result<SeedReport> {
    let content = content()?;
    let today = Utc::now().date_naive();
    let countries: Vec<_> = services.registry.countries().cloned().collect();
    if countries.is_empty() {
        bail!(
            "no country tenant in {}",
            services.config.tenants_dir.display()
        );
    }
    let mut report = SeedReport {
        tenants: countries.len(),
        ..Default::default()
    };
    let bar = progress(total as u64, "synthetic missions");
    let mut logged_decile = 0;
    for (t, tenant) in countries.iter().enumerate() {
        let share = total / countries.len() + usize::from(t < total % countries.len());
        if share == 0 {
            continue;
        }
        let tx = services.store.begin().await?;
        let cities = Cities::for_tenant(&tx, tenant).list().await?;
        if cities.is_empty() {
            bar.inc(share as u64);
            continue;
        }
        let orgs = Organisations::for_tenant(&tx, tenant);
        let organisation_id = match orgs.by_slug(SYNTHETIC_ORGANISATION).await? {
            Some(o) => o.id,
            None => {
                report.organisations += 1;
                orgs.insert(NewOrganisation {
                    city_id: cities[0].id,
                    slug: SYNTHETIC_ORGANISATION.into(),
                    kind: "association".into(),
                    name: "Organisation de démonstration".into(),
                    description: "Missions générées pour les mesures de performance.".into(),
                    verified: false,
                })
                .await?
            }
        };
        let missions = Missions::for_tenant(&tx, tenant);
        let present = missions.count_of_organisation(organisation_id).await? as usize;
        if present >= share {
            tracing::info!(tenant.code = %tenant.code, present, "synthetic missions already there");
            bar.inc(share as u64);
            continue;
        }
        // Numbered after the ones already there: titles stay unique across reruns.
        let batch: Vec<NewMission> = (present..share)
            .map(|k| {
                let m = &content.missions[k % content.missions.len()];
                let city = &cities[k % cities.len()];
                let mut mission = m.mission(
                    tenant,
                    city,
                    organisation_id,
                    today,
                    k,
                    &format!(" — n°{}", k + 1),
                );
                mission.urgent = k % 17 == 0;
                mission.featured = false;
                mission
            })
            .collect();
        report.missions += missions.insert_all(batch).await?;
        tx.commit().await?;
        bar.inc(share as u64);
        let decile = (t + 1) * 10 / countries.len();
        if bar.is_hidden() && decile > logged_decile {
            logged_decile = decile;
            tracing::info!(
                missions = report.missions,
                total,
                "synthetic missions inserted"
            );
        }
    }
    bar.finish_and_clear();
    Ok(report)
}

/// A demo account of `seed-demo`. `password` is `None` when the account already existed (its
/// password was shown by the run that created it, and is never shown again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub tenant: String,
    pub role: &'static str,
    pub email: String,
    pub password: Option<String>,
}

/// The demo accounts of a country site: (local part, role label, display name).
const DEMO_ACCOUNTS: [(&str, &str, &str); 5] = [
    ("membre", "member", "Awa Membre"),
    ("admin-organisation", "organisation admin", "Paul Admin"),
    ("redaction", "organisation editor", "Inès Rédaction"),
    ("point-focal", "focal point", "Jean Point Focal"),
    ("operateur", "country operator", "Fatou Opératrice"),
];

/// Creates the demo accounts of every country site that has demo organisations (a member with
/// a profile and an upcoming stay, an admin and an editor of the first organisation, the focal
/// point of the main city, a country operator) and one staff account on the portal, each with
/// a random password. Accounts that already exist are left as they are (listed without
/// password).
pub async fn seed_demo_accounts(services: &Services) -> anyhow::Result<Vec<DemoAccount>> {
    use jsap_domain::EmailAddress;
    use jsap_store::{Accounts, Profile, Profiles, Role, StaffAccounts};
    let mut out = Vec::new();
    let today = Utc::now().date_naive();
    for tenant in services.registry.countries() {
        let tx = services.store.begin().await?;
        let Some(org) = Organisations::for_tenant(&tx, tenant)
            .list()
            .await?
            .into_iter()
            .min_by_key(|o| o.id)
        else {
            continue;
        };
        let cities = Cities::for_tenant(&tx, tenant).list().await?;
        let Some(main_city) = tenant
            .main_city
            .as_ref()
            .and_then(|m| cities.iter().find(|c| c.slug == m.as_str()))
            .or_else(|| cities.first())
        else {
            continue;
        };
        let accounts = Accounts::for_tenant(&tx, tenant);
        for (local, role, name) in DEMO_ACCOUNTS {
            let email = EmailAddress::parse(&format!("{local}@{}", tenant.canonical_domain))
                .map_err(|e| anyhow::anyhow!("demo email: {e}"))?;
            if accounts.find_by_email(&email).await?.is_some() {
                out.push(DemoAccount {
                    tenant: tenant.code.to_string(),
                    role,
                    email: email.to_string(),
                    password: None,
                });
                continue;
            }
            let password = crate::commands::generate_password();
            let hash = crate::commands::hash_password(&password)?;
            let account = accounts.create(&email, name, &hash, true).await?;
            match local {
                "membre" => {
                    let taxonomy = tenant.taxonomy();
                    let profile = Profile {
                        country_of_residence: "France".to_owned(),
                        home_city_id: Some(main_city.id),
                        skills: vec!["Gestion de projet".to_owned(), "Santé".to_owned()],
                        languages: vec!["Français".to_owned(), "Anglais".to_owned()],
                        domains: taxonomy
                            .domains
                            .iter()
                            .take(2)
                            .map(|d| d.slug.clone())
                            .collect(),
                        contributions: taxonomy
                            .contribution_types
                            .iter()
                            .take(2)
                            .map(|c| c.slug.clone())
                            .collect(),
                        ..Profile::default()
                    };
                    let profiles = Profiles::for_tenant(&tx, tenant);
                    profiles.save(account.id, &profile).await?;
                    profiles
                        .add_stay(
                            account.id,
                            today + Duration::days(30),
                            today + Duration::days(51),
                            &[main_city.id],
                        )
                        .await?;
                }
                "admin-organisation" => {
                    accounts
                        .grant(account.id, Role::OrganisationAdmin, None, Some(org.id))
                        .await?
                }
                "redaction" => {
                    accounts
                        .grant(account.id, Role::OrganisationEditor, None, Some(org.id))
                        .await?
                }
                "point-focal" => {
                    accounts
                        .grant(account.id, Role::FocalPoint, Some(main_city.id), None)
                        .await?
                }
                _ => {
                    accounts
                        .grant(account.id, Role::CountryOperator, None, None)
                        .await?
                }
            }
            out.push(DemoAccount {
                tenant: tenant.code.to_string(),
                role,
                email: email.to_string(),
                password: Some(password),
            });
        }
        tx.commit().await?;
    }
    if let Some(portal) = services.registry.tenants().iter().find(|t| t.is_portal()) {
        let email = EmailAddress::parse(&format!("staff@{}", portal.canonical_domain))
            .map_err(|e| anyhow::anyhow!("demo email: {e}"))?;
        let staff = StaffAccounts::new(services.store.conn(), portal)?;
        let password = if staff.find(&email).await?.is_some() {
            None
        } else {
            let password = crate::commands::generate_password();
            staff
                .upsert(
                    &email,
                    "Équipe jesuisaupays",
                    &crate::commands::hash_password(&password)?,
                    false,
                )
                .await?;
            Some(password)
        };
        out.push(DemoAccount {
            tenant: portal.code.to_string(),
            role: "staff",
            email: email.to_string(),
            password,
        });
    }
    Ok(out)
}

/// The table `seed-demo` prints: passwords of the accounts it created (shown only once).
pub fn accounts_table(accounts: &[DemoAccount]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let created: Vec<&DemoAccount> = accounts.iter().filter(|a| a.password.is_some()).collect();
    let existing = accounts.len() - created.len();
    if !created.is_empty() {
        let width = created.iter().map(|a| a.email.len()).max().unwrap_or(0);
        let _ = writeln!(
            out,
            "Demo accounts (passwords shown only once):\n{:<8} {:<20} {:<width$} password",
            "tenant", "role", "email"
        );
        for a in &created {
            let _ = writeln!(
                out,
                "{:<8} {:<20} {:<width$} {}",
                a.tenant,
                a.role,
                a.email,
                a.password.as_deref().unwrap_or("")
            );
        }
    }
    if existing > 0 {
        let _ = writeln!(
            out,
            "{existing} demo account(s) already existed: left unchanged, passwords not shown again."
        );
    }
    out
}
