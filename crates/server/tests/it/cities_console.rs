//! A country operator adds a city from the console: checked field by field, live at once on
//! the site (page, search filter, API, sitemap) and on another replica, kept by the tenant
//! file's sync, with its focal point invited; nothing of it on another tenant.

use crate::helpers::{Options, TestApp};
use crate::roles::{CM, SN, account, signed_in, tenant};
use jsap_store::{Cities, Invitations, Outbox, Role};
use std::time::{Duration, Instant};

const FORM: &str = "/fr/espace/pays/villes/nouvelle";

fn buea<'a>() -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", "Buéa"),
        ("region", "Sud-Ouest"),
        ("latitude", "4,1527"),
        ("longitude", "9.2415"),
        (
            "description",
            "Au pied du mont Cameroun, ville universitaire qui cherche des mentors.",
        ),
        ("focal_point_name", "Ebai Tabe"),
        ("focal_point_email", "ebai@example.org"),
    ]
}

#[tokio::test]
async fn an_operator_adds_a_city_that_is_live_everywhere_at_once() {
    let app = TestApp::spawn().await;
    account(
        &app,
        "cm",
        "operateur@example.org",
        &[(Role::CountryOperator, None, None)],
    )
    .await;
    let mut operator = signed_in(&app, CM, "operateur@example.org").await;
    let console = operator.get("/fr/espace/pays").await;
    assert!(console.body.contains(FORM), "the console links to the form");

    // Every field checked, errors listed in the form's order, input kept.
    let invalid = operator
        .submit(
            FORM,
            FORM,
            &[
                ("name", ""),
                ("region", "Sud-Ouest"),
                ("latitude", "95"),
                ("longitude", "est"),
                ("focal_point_name", "Ebai Tabe"),
                ("focal_point_email", ""),
            ],
        )
        .await;
    assert_eq!(invalid.status, 422);
    let at = |needle: &str| {
        invalid
            .body
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} in {}", invalid.body))
    };
    assert!(
        at("Le champ « Nom de la ville » est obligatoire")
            < at("« Latitude » : saisissez un nombre entre -90 et 90")
    );
    assert!(
        at("« Latitude » : saisissez un nombre entre -90 et 90")
            < at("« Longitude » : saisissez un nombre entre -180 et 180")
    );
    assert!(
        invalid
            .body
            .contains("Donnez l&#x27;adresse e-mail du point focal")
    );
    assert!(invalid.body.contains("value=\"Sud-Ouest\""), "input kept");
    let cm = tenant(&app, "cm");
    let conn = app.services.store.conn();
    let before = Cities::for_tenant(conn, &cm).list().await.expect("cities");

    // Without the form's token: 403, nothing written.
    let forged = operator.post(FORM, &buea()).await;
    assert_eq!(forged.status, 403);
    assert_eq!(
        Cities::for_tenant(conn, &cm)
            .list()
            .await
            .expect("cities")
            .len(),
        before.len()
    );

    let added = operator.submit(FORM, FORM, &buea()).await;
    assert_eq!(added.status, 303, "{}", added.body);
    assert_eq!(
        added.location(),
        "/fr/espace/pays?done=city_invited&ville=buea#villes"
    );
    let console = operator.get("/fr/espace/pays?done=city_invited").await;
    assert!(
        console
            .body
            .contains("Ville ajoutée, et invitation envoyée")
    );
    assert!(
        console.body.contains("ebai@example.org"),
        "{}",
        console.body
    );

    // Live at once: its page, the search filter, the API, the sitemap.
    let (status, page) = app.page(CM, "/fr/villes/buea").await;
    assert_eq!(status, 200);
    assert!(page.contains("Buéa") && page.contains("ville universitaire qui cherche des mentors"));
    let (_, search) = app.page(CM, "/fr/missions").await;
    assert!(search.contains("value=\"buea\""), "a search filter");
    let api = app
        .get(CM, "/api/v1/cities")
        .await
        .text()
        .await
        .expect("body");
    assert!(api.to_string().contains("\"buea\""), "{api}");
    let (_, sitemap) = app.page(CM, "/sitemap.xml").await;
    assert!(sitemap.contains("/fr/villes/buea"));

    // Its focal point is invited, with a link.
    let invitations = Invitations::for_tenant(conn, &cm)
        .list_of(Role::FocalPoint)
        .await
        .expect("invitations");
    assert!(invitations.iter().any(|i| i.email == "ebai@example.org"));
    let emails: Vec<_> = Outbox::for_tenant(conn, &cm)
        .list()
        .await
        .expect("outbox")
        .into_iter()
        .filter(|e| e.to == "ebai@example.org")
        .collect();
    assert_eq!(emails.len(), 1);
    assert!(
        emails[0].text_body.contains("Buéa") && emails[0].text_body.contains("/fr/invitation/")
    );

    // The same name again (whatever its accents): refused, nothing added.
    let again = operator
        .submit(
            FORM,
            FORM,
            &[
                ("name", "BUEA"),
                ("region", "Sud-Ouest"),
                ("latitude", "4"),
                ("longitude", "9"),
            ],
        )
        .await;
    assert_eq!(again.status, 409);
    assert!(again.body.contains("Ce site a déjà une ville de ce nom"));
    assert_eq!(
        Cities::for_tenant(conn, &cm)
            .list()
            .await
            .expect("cities")
            .len(),
        before.len() + 1
    );

    // The tenant file's sync (a restart) keeps it.
    app.services.sync_tenants().await.expect("sync");
    assert_eq!(app.page(CM, "/fr/villes/buea").await.0, 200);

    // Nothing of it on another tenant.
    assert_eq!(app.page(SN, "/fr/villes/buea").await.0, 404);
    let sn_api = app
        .get(SN, "/api/v1/cities")
        .await
        .text()
        .await
        .expect("body");
    assert!(!sn_api.contains("buea"));
    let (_, sn_sitemap) = app.page(SN, "/sitemap.xml").await;
    assert!(!sn_sitemap.contains("buea"));
}

