//! The realistic demo of every country site, built through the use cases a person would go
//! through: each organisation is registered by its contact account and verified by the site's
//! editorial team; each mission is written by its organisation (or, for the urgent and
//! featured ones, by the team on its behalf), given its illustration through the photo
//! pipeline, submitted and published after a review. It is an import: nobody is emailed.

use super::*;
use jsap_app::missions::{Edit, MissionRefusal};
use jsap_app::organisations::{Decision, Draft};
use jsap_app::{Scope, SystemClock};
use jsap_domain::EmailAddress;
use jsap_domain::missions::{MissionInput, MissionStatus, MissionStep, TextInput};
use jsap_store::Grant;
use jsap_store::{
    Account, Accounts, MissionEdits, MissionFilter, MissionPhotos, OrganisationMembers,
    OrganisationRecord, Role,
};

/// An organisation of the demo: its template and its city.
struct PlannedOrganisation<'c> {
    template: &'c OrgTemplate,
    city: &'c CityRecord,
    name: String,
}

/// A mission of the demo: its template, its city, its organisation (index in the plan), and
/// `n`, which spreads the dates over the year.
struct PlannedMission<'c> {
    template: &'c MissionTemplate,
    city: &'c CityRecord,
    organisation: usize,
    n: usize,
    /// Urgent and featured (the first round of templates only): set by the team.
    flagged: bool,
}

struct Plan<'c> {
    organisations: Vec<PlannedOrganisation<'c>>,
    missions: Vec<PlannedMission<'c>>,
}

/// What the demo of `tenant` holds: the organisations of each template (one per city or one
/// in the main city) and each mission template twice, in two cities, so every city has some.
fn plan<'c>(
    content: &'c DemoContent,
    tenant: &Tenant,
    cities: &'c [CityRecord],
    main_city: &'c CityRecord,
) -> anyhow::Result<Plan<'c>> {
    let locale = tenant.default_locale;
    let country = tenant.country_name.get(locale);
    let mut organisations = Vec::new();
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
            organisations.push(PlannedOrganisation {
                template,
                city,
                name,
            });
        }
    }
    let find = |key: &str, city_id: i64| {
        organisations
            .iter()
            .position(|o| o.template.key == key && o.city.id == city_id)
    };
    let mut missions = Vec::new();
    for round in 0..2 {
        for (i, template) in content.missions.iter().enumerate() {
            let city = &cities[(i + round * 7) % cities.len()];
            let organisation = find(&template.org, city.id)
                .or_else(|| find(&template.org, main_city.id))
                .with_context(|| format!("no organisation {} in {}", template.org, tenant.code))?;
            missions.push(PlannedMission {
                template,
                city,
                organisation,
                n: round * content.missions.len() + i,
                flagged: round == 0 && (template.urgent || template.featured),
            });
        }
    }
    Ok(Plan {
        organisations,
        missions,
    })
}

/// The site's editorial team: the account that verifies the demo organisations and reviews
/// the demo missions. It holds the country operator role only while the demo is loaded.
async fn team(
    services: &Services,
    tenant: &Tenant,
    password_hash: &str,
) -> anyhow::Result<Account> {
    let accounts = Accounts::for_tenant(services.store.conn(), tenant);
    let email = demo_address("equipe", tenant)?;
    let account = match accounts.find_by_email(&email).await? {
        Some(a) => a,
        None => {
            let name = format!("Équipe {}", tenant.site_name.get(tenant.default_locale));
            accounts.create(&email, &name, password_hash, true).await?
        }
    };
    accounts.grant(account.id, Grant::CountryOperator).await?;
    Ok(account)
}

fn demo_address(local: &str, tenant: &Tenant) -> anyhow::Result<EmailAddress> {
    EmailAddress::parse(&format!("{local}@{}", tenant.canonical_domain))
        .map_err(|e| anyhow::anyhow!("demo address {local}: {e}"))
}

/// The contact account that registers `planned` (created once, verified, with a password
/// nobody knows: its owner claims it with "mot de passe oublié").
async fn contact(
    services: &Services,
    tenant: &Tenant,
    planned: &PlannedOrganisation<'_>,
    password_hash: &str,
) -> anyhow::Result<Account> {
    let accounts = Accounts::for_tenant(services.store.conn(), tenant);
    let local = format!("contact+{}-{}", planned.template.key, planned.city.slug);
    let email = demo_address(&local, tenant)?;
    Ok(match accounts.find_by_email(&email).await? {
        Some(a) => a,
        None => {
            accounts
                .create(&email, &planned.name, password_hash, true)
                .await?
        }
    })
}

