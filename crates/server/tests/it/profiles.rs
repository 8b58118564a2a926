//! Member profiles over real HTTP: the profile form and its errors, stays (add, remove, other
//! tenants' ids), email preferences and the missions of the next stay on the account page.

use crate::helpers::{Browser, Options, TestApp};
use crate::roles::{CM, SN, account, signed_in, tenant};
use chrono::Duration;
use jsap_store::AcrossTenants;
use jsap_store::{Cities, Outbox, Profile, Profiles};

async fn spawn() -> TestApp {
    TestApp::spawn_with(Options {
        demo: false,
        ..Default::default()
    })
    .await
}

async fn city_id(app: &TestApp, code: &str, slug: &str) -> i64 {
    Cities::for_tenant(app.services.store.conn(), &tenant(app, code))
        .by_slug(slug)
        .await
        .expect("city")
        .expect("known city")
        .id
}

async fn profile(app: &TestApp, code: &str, user: i64) -> Profile {
    Profiles::for_tenant(app.services.store.conn(), &tenant(app, code))
        .get(user)
        .await
        .expect("profile")
}

async fn stays(app: &TestApp, code: &str) -> u64 {
    Profiles::for_tenant(app.services.store.conn(), &tenant(app, code))
        .count_stays()
        .await
        .expect("stays")
}

const PROFILE: &str = "/fr/compte/profil";

