//! The focal point's workspace and weekday to-do email: what waits in their cities (a
//! mission to review, an organisation to verify, requests with the time left on the promised
//! delay) on their page, in their header badge and in one email per weekday morning, only
//! when there is something to do; a focal point of another city or another tenant sees none
//! of it.

use crate::helpers::{Options, TestApp};
use crate::requests::{emails, person};
use crate::roles::{SN, account, signed_in, tenant};
use chrono::{Duration, TimeZone, Utc};
use jsap_app::{FixedClock, Scope};
use jsap_domain::requests::RequestKind;
use jsap_store::{Cities, NewRequest, Profiles, Requests, Role};

async fn city(app: &TestApp, code: &str, slug: &str) -> i64 {
    Cities::for_tenant(app.services.store.conn(), &tenant(app, code))
        .by_slug(slug)
        .await
        .expect("cities")
        .expect("city")
        .id
}

/// A project proposed to `city` by `member`, sent `ago` before now.
async fn request(app: &TestApp, member: i64, city: i64, title: &str, ago: Duration) -> i64 {
    let cm = tenant(app, "cm");
    Requests::for_tenant(app.services.store.conn(), &cm)
        .create(
            NewRequest {
                kind: RequestKind::Project,
                member_user_id: member,
                mission_id: None,
                organisation_id: None,
                city_id: city,
                locale: "fr".into(),
                title: title.into(),
                body: "Bonjour, je voudrais aider.".into(),
                offer: "Du temps".into(),
                contribution: None,
                available_from: None,
                available_to: None,
                domain: None,
            },
            Utc::now() - ago,
            cm.response_delay_days,
        )
        .await
        .expect("request")
        .id
}

/// Monday 7 December 2026 at `hour`:05, Douala time (UTC+1).
fn monday_at(hour: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, hour - 1, 5, 0).unwrap()
}

