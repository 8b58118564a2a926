//! Demo data: realistic, complete over the taxonomy, idempotent; synthetic missions in bulk.

use crate::helpers::{services, services_for};
use jesuisaupays::{Services, seed};
use jsap_domain::Taxonomy;
use jsap_store::AcrossTenants;
use jsap_store::{Cities, ConnectionTrait, Missions, Organisations};
use std::collections::HashSet;

async fn strings(services: &Services, sql: &str) -> Vec<String> {
    let backend = services.store.conn().get_database_backend();
    let rows = services
        .store
        .conn()
        .across_tenants()
        .query_all_raw(jsap_store::Statement::from_string(backend, sql.to_owned()))
        .await
        .expect("query");
    rows.iter()
        .map(|r| r.try_get_by_index::<String>(0).expect("string column"))
        .collect()
}

#[tokio::test]
async fn demo_data_covers_every_domain_and_contribution_for_each_country_and_runs_once() {
    // Two sites (French and Arabic by default): the demo of each is made through every use
    // case, which takes seconds a site.
    let (services, _dir) = services_for(&["cm", "ma"]).await;
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
            .map(|o| o.profile.kind)
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

async fn count(services: &Services, sql: &str) -> i64 {
    let backend = services.store.conn().get_database_backend();
    let row = services
        .store
        .conn()
        .across_tenants()
        .query_one_raw(jsap_store::Statement::from_string(backend, sql.to_owned()))
        .await
        .expect("query")
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("count")
}

async fn run(services: &Services, sql: &str) {
    let backend = services.store.conn().get_database_backend();
    services
        .store
        .conn()
        .across_tenants()
        .execute_raw(jsap_store::Statement::from_string(backend, sql.to_owned()))
        .await
        .expect("statement");
}

/// The demo is made the way people make content: each organisation registered by its contact
/// (its admin) and verified by the site's team, each mission written, given its photo through
/// the pipeline, submitted and published after a review, every step in its history. It emails
/// nobody, leaves the team without its operator role, and a rerun finishes what a run before
/// left unfinished without adding anything.
#[tokio::test]
async fn demo_data_goes_through_the_use_cases_and_a_rerun_finishes_it() {
    let (services, _dir) = services_for(&["cm", "sn"]).await;
    let outbox_before = count(&services, "SELECT COUNT(*) FROM email_outbox").await;
    let report = seed::seed_demo(&services).await.expect("seed");
    assert!(report.missions > 0);
    assert_eq!(
        count(&services, "SELECT COUNT(*) FROM email_outbox").await,
        outbox_before,
        "an import emails nobody"
    );
    let cm = "tenant_id = 'cm'";
    let missions = count(
        &services,
        &format!("SELECT COUNT(*) FROM missions WHERE {cm}"),
    )
    .await;
    assert_eq!(missions, 60);
    for (what, sql) in [
        (
            "published after a review",
            format!(
                "SELECT COUNT(*) FROM missions WHERE {cm} AND status = 'published' AND validated AND reviewed_by IS NOT NULL"
            ),
        ),
        (
            "written by an account",
            format!("SELECT COUNT(*) FROM missions WHERE {cm} AND created_by IS NOT NULL"),
        ),
        (
            "created in the history",
            format!("SELECT COUNT(*) FROM mission_history WHERE {cm} AND action = 'create'"),
        ),
        (
            "submitted in the history",
            format!("SELECT COUNT(*) FROM mission_history WHERE {cm} AND action = 'submit'"),
        ),
        (
            "published in the history",
            format!("SELECT COUNT(*) FROM mission_history WHERE {cm} AND action = 'publish'"),
        ),
        (
            "with a card and a page photo",
            format!(
                "SELECT COUNT(DISTINCT mission_id) FROM mission_photos WHERE {cm} AND card_key <> '' AND content_type = 'image/jpeg' AND alt <> ''"
            ),
        ),
    ] {
        assert_eq!(
            count(&services, &sql).await,
            missions,
            "every mission {what}"
        );
    }
    let organisations = count(
        &services,
        &format!("SELECT COUNT(*) FROM organisations WHERE {cm}"),
    )
    .await;
    assert!(organisations > 14, "{organisations}");
    for (what, sql) in [
        (
            "verified by a reviewer",
            format!(
                "SELECT COUNT(*) FROM organisations WHERE {cm} AND status = 'verified' AND verified AND reviewed_by IS NOT NULL"
            ),
        ),
        (
            "registered by an account",
            format!("SELECT COUNT(*) FROM organisations WHERE {cm} AND created_by IS NOT NULL"),
        ),
        (
            "with an admin",
            format!(
                "SELECT COUNT(DISTINCT organisation_id) FROM memberships WHERE {cm} AND role = 'organisation_admin'"
            ),
        ),
    ] {
        assert_eq!(
            count(&services, &sql).await,
            organisations,
            "every organisation {what}"
        );
    }
    assert_eq!(
        count(
            &services,
            &format!("SELECT COUNT(*) FROM memberships WHERE {cm} AND role = 'country_operator'")
        )
        .await,
        0,
        "the team gives its operator role back"
    );
    // Urgent and featured missions are set by the team (a reviewer), the rest by the contacts.
    assert!(
        count(
            &services,
            &format!("SELECT COUNT(*) FROM missions WHERE {cm} AND urgent")
        )
        .await
            > 0
    );

    // A run killed halfway: a mission left submitted, another still a draft without its photo,
    // an organisation not verified yet.
    let ids: Vec<String> = strings(
        &services,
        &format!("SELECT CAST(id AS TEXT) FROM missions WHERE {cm} ORDER BY id LIMIT 2"),
    )
    .await;
    run(
        &services,
        &format!(
            "UPDATE missions SET status = 'submitted' WHERE id = {}",
            ids[0]
        ),
    )
    .await;
    run(
        &services,
        &format!("UPDATE missions SET status = 'draft' WHERE id = {}", ids[1]),
    )
    .await;
    run(
        &services,
        &format!("DELETE FROM mission_photos WHERE mission_id = {}", ids[1]),
    )
    .await;
    let org = strings(
        &services,
        &format!("SELECT CAST(id AS TEXT) FROM organisations WHERE {cm} ORDER BY id DESC LIMIT 1"),
    )
    .await;
    run(
        &services,
        &format!(
            "UPDATE organisations SET status = 'pending', verified = (1 = 0) WHERE id = {}",
            org[0]
        ),
    )
    .await;
    let again = seed::seed_demo(&services).await.expect("rerun");
    assert_eq!(
        (again.organisations, again.missions),
        (0, 0),
        "nothing added twice"
    );
    assert_eq!(
        count(
            &services,
            &format!("SELECT COUNT(*) FROM missions WHERE {cm} AND status = 'published'")
        )
        .await,
        60,
        "the unfinished missions are published"
    );
    assert_eq!(
        count(
            &services,
            &format!(
                "SELECT COUNT(*) FROM mission_photos WHERE mission_id = {}",
                ids[1]
            )
        )
        .await,
        1,
        "the draft got its photo"
    );
    assert_eq!(
        strings(
            &services,
            &format!("SELECT status FROM organisations WHERE id = {}", org[0])
        )
        .await,
        vec!["verified".to_owned()]
    );
    assert_eq!(
        count(&services, "SELECT COUNT(*) FROM email_outbox").await,
        outbox_before
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

/// A run killed halfway leaves some tenants with part of their share (each tenant's share is
/// one transaction, so at worst none of it): the next run fills what is missing, a third adds
/// nothing, and the demo content still loads beside the synthetic missions.
#[tokio::test]
async fn seeding_again_fills_what_is_missing_and_never_duplicates() {
    let (services, _dir) = services_for(&["cm", "sn", "ci"]).await;
    let partial = seed::seed_synthetic(&services, 400).await.expect("partial");
    assert_eq!(partial.missions, 400);
    let rest = seed::seed_synthetic(&services, 1_003).await.expect("rerun");
    assert_eq!(rest.missions, 603, "only the missing missions");
    assert_eq!(rest.organisations, 0, "the organisation is reused");
    let again = seed::seed_synthetic(&services, 1_003).await.expect("third");
    assert_eq!(again.missions, 0);
    let countries: Vec<_> = services.registry.countries().cloned().collect();
    let mut total = 0;
    for tenant in &countries {
        total += Missions::for_tenant(services.store.conn(), tenant)
            .count_all()
            .await
            .expect("count");
    }
    assert_eq!(total, 1_003);
    let demo = seed::seed_demo(&services)
        .await
        .expect("demo after synthetic");
    assert_eq!(demo.tenants, countries.len(), "every tenant gets its demo");
    assert_eq!(demo.missions, 60 * countries.len());
}

/// (tenant, role, email, password) rows of the table `seed-demo` prints.
fn table_rows(table: &str) -> Vec<(String, String, String, String)> {
    table
        .lines()
        .filter(|l| l.contains('@'))
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let email_at = words.iter().position(|w| w.contains('@')).expect("email");
            (
                words[0].to_owned(),
                words[1..email_at].join(" "),
                words[email_at].to_owned(),
                words[email_at + 1].to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn demo_accounts_are_created_once_and_log_in_with_the_printed_password() {
    use crate::helpers::{Browser, TestApp};
    let app = TestApp::spawn().await;
    let first = seed::seed_demo_accounts(&app.services)
        .await
        .expect("accounts");
    let countries = app.services.registry.countries().count();
    assert_eq!(first.len(), countries * 5 + 1);
    assert!(first.iter().all(|a| a.password.is_some()));
    let table = seed::accounts_table(&first);
    let rows = table_rows(&table);
    assert_eq!(rows.len(), first.len(), "{table}");
    let again = seed::seed_demo_accounts(&app.services)
        .await
        .expect("again");
    assert_eq!(again.len(), first.len());
    assert!(again.iter().all(|a| a.password.is_none()), "not recreated");
    let second_table = seed::accounts_table(&again);
    assert!(table_rows(&second_table).is_empty());
    assert!(second_table.contains("already existed"), "{second_table}");

    let login = |host: &'static str, email: String, password: String| {
        let app = &app;
        async move {
            let mut browser = Browser::new(app, host);
            let page = browser.login(&email, &password).await;
            assert_eq!(page.status, 303, "{email}: {}", page.body);
            browser
        }
    };
    let find = |tenant: &str, role: &str| {
        rows.iter()
            .find(|r| r.0 == tenant && r.1 == role)
            .map(|r| (r.2.clone(), r.3.clone()))
            .unwrap_or_else(|| panic!("{tenant} {role} in {table}"))
    };
    let expectations = [
        ("member", "/fr/compte"),
        ("organisation admin", "/fr/espace/organisation"),
        ("organisation editor", "/fr/espace/organisation"),
        ("focal point", "/fr/espace/ville"),
        ("country operator", "/fr/espace/pays"),
    ];
    for (role, path) in expectations {
        let (email, password) = find("cm", role);
        assert!(email.ends_with("@jesuisaucameroun.com"));
        let mut browser = login("cm.localhost", email, password).await;
        if role != "member" {
            let home = browser.get("/fr/compte").await;
            assert!(
                home.body.contains(&format!("href=\"{path}\"")),
                "{role}: link to {path}"
            );
        }
        let page = browser.get(path).await;
        assert_eq!(page.status, 200, "{role} on {path}");
        if role == "country operator" {
            // The demo focal point holds the role without an invitation.
            assert!(
                page.body
                    .contains("point-focal@jesuisaucameroun.com&gt; — compte actif")
            );
        }
        if role == "member" {
            // A profile and an upcoming stay, with its missions.
            assert!(page.body.contains("Missions pendant mon prochain séjour"));
            assert!(page.body.contains("class=\"card\""));
        }
    }
    let (email, password) = find("sn", "member");
    login("sn.localhost", email, password).await;
    let (email, password) = find("portal", "staff");
    let mut staff = login("portal.localhost", email, password).await;
    assert!(
        staff
            .get("/fr/compte")
            .await
            .body
            .contains("href=\"/fr/admin\"")
    );
    assert_eq!(staff.get("/fr/admin").await.status, 200);
    app.stop().await.expect("stop");
}

#[test]
fn seed_demo_prints_the_passwords_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_jesuisaupays"))
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .env("DATA_DIR", dir.path())
            .env("TENANTS_DIR", crate::helpers::repo_root().join("tenants"))
            .env("THEMES_DIR", crate::helpers::repo_root().join("themes"))
            .env("DEMO_DATA", "off")
            .arg("seed-demo")
            .output()
            .expect("run")
    };
    let first = run();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("passwords shown only once"), "{stdout}");
    let rows = table_rows(&stdout);
    assert!(rows.iter().any(|r| r.0 == "portal" && r.1 == "staff"));
    assert!(rows.iter().all(|r| r.3.len() == 20), "{stdout}");
    let second = run();
    assert!(second.status.success());
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(table_rows(&stdout).is_empty(), "{stdout}");
    assert!(stdout.contains("already existed"), "{stdout}");
}