#[tokio::test]
async fn the_profile_saves_and_shows_field_errors_without_writing() {
    let app = spawn().await;
    let user = account(&app, "cm", "membre@example.org", &[]).await;
    let mut member = signed_in(&app, CM, "membre@example.org").await;
    let yaounde = city_id(&app, "cm", "yaounde").await;
    let dakar = city_id(&app, "sn", "dakar").await;
    let page = member.get(PROFILE).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Yaoundé"));
    assert!(page.body.contains("name=\"domain\""));

    let many: Vec<String> = (0..21).map(|i| format!("skill{i}")).collect();
    let many = many.join(", ");
    let long_tag = "x".repeat(41);
    let long_country = "y".repeat(81);
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[("display_name", "")], "Indiquez votre nom."),
        (
            &[("display_name", "Awa"), ("country", &long_country)],
            "au plus 80 caractères",
        ),
        (
            &[("display_name", "Awa"), ("skills", &many)],
            "au plus 20 éléments",
        ),
        (
            &[("display_name", "Awa"), ("languages", &long_tag)],
            "au plus 40 caractères",
        ),
        (
            &[("display_name", "Awa"), ("phone", "appelle-moi")],
            "Ce numéro n&#x27;est pas valide",
        ),
    ];
    for (fields, message) in cases {
        let page = member.submit(PROFILE, PROFILE, fields).await;
        assert_eq!(page.status, 422, "{fields:?}");
        assert!(page.body.contains("aria-invalid=\"true\""), "{fields:?}");
        assert!(
            page.body.contains(message),
            "{fields:?}: {message} in {}",
            page.body
        );
    }
    assert_eq!(profile(&app, "cm", user).await, Profile::default());

    let yaounde_id = yaounde.to_string();
    let valid = [
        ("display_name", "Awa Mbarga"),
        ("country", "France"),
        ("home_city", yaounde_id.as_str()),
        ("skills", "santé, logistique, Santé"),
        ("languages", "français, anglais"),
        ("domain", "sante"),
        ("contribution", "competences"),
        ("phone", "+33 6 12 34 56 78"),
    ];
    // Without the CSRF token: 403, nothing written.
    let forged = member.post(PROFILE, &valid).await;
    assert_eq!(forged.status, 403);
    assert_eq!(profile(&app, "cm", user).await, Profile::default());
    // Another tenant's city, an unknown domain: 400, nothing written.
    let dakar_id = dakar.to_string();
    let mut foreign = valid.to_vec();
    foreign[2] = ("home_city", dakar_id.as_str());
    assert_eq!(member.submit(PROFILE, PROFILE, &foreign).await.status, 400);
    let mut unknown = valid.to_vec();
    unknown[5] = ("domain", "astrologie");
    assert_eq!(member.submit(PROFILE, PROFILE, &unknown).await.status, 400);
    assert_eq!(profile(&app, "cm", user).await, Profile::default());

    let saved = member.submit(PROFILE, PROFILE, &valid).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let stored = profile(&app, "cm", user).await;
    assert_eq!(stored.country_of_residence, "France");
    assert_eq!(stored.home_city_id, Some(yaounde));
    assert_eq!(stored.skills, ["santé", "logistique"], "duplicates dropped");
    assert_eq!(stored.languages, ["français", "anglais"]);
    assert_eq!(stored.domains, ["sante"]);
    assert_eq!(stored.contributions, ["competences"]);
    assert_eq!(stored.phone, "+33 6 12 34 56 78");
    let page = member.get(&format!("{PROFILE}?done=saved")).await;
    assert!(page.body.contains("Votre profil est enregistré."));
    assert!(page.body.contains("value=\"santé, logistique\""));
    assert!(page.body.contains("Awa Mbarga"));
    assert!(page.body.contains("Vous avez accepté les conditions"));
    // "Other" home city.
    let other = [
        ("display_name", "Awa Mbarga"),
        ("home_city", "other"),
        ("home_city_other", "Kribi"),
    ];
    assert_eq!(member.submit(PROFILE, PROFILE, &other).await.status, 303);
    let stored = profile(&app, "cm", user).await;
    assert_eq!(stored.home_city_id, None);
    assert_eq!(stored.home_city_other, "Kribi");
    // The Arabic page renders right-to-left.
    account(&app, "ma", "membre-ma@example.org", &[]).await;
    let mut moroccan = signed_in(&app, "ma.localhost", "membre-ma@example.org").await;
    let ar = moroccan.get("/ar/compte/profil").await;
    assert_eq!(ar.status, 200);
    assert!(ar.body.contains("dir=\"rtl\""));
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn stays_are_added_checked_and_removed_by_their_owner_only() {
    let app = spawn().await;
    account(&app, "cm", "membre@example.org", &[]).await;
    account(&app, "cm", "autre@example.org", &[]).await;
    account(&app, "sn", "membre-sn@example.org", &[]).await;
    let mut member = signed_in(&app, CM, "membre@example.org").await;
    let douala = city_id(&app, "cm", "douala").await.to_string();
    let dakar = city_id(&app, "sn", "dakar").await.to_string();
    let today = tenant(&app, "cm").today();
    let day = |n: i64| (today + Duration::days(n)).to_string();
    let (start, end) = (day(20), day(40));
    let errors = [
        (
            (day(40), day(20)),
            "La date de fin doit être après la date de début.",
        ),
        ((day(10), day(900)), "Un séjour dure au plus deux ans."),
        ((day(-60), day(-30)), "Ce séjour est déjà terminé"),
        ((String::new(), day(3)), "Indiquez une date."),
        (
            ("20/12/2026".to_owned(), day(3)),
            "Cette date n&#x27;est pas valide",
        ),
    ];
    for ((from, to), message) in errors {
        let page = member
            .submit(
                PROFILE,
                "/fr/compte/sejours",
                &[("starts_on", &from), ("ends_on", &to), ("city", &douala)],
            )
            .await;
        assert_eq!(page.status, 422, "{from}..{to}");
        assert!(page.body.contains(message), "{message}: {}", page.body);
        assert!(page.body.contains("aria-invalid=\"true\""));
        // The answer opens on the stays, where the error is, not at the top of the page.
        assert!(page.body.contains("action=\"/fr/compte/sejours#sejours\""));
    }
    let no_city = member
        .submit(
            PROFILE,
            "/fr/compte/sejours",
            &[("starts_on", &start), ("ends_on", &end)],
        )
        .await;
    assert_eq!(no_city.status, 422);
    assert!(no_city.body.contains("Choisissez au moins une ville."));
    let foreign = member
        .submit(
            PROFILE,
            "/fr/compte/sejours",
            &[("starts_on", &start), ("ends_on", &end), ("city", &dakar)],
        )
        .await;
    assert_eq!(foreign.status, 400);
    let forged = member
        .post(
            "/fr/compte/sejours",
            &[("starts_on", &start), ("ends_on", &end), ("city", &douala)],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(stays(&app, "cm").await, 0, "nothing written");

    let added = member
        .submit(
            PROFILE,
            "/fr/compte/sejours",
            &[("starts_on", &start), ("ends_on", &end), ("city", &douala)],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let page = member.get(PROFILE).await;
    assert!(
        page.body
            .contains(&format!("Du {} au {}", fr_date(&start), fr_date(&end)))
    );
    assert!(page.body.contains("Douala"));
    let marker = "/fr/compte/sejours/";
    let at = page.body.find(marker).expect("a remove form") + marker.len();
    let id: String = page.body[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let remove = format!("/fr/compte/sejours/{id}/supprimer");

    // Another member of cm, and a member of sn, cannot see or remove it.
    let mut other = signed_in(&app, CM, "autre@example.org").await;
    assert!(!other.get(PROFILE).await.body.contains(&start));
    assert_eq!(other.submit(PROFILE, &remove, &[]).await.status, 404);
    let mut foreigner = signed_in(&app, SN, "membre-sn@example.org").await;
    assert!(!foreigner.get(PROFILE).await.body.contains(&start));
    assert_eq!(foreigner.submit(PROFILE, &remove, &[]).await.status, 404);
    // The owner's cookies on sn: anonymous there.
    assert_eq!(member.on(SN).post(&remove, &[]).await.status, 303);
    assert_eq!(stays(&app, "cm").await, 1, "still there");
    // Without CSRF: 403.
    assert_eq!(member.post(&remove, &[]).await.status, 403);
    assert_eq!(stays(&app, "cm").await, 1);

    let removed = member.submit(PROFILE, &remove, &[]).await;
    assert_eq!(removed.status, 303);
    assert_eq!(stays(&app, "cm").await, 0);
    assert!(
        member
            .get(&format!("{PROFILE}?done=stay_removed"))
            .await
            .body
            .contains("Aucun séjour enregistré.")
    );
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn the_account_page_lists_missions_during_the_next_stay() {
    let app = TestApp::spawn().await;
    account(&app, "cm", "membre@example.org", &[]).await;
    let mut member = signed_in(&app, CM, "membre@example.org").await;
    let before = member.get("/fr/compte").await;
    assert!(before.body.contains("Missions pendant mon prochain séjour"));
    assert!(before.body.contains("Indiquez vos dates de séjour"));
    let today = tenant(&app, "cm").today();
    let (start, end) = (
        (today - Duration::days(3)).to_string(),
        (today + Duration::days(300)).to_string(),
    );
    let yaounde = city_id(&app, "cm", "yaounde").await.to_string();
    let added = member
        .submit(
            PROFILE,
            "/fr/compte/sejours",
            &[("starts_on", &start), ("ends_on", &end), ("city", &yaounde)],
        )
        .await;
    assert_eq!(added.status, 303, "a stay under way is accepted");
    let page = member.get("/fr/compte").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains(&format!("Du {} au {}", fr_date(&start), fr_date(&end)))
    );
    assert!(page.body.contains("class=\"card\""), "{}", page.body);
    // The full search starts today (the stay is under way).
    let search = format!("/fr/missions?from={today}&amp;to={end}&amp;city=yaounde");
    assert!(page.body.contains(&search), "{search}");
    let full = member
        .get(&format!("/fr/missions?from={today}&to={end}&city=yaounde"))
        .await;
    assert_eq!(full.status, 200);
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn email_preferences_are_saved_and_every_email_links_to_them() {
    let app = spawn().await;
    let user = account(&app, "cm", "membre@example.org", &[]).await;
    let mut member = signed_in(&app, CM, "membre@example.org").await;
    let page = member.get("/fr/compte/emails").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("E-mails toujours envoyés"));
    assert!(
        page.body
            .contains("name=\"reminders\" value=\"yes\" checked")
    );
    assert!(
        !page
            .body
            .contains("name=\"campaigns\" value=\"yes\" checked")
    );
    let forged = member
        .post("/fr/compte/emails", &[("campaigns", "yes")])
        .await;
    assert_eq!(forged.status, 403);
    assert!(profile(&app, "cm", user).await.email_reminders);
    let saved = member
        .submit(
            "/fr/compte/emails",
            "/fr/compte/emails",
            &[("campaigns", "yes")],
        )
        .await;
    assert_eq!(saved.status, 303);
    let stored = profile(&app, "cm", user).await;
    assert!(stored.email_campaigns);
    assert!(!stored.email_reminders);
    let page = member.get("/fr/compte/emails?done=emails_saved").await;
    assert!(
        page.body
            .contains("name=\"campaigns\" value=\"yes\" checked")
    );
    assert!(
        page.body
            .contains("Vos préférences d&#x27;e-mail sont enregistrées.")
    );

    // Email footers link to this page.
    let mut visitor = Browser::new(&app, CM);
    visitor.signup("nouveau@example.org", "Nouveau").await;
    let sent = Outbox::for_tenant(app.services.store.conn(), &tenant(&app, "cm"))
        .list()
        .await
        .expect("outbox");
    let verification = sent
        .iter()
        .find(|e| e.to == "nouveau@example.org")
        .expect("verification email");
    assert!(
        verification
            .text_body
            .contains("https://jesuisaucameroun.com/fr/compte/emails")
    );
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn axe_finds_no_serious_or_critical_violation_on_the_member_pages() {
    let app = TestApp::spawn().await;
    account(
        &app,
        "cm",
        "operateur@example.org",
        &[(jsap_store::Role::CountryOperator, None, None)],
    )
    .await;
    crate::roles::staff(&app, "staff@example.org").await;
    let mut member = signed_in(&app, CM, "operateur@example.org").await;
    let douala = city_id(&app, "cm", "douala").await.to_string();
    let today = tenant(&app, "cm").today();
    let (start, end) = (
        (today + Duration::days(5)).to_string(),
        (today + Duration::days(60)).to_string(),
    );
    member
        .submit(
            PROFILE,
            "/fr/compte/sejours",
            &[("starts_on", &start), ("ends_on", &end), ("city", &douala)],
        )
        .await;
    // Signed-in pages, saved as files (the axe CLI cannot carry a session cookie); with
    // their field errors shown.
    let mut pages = vec![
        ("account", member.get("/fr/compte").await.body),
        (
            "profile-errors",
            member
                .submit(PROFILE, PROFILE, &[("display_name", ""), ("phone", "x")])
                .await
                .body,
        ),
        (
            "stay-errors",
            member
                .submit(PROFILE, "/fr/compte/sejours", &[("starts_on", &end)])
                .await
                .body,
        ),
        ("emails", member.get("/fr/compte/emails").await.body),
        ("stays", member.get("/fr/compte/sejours").await.body),
        ("country", member.get("/fr/espace/pays").await.body),
        ("forbidden", member.get("/fr/espace/ville").await.body),
        (
            "favourites-empty",
            member.get("/fr/compte/favoris").await.body,
        ),
        ("search-hearts", member.get("/fr/missions").await.body),
    ];
    // A mission with its heart, saved, and the list holding it.
    let mission = &crate::favourites::mission_paths(&app, CM).await[0];
    assert_eq!(
        crate::favourites::save(&mut member, mission).await.status,
        303
    );
    pages.push((
        "mission-saved",
        member.get(&format!("{mission}?done=saved")).await.body,
    ));
    pages.push(("favourites", member.get("/fr/compte/favoris").await.body));
    pages.push((
        "account-delete",
        member.get("/fr/compte/suppression").await.body,
    ));
    let refused = member
        .submit(
            "/fr/compte/suppression",
            "/fr/compte/suppression",
            &[("current_password", "pas le bon")],
        )
        .await;
    assert_eq!(refused.status, 422);
    pages.push(("account-delete-refused", refused.body));
    let mut staff = signed_in(&app, crate::roles::PORTAL, "staff@example.org").await;
    pages.push(("admin", staff.get("/fr/admin").await.body));
    let dir = tempfile::tempdir().expect("tempdir");
    let urls: Vec<String> = pages
        .iter()
        .map(|(name, body)| {
            // Stylesheets are served by the app: keep them reachable from the file.
            let body = body.replace(
                "href=\"/assets/",
                &format!("href=\"http://{}/assets/", app.addr),
            );
            let path = dir.path().join(format!("{name}.html"));
            std::fs::write(&path, body).expect("write page");
            format!("file://{}", path.display())
        })
        .collect();
    let Some(problems) = crate::helpers::axe_audit(&urls, None).await else {
        return;
    };
    assert!(problems.is_empty(), "{problems:#?}");
    app.stop().await.expect("stop");
}

/// The request forms start from what the member already told us: the next stay's dates
/// (within the mission's window) and a way of helping the mission asks for; their skills in
/// the project and profile forms.
#[tokio::test]
async fn request_forms_are_pre_filled_from_the_profile_and_the_next_stay() {
    use jsap_store::ConnectionTrait;
    let app = TestApp::spawn().await;
    let cm = tenant(&app, "cm");
    let today = cm.today();
    let id = account(&app, "cm", "awa@example.org", &[]).await;
    let conn = app.services.store.conn();
    // A published mission open over the whole stay, and one of the ways it asks for.
    let (start, end) = (today + Duration::days(20), today + Duration::days(30));
    let row = conn
        .across_tenants()
        .query_one_raw(jsap_store::Statement::from_string(
            conn.get_database_backend(),
            format!(
                "SELECT CAST(m.id AS TEXT), m.slug, c.contribution, CAST(m.ends_on AS TEXT) \
                 FROM missions m JOIN mission_contributions c ON c.mission_id = m.id \
                 WHERE m.tenant_id = 'cm' AND m.status = 'published' \
                 AND m.starts_on <= '{start}' AND m.ends_on >= '{start}' ORDER BY m.id LIMIT 1"
            ),
        ))
        .await
        .expect("query")
        .expect("a mission open on the stay's first day");
    let mission: String = row.try_get_by_index(0).expect("id");
    let slug: String = row.try_get_by_index(1).expect("slug");
    let contribution: String = row.try_get_by_index(2).expect("contribution");
    let mission_end: String = row.try_get_by_index(3).expect("end");
    let profiles = Profiles::for_tenant(conn, &cm);
    profiles
        .save(
            id,
            &Profile {
                skills: vec!["Pédiatrie".to_owned(), "Logistique".to_owned()],
                contributions: vec![contribution.clone()],
                ..Profile::default()
            },
        )
        .await
        .expect("profile");
    let douala = Cities::for_tenant(conn, &cm)
        .by_slug("douala")
        .await
        .expect("cities")
        .expect("douala")
        .id;
    profiles
        .add_stay(id, start, end, &[douala])
        .await
        .expect("stay");
    let mut awa = signed_in(&app, CM, "awa@example.org").await;

    let answer = awa
        .get(&format!("/fr/missions/{mission}-{slug}/repondre"))
        .await;
    assert_eq!(answer.status, 200);
    let last = end.min(mission_end.parse().expect("date"));
    assert!(
        answer.body.contains(&format!("value=\"{start}\"")),
        "arrival"
    );
    assert!(
        answer.body.contains(&format!("value=\"{last}\"")),
        "departure, within the window"
    );
    assert!(
        answer
            .body
            .contains(&format!("value=\"{contribution}\" selected")),
        "the way of helping"
    );
    let offer = awa.get("/fr/villes/douala/offrir").await;
    assert!(offer.body.contains("Pédiatrie, Logistique"));
    assert!(offer.body.contains(&format!("value=\"{start}\"")));
    let project = awa.get("/fr/villes/douala/proposer").await;
    assert!(project.body.contains("Pédiatrie, Logistique"));
    app.stop().await.expect("stop");
}

/// A date as the French pages write it ("22 janv. 2027").
fn fr_date(iso: &str) -> String {
    jsap_adapters::dates::format_date(iso.parse().expect("an ISO date"), jsap_domain::Locale::Fr)
}

/// "Mes séjours": every stay not over yet, each with the missions open in its cities during it;
/// a stay that has ended is not shown, and another member's stays never are.
#[tokio::test]
async fn my_stays_lists_each_coming_stay_with_what_fits_it() {
    let app = TestApp::spawn().await;
    let cm = tenant(&app, "cm");
    let today = cm.today();
    let awa = account(&app, "cm", "awa@example.org", &[]).await;
    let ali = account(&app, "cm", "ali@example.org", &[]).await;
    let conn = app.services.store.conn();
    let cities = Cities::for_tenant(conn, &cm);
    let douala = cities
        .by_slug("douala")
        .await
        .expect("q")
        .expect("douala")
        .id;
    let kribi = cities.by_slug("kribi").await.expect("q").expect("kribi").id;
    let profiles = Profiles::for_tenant(conn, &cm);
    let soon = (today + Duration::days(10), today + Duration::days(40));
    let later = (today + Duration::days(200), today + Duration::days(230));
    profiles
        .add_stay(awa, soon.0, soon.1, &[douala])
        .await
        .expect("stay");
    profiles
        .add_stay(awa, later.0, later.1, &[kribi])
        .await
        .expect("stay");
    profiles
        .add_stay(
            ali,
            today + Duration::days(5),
            today + Duration::days(6),
            &[kribi],
        )
        .await
        .expect("ali's stay");
    let mut member = signed_in(&app, CM, "awa@example.org").await;
    let page = member.get("/fr/compte/sejours").await;
    assert_eq!(page.status, 200);
    for (from, to, city) in [(soon.0, soon.1, "Douala"), (later.0, later.1, "Kribi")] {
        let line = format!(
            "Du {} au {} — {city}",
            fr_date(&from.to_string()),
            fr_date(&to.to_string())
        );
        assert!(page.body.contains(&line), "{line}");
    }
    assert_eq!(
        page.body.matches("<section class=\"panel\"").count(),
        2,
        "ali's stay is not awa's"
    );
    assert!(page.body.contains("class=\"card\""), "missions that fit");
    let search = format!(
        "/fr/missions?from={}&amp;to={}&amp;city=douala",
        soon.0, soon.1
    );
    assert!(page.body.contains(&search), "{search}");
    // The account page links here.
    assert!(
        member
            .get("/fr/compte")
            .await
            .body
            .contains("href=\"/fr/compte/sejours\"")
    );
    // A member without a coming stay is told how to add one.
    account(&app, "cm", "ines@example.org", &[]).await;
    let mut ines = signed_in(&app, CM, "ines@example.org").await;
    let empty = ines.get("/fr/compte/sejours").await;
    assert!(empty.body.contains("Aucun séjour à venir."));
    assert!(empty.body.contains("/fr/compte/profil#sejours"));
    app.stop().await.expect("stop");
}

/// Awa on cm, with a profile (a skill, "Pédiatrie", and a phone) and a stay in Douala from
/// in 3 days to in 9, and the same address on sn with a profile of its own ("Secret
/// sénégalais"): her cm and sn account ids, and Douala.
pub(crate) async fn awa_on_two_sites(app: &TestApp) -> (i64, i64, jsap_store::CityRecord) {
    let (cm, sn) = (tenant(app, "cm"), tenant(app, "sn"));
    let conn = app.services.store.conn();
    let awa = account(app, "cm", "awa@example.org", &[]).await;
    let awa_sn = account(app, "sn", "awa@example.org", &[]).await;
    let douala = Cities::for_tenant(conn, &cm)
        .by_slug("douala")
        .await
        .expect("q")
        .expect("douala");
    let profiles = Profiles::for_tenant(conn, &cm);
    profiles
        .save(
            awa,
            &Profile {
                skills: vec!["Pédiatrie".to_owned()],
                phone: "+33 6 12 34 56 78".to_owned(),
                ..Profile::default()
            },
        )
        .await
        .expect("profile");
    let today = cm.today();
    profiles
        .add_stay(
            awa,
            today + Duration::days(3),
            today + Duration::days(9),
            &[douala.id],
        )
        .await
        .expect("stay");
    Profiles::for_tenant(conn, &sn)
        .save(
            awa_sn,
            &Profile {
                skills: vec!["Secret sénégalais".to_owned()],
                ..Profile::default()
            },
        )
        .await
        .expect("sn profile");
    (awa, awa_sn, douala)
}

/// "Télécharger mes données": the member's account, profile, stays, requests with their
/// messages, token names and emails, as a JSON attachment; nothing of another member, of the
/// same address on another site, nor any secret.
#[tokio::test]
async fn a_member_downloads_their_data_and_nothing_else() {
    use jsap_store::{NewRequest, RequestKind};
    let app = TestApp::spawn().await;
    let cm = tenant(&app, "cm");
    let conn = app.services.store.conn();
    let (awa, _, douala) = awa_on_two_sites(&app).await;
    let ali = account(&app, "cm", "ali@example.org", &[]).await;
    let scope = app.scope(&cm);
    let accounts = jsap_store::Accounts::for_tenant(conn, &cm);
    for (who, title) in [(awa, "Une bibliothèque à Akwa"), (ali, "Le projet d'Ali")] {
        let member = accounts.find(who).await.expect("q").expect("member");
        jsap_app::requests::submit::submit(
            &scope,
            &member,
            &douala,
            NewRequest {
                kind: RequestKind::Project,
                member_user_id: who,
                mission_id: None,
                organisation_id: None,
                city_id: douala.id,
                locale: "fr".into(),
                title: title.into(),
                body: "Voici mon idée.".into(),
                offer: "Du temps".into(),
                contribution: None,
                available_from: None,
                available_to: None,
                domain: None,
            },
        )
        .await
        .expect("request")
        .expect("not held back");
    }
    let member = accounts.find(awa).await.expect("q").expect("awa");
    let (token, _) = jsap_app::tokens::create(&scope, &member, "Mon script")
        .await
        .expect("token")
        .expect("created");
    let mission = &crate::favourites::mission_paths(&app, CM).await[0];
    let saved = jsap_app::favourites::save(
        &scope,
        &member,
        jsap_domain::MissionId(crate::favourites::id_of(mission)),
        jsap_domain::Locale::Fr,
    )
    .await
    .expect("save");
    assert_eq!(saved, Ok(true));

    let mut browser = signed_in(&app, CM, "awa@example.org").await;
    assert!(
        browser
            .get("/fr/compte")
            .await
            .body
            .contains("href=\"/fr/compte/export\"")
    );
    let response = browser.get("/fr/compte/export").await;
    assert_eq!(response.status, 200);
    let disposition = response.headers["content-disposition"]
        .to_str()
        .expect("ascii");
    assert!(
        disposition.starts_with("attachment; filename=\"mes-donnees-cm-"),
        "{disposition}"
    );
    assert_eq!(response.headers["cache-control"], "no-store");
    let data: serde_json::Value = serde_json::from_str(&response.body).expect("json");
    assert_eq!(data["account"]["email"], "awa@example.org");
    assert_eq!(data["profile"]["skills"][0], "Pédiatrie");
    assert_eq!(data["profile"]["phone"], "+33 6 12 34 56 78");
    assert_eq!(data["stays"][0]["cities"][0], "douala");
    let requests = data["requests"].as_array().expect("requests");
    assert_eq!(requests.len(), 1, "only hers");
    assert_eq!(requests[0]["title"], "Une bibliothèque à Akwa");
    assert!(requests[0]["messages"].is_array());
    assert_eq!(data["access_tokens"][0]["name"], "Mon script");
    assert_eq!(
        data["saved_missions"][0]["mission"],
        mission.trim_start_matches("/fr/missions/")
    );
    assert_eq!(data["saved_missions"][0]["open"], true);
    let kinds: Vec<&str> = data["emails_sent_to_you"]
        .as_array()
        .expect("emails")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"request_receipt"), "{kinds:?}");
    for absent in [
        "Le projet d'Ali",
        "Secret sénégalais",
        token.as_str(),
        "$argon2",
        "token_hash",
    ] {
        assert!(
            !response.body.contains(absent),
            "{absent} must not be in the export"
        );
    }
    app.stop().await.expect("stop");
}
