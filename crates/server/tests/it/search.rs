//! Mission search: each filter alone and combined, facet counts equal to result counts, stay
//! overlaps at their edges, accent-insensitive stemmed text, pagination, tenant isolation.

use crate::helpers::services;
use chrono::{Duration, NaiveDate};
use jesuisaupays::Services;
use jsap_domain::Locale;
use jsap_store::AcrossTenants;
use jsap_store::ConnectionTrait;
use jsap_store::{
    Cities, MissionFields, MissionQuery, MissionSearch, MissionTerms, MissionText, Missions,
    NewMission, NewOrganisation, OrganisationProfile, Organisations, SearchTab, SortOrder,
};

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, 1).expect("date") + Duration::days(n)
}

struct Spec {
    title: &'static str,
    city: &'static str,
    domain: &'static str,
    mission_type: &'static str,
    contributions: &'static [&'static str],
    remote: bool,
    urgent: bool,
    window: (i64, i64),
}

const SPECS: &[Spec] = &[
    Spec {
        title: "Rénover l'école primaire de Bonabéri",
        city: "douala",
        domain: "education-enfance",
        mission_type: "soutien-scolaire-ateliers",
        contributions: &["benevolat", "competences"],
        remote: false,
        urgent: true,
        window: (10, 40),
    },
    Spec {
        title: "Donner des livres aux écoles",
        city: "yaounde",
        domain: "education-enfance",
        mission_type: "dons-fournitures-scolaires",
        contributions: &["don-en-nature"],
        remote: false,
        urgent: false,
        window: (50, 80),
    },
    Spec {
        title: "Mentorat à distance de jeunes entrepreneurs",
        city: "douala",
        domain: "entrepreneuriat",
        mission_type: "mentorat-entrepreneurs",
        contributions: &["competences"],
        remote: true,
        urgent: false,
        window: (0, 300),
    },
    Spec {
        title: "Investir dans un programme de logements sociaux",
        city: "kribi",
        domain: "immobilier-habitat",
        mission_type: "investissement-immobilier",
        contributions: &["investissement", "epargne"],
        remote: false,
        urgent: false,
        window: (20, 200),
    },
    Spec {
        title: "Équiper le centre de santé",
        city: "kribi",
        domain: "sante",
        mission_type: "dons-equipements-sante",
        contributions: &["don-financier", "don-en-nature"],
        remote: false,
        urgent: true,
        window: (30, 31),
    },
];

async fn seed(services: &Services, code: &str) {
    let tenant = services.registry.get(code).expect("tenant").clone();
    let conn = services.store.conn();
    let cities = Cities::for_tenant(conn, &tenant)
        .list()
        .await
        .expect("cities");
    let org = Organisations::for_tenant(conn, &tenant)
        .insert(NewOrganisation {
            slug: "mairie".into(),
            verified: true,
            profile: OrganisationProfile {
                city_id: cities[0].id,
                kind: "mairie".into(),
                name: "Mairie".into(),
                description: "Ville".into(),
                ..Default::default()
            },
        })
        .await
        .expect("org");
    let missions = SPECS
        .iter()
        .map(|s| {
            let city = cities
                .iter()
                .find(|c| c.slug == s.city)
                .unwrap_or(&cities[0]);
            NewMission {
                slug: jsap_domain::slugify(s.title),
                published: true,
                photos: vec![],
                fields: MissionFields {
                    organisation_id: org,
                    city_id: city.id,
                    featured: false,
                    capacity: None,
                    contact_name: String::new(),
                    skills: vec![],
                    texts: vec![MissionText {
                        locale: "fr".into(),
                        title: s.title.into(),
                        summary: String::new(),
                        description: String::new(),
                    }],
                    terms: MissionTerms {
                        domain: s.domain.into(),
                        mission_type: s.mission_type.into(),
                        contribution_types: s.contributions.iter().map(|c| c.to_string()).collect(),
                        remote: s.remote,
                        urgent: s.urgent,
                        flexible: false,
                        starts_on: day(s.window.0),
                        ends_on: day(s.window.1),
                    },
                },
            }
        })
        .collect();
    Missions::for_tenant(conn, &tenant)
        .insert_all(missions)
        .await
        .expect("insert");
}

