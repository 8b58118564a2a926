//! Missions for a member: tenant isolation and the hard constraints on a real database, the
//! `assistant recommend` command as a user runs it, and "Missions pour vous" on the account
//! page.

use crate::helpers::{DemoCli, Options, TestApp, services_for};
use crate::roles::{CM, account, signed_in, tenant};
use chrono::{Duration, NaiveDate};
use jesuisaupays::Services;
use jsap_app::recommend::{Member, MemberStay, ProfileProblem, recommend};
use jsap_domain::Locale;
use jsap_store::{
    Cities, MissionFields, MissionTerms, MissionText, Missions, NewMission, NewOrganisation,
    OrganisationProfile, Organisations, Profile, Profiles, Recommendables,
};

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 7, 1).expect("date") + Duration::days(n)
}

struct Spec {
    title: &'static str,
    /// Index in the tenant's cities.
    city: usize,
    domain: &'static str,
    remote: bool,
    window: (i64, i64),
}

/// The same missions on every tenant: on site in the first two cities, remote, over, later.
const SPECS: &[Spec] = &[
    Spec {
        title: "Équiper le centre de santé",
        city: 0,
        domain: "sante",
        remote: false,
        window: (10, 20),
    },
    Spec {
        title: "Atelier de lecture",
        city: 0,
        domain: "education-enfance",
        remote: false,
        window: (5, 60),
    },
    Spec {
        title: "Mentorat à distance",
        city: 1,
        domain: "entrepreneuriat",
        remote: true,
        window: (0, 300),
    },
    Spec {
        title: "Nettoyage de la plage",
        city: 1,
        domain: "environnement-proprete",
        remote: false,
        window: (10, 20),
    },
    Spec {
        title: "Campagne terminée",
        city: 0,
        domain: "sante",
        remote: true,
        window: (-60, -1),
    },
    Spec {
        title: "Plus tard dans l'année",
        city: 0,
        domain: "sante",
        remote: false,
        window: (120, 150),
    },
];

/// Inserts `SPECS` on `code`; returns their ids in order.
async fn seed(conn: &impl jsap_store::Connection, tenant: &jsap_tenancy::Tenant) -> Vec<i64> {
    let cities = Cities::for_tenant(conn, tenant)
        .list()
        .await
        .expect("cities");
    let org = Organisations::for_tenant(conn, tenant)
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
    let missions = Missions::for_tenant(conn, tenant);
    missions
        .insert_all(
            SPECS
                .iter()
                .map(|s| NewMission {
                    slug: jsap_domain::slugify(s.title),
                    published: true,
                    photos: vec![],
                    fields: MissionFields {
                        organisation_id: org,
                        city_id: cities[s.city].id,
                        featured: false,
                        capacity: None,
                        contact_name: String::new(),
                        skills: vec!["logistique".into()],
                        texts: vec![MissionText {
                            locale: "fr".into(),
                            title: s.title.into(),
                            summary: String::new(),
                            description: String::new(),
                        }],
                        terms: MissionTerms {
                            domain: s.domain.into(),
                            mission_type: "soutien-scolaire-ateliers".into(),
                            contribution_types: vec!["benevolat".into()],
                            remote: s.remote,
                            urgent: false,
                            flexible: false,
                            starts_on: day(s.window.0),
                            ends_on: day(s.window.1),
                        },
                    },
                })
                .collect(),
        )
        .await
        .expect("insert");
    let mut ids = Vec::new();
    for s in SPECS {
        let slug = jsap_domain::slugify(s.title);
        let (id, _) = missions
            .open_slugs(day(-100))
            .await
            .expect("slugs")
            .into_iter()
            .find(|(_, found)| *found == slug)
            .expect("inserted");
        ids.push(id);
    }
    ids
}

async fn first_city(services: &Services, code: &str) -> String {
    let t = services.registry.get(code).expect("tenant");
    Cities::for_tenant(services.store.conn(), t)
        .list()
        .await
        .expect("cities")[0]
        .slug
        .clone()
}