/// Registers `planned` (unless a run before did) and has the team verify it. Returns the
/// organisation and whether this run registered it.
async fn organisation(
    services: &Services,
    scope: &Scope<'_>,
    team: &Account,
    planned: &PlannedOrganisation<'_>,
    password_hash: &str,
) -> anyhow::Result<(OrganisationRecord, bool)> {
    let tenant = scope.tenant;
    let locale = tenant.default_locale;
    let existing = Organisations::for_tenant(services.store.conn(), tenant)
        .by_slug(&slugify(&planned.name))
        .await?;
    let (organisation, added) = match existing {
        Some(o) => (o, false),
        None => {
            let contact = contact(services, tenant, planned, password_hash).await?;
            let t = planned.template;
            let draft = Draft {
                city_id: planned.city.id,
                kind: t.kind.clone(),
                name: planned.name.clone(),
                description: pick(
                    locale,
                    &t.description_fr,
                    &t.description_en,
                    &t.description_ar,
                )
                .to_owned(),
                website: String::new(),
                public_email: String::new(),
                phone: String::new(),
                facilities: vec![jsap_domain::organisations::FACILITIES[0].to_owned()],
            };
            let (o, _) = jsap_app::organisations::register(scope, &contact, draft).await?;
            (o, true)
        }
    };
    if organisation.status == jsap_domain::organisations::OrganisationStatus::Pending {
        let verified = jsap_app::organisations::review(
            scope,
            team,
            jsap_domain::OrganisationId(organisation.id),
            Decision::Verify,
        )
        .await?
        .map_err(|r| anyhow::anyhow!("verifying {}: {r:?}", organisation.profile.name))?;
        return Ok((verified, added));
    }
    Ok((organisation, added))
}

/// Who writes the missions of `organisation`: its first admin (the team when it has none).
async fn author(
    services: &Services,
    tenant: &Tenant,
    organisation: &OrganisationRecord,
    team: &Account,
) -> anyhow::Result<Account> {
    Ok(
        OrganisationMembers::for_tenant(services.store.conn(), tenant)
            .list(organisation.id)
            .await?
            .into_iter()
            .find(|(_, role)| *role == Role::OrganisationAdmin)
            .map_or_else(|| team.clone(), |(a, _)| a),
    )
}

fn input(
    tenant: &Tenant,
    planned: &PlannedMission<'_>,
    contact: &str,
    today: NaiveDate,
) -> MissionInput {
    let t = planned.template;
    let starts_on = start_date(today, planned.n);
    MissionInput {
        texts: t
            .texts(tenant, planned.city, "")
            .into_iter()
            .filter_map(|text| {
                Some(TextInput {
                    locale: text.locale.parse::<Locale>().ok()?,
                    title: text.title,
                    summary: text.summary,
                    description: text.description,
                })
            })
            .collect(),
        city_id: Some(planned.city.id),
        remote: t.remote,
        domain: t.domain.clone(),
        mission_type: t.mission_type.clone(),
        contribution_types: t.contributions.clone(),
        flexible: false,
        starts_on: Some(starts_on),
        ends_on: Some(starts_on + Duration::days(t.duration_days.max(1))),
        skills: t.skills.clone(),
        capacity: None,
        contact_name: contact.to_owned(),
    }
}

fn refused(what: &str, title: &str, refusal: MissionRefusal) -> anyhow::Error {
    anyhow::anyhow!("demo mission \"{title}\": {what} refused: {refusal:?}")
}