#[tokio::test]
async fn a_focal_point_sees_what_waits_in_their_cities_and_gets_one_to_do_email_a_weekday() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    let (douala, yaounde) = (
        city(&app, "cm", "douala").await,
        city(&app, "cm", "yaounde").await,
    );
    let mut focal = person(
        &app,
        "pf.douala@example.org",
        "Fatou Focal",
        &[(Role::FocalPoint, Some(douala), None)],
    )
    .await;
    account(
        &app,
        "cm",
        "pf.yaounde@example.org",
        &[(Role::FocalPoint, Some(yaounde), None)],
    )
    .await;
    let dakar = city(&app, "sn", "dakar").await;
    account(
        &app,
        "sn",
        "pf.dakar@example.org",
        &[(Role::FocalPoint, Some(dakar), None)],
    )
    .await;

    // Nothing yet: an empty state, no badge, and no email on Monday morning.
    let empty = focal.get("/fr/espace/ville").await;
    assert_eq!(empty.status, 200);
    assert!(
        empty.body.contains("Rien à traiter pour le moment"),
        "{}",
        empty.body
    );
    assert!(
        empty
            .body
            .contains("Aucune demande n&#x27;attend de réponse")
            || empty.body.contains("Aucune demande n'attend de réponse")
    );
    assert!(!empty.body.contains("class=\"count\""), "no badge");
    let cm = tenant(&app, "cm");
    let themes = app.services.themes.clone();
    let store = &app.services.store;
    let clock = FixedClock(monday_at(8));
    let quiet =
        jsap_app::workspace::send_todo_emails(&Scope::new(store, themes.clone(), &cm, &clock))
            .await
            .expect("to-do pass");
    assert_eq!((quiet.sent, quiet.nothing_to_do), (0, 2));

    // An organisation registers in Douala and submits a mission; two requests reach Douala
    // (one overdue), one Yaoundé.
    let mut awa = crate::organisations::awa_with_an_organisation(&app).await;
    let mission = crate::missions::submit_a_mission(&app, &mut awa).await;
    let member = account(&app, "cm", "moussa@example.org", &[]).await;
    let fresh = request(
        &app,
        member,
        douala,
        "Atelier numérique à Akwa",
        Duration::hours(1),
    )
    .await;
    let late = request(&app, member, douala, "Don de livres", Duration::days(20)).await;
    request(
        &app,
        member,
        yaounde,
        "Projet à Yaoundé",
        Duration::hours(2),
    )
    .await;

    let space = focal.get("/fr/espace/ville").await;
    assert_eq!(space.status, 200);
    assert!(
        space.body.contains("<strong>4 à traiter</strong>"),
        "{}",
        space.body
    );
    assert!(space.body.contains(&format!(
        "href=\"/fr/espace/missions/verification#mission-{mission}\""
    )));
    assert!(space.body.contains("Ateliers de lecture à Bonabéri"));
    assert!(space.body.contains("Les Amis de Bonabéri"));
    assert!(
        space
            .body
            .contains(&format!("href=\"/fr/demandes/{fresh}\""))
    );
    assert!(
        space
            .body
            .contains(&format!("href=\"/fr/demandes/{late}\""))
    );
    // The overdue request first, marked so; the fresh one with the days left.
    let (late_at, fresh_at) = (
        space.body.find("Don de livres").expect("late"),
        space.body.find("Atelier numérique à Akwa").expect("fresh"),
    );
    assert!(late_at < fresh_at, "the one due first at the top");
    assert!(space.body.contains("class=\"due overdue\""));
    let days = cm.response_delay_days - 1;
    assert!(
        space
            .body
            .contains(&format!("réponse attendue sous {days} j")),
        "{}",
        space.body
    );
    assert!(
        !space.body.contains("Projet à Yaoundé"),
        "another city's request"
    );
    // The header badge counts it on every page.
    let home = focal.get("/fr/").await;
    assert!(
        home.body.contains("Mon espace ville, 4 à traiter"),
        "{}",
        home.body
    );

    // Weekday to-do: not before 8:00 nor on Saturday; at 8:05 to the Douala focal point
    // only, once however many passes.
    let scope_at = |at| FixedClock(at);
    for (at, why) in [
        (monday_at(7), "before 8:00"),
        (
            Utc.with_ymd_and_hms(2026, 12, 5, 8, 5, 0).unwrap(),
            "Saturday",
        ),
        (monday_at(19), "evening"),
    ] {
        let clock = scope_at(at);
        let r =
            jsap_app::workspace::send_todo_emails(&Scope::new(store, themes.clone(), &cm, &clock))
                .await
                .expect("pass");
        assert_eq!(r, Default::default(), "{why}");
    }
    let first =
        jsap_app::workspace::send_todo_emails(&Scope::new(store, themes.clone(), &cm, &clock))
            .await
            .expect("pass");
    assert_eq!((first.sent, first.nothing_to_do), (2, 0), "{first:?}");
    assert_eq!(first.opted_out, 0);
    // The Yaoundé focal point has one request too: their own email.
    let todos: Vec<_> = emails(&app, "cm")
        .await
        .into_iter()
        .filter(|e| e.kind == "focal_point_todo")
        .collect();
    assert_eq!(
        todos.len(),
        2,
        "{:?}",
        todos.iter().map(|e| &e.to).collect::<Vec<_>>()
    );
    let douala_todo = todos
        .iter()
        .find(|e| e.to == "pf.douala@example.org")
        .expect("douala");
    assert!(
        douala_todo.subject.contains("4 à traiter"),
        "{}",
        douala_todo.subject
    );
    let text = &douala_todo.text_body;
    assert!(
        text.contains(&format!(
            "https://jesuisaucameroun.com/fr/espace/missions/verification#mission-{mission}"
        )),
        "{text}"
    );
    assert!(text.contains(&format!("https://jesuisaucameroun.com/fr/demandes/{late}")));
    assert!(text.contains("Les Amis de Bonabéri"));
    assert!(!text.contains("Projet à Yaoundé"));
    let due = Requests::for_tenant(store.conn(), &cm)
        .find(late)
        .await
        .expect("find")
        .expect("late request")
        .due_at;
    let written = jsap_adapters::dates::format_date(cm.local_date(due), jsap_domain::Locale::Fr);
    assert!(
        text.contains(&format!("réponse promise avant le {written}")),
        "dates written out: {text}"
    );
    let yaounde_todo = todos
        .iter()
        .find(|e| e.to == "pf.yaounde@example.org")
        .expect("yaounde");
    assert!(yaounde_todo.text_body.contains("Projet à Yaoundé"));
    assert!(!yaounde_todo.text_body.contains("Don de livres"));
    let again =
        jsap_app::workspace::send_todo_emails(&Scope::new(store, themes.clone(), &cm, &clock))
            .await
            .expect("pass");
    assert_eq!((again.sent, again.already_sent), (0, 2));

    // Tuesday: again, unless the focal point turned reminders off.
    let fatou = jsap_store::Accounts::for_tenant(store.conn(), &cm)
        .find_by_email(&jsap_domain::EmailAddress::parse("pf.douala@example.org").expect("address"))
        .await
        .expect("find")
        .expect("fatou");
    Profiles::for_tenant(store.conn(), &cm)
        .set_email_preferences(fatou.id, false, false)
        .await
        .expect("preferences");
    let tuesday = FixedClock(monday_at(9) + Duration::days(1));
    let next =
        jsap_app::workspace::send_todo_emails(&Scope::new(store, themes.clone(), &cm, &tuesday))
            .await
            .expect("pass");
    assert_eq!((next.sent, next.opted_out), (1, 1), "{next:?}");

    // Senegal: its focal point has nothing to do and sees none of Cameroon's.
    let sn = tenant(&app, "sn");
    // Dakar is on UTC: 7:05 there when it is 8:05 in Douala, so nothing yet.
    let early =
        jsap_app::workspace::send_todo_emails(&Scope::new(store, themes.clone(), &sn, &clock))
            .await
            .expect("pass");
    assert_eq!(early, Default::default());
    let clock = FixedClock(monday_at(10));
    let sn_pass =
        jsap_app::workspace::send_todo_emails(&Scope::new(store, themes.clone(), &sn, &clock))
            .await
            .expect("pass");
    assert_eq!((sn_pass.sent, sn_pass.nothing_to_do), (0, 1));
    let mut dakar_focal = signed_in(&app, SN, "pf.dakar@example.org").await;
    let sn_space = dakar_focal.get("/fr/espace/ville").await;
    assert_eq!(sn_space.status, 200);
    assert!(sn_space.body.contains("Rien à traiter pour le moment"));
    for cm_item in ["Don de livres", "Atelier numérique", "Bonabéri"] {
        assert!(
            !sn_space.body.contains(cm_item),
            "{cm_item} on the Senegal site"
        );
    }
    assert!(
        emails(&app, "sn")
            .await
            .iter()
            .all(|e| e.kind != "focal_point_todo")
    );
}
