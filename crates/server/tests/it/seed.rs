//! Demo data: realistic, complete over the taxonomy, idempotent; synthetic missions in bulk.

use crate::helpers::services;
use jesuisaupays::{Services, seed};
use jsap_domain::Taxonomy;
use jsap_store::{Cities, ConnectionTrait, Missions, Organisations};
use std::collections::HashSet;

async fn strings(services: &Services, sql: &str) -> Vec<String> {
    let backend = services.store.conn().get_database_backend();
    let rows = services
        .store
        .conn()
        .query_all_raw(jsap_store::Statement::from_string(backend, sql.to_owned()))
        .await
        .expect("query");
    rows.iter()
        .map(|r| r.try_get_by_index::<String>(0).expect("string column"))
        .collect()
}

#[tokio::test]
async fn demo_data_covers_every_domain_and_contribution_for_each_country_and_runs_once() {
    let (services, _dir) = services().await;
    let report = seed::seed_demo(&services).await.expect("seed");
    let countries = services.registry.countries().count();
    assert_eq!(report.tenants, countries);
    assert_eq!(report.missions, 60 * countries);
    let taxonomy = Taxonomy::builtin();
    for tenant in services.registry.countries() {
        let code = tenant.code.as_str();
        let domains: HashSet<String> = strings(
            &services,
            &format!("SELECT DISTINCT domain FROM missions WHERE tenant_id = '{code}'"),
        )
        .await
        .into_iter()
        .collect();
        assert_eq!(
            domains.len(),
            taxonomy.domains.len(),
            "{code}: all 15 domains"
        );
        let contributions: HashSet<String> = strings(
            &services,
            &format!(
                "SELECT DISTINCT contribution FROM mission_contributions WHERE tenant_id = '{code}'"
            ),
        )
        .await
        .into_iter()
        .collect();
        assert_eq!(
            contributions.len(),
            taxonomy.contribution_types.len(),
            "{code}: all contribution types"
        );
        let flags = strings(
            &services,
            &format!(
                "SELECT DISTINCT CASE WHEN remote THEN 'remote' ELSE 'onsite' END FROM missions WHERE tenant_id = '{code}' \
                 UNION SELECT DISTINCT CASE WHEN urgent THEN 'urgent' ELSE 'normal' END FROM missions WHERE tenant_id = '{code}'"
            ),
        )
        .await;
        for flag in ["remote", "onsite", "urgent", "normal"] {
            assert!(
                flags.contains(&flag.to_owned()),
                "{code}: some {flag} missions"
            );
        }
        let locales: HashSet<String> = strings(
            &services,
            &format!("SELECT DISTINCT locale FROM mission_texts WHERE tenant_id = '{code}'"),
        )
        .await
        .into_iter()
        .collect();
        let offered: HashSet<String> = tenant
            .locales
            .iter()
            .map(|l| l.as_str().to_owned())
            .collect();
        assert_eq!(
            locales, offered,
            "{code}: texts in exactly the tenant's locales"
        );
        // Every city gets missions, and organisations of several kinds publish.
        let cities = Cities::for_tenant(services.store.conn(), tenant)
            .list()
            .await
            .expect("cities");
        let months = strings(
            &services,
            &format!("SELECT DISTINCT substr(CAST(starts_on AS TEXT), 1, 7) FROM missions WHERE tenant_id = '{code}'"),
        )
        .await;
        assert!(
            months.len() >= 9,
            "{code}: start dates spread over the year: {months:?}"
        );
        let kinds: HashSet<String> = Organisations::for_tenant(services.store.conn(), tenant)
            .list()
            .await
            .expect("orgs")
            .into_iter()
            .map(|o| o.kind)
            .collect();
        for kind in [
            "mairie",
            "ong",
            "association",
            "entreprise",
            "aeroport",
            "banque",
        ] {
            assert!(kinds.contains(kind), "{code}: a {kind}");
        }
        let per_city = strings(
            &services,
            &format!(
                "SELECT DISTINCT CAST(city_id AS TEXT) FROM missions WHERE tenant_id = '{code}'"
            ),
        )
        .await;
        assert_eq!(
            per_city.len(),
            cities.len(),
            "{code}: missions in every city"
        );
    }
    let titles = strings(
        &services,
        "SELECT title FROM mission_texts WHERE tenant_id = 'ma' AND locale = 'ar' LIMIT 5",
    )
    .await;
    assert!(
        titles
            .iter()
            .all(|t| t.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))),
        "{titles:?}"
    );

    let again = seed::seed_demo(&services).await.expect("second seed");
    assert_eq!(
        (again.tenants, again.missions, again.organisations),
        (0, 0, 0),
        "second run adds nothing"
    );
}

#[tokio::test]
async fn synthetic_missions_spread_evenly_over_every_country() {
    let (services, _dir) = services().await;
    let report = seed::seed_synthetic(&services, 1_003).await.expect("seed");
    assert_eq!(report.missions, 1_003);
    let countries: Vec<_> = services.registry.countries().cloned().collect();
    let mut total = 0;
    for tenant in &countries {
        let n = Missions::for_tenant(services.store.conn(), tenant)
            .count_all()
            .await
            .expect("count");
        let share = 1_003 / countries.len() as u64;
        assert!(n == share || n == share + 1, "{}: {n}", tenant.code);
        total += n;
    }
    assert_eq!(total, 1_003);
}