#[tokio::test]
async fn a_city_added_on_one_replica_is_on_the_other_within_a_second() {
    let first = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    let url = first
        .services
        .config
        .database_url
        .clone()
        .expect("database url");
    let second = TestApp::spawn_with(Options {
        demo: false,
        database_url: Some(url),
        ..Options::default()
    })
    .await;
    // The second replica has read its catalogue before the city exists.
    assert_eq!(second.page(CM, "/fr/villes/buea").await.0, 404);
    account(
        &first,
        "cm",
        "operateur@example.org",
        &[(Role::CountryOperator, None, None)],
    )
    .await;
    let mut operator = signed_in(&first, CM, "operateur@example.org").await;
    let added = operator.submit(FORM, FORM, &buea()).await;
    assert_eq!(added.status, 303, "{}", added.body);
    let started = Instant::now();
    loop {
        let (status, _) = second.page(CM, "/fr/villes/buea").await;
        if status == 200 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "the other replica still answers {status} after a second"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, search) = second.page(CM, "/fr/missions").await;
    assert!(search.contains("value=\"buea\""));
}

#[tokio::test]
async fn only_a_country_operator_of_the_tenant_adds_a_city() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    account(&app, "cm", "membre@example.org", &[]).await;
    account(
        &app,
        "sn",
        "operateur-sn@example.org",
        &[(Role::CountryOperator, None, None)],
    )
    .await;
    let mut member = signed_in(&app, CM, "membre@example.org").await;
    assert_eq!(member.get(FORM).await.status, 403);
    let csrf = member.get("/fr/compte").await.csrf();
    let mut fields = buea();
    fields.push(("csrf", &csrf));
    assert_eq!(member.post(FORM, &fields).await.status, 403);
    // Senegal's operator adds a city to Senegal, never to Cameroon.
    let mut sn_operator = signed_in(&app, SN, "operateur-sn@example.org").await;
    let added = sn_operator.submit(FORM, FORM, &buea()).await;
    assert_eq!(added.status, 303);
    assert_eq!(app.page(SN, "/fr/villes/buea").await.0, 200);
    assert_eq!(app.page(CM, "/fr/villes/buea").await.0, 404);
    let cm = tenant(&app, "cm");
    assert!(
        Cities::for_tenant(app.services.store.conn(), &cm)
            .by_slug("buea")
            .await
            .expect("lookup")
            .is_none()
    );
}
