//! Use cases called directly, without HTTP, on a real SQLite database, with a fixed clock.

mod common;

use chrono::{DateTime, Duration, Utc};
use jsap_app::requests::submit::submit;
use jsap_app::{FixedClock, Scope};
use jsap_domain::EmailAddress;
use jsap_store::{Accounts, Cities, NewRequest, Outbox, RequestKind, Requests};

#[tokio::test]
async fn a_project_is_due_after_the_promised_delay_and_reaches_the_city_focal_point_once() {
    let world = common::world().await;
    let (store, themes, cm, sn) = (&world.store, world.themes.clone(), &world.cm, &world.sn);
    let member = Accounts::for_tenant(store.conn(), cm)
        .create(
            &EmailAddress::parse("awa@example.org").expect("email"),
            "Awa Diallo",
            "not a real hash",
            true,
        )
        .await
        .expect("member");
    let douala = Cities::for_tenant(store.conn(), cm)
        .by_slug("douala")
        .await
        .expect("cities")
        .expect("douala");
    let now: DateTime<Utc> = "2027-07-01T10:00:00Z".parse().expect("now");
    let new = NewRequest {
        kind: RequestKind::Project,
        member_user_id: member.id,
        mission_id: None,
        organisation_id: None,
        city_id: douala.id,
        locale: "fr".into(),
        title: "Une bibliothèque de quartier".into(),
        body: "Je propose d'ouvrir une bibliothèque à Akwa.".into(),
        offer: "Des livres et du temps".into(),
        contribution: None,
        available_from: None,
        available_to: None,
        domain: None,
    };

    let request = submit(
        &Scope::new(store, themes, cm, &FixedClock(now)),
        &member,
        &douala,
        new,
    )
    .await
    .expect("submitted")
    .expect("not held back");

    assert_eq!(request.due_at, now + Duration::days(14));
    let emails = Outbox::for_tenant(store.conn(), cm)
        .list()
        .await
        .expect("outbox");
    let new: Vec<_> = emails.iter().filter(|e| e.kind == "request_new").collect();
    assert_eq!(new.len(), 1, "the focal point of the tenant file, once");
    assert_eq!(new[0].to, "pf.douala@jesuisaucameroun.com");
    assert!(new[0].text_body.contains(&format!(
        "https://jesuisaucameroun.com/fr/demandes/{}",
        request.id
    )));
    assert!(new[0].text_body.contains("Awa Diallo"));
    // The member's receipt: the promised delay and the date, as people write it, in the
    // tenant's time zone.
    let receipts: Vec<_> = emails
        .iter()
        .filter(|e| e.kind == "request_receipt")
        .collect();
    assert_eq!(receipts.len(), 1, "one receipt");
    assert_eq!(receipts[0].to, "awa@example.org");
    assert!(receipts[0].subject.contains("Une bibliothèque de quartier"));
    assert!(
        receipts[0]
            .text_body
            .contains("sous 14 jours, au plus tard le 15 juil. 2027"),
        "{}",
        receipts[0].text_body
    );
    // Another tenant sees neither the request nor its emails.
    assert_eq!(
        Requests::for_tenant(store.conn(), sn)
            .find(request.id)
            .await
            .expect("find"),
        None
    );
    assert!(
        Outbox::for_tenant(store.conn(), sn)
            .list()
            .await
            .expect("outbox")
            .iter()
            .all(|e| e.kind != "request_new" && e.kind != "request_receipt")
    );
}

#[tokio::test]
async fn a_request_nobody_holds_a_role_for_reaches_the_country_operators_and_says_so() {
    let world = common::world().await;
    let (store, cm) = (&world.store, &world.cm);
    let member = world
        .account(cm, "awa@example.org", "Awa Diallo", &[])
        .await;
    world
        .account(
            cm,
            "op@example.org",
            "Olivier Opérateur",
            &[(jsap_store::Role::CountryOperator, None)],
        )
        .await;
    let kribi = Cities::for_tenant(store.conn(), cm)
        .by_slug("kribi")
        .await
        .expect("cities")
        .expect("kribi");
    let new = NewRequest {
        kind: RequestKind::Project,
        member_user_id: member.id,
        mission_id: None,
        organisation_id: None,
        city_id: kribi.id,
        locale: "fr".into(),
        title: "Un atelier de réparation de filets".into(),
        body: "Je propose un atelier pour les pêcheurs.".into(),
        offer: "Du temps".into(),
        contribution: None,
        available_from: None,
        available_to: None,
        domain: None,
    };
    let now: DateTime<Utc> = "2027-07-01T10:00:00Z".parse().expect("now");
    let clock = FixedClock(now);
    let scope = world.scope(cm, &clock);
    let request = submit(&scope, &member, &kribi, new)
        .await
        .expect("submitted")
        .expect("not held back");

    let mut to: Vec<String> = Outbox::for_tenant(store.conn(), cm)
        .list()
        .await
        .expect("outbox")
        .into_iter()
        .filter(|e| e.kind == "request_new")
        .map(|e| e.to)
        .collect();
    to.sort();
    assert_eq!(to, ["op@example.org", "pf.kribi@jesuisaucameroun.com"]);
    assert_eq!(
        jsap_app::requests::recipients::answerer(store.conn(), cm, &request)
            .await
            .expect("answerer"),
        jsap_app::requests::recipients::Answerer::Operators
    );
    // Once the city has a focal point, they answer (and the operators are no longer emailed).
    world
        .account(
            cm,
            "pf@example.org",
            "Fatou Focal",
            &[(jsap_store::Role::FocalPoint, Some(kribi.id))],
        )
        .await;
    assert_eq!(
        jsap_app::requests::recipients::answerer(store.conn(), cm, &request)
            .await
            .expect("answerer"),
        jsap_app::requests::recipients::Answerer::FocalPoints
    );
    let handling = jsap_app::requests::recipients::handling_side(
        store.conn(),
        cm,
        &request,
        Some("kribi"),
        Some(member.id),
    )
    .await
    .expect("handling side");
    assert_eq!(
        handling
            .iter()
            .map(|a| a.email.as_str())
            .collect::<Vec<_>>(),
        ["pf@example.org"]
    );
}