async fn search(
    services: &Services,
    code: &str,
    edit: impl FnOnce(&mut MissionQuery),
) -> (u64, Vec<String>, jsap_store::SearchResults) {
    let tenant = services.registry.get(code).expect("tenant").clone();
    let mut q = MissionQuery::new(Locale::Fr, day(0));
    q.per_page = 50;
    edit(&mut q);
    let results = MissionSearch::for_tenant(services.store.conn(), &tenant)
        .run(&q)
        .await
        .expect("search");
    let titles = results.items.iter().map(|h| h.title.clone()).collect();
    (results.total, titles, results)
}

async fn city_id(services: &Services, slug: &str) -> i64 {
    let tenant = services.registry.get("cm").expect("cm").clone();
    Cities::for_tenant(services.store.conn(), &tenant)
        .by_slug(slug)
        .await
        .expect("q")
        .expect("city")
        .id
}

#[tokio::test]
async fn every_filter_alone_and_combined() {
    let (services, _dir) = services().await;
    seed(&services, "cm").await;
    let kribi = city_id(&services, "kribi").await;
    let douala = city_id(&services, "douala").await;

    assert_eq!(search(&services, "cm", |_| {}).await.0, 5);
    assert_eq!(
        search(&services, "cm", |q| q.city_ids = vec![kribi])
            .await
            .0,
        2
    );
    assert_eq!(
        search(&services, "cm", |q| q.city_ids = vec![kribi, douala])
            .await
            .0,
        4
    );
    assert_eq!(
        search(&services, "cm", |q| q.domains =
            vec!["education-enfance".into()])
        .await
        .0,
        2
    );
    assert_eq!(
        search(&services, "cm", |q| q.mission_types =
            vec!["mentorat-entrepreneurs".into()])
        .await
        .0,
        1
    );
    assert_eq!(
        search(&services, "cm", |q| q.contributions =
            vec!["don-en-nature".into()])
        .await
        .0,
        2
    );
    assert_eq!(
        search(&services, "cm", |q| q.contributions =
            vec!["don-en-nature".into(), "epargne".into()])
        .await
        .0,
        3
    );
    assert_eq!(
        search(&services, "cm", |q| q.tab = Some(SearchTab::Investir))
            .await
            .0,
        1
    );
    assert_eq!(
        search(&services, "cm", |q| q.tab = Some(SearchTab::Sinvestir))
            .await
            .0,
        4
    );
    assert_eq!(
        search(&services, "cm", |q| q.tab = Some(SearchTab::Distance))
            .await
            .0,
        1
    );
    assert_eq!(search(&services, "cm", |q| q.urgent_only = true).await.0, 2);
    let (n, titles, _) = search(&services, "cm", |q| {
        q.city_ids = vec![kribi, douala];
        q.urgent_only = true;
        q.contributions = vec!["don-en-nature".into()];
    })
    .await;
    assert_eq!(
        (n, titles),
        (1, vec!["Équiper le centre de santé".to_owned()])
    );
    let (n, _, _) = search(&services, "cm", |q| {
        q.domains = vec!["education-enfance".into()];
        q.city_ids = vec![kribi];
    })
    .await;
    assert_eq!(n, 0);
}