#[tokio::test]
async fn a_second_tenant_missions_never_appear_and_constraints_hold_on_the_database() {
    let (services, _dir) = services_for(&["cm", "sn"]).await;
    let conn = services.store.conn();
    let cm = services.registry.get("cm").expect("cm").clone();
    let sn = services.registry.get("sn").expect("sn").clone();
    let cm_ids = seed(conn, &cm).await;
    let sn_ids = seed(conn, &sn).await;
    let member = Member {
        interests_domains: vec!["sante".into()],
        stays: vec![MemberStay {
            from: day(8),
            to: day(30),
            cities: vec![first_city(&services, "cm").await],
        }],
        remote_ok: true,
        ..Member::default()
    };
    let found = recommend(&services.store, &cm, &member, 50, day(0), Locale::Fr)
        .await
        .expect("recommend")
        .expect("a valid profile");
    let ids: Vec<i64> = found.iter().map(|r| r.id).collect();
    // Health during the stay first, then reading during the stay, then the remote mentoring;
    // not the beach (another city), the campaign (over) nor the later one (after the stay).
    assert_eq!(ids, [cm_ids[0], cm_ids[1], cm_ids[2]], "{found:#?}");
    assert!(ids.iter().all(|id| !sn_ids.contains(id)));
    assert!(
        found[0].reasons[0].starts_with("Pendant votre séjour à "),
        "{:?}",
        found[0].reasons
    );
    assert_eq!(found[0].reasons[1], "Correspond à votre intérêt : Santé");
    assert_eq!(found[2].reasons[0], "À distance");
    assert!(
        found[0]
            .url
            .starts_with("https://jesuisaucameroun.com/fr/missions/")
    );
    assert_eq!(found[0].title, "Équiper le centre de santé");
    // The store read alone: every remote mission of the second tenant stays out.
    let read = Recommendables::for_tenant(conn, &cm)
        .candidates(&jsap_store::CandidateFilter {
            today: day(-100),
            city_ids: vec![],
            remote: true,
        })
        .await
        .expect("read");
    assert!(!read.is_empty() && read.iter().all(|m| cm_ids.contains(&m.id)));
    // The catalogue in memory, which the ranking reads, holds the same facts.
    let cm_cities: Vec<i64> = Cities::for_tenant(conn, &cm)
        .list()
        .await
        .expect("cities")
        .iter()
        .map(|c| c.id)
        .collect();
    for filter in [
        jsap_store::CandidateFilter {
            today: day(-100),
            city_ids: vec![],
            remote: true,
        },
        jsap_store::CandidateFilter {
            today: day(0),
            city_ids: cm_cities.clone(),
            remote: true,
        },
    ] {
        let from_sql = Recommendables::for_tenant(conn, &cm)
            .candidates(&filter)
            .await
            .expect("read");
        let from_memory = services
            .store
            .catalogue(&cm)
            .await
            .expect("catalogue")
            .candidates(&filter);
        // The catalogue keeps publication times to the millisecond.
        let from_sql: Vec<_> = from_sql
            .into_iter()
            .map(|mut m| {
                m.published_at = m
                    .published_at
                    .and_then(|t| chrono::DateTime::from_timestamp_millis(t.timestamp_millis()));
                m
            })
            .collect();
        assert!(!from_sql.is_empty());
        assert_eq!(from_memory, from_sql, "{filter:?}");
    }
    // A city of the second tenant is not one of the first's.
    let sn_city = first_city(&services, "sn").await;
    let mut elsewhere = member.clone();
    elsewhere.stays[0].cities = vec![sn_city.clone()];
    let refused = recommend(&services.store, &cm, &elsewhere, 5, day(0), Locale::Fr)
        .await
        .expect("recommend");
    assert_eq!(
        refused,
        Err(ProfileProblem::UnknownCity {
            field: "stays[0].cities".into(),
            slug: sn_city,
        })
    );
    // Without remote, only the stay's missions; in English.
    let mut on_site = member.clone();
    on_site.remote_ok = false;
    let found = recommend(&services.store, &cm, &on_site, 50, day(0), Locale::En)
        .await
        .expect("recommend")
        .expect("valid");
    assert_eq!(
        found.iter().map(|r| r.id).collect::<Vec<_>>(),
        [cm_ids[0], cm_ids[1]]
    );
    assert!(found[0].reasons[0].starts_with("During your stay in "));
    assert!(found[0].url.contains("/en/missions/"));
}

