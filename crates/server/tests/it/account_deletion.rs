//! The end of an account: a member deletes their own (the password confirms it, their data is
//! erased, the other side keeps the conversation without their name), the inactivity rule
//! (warned after two years, deleted a month later, a visit in between saves the account) and
//! the consents recorded along the way. Each on one site, with a second site untouched.

use crate::helpers::{Options, PASSWORD, TestApp};
use crate::roles::{CM, SN, account, signed_in, tenant};
use chrono::{Duration, Utc};
use jsap_domain::{EmailAddress, Locale, MissionId};
use jsap_store::{
    AccessTokens, Accounts, Cities, Consents, Favourites, NewRequest, Outbox, Profile, Profiles,
    RequestKind, RequestState, Requests, Role,
};

fn address(email: &str) -> EmailAddress {
    EmailAddress::parse(email).expect("email")
}

/// A focal point of `city` on cm, with the test password: their account id.
async fn focal_point(app: &TestApp, email: &str, city: i64) -> i64 {
    account(app, "cm", email, &[(Role::FocalPoint, Some(city), None)]).await
}

#[tokio::test]
async fn a_member_deletes_their_account_and_the_other_side_keeps_the_conversation() {
    let app = TestApp::spawn().await;
    let (cm, sn) = (tenant(&app, "cm"), tenant(&app, "sn"));
    let conn = app.services.store.conn();
    let (awa, awa_sn, douala) = crate::profiles::awa_on_two_sites(&app).await;
    focal_point(&app, "point.focal@example.org", douala.id).await;
    let profiles = Profiles::for_tenant(conn, &cm);
    let scope = app.scope(&cm);
    let accounts = Accounts::for_tenant(conn, &cm);
    let member = accounts.find(awa).await.expect("q").expect("awa");
    let request = jsap_app::requests::submit::submit(
        &scope,
        &member,
        &douala,
        NewRequest {
            kind: RequestKind::Project,
            member_user_id: awa,
            mission_id: None,
            organisation_id: None,
            city_id: douala.id,
            locale: "fr".into(),
            title: "Une bibliothèque à Akwa".into(),
            body: "Voici mon idée de bibliothèque.".into(),
            offer: "Du temps en août".into(),
            contribution: None,
            available_from: None,
            available_to: None,
            domain: None,
        },
    )
    .await
    .expect("request")
    .expect("not held back");
    jsap_app::tokens::create(&scope, &member, "Mon script")
        .await
        .expect("token")
        .expect("created");
    let mission = &crate::favourites::mission_paths(&app, CM).await[0];
    let id = crate::favourites::id_of(mission);
    jsap_app::favourites::save(&scope, &member, MissionId(id), Locale::Fr)
        .await
        .expect("save")
        .expect("saved");

    let mut browser = signed_in(&app, CM, "awa@example.org").await;
    let home = browser.get("/fr/compte").await;
    assert!(home.body.contains("href=\"/fr/compte/suppression\""));
    let page = browser.get("/fr/compte/suppression").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Supprimer définitivement mon compte"));
    assert!(
        page.body.contains("href=\"/fr/compte/export\""),
        "export first"
    );

    // No token: refused before anything is checked or written.
    let forged = browser
        .post("/fr/compte/suppression", &[("current_password", PASSWORD)])
        .await;
    assert_eq!(forged.status, 403);
    // A wrong password, then none: the page again with the error, nothing deleted.
    for (given, error) in [
        ("pas le bon", "Le mot de passe actuel est incorrect."),
        ("", "Indiquez un mot de passe."),
    ] {
        let wrong = browser
            .submit(
                "/fr/compte/suppression",
                "/fr/compte/suppression",
                &[("current_password", given)],
            )
            .await;
        assert_eq!(wrong.status, 422, "{given}");
        assert!(wrong.body.contains(error), "{given}: {}", wrong.body);
        assert!(wrong.body.contains("href=\"#current_password\""));
    }
    assert!(
        accounts
            .find_by_email(&address("awa@example.org"))
            .await
            .expect("q")
            .is_some()
    );

    let done = browser
        .submit(
            "/fr/compte/suppression",
            "/fr/compte/suppression",
            &[("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        done.location(),
        "/fr/compte/connexion?done=account_deleted#main"
    );
    let landing = browser.get(done.location()).await;
    assert!(landing.body.contains("Votre compte a été supprimé."));
    assert!(!browser.is_signed_in().await, "signed out");

    // Erased: the address is free, the row keeps nothing personal, the data is gone.
    assert!(
        accounts
            .find_by_email(&address("awa@example.org"))
            .await
            .expect("q")
            .is_none()
    );
    let gone = accounts.find(awa).await.expect("q").expect("the row stays");
    assert!(gone.deleted);
    assert!(gone.display_name.is_empty());
    assert!(gone.email.ends_with("@deleted.invalid"), "{}", gone.email);
    assert!(accounts.password_hash(awa).await.expect("q").is_none());
    assert_eq!(profiles.get(awa).await.expect("q"), Profile::default());
    assert!(profiles.stays(awa).await.expect("q").is_empty());
    assert!(
        AccessTokens::for_tenant(conn, &cm)
            .of_user(awa)
            .await
            .expect("q")
            .is_empty()
    );
    assert!(
        !Favourites::for_tenant(conn, &cm)
            .holds(awa, id)
            .await
            .expect("q")
    );
    assert!(
        Consents::for_tenant(conn, &cm)
            .of_user(awa)
            .await
            .expect("q")
            .is_empty()
    );
    let requests = Requests::for_tenant(conn, &cm);
    let kept = requests.find(request.id).await.expect("q").expect("kept");
    assert_eq!(kept.state, RequestState::Withdrawn);
    assert_eq!(kept.sent.title, "Une bibliothèque à Akwa");
    // One email left to the old address: the confirmation; the earlier ones are erased.
    let to_awa = Outbox::for_tenant(conn, &cm)
        .to_address("awa@example.org")
        .await
        .expect("q");
    let kinds: Vec<&str> = to_awa.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["account_deleted"]);
    assert!(to_awa[0].text_body.contains("Comme vous l'avez demandé"));
    // The focal point of the city is told the request was withdrawn.
    let told = Outbox::for_tenant(conn, &cm)
        .to_address("point.focal@example.org")
        .await
        .expect("q")
        .into_iter()
        .find(|e| e.kind == "request_state")
        .expect("the handling side is told");
    assert!(
        told.text_body.contains("Une bibliothèque à Akwa"),
        "{}",
        told.text_body
    );
    // Neither the operator's member list nor the staff's account search shows the row.
    let (members, _) = jsap_store::Exports::for_tenant(conn, &cm)
        .batch(
            jsap_store::ExportList::Members,
            &jsap_store::ExportNames::default(),
            "fr",
            0,
            1_000,
        )
        .await
        .expect("members");
    assert!(members.iter().all(|row| row[0] != awa.to_string()));
    assert!(
        members
            .iter()
            .any(|row| row[1] == "point.focal@example.org")
    );
    assert!(
        accounts
            .search_email("deleted", 10)
            .await
            .expect("q")
            .is_empty()
    );
    // The old password opens nothing.
    let mut again = crate::helpers::Browser::new(&app, CM);
    assert_eq!(again.login("awa@example.org", PASSWORD).await.status, 401);

    // The focal point still reads the conversation, without her name, address or phone.
    let mut focal = signed_in(&app, CM, "point.focal@example.org").await;
    let thread = focal.get(&format!("/fr/demandes/{}", request.id)).await;
    assert_eq!(thread.status, 200);
    assert!(thread.body.contains("Une bibliothèque à Akwa"));
    assert!(thread.body.contains("Compte supprimé"));
    for absent in ["awa@example.org", "Awa Test", "+33 6 12 34 56 78"] {
        assert!(!thread.body.contains(absent), "{absent}");
    }

    // The same person on the other site keeps everything.
    let accounts_sn = Accounts::for_tenant(conn, &sn);
    let still = accounts_sn.find(awa_sn).await.expect("q").expect("sn");
    assert!(!still.deleted);
    assert_eq!(still.email, "awa@example.org");
    assert_eq!(
        Profiles::for_tenant(conn, &sn)
            .get(awa_sn)
            .await
            .expect("q")
            .skills,
        ["Secret sénégalais"]
    );
    let mut on_sn = signed_in(&app, SN, "awa@example.org").await;
    assert!(on_sn.is_signed_in().await);
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn the_inactivity_rule_warns_then_deletes_and_a_visit_saves_the_account() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Default::default()
    })
    .await;
    let (cm, sn) = (tenant(&app, "cm"), tenant(&app, "sn"));
    let conn = app.services.store.conn();
    let douala = Cities::for_tenant(conn, &cm)
        .by_slug("douala")
        .await
        .expect("q")
        .expect("douala");
    let dormant = account(&app, "cm", "dormant@example.org", &[]).await;
    let returning = account(&app, "cm", "retour@example.org", &[]).await;
    let focal = focal_point(&app, "focal@example.org", douala.id).await;
    let other_site = account(&app, "sn", "dormant@example.org", &[]).await;
    let accounts = Accounts::for_tenant(conn, &cm);
    let run = async |at: chrono::DateTime<Utc>| {
        let clock = jsap_app::FixedClock(at);
        let scope = jsap_app::Scope::new(
            &app.services.store,
            app.services.themes.clone(),
            &cm,
            &clock,
        );
        jsap_app::accounts::enforce_inactivity(&scope)
            .await
            .expect("pass")
    };
    let created = Utc::now();

    // Before two years: nothing.
    let report = run(created + Duration::days(729)).await;
    assert_eq!((report.warned, report.deleted), (0, 0));

    // Two years on: both members warned, the focal point (a role) left to the operator.
    let warned_at = created + Duration::days(731);
    let report = run(warned_at).await;
    assert_eq!((report.warned, report.deleted), (2, 0));
    let outbox = Outbox::for_tenant(conn, &cm);
    let warning = outbox
        .to_address("dormant@example.org")
        .await
        .expect("q")
        .into_iter()
        .find(|e| e.kind == "account_inactive")
        .expect("warned");
    let deleted_after = jsap_adapters::dates::format_date(
        cm.local_date(warned_at + Duration::days(30)),
        Locale::Fr,
    );
    assert!(
        warning.subject.contains(&deleted_after),
        "{}",
        warning.subject
    );
    assert!(warning.text_body.contains("/fr/compte/connexion"));
    assert!(
        accounts
            .find(focal)
            .await
            .expect("q")
            .expect("focal")
            .inactivity_warned_at
            .is_none()
    );
    // A second pass the same day warns nobody twice.
    assert_eq!(run(warned_at + Duration::hours(6)).await.warned, 0);

    // One of them signs in during the month: the warning is lifted.
    assert!(
        accounts
            .seen(returning, warned_at + Duration::days(10))
            .await
            .expect("seen")
    );
    let report = run(warned_at + Duration::days(29)).await;
    assert_eq!((report.warned, report.deleted), (0, 0), "the month runs");

    let report = run(warned_at + Duration::days(31)).await;
    assert_eq!((report.warned, report.deleted), (0, 1));
    assert!(
        accounts
            .find(dormant)
            .await
            .expect("q")
            .expect("row")
            .deleted
    );
    let back = accounts.find(returning).await.expect("q").expect("row");
    assert!(!back.deleted && back.inactivity_warned_at.is_none());
    let last = outbox.to_address("dormant@example.org").await.expect("q");
    assert_eq!(
        last.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        ["account_deleted"]
    );
    assert!(last[0].text_body.contains("depuis plus de deux ans"));

    // The other site ran nothing: its account with the same address is untouched.
    let untouched = Accounts::for_tenant(conn, &sn)
        .find(other_site)
        .await
        .expect("q")
        .expect("sn");
    assert!(!untouched.deleted && untouched.inactivity_warned_at.is_none());
    // The job runs the rule on every site.
    let far = warned_at + Duration::days(31);
    let (store, registry, themes) = (
        &app.services.store,
        &app.services.registry,
        &app.services.themes,
    );
    let total = jsap_jobs::account_inactivity(store, registry, themes, &app.services.cache, far)
        .await
        .expect("job")
        .expect("lock");
    assert_eq!(total, 1, "the sn account warned");
    assert!(
        Accounts::for_tenant(conn, &sn)
            .find(other_site)
            .await
            .expect("q")
            .expect("sn")
            .inactivity_warned_at
            .is_some()
    );
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn consents_are_recorded_with_their_date_and_version_and_exported() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Default::default()
    })
    .await;
    let cm = tenant(&app, "cm");
    let conn = app.services.store.conn();
    let awa = account(&app, "cm", "awa@example.org", &[]).await;
    account(&app, "sn", "awa@example.org", &[]).await;
    let consents = Consents::for_tenant(conn, &cm);
    let at_creation = consents.of_user(awa).await.expect("q");
    assert_eq!(at_creation.len(), 1);
    assert_eq!(at_creation[0].kind, "terms");
    assert_eq!(at_creation[0].version, jsap_domain::consents::TERMS_VERSION);
    assert!(at_creation[0].granted);

    let mut browser = signed_in(&app, CM, "awa@example.org").await;
    // Campaigns off, reminders kept on, no weekly missions: all recorded as the first choice.
    let saved = browser
        .submit(
            "/fr/compte/emails",
            "/fr/compte/emails",
            &[("reminders", "on")],
        )
        .await;
    assert_eq!(saved.status, 303);
    // The same choice again records nothing; a change records one row.
    browser
        .submit(
            "/fr/compte/emails",
            "/fr/compte/emails",
            &[("reminders", "on")],
        )
        .await;
    browser
        .submit("/fr/compte/emails", "/fr/compte/emails", &[])
        .await;
    let all = consents.of_user(awa).await.expect("q");
    let rows: Vec<(&str, bool)> = all.iter().map(|c| (c.kind.as_str(), c.granted)).collect();
    assert_eq!(
        rows,
        [
            ("terms", true),
            ("email_campaigns", false),
            ("email_reminders", true),
            ("email_missions", false),
            ("email_reminders", false),
        ]
    );
    let export = browser.get("/fr/compte/export").await;
    let data: serde_json::Value = serde_json::from_str(&export.body).expect("json");
    let exported = data["consents"].as_array().expect("consents");
    assert_eq!(exported.len(), 5);
    assert_eq!(exported[4]["kind"], "email_reminders");
    assert_eq!(exported[4]["granted"], false);
    assert!(exported[0]["recorded_at"].is_string());
    // The other site's account has only its own terms consent.
    let sn = tenant(&app, "sn");
    let sn_id = Accounts::for_tenant(conn, &sn)
        .find_by_email(&address("awa@example.org"))
        .await
        .expect("q")
        .expect("sn")
        .id;
    assert_eq!(
        Consents::for_tenant(conn, &sn)
            .of_user(sn_id)
            .await
            .expect("q")
            .len(),
        1
    );
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn a_staff_account_is_not_deleted_from_its_own_page() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Default::default()
    })
    .await;
    crate::roles::staff(&app, "equipe@example.org").await;
    let mut browser = signed_in(&app, crate::roles::PORTAL, "equipe@example.org").await;
    let page = browser.get("/fr/compte/suppression").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("un autre membre de l"), "{}", page.body);
    assert!(!page.body.contains("Supprimer définitivement mon compte"));
    let csrf = browser.get("/fr/compte").await.csrf();
    let refused = browser
        .post(
            "/fr/compte/suppression",
            &[("csrf", csrf.as_str()), ("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert!(browser.is_signed_in().await, "still signed in");
    let portal = tenant(&app, "portal");
    assert!(
        Accounts::for_tenant(app.services.store.conn(), &portal)
            .find_by_email(&address("equipe@example.org"))
            .await
            .expect("q")
            .is_some()
    );
    app.stop().await.expect("stop");
}