#[tokio::test]
async fn facet_counts_equal_the_counts_of_selecting_them() {
    let (services, _dir) = services().await;
    seed(&services, "cm").await;
    let (_, _, all) = search(&services, "cm", |q| q.urgent_only = true).await;
    for (city, count) in &all.facets.cities {
        assert_eq!(
            search(&services, "cm", |q| {
                q.urgent_only = true;
                q.city_ids = vec![*city]
            })
            .await
            .0,
            *count
        );
    }
    for (domain, count) in &all.facets.domains {
        assert_eq!(
            search(&services, "cm", |q| {
                q.urgent_only = true;
                q.domains = vec![domain.clone()]
            })
            .await
            .0,
            *count
        );
    }
    for (contribution, count) in &all.facets.contributions {
        let n = search(&services, "cm", |q| {
            q.urgent_only = true;
            q.contributions = vec![contribution.clone()]
        })
        .await
        .0;
        assert_eq!(n, *count, "{contribution}");
    }
    assert_eq!(all.facets.contributions.get("don-en-nature"), Some(&1));
    // A dimension's own filter does not shrink its facet: the other choices stay visible.
    let kribi = city_id(&services, "kribi").await;
    let (_, _, filtered) = search(&services, "cm", |q| q.city_ids = vec![kribi]).await;
    assert_eq!(filtered.facets.cities.values().sum::<u64>(), 5);
    assert_eq!(filtered.facets.domains.values().sum::<u64>(), 2);
}

#[tokio::test]
async fn stay_dates_overlap_at_the_edges_and_only_flexible_remote_missions_fit_any_stay() {
    let (services, _dir) = services().await;
    seed(&services, "cm").await;
    let titles = |from: i64, to: i64| {
        let services = &services;
        async move {
            search(services, "cm", |q| q.stay = Some((day(from), day(to))))
                .await
                .1
        }
    };
    // The health mission runs on days 30..=31.
    assert!(
        titles(31, 35)
            .await
            .contains(&"Équiper le centre de santé".to_owned()),
        "last day overlaps"
    );
    assert!(
        titles(25, 30)
            .await
            .contains(&"Équiper le centre de santé".to_owned()),
        "first day overlaps"
    );
    assert!(
        !titles(32, 35)
            .await
            .contains(&"Équiper le centre de santé".to_owned()),
        "day after"
    );
    assert!(
        !titles(1, 9).await.iter().any(|t| t.starts_with("Rénover")),
        "ends before the window opens"
    );
    // A remote mission fits the stays its window overlaps, not the others (a July stay was
    // offered a remote appeal that had ended in January).
    let mentoring = "Mentorat à distance de jeunes entrepreneurs".to_owned();
    assert!(
        titles(250, 260).await.contains(&mentoring),
        "remote, in its window"
    );
    let far = titles(400, 410).await;
    assert!(far.is_empty(), "remote, outside its window: {far:?}");
    // Without a window (flexible), a remote mission fits any stay.
    let backend = services.store.conn().get_database_backend();
    for sql in [
        "UPDATE missions SET flexible = (1 = 1) WHERE tenant_id = 'cm' AND remote = (1 = 1)",
        "UPDATE tenants SET catalogue_version = catalogue_version + 1 WHERE code = 'cm'",
    ] {
        services
            .store
            .conn()
            .across_tenants()
            .execute_raw(jsap_store::Statement::from_string(backend, sql.to_owned()))
            .await
            .expect("update");
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        titles(400, 410).await,
        vec![mentoring],
        "remote and flexible"
    );
}

#[tokio::test]
async fn text_search_ignores_accents_and_case_and_stems() {
    let (services, _dir) = services().await;
    seed(&services, "cm").await;
    for text in ["ecole", "ÉCOLES", "école", "Ecoles"] {
        let (n, titles, _) = search(&services, "cm", |q| q.text = text.into()).await;
        assert_eq!(n, 2, "{text}: {titles:?}");
    }
    assert_eq!(
        search(&services, "cm", |q| q.text = "sante".into()).await.0,
        1,
        "accent-free query"
    );
    assert_eq!(
        search(&services, "cm", |q| q.text = "entrepreneur distance".into())
            .await
            .0,
        1
    );
    assert_eq!(
        search(&services, "cm", |q| q.text = "kribi".into()).await.0,
        2,
        "the city name is indexed"
    );
    assert_eq!(
        search(&services, "cm", |q| q.text = "zzzz".into()).await.0,
        0
    );
    assert_eq!(
        search(&services, "cm", |q| q.text = " ;; ".into()).await.0,
        5,
        "no terms: no text filter"
    );
    let (n, _, results) = search(&services, "cm", |q| {
        q.text = "école".into();
        q.urgent_only = true;
    })
    .await;
    assert_eq!(n, 1);
    assert_eq!(results.facets.domains.get("education-enfance"), Some(&1));
}

