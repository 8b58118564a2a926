//! Spam control: a robot that fills the public forms' hidden field is refused; an account
//! younger than a week sends three requests a day, writes twenty messages a day and puts two
//! links in a text at most, with a clear message and nothing written; the handling side and
//! older accounts are not held back.

use crate::helpers::{Browser, Options, TestApp};
use crate::requests::{city_id, emails, person};
use crate::roles::{CM, account, signed_in, tenant};
use chrono::Duration;
use jsap_app::{FixedClock, Scope};
use jsap_domain::EmailAddress;
use jsap_domain::requests::RequestKind;
use jsap_store::{Accounts, NewRequest, Requests, Role};

const PROJECT: &str = "/fr/villes/douala/proposer";

async fn propose(
    browser: &mut Browser<'_>,
    title: &str,
    description: &str,
) -> crate::helpers::Page {
    browser
        .submit(
            PROJECT,
            PROJECT,
            &[
                ("title", title),
                ("domain", "education-enfance"),
                ("description", description),
                ("offer", "Du temps."),
            ],
        )
        .await
}

#[tokio::test]
async fn robots_and_new_accounts_past_their_limits_are_held_back() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    let cm = tenant(&app, "cm");
    let conn = app.services.store.conn();

    // The honeypot: a filled hidden field is a 400 and no account.
    let mut robot = Browser::new(&app, CM);
    let form = robot.get("/fr/compte/inscription").await;
    assert!(
        form.body.contains("name=\"homepage\""),
        "the field is on the form"
    );
    assert!(form.body.contains("class=\"hp\" aria-hidden=\"true\""));
    let refused = robot
        .post(
            "/fr/compte/inscription",
            &[
                ("csrf", &form.csrf()),
                ("display_name", "Robot"),
                ("email", "robot@example.org"),
                ("password", crate::helpers::PASSWORD),
                ("password_confirm", crate::helpers::PASSWORD),
                ("terms", "yes"),
                ("homepage", "https://spam.example"),
            ],
        )
        .await;
    assert_eq!(refused.status, 400);
    let robot_account = Accounts::for_tenant(conn, &cm)
        .find_by_email(&EmailAddress::parse("robot@example.org").expect("address"))
        .await
        .expect("find");
    assert!(robot_account.is_none());
    assert!(
        emails(&app, "cm")
            .await
            .iter()
            .all(|e| e.to != "robot@example.org")
    );

    // A new member: three requests a day, then a clear refusal, nothing written.
    let mut awa = person(&app, "awa@example.org", "Awa", &[]).await;
    for n in 1..=3 {
        let sent = propose(&mut awa, &format!("Projet {n}"), "Un atelier.").await;
        assert_eq!(sent.status, 303, "request {n}: {}", sent.body);
    }
    let fourth = propose(&mut awa, "Projet 4", "Un atelier.").await;
    assert_eq!(fourth.status, 429);
    assert!(
        fourth.body.contains("3 demandes par jour"),
        "{}",
        fourth.body
    );
    let awa_id = Accounts::for_tenant(conn, &cm)
        .find_by_email(&EmailAddress::parse("awa@example.org").expect("address"))
        .await
        .expect("find")
        .expect("awa")
        .id;
    let requests = Requests::for_tenant(conn, &cm);
    let since = chrono::Utc::now() - Duration::days(1);
    assert_eq!(
        requests.sent_by_since(awa_id, since).await.expect("count"),
        3
    );

    // Links: three in a message are refused on the form, text kept; two go through.
    let thread_path = {
        let page = awa.get("/fr/compte/demandes").await;
        let start = page.body.find("href=\"/fr/demandes/").expect("a request") + 6;
        page.body[start..]
            .chars()
            .take_while(|c| *c != '"')
            .collect::<String>()
    };
    let links = "Voir https://a.example, https://b.example et www.c.example";
    let thread = awa.get(&thread_path).await;
    let refused = awa
        .post(
            &format!("{thread_path}/messages"),
            &[("csrf", &thread.csrf()), ("message", links)],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("au plus 2 liens"), "{}", refused.body);
    assert!(refused.body.contains("www.c.example"), "the text is kept");
    let two = "Voir https://a.example et https://b.example";
    let posted = awa
        .post(
            &format!("{thread_path}/messages"),
            &[("csrf", &thread.csrf()), ("message", two)],
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    assert_eq!(
        requests
            .messages_by_since(awa_id, since)
            .await
            .expect("count"),
        1
    );

    // The handling side writes freely: Douala's focal point sends the three links.
    let douala = city_id(&app, "cm", "douala").await;
    account(
        &app,
        "cm",
        "pf@example.org",
        &[(Role::FocalPoint, Some(douala), None)],
    )
    .await;
    let mut focal = signed_in(&app, CM, "pf@example.org").await;
    let thread = focal.get(&thread_path).await;
    assert_eq!(thread.status, 200);
    let answered = focal
        .post(
            &format!("{thread_path}/messages"),
            &[("csrf", &thread.csrf()), ("message", links)],
        )
        .await;
    assert_eq!(answered.status, 303, "{}", answered.body);

    // A week later Awa is no longer new: a fourth request goes through.
    let awa_account = Accounts::for_tenant(conn, &cm)
        .find(awa_id)
        .await
        .expect("find")
        .expect("awa");
    let city = jsap_store::Cities::for_tenant(conn, &cm)
        .by_id(douala)
        .await
        .expect("cities")
        .expect("douala");
    let later = FixedClock(chrono::Utc::now() + Duration::days(8));
    let scope = Scope::new(
        &app.services.store,
        app.services.themes.clone(),
        &cm,
        &later,
    );
    let new = |title: &str| NewRequest {
        kind: RequestKind::Project,
        member_user_id: awa_id,
        mission_id: None,
        organisation_id: None,
        city_id: douala,
        locale: "fr".into(),
        title: title.into(),
        body: "Un atelier.".into(),
        offer: "Du temps.".into(),
        contribution: None,
        available_from: None,
        available_to: None,
        domain: None,
    };
    let fifth = jsap_app::requests::submit::submit(&scope, &awa_account, &city, new("Projet 5"))
        .await
        .expect("submit");
    assert!(fifth.is_ok(), "an older account is not held back");
    // The same day, still new, the limit holds in the use case too (not only on the page).
    let now = FixedClock(chrono::Utc::now());
    let scope = Scope::new(&app.services.store, app.services.themes.clone(), &cm, &now);
    let held = jsap_app::requests::submit::submit(&scope, &awa_account, &city, new("Projet 6"))
        .await
        .expect("submit");
    assert_eq!(
        held.err(),
        Some(jsap_app::spam::Restraint::RequestsPerDay(3))
    );
}