#[test]
fn the_command_prints_ranked_missions_as_json_and_refuses_bad_profiles() {
    let demo = DemoCli::new();
    let dir = &demo.dir;
    let run = |args: &[&str]| demo.run(args);
    let today = chrono::Utc::now().date_naive();
    let write = |name: &str, body: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, body).expect("write");
        path.display().to_string()
    };
    let profile = |from: NaiveDate, to: NaiveDate, city: &str| {
        format!(
            r#"{{"residence_country":"FR","home_city":"douala","skills":["logistique"],
            "languages":["fr"],"interests_domains":["sante","education-enfance"],
            "contribution_types":["benevolat"],"remote_ok":true,
            "stays":[{{"from":"{from}","to":"{to}","cities":["{city}","yaounde"]}}]}}"#
        )
    };
    let good = write(
        "good.json",
        &profile(today, today + Duration::days(700), "douala"),
    );
    let today_arg = today.to_string();
    let recommend = |file: &str, extra: &[&str]| {
        let mut args = vec![
            "assistant",
            "recommend",
            "--tenant",
            "cm",
            "--profile",
            file,
            "--today",
            &today_arg,
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    let out = recommend(&good, &["--limit", "4"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON list");
    assert!(!list.is_empty() && list.len() <= 4, "{list:?}");
    let scores: Vec<f64> = list
        .iter()
        .map(|r| r["score"].as_f64().expect("score"))
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    for r in &list {
        let mut keys: Vec<&String> = r.as_object().expect("object").keys().collect();
        keys.sort();
        assert_eq!(keys, ["id", "reasons", "score", "url"]);
        assert!(
            r["url"]
                .as_str()
                .expect("url")
                .starts_with("https://jesuisaucameroun.com/fr/missions/")
        );
        assert!(!r["reasons"].as_array().expect("reasons").is_empty());
    }
    // The same ranking every time; reasons in the asked language.
    assert_eq!(recommend(&good, &["--limit", "4"]).stdout, out.stdout);
    let en = recommend(&good, &["--limit", "4", "--locale", "en"]);
    let en: Vec<serde_json::Value> = serde_json::from_slice(&en.stdout).expect("JSON");
    assert!(
        en[0]["url"]
            .as_str()
            .expect("url")
            .contains("/en/missions/")
    );

    let fails = |out: std::process::Output, expected: &str| {
        assert!(!out.status.success(), "{expected}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{expected}: {stderr}");
        assert!(out.stdout.is_empty());
    };
    let backwards = write(
        "backwards.json",
        &profile(today + Duration::days(9), today, "douala"),
    );
    fails(recommend(&backwards, &[]), "stays[0]: \"to\"");
    let unknown = write(
        "unknown.json",
        &profile(today, today + Duration::days(9), "dakar"),
    );
    fails(recommend(&unknown, &[]), "no city \"dakar\"");
    let bad = write("bad.json", "{\"stays\": [");
    fails(recommend(&bad, &[]), "is not a valid profile");
    let typo = write("typo.json", r#"{"interests": ["sante"]}"#);
    fails(recommend(&typo, &[]), "is not a valid profile");
    fails(
        recommend(&dir.path().join("none.json").display().to_string(), &[]),
        "cannot read",
    );
    fails(
        run(&[
            "assistant",
            "recommend",
            "--tenant",
            "zz",
            "--profile",
            &good,
        ]),
        "no tenant zz",
    );
}

#[tokio::test]
async fn the_account_page_ranks_missions_for_the_member_with_reasons_or_says_what_to_add() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Default::default()
    })
    .await;
    let conn = app.services.store.conn();
    let cm = tenant(&app, "cm");
    let today = cm.today();
    seed_around(conn, &cm, today).await;
    let user = account(&app, "cm", "membre@example.org", &[]).await;
    let mut member = signed_in(&app, CM, "membre@example.org").await;
    let empty = member.get("/fr/compte").await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("Missions pour vous"));
    assert!(
        empty
            .body
            .contains("Ajoutez un séjour ou vos centres d&#x27;intérêt"),
        "{}",
        empty.body
    );
    assert!(
        empty
            .body
            .contains("href=\"/fr/compte/profil\">Compléter mon profil")
    );

    let profiles = Profiles::for_tenant(conn, &cm);
    profiles
        .save(
            user,
            &Profile {
                domains: vec!["sante".into()],
                ..Profile::default()
            },
        )
        .await
        .expect("profile");
    let city = Cities::for_tenant(conn, &cm).list().await.expect("cities")[0].id;
    profiles
        .add_stay(user, today, today + Duration::days(30), &[city])
        .await
        .expect("stay");
    let page = member.get("/fr/compte").await;
    assert_eq!(page.status, 200);
    let section = page
        .body
        .split("id=\"for-you-title\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .expect("the section");
    assert!(section.contains("Équiper le centre de santé"), "{section}");
    assert!(section.contains("Pendant votre séjour à "), "{section}");
    assert!(section.contains("Correspond à votre intérêt : Santé"));
    assert!(section.contains("href=\"/fr/missions/"));
    assert!(!section.contains("Campagne terminée"), "over: never shown");
    let en = member.get("/en/compte").await;
    assert!(en.body.contains("Missions for you"));
    assert!(en.body.contains("During your stay in "));
    app.stop().await.expect("stop");
}

/// `SPECS` shifted so that day 0 is `today`.
async fn seed_around(
    conn: &impl jsap_store::Connection,
    tenant: &jsap_tenancy::Tenant,
    today: NaiveDate,
) {
    let cities = Cities::for_tenant(conn, tenant)
        .list()
        .await
        .expect("cities");
    let org = Organisations::for_tenant(conn, tenant)
        .insert(NewOrganisation {
            slug: "mairie-test".into(),
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
    Missions::for_tenant(conn, tenant)
        .insert_all(
            SPECS
                .iter()
                .map(|s| NewMission {
                    slug: jsap_domain::slugify(s.title),
                    published: true,
                    photos: vec![],
                    fields: MissionFields {
                        organisation_id: org,
                        city_id: cities[s.city].id,
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
                            mission_type: "soutien-scolaire-ateliers".into(),
                            contribution_types: vec!["benevolat".into()],
                            remote: s.remote,
                            urgent: false,
                            flexible: false,
                            starts_on: today + Duration::days(s.window.0),
                            ends_on: today + Duration::days(s.window.1),
                        },
                    },
                })
                .collect(),
        )
        .await
        .expect("insert");
}