#[tokio::test]
async fn pagination_and_sorting() {
    let (services, _dir) = services().await;
    seed(&services, "cm").await;
    let mut seen = Vec::new();
    for page in 1..=3 {
        let (total, titles, _) = search(&services, "cm", |q| {
            q.per_page = 2;
            q.page = page;
            q.sort = SortOrder::Soonest;
        })
        .await;
        assert_eq!(total, 5);
        assert_eq!(titles.len(), if page < 3 { 2 } else { 1 });
        seen.extend(titles);
    }
    assert_eq!(seen.len(), 5);
    assert_eq!(
        seen[0], "Mentorat à distance de jeunes entrepreneurs",
        "starts first"
    );
    let (_, beyond, _) = search(&services, "cm", |q| {
        q.per_page = 2;
        q.page = 9
    })
    .await;
    assert!(beyond.is_empty());
    let (_, newest, _) = search(&services, "cm", |q| q.sort = SortOrder::Newest).await;
    assert_eq!(
        newest[0], "Équiper le centre de santé",
        "last inserted first"
    );
}

#[tokio::test]
async fn search_never_returns_another_tenants_missions() {
    let (services, _dir) = services().await;
    seed(&services, "cm").await;
    assert_eq!(search(&services, "sn", |_| {}).await.0, 0);
    assert_eq!(
        search(&services, "sn", |q| q.text = "école".into()).await.0,
        0
    );
    let (_, _, results) = search(&services, "sn", |q| q.tab = Some(SearchTab::Distance)).await;
    assert!(results.facets.cities.is_empty() && results.facets.contributions.is_empty());
    let douala = city_id(&services, "douala").await;
    assert_eq!(
        search(&services, "sn", |q| q.city_ids = vec![douala])
            .await
            .0,
        0,
        "a Cameroon city id from Senegal"
    );
}

#[tokio::test]
async fn a_cached_catalogue_sees_a_write_through_any_store_of_the_process_at_once() {
    let (replica_a, _dir) = services().await;
    let replica_b = Services::connect(&replica_a.config)
        .await
        .expect("second replica");
    let tenant = replica_a.registry.get("cm").expect("cm").clone();
    let q = MissionQuery::new(Locale::Fr, day(0));

    let before = replica_a.store.catalogue(&tenant).await.expect("catalogue");
    let again = replica_a.store.catalogue(&tenant).await.expect("catalogue");
    assert!(
        std::sync::Arc::ptr_eq(&before, &again),
        "unchanged data is served from the cache"
    );
    assert_eq!(before.search(&q).total, 0);
    let organisations_before = before.organisations().len();
    let senegal = replica_a.registry.get("sn").expect("sn").clone();
    let sn_before = replica_a
        .store
        .catalogue(&senegal)
        .await
        .expect("catalogue");

    // Another replica writes missions and an organisation.
    seed(&replica_b, "cm").await;

    let after = replica_a.store.catalogue(&tenant).await.expect("catalogue");
    assert!(after.version() > before.version());
    assert_eq!(after.search(&q).total, 5);
    assert_eq!(after.organisations().len(), organisations_before + 1);
    assert_eq!(after.open_counts(day(0)).open, 5);
    // The other tenant's catalogue did not change.
    let sn = replica_a
        .store
        .catalogue(&senegal)
        .await
        .expect("catalogue");
    assert!(std::sync::Arc::ptr_eq(&sn, &sn_before));
    assert_eq!(sn.search(&q).total, 0);
}

