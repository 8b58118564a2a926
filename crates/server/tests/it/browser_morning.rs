//! A focal point's morning in headless Chromium at phone size: the weekday to-do email lists
//! what waits in Douala; its links lead, one click each, to verifying the organisation,
//! publishing its mission and answering a member's request (the inbox sorted by urgency, the
//! assistant's reading and suggested reply in view). Screenshots go to
//! `target/screenshots/` and each page passes the axe audit.

use crate::browser::{fill, log_in, phone_browser, shot, wait_for};
use crate::helpers::{PASSWORD, TestApp, axe_check, env, service_available};
use crate::requests::{city_id, emails, person};
use crate::roles::{account, tenant};
use chrono::{TimeZone, Utc};
use jsap_app::{FixedClock, Scope};
use jsap_domain::requests::RequestKind;
use jsap_store::{NewRequest, Requests, Role};

/// The links of the to-do email's text, on the test server instead of the canonical domain.
fn links(text: &str, base: &str) -> Vec<String> {
    text.split_whitespace()
        .filter_map(|w| w.strip_prefix("https://jesuisaucameroun.com"))
        .map(|rest| format!("{base}{rest}"))
        .collect()
}

#[tokio::test]
async fn a_focal_point_follows_the_to_do_email_to_verify_publish_and_answer() {
    let Some(webdriver) = env("WEBDRIVER_URL") else {
        service_available("WebDriver (chromedriver)", false, "WEBDRIVER_URL not set");
        return;
    };
    let app = TestApp::spawn_with(crate::helpers::Options {
        demo: false,
        ..Default::default()
    })
    .await;
    let cm = tenant(&app, "cm");
    let douala = city_id(&app, "cm", "douala").await;
    // What waits: Awa's organisation and its mission, and Moussa's project.
    person(
        &app,
        "pf.douala@example.org",
        "Fatou Focal",
        &[(Role::FocalPoint, Some(douala), None)],
    )
    .await;
    let mut awa = crate::organisations::awa_with_an_organisation(&app).await;
    let mission = crate::missions::submit_a_mission(&app, &mut awa).await;
    let moussa = account(&app, "cm", "moussa@example.org", &[]).await;
    let request = Requests::for_tenant(app.services.store.conn(), &cm)
        .create(
            NewRequest {
                kind: RequestKind::Project,
                member_user_id: moussa,
                mission_id: None,
                organisation_id: None,
                city_id: douala,
                locale: "fr".into(),
                title: "Salle informatique à Bonapriso".into(),
                body: "Je peux installer dix ordinateurs en août.".into(),
                offer: "Dix ordinateurs".into(),
                contribution: None,
                available_from: None,
                available_to: None,
                domain: None,
            },
            Utc::now(),
            cm.response_delay_days,
        )
        .await
        .expect("request");
    // Sent before triage existed: the triage job reads it.
    let services = (
        &app.services.store,
        &*app.services.registry,
        &app.services.themes,
    );
    let offline = jsap_assistant::Assistant::offline();
    let triaged = jsap_jobs::request_triage(services, &app.services.cache, &offline, Utc::now())
        .await
        .expect("triage");
    assert_eq!(triaged, Some(1));

    // Monday 8:05 in Douala: the to-do goes out.
    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 12, 7, 7, 5, 0).unwrap());
    let scope = Scope::new(
        &app.services.store,
        app.services.themes.clone(),
        &cm,
        &clock,
    );
    let sent = jsap_app::workspace::send_todo_emails(&scope)
        .await
        .expect("to-do");
    assert_eq!(sent.sent, 1);
    let todo = emails(&app, "cm")
        .await
        .into_iter()
        .find(|e| e.kind == "focal_point_todo")
        .expect("the to-do email");
    let base = format!("http://cm.localhost:{}", app.addr.port());
    let links = links(&todo.text_body, &base);
    let find = |needle: &str| {
        links
            .iter()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("a {needle} link in {links:?}"))
            .clone()
    };
    let organisation_link = find("/espace/organisations/verification#organisation-");
    let mission_link = find(&format!("/espace/missions/verification#mission-{mission}"));
    let request_link = find(&format!("/fr/demandes/{}", request.id));

    let client = phone_browser(&webdriver).await;
    client
        .goto(&format!("{base}/fr/compte/connexion"))
        .await
        .expect("goto");
    log_in(&client, "pf.douala@example.org", PASSWORD).await;

    // The workspace says what waits, the header badge counts it.
    client
        .goto(&format!("{base}/fr/espace/ville"))
        .await
        .expect("goto");
    let summary = wait_for(&client, "main").await.text().await.expect("text");
    assert!(summary.contains("3 à traiter"), "{summary}");
    axe_check(&client, "focal point workspace").await;
    shot(&client, "morning-1-workspace.png").await;

    // 1. The organisation: verified from the email's link.
    client.goto(&organisation_link).await.expect("goto");
    let id = organisation_link.rsplit('-').next().expect("id");
    wait_for(
        &client,
        &format!("#organisation-{id} form input[value=verify] ~ button"),
    )
    .await
    .click()
    .await
    .expect("verify");
    wait_for(&client, ".notice").await;
    shot(&client, "morning-2-verified.png").await;

    // 2. The mission: published from the email's link (the decision's default).
    client.goto(&mission_link).await.expect("goto");
    wait_for(
        &client,
        &format!("#mission-{mission} .decision-form button[type=submit]"),
    )
    .await
    .click()
    .await
    .expect("publish");
    wait_for(&client, ".notice").await;
    shot(&client, "morning-3-published.png").await;
    // Its members who fit (none has said yes to proposals yet: the empty state).
    client
        .goto(&format!("{base}/fr/espace/missions/{mission}/membres"))
        .await
        .expect("goto");
    let fit = wait_for(&client, "main").await.text().await.expect("text");
    assert!(
        fit.contains("Aucun membre ne correspond pour le moment."),
        "{fit}"
    );
    axe_check(&client, "members who fit a mission").await;

    // 3. The request: the inbox sorted by urgency, then answered from the email's link,
    // with the assistant's reading and its suggested reply in view.
    client
        .goto(&format!("{base}/fr/espace/ville/demandes?tri=urgence"))
        .await
        .expect("goto");
    wait_for(&client, "details.triage-filters[open]").await;
    axe_check(&client, "focal inbox sorted by urgency").await;
    shot(&client, "morning-4-inbox.png").await;
    client.goto(&request_link).await.expect("goto");
    wait_for(&client, "aside.triage").await;
    wait_for(&client, "details.suggested-reply summary")
        .await
        .click()
        .await
        .expect("open the suggested reply");
    let suggested = wait_for(&client, "#suggested-message").await;
    let text = suggested
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default();
    assert!(text.starts_with("Bonjour,"), "{text}");
    axe_check(&client, "conversation with a suggested reply").await;
    shot(&client, "morning-5-suggested.png").await;
    fill(
        &client,
        "#message",
        "Bonjour Moussa, le lycée de Bonapriso est intéressé : appelons-nous lundi.",
    )
    .await;
    wait_for(&client, "form[action$='/messages'] button[type=submit]")
        .await
        .click()
        .await
        .expect("answer");
    wait_for(&client, ".notice").await;
    axe_check(&client, "conversation").await;
    shot(&client, "morning-6-answered.png").await;

    // Nothing left but the request under way; Moussa is told.
    client
        .goto(&format!("{base}/fr/espace/ville"))
        .await
        .expect("goto");
    let after = wait_for(&client, "main").await.text().await.expect("text");
    assert!(after.contains("Rien à traiter pour le moment"), "{after}");
    client.close().await.expect("close");
    let published = jsap_store::MissionEdits::for_tenant(app.services.store.conn(), &cm)
        .find(mission.parse().expect("id"))
        .await
        .expect("find")
        .expect("mission");
    assert_eq!(
        published.status,
        jsap_domain::missions::MissionStatus::Published
    );
    assert!(
        emails(&app, "cm")
            .await
            .iter()
            .any(|e| e.kind == "request_message" && e.to == "moussa@example.org")
    );
}