/// Brings `planned` to published, from wherever a run before left it. Returns whether this
/// run created it.
#[allow(clippy::too_many_arguments)]
async fn mission(
    services: &Services,
    scope: &Scope<'_>,
    team: &Account,
    organisation: &OrganisationRecord,
    planned: &PlannedMission<'_>,
    today: NaiveDate,
    photos: &mut HashMap<String, Vec<u8>>,
) -> anyhow::Result<bool> {
    let tenant = scope.tenant;
    let locale = tenant.default_locale;
    let edit_input = input(tenant, planned, &organisation.profile.name, today);
    let title = edit_input
        .texts
        .iter()
        .find(|t| t.locale == locale)
        .map(|t| t.title.clone())
        .unwrap_or_default();
    let writer = if planned.flagged {
        team.clone()
    } else {
        author(services, tenant, organisation, team).await?
    };
    let edits = MissionEdits::for_tenant(services.store.conn(), tenant);
    let filter = MissionFilter {
        organisations: Some(vec![organisation.id]),
        cities: Some(vec![planned.city.id]),
        statuses: vec![],
    };
    let (rows, _) = edits.list(&filter, locale.as_str(), 0, 200).await?;
    let (id, mut status, created) = match rows.iter().find(|r| r.title == title) {
        Some(row) => (row.id, row.status, false),
        None => {
            let edit = Edit {
                organisation_id: organisation.id,
                input: edit_input,
                urgent: planned.template.urgent,
                featured: planned.template.featured,
            };
            let record = jsap_app::missions::create(scope, &writer, edit)
                .await?
                .map_err(|r| refused("writing", &title, r))?;
            (record.id, record.status, true)
        }
    };
    if matches!(
        status,
        MissionStatus::Draft | MissionStatus::ChangesRequested
    ) {
        let has_photo = !MissionPhotos::for_tenant(services.store.conn(), tenant)
            .of_mission(id)
            .await?
            .is_empty();
        if !has_photo {
            let domain = &planned.template.domain;
            let bytes = match photos.get(domain) {
                Some(b) => b.clone(),
                None => {
                    let b = illustration::png(domain)?;
                    photos.insert(domain.clone(), b.clone());
                    b
                }
            };
            let alt = Taxonomy::builtin()
                .domain(domain)
                .map_or(domain.as_str(), |d| d.labels.get(locale))
                .to_owned();
            jsap_app::missions::add_photo(
                scope,
                &services.blobs,
                &writer,
                jsap_domain::MissionId(id),
                bytes,
                &alt,
            )
            .await?
            .map_err(|r| anyhow::anyhow!("demo mission \"{title}\": photo refused: {r:?}"))?;
        }
        status = jsap_app::missions::submit(scope, &writer, jsap_domain::MissionId(id))
            .await?
            .map_err(|r| refused("submitting", &title, r))?
            .status;
    }
    if status == MissionStatus::Submitted {
        jsap_app::missions::review(
            scope,
            team,
            jsap_domain::MissionId(id),
            MissionStep::Publish,
            "",
        )
        .await?
        .map_err(|r| refused("publishing", &title, r))?;
    }
    Ok(created)
}

/// Loads the demo into every country site whose organisations are all the demo's (or that
/// has none yet): what a run before left unfinished is finished, nothing is added twice.
pub async fn seed_demo(services: &Services) -> anyhow::Result<SeedReport> {
    let content = content()?;
    let today = Utc::now().date_naive();
    let mut report = SeedReport::default();
    let countries: Vec<_> = services.registry.countries().cloned().collect();
    // The demo's contact and team accounts get a password nobody knows (hashed once).
    let password_hash = crate::commands::hash_password(&crate::commands::generate_password())?;
    let bar = progress(countries.len() as u64, "demo data");
    // One illustration per domain, drawn once for every site.
    let mut photos = HashMap::new();
    for tenant in &countries {
        let conn = services.store.conn();
        let cities = Cities::for_tenant(conn, tenant).list().await?;
        let Some(main_city) = main_city(tenant, &cities) else {
            bar.inc(1);
            continue;
        };
        let plan = plan(&content, tenant, &cities, main_city)?;
        let demo_slugs: Vec<String> = plan
            .organisations
            .iter()
            .map(|o| slugify(&o.name))
            .collect();
        // Real organisations (any but the demo's and the synthetic one): not a demo site.
        if Organisations::for_tenant(conn, tenant)
            .list()
            .await?
            .iter()
            .any(|o| o.slug != SYNTHETIC_ORGANISATION && !demo_slugs.contains(&o.slug))
        {
            tracing::info!(tenant.code = %tenant.code, "real organisations present: demo skipped");
            bar.inc(1);
            continue;
        }
        let scope = Scope::new(
            &services.store,
            services.themes.clone(),
            tenant,
            &SystemClock,
        )
        .without_emails();
        let team = team(services, tenant, &password_hash).await?;
        let (organisations_before, missions_before) = (report.organisations, report.missions);
        let mut organisations = Vec::with_capacity(plan.organisations.len());
        for planned in &plan.organisations {
            let (o, added) = organisation(services, &scope, &team, planned, &password_hash).await?;
            report.organisations += usize::from(added);
            organisations.push(o);
        }
        for planned in &plan.missions {
            let organisation = &organisations[planned.organisation];
            let added = mission(
                services,
                &scope,
                &team,
                organisation,
                planned,
                today,
                &mut photos,
            )
            .await?;
            report.missions += usize::from(added);
        }
        Accounts::for_tenant(conn, tenant)
            .revoke(team.id, Grant::CountryOperator)
            .await?;
        if (report.organisations, report.missions) != (organisations_before, missions_before) {
            report.tenants += 1;
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(report)
}