#[tokio::test]
async fn a_write_by_another_process_is_seen_after_the_recheck_delay() {
    let (services, _dir) = services().await;
    let tenant = services.registry.get("cm").expect("cm").clone();
    let before = services.store.catalogue(&tenant).await.expect("catalogue");
    // Another process's write: the version moves in the database, nothing in this process.
    services
        .store
        .conn()
        .across_tenants()
        .execute_unprepared(
            "UPDATE tenants SET catalogue_version = catalogue_version + 1 WHERE code = 'cm'",
        )
        .await
        .expect("bump");
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let after = services.store.catalogue(&tenant).await.expect("catalogue");
    assert_eq!(after.version(), before.version() + 1);
}

/// The versions of every tenant are read together, by one caller at a time: when they are due,
/// a burst of lookups over two tenants reads them once, and the lookups arriving while they
/// are fresh read nothing.
#[tokio::test]
async fn a_burst_over_two_tenants_reads_the_versions_once() {
    let (services, _dir) = services().await;
    let cm = services.registry.get("cm").expect("cm").clone();
    let sn = services.registry.get("sn").expect("sn").clone();
    let store = &services.store;
    let cm_first = store.catalogue(&cm).await.expect("catalogue");
    store.catalogue(&sn).await.expect("catalogue");
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let before = store.catalogue_version_reads();
    let mut burst = tokio::task::JoinSet::new();
    for i in 0..40 {
        let (store, tenant) = (store.clone(), if i % 2 == 0 { &cm } else { &sn }.clone());
        burst.spawn(async move { store.catalogue(&tenant).await.map(|_| ()) });
    }
    for found in burst.join_all().await {
        found.expect("catalogue");
    }
    assert_eq!(store.catalogue_version_reads(), before + 1);
    let again = store.catalogue(&cm).await.expect("catalogue");
    assert_eq!(
        store.catalogue_version_reads(),
        before + 1,
        "fresh: no read"
    );
    assert!(
        std::sync::Arc::ptr_eq(&again, &cm_first),
        "no write, no reload"
    );
}

/// "infirmière" finds what "infirmier" finds (the demo asks for "infirmiers").
#[tokio::test]
async fn feminine_forms_find_the_masculine() {
    let app = crate::helpers::TestApp::spawn().await;
    let s = &app.services;
    let found = |text: &'static str| search(s, "cm", move |q| q.text = text.into());
    let nurses = found("infirmier").await.0;
    assert!(nurses > 0, "the demo asks for nurses");
    assert_eq!(found("infirmière").await.0, nurses);
    assert_eq!(found("infirmieres").await.0, nurses);
    app.stop().await.expect("stop");
}

/// The words people search with find the missions of the domain they mean ("docteur" finds
/// the health mission, "enseignant" the education ones), and every word of a search must
/// still match (a doctor in Douala is not the health mission of Kribi).
#[tokio::test]
async fn a_word_people_use_finds_the_missions_of_its_domain() {
    let (services, _dir) = services().await;
    seed(&services, "cm").await;
    let found = |text: &'static str| {
        let services = &services;
        async move {
            let mut titles = search(services, "cm", move |q| q.text = text.into())
                .await
                .1;
            titles.sort();
            titles
        }
    };
    let health = vec!["Équiper le centre de santé".to_owned()];
    assert_eq!(found("docteur").await, health);
    assert_eq!(found("médecins").await, health);
    assert_eq!(found("docteur kribi").await, health);
    assert!(found("docteur douala").await.is_empty());
    assert_eq!(
        found("enseignant").await,
        vec![
            "Donner des livres aux écoles".to_owned(),
            "Rénover l'école primaire de Bonabéri".to_owned()
        ]
    );
    assert!(found("zzzz").await.is_empty());
}
