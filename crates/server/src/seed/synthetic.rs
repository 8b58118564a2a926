//! Synthetic published missions for benchmarks, spread over every country site, resumable.

use super::*;

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
                    slug: SYNTHETIC_ORGANISATION.into(),
                    verified: true,
                    profile: OrganisationProfile {
                        city_id: cities[0].id,
                        kind: "association".into(),
                        name: "Organisation de démonstration".into(),
                        description: "Missions générées pour les mesures de performance.".into(),
                        ..Default::default()
                    },
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
                mission.fields.terms.urgent = k % 17 == 0;
                mission.fields.featured = false;
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
