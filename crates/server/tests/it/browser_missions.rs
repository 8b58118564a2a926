//! The supply side in headless Chromium at phone size: an organisation registers, the focal
//! point of its city verifies it, the organisation writes a mission with a photo and submits
//! it, the focal point publishes it, and a visitor finds it in search. Screenshots of each
//! step go to `target/screenshots/` and each page passes the axe audit.

use crate::browser::{fill, log_in, log_out, phone_browser, set_value, shot, wait_for};
use crate::helpers::{TestApp, axe_check, env, service_available};
use fantoccini::Locator;
use jsap_store::Grant;

async fn click(client: &fantoccini::Client, css: &str) {
    wait_for(client, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

#[tokio::test]
async fn an_organisation_registers_writes_a_mission_with_a_photo_and_a_visitor_finds_it() {
    let Some(webdriver) = env("WEBDRIVER_URL") else {
        service_available("WebDriver (chromedriver)", false, "WEBDRIVER_URL not set");
        return;
    };
    let app = TestApp::spawn().await;
    let cm = app.services.registry.get("cm").expect("cm").clone();
    let conn = app.services.store.conn();
    let password = "un mot de passe solide";
    let hash = jesuisaupays::commands::hash_password(password).expect("hash");
    let accounts = jsap_store::Accounts::for_tenant(conn, &cm);
    let email = |s: &str| jsap_domain::EmailAddress::parse(s).expect("email");
    accounts
        .create(&email("awa@association.example"), "Awa Diallo", &hash, true)
        .await
        .expect("awa");
    let focal = accounts
        .create(&email("pf.kribi@example.org"), "Fatou Focal", &hash, true)
        .await
        .expect("focal");
    let kribi = jsap_store::Cities::for_tenant(conn, &cm)
        .by_slug("kribi")
        .await
        .expect("cities")
        .expect("kribi")
        .id;
    accounts
        .grant(focal.id, Grant::FocalPoint { city_id: kribi })
        .await
        .expect("grant");
    // A photo on disk: the browser uploads it like a person would.
    let dir = tempfile::tempdir().expect("tempdir");
    let photo = dir.path().join("plage.jpg");
    image::RgbImage::from_fn(1200, 800, |x, y| {
        image::Rgb([(x % 255) as u8, (y % 255) as u8, 180])
    })
    .save(&photo)
    .expect("photo");

    let client = phone_browser(&webdriver).await;
    let base = format!("http://cm.localhost:{}", app.addr.port());
    let go = |path: &str| {
        let url = format!("{base}{path}");
        let client = &client;
        async move { client.goto(&url).await.expect("goto") }
    };

    // 1. Awa registers her association in Kribi.
    go("/fr/compte/connexion").await;
    log_in(&client, "awa@association.example", password).await;
    go("/fr/organisations/nouvelle").await;
    fill(&client, "#name", "Kribi Plages Propres").await;
    set_value(&client, "kind", "association").await;
    set_value(&client, "city", "kribi").await;
    fill(
        &client,
        "#description",
        "Nettoyage des plages et sensibilisation des visiteurs.",
    )
    .await;
    axe_check(&client, "organisation form").await;
    click(
        &client,
        "form[action$='/organisations/nouvelle'] button[type=submit]",
    )
    .await;
    wait_for(&client, ".notice").await;
    shot(&client, "supply-1-registered.png").await;
    log_out(&client).await;

    // 2. The focal point of Kribi verifies it.
    go("/fr/compte/connexion").await;
    log_in(&client, "pf.kribi@example.org", password).await;
    go("/fr/espace/organisations/verification").await;
    axe_check(&client, "organisations queue").await;
    click(&client, ".review-item form input[value=verify] ~ button").await;
    wait_for(&client, ".notice").await;
    shot(&client, "supply-2-verified.png").await;
    log_out(&client).await;

    // 3. Awa writes the mission, adds a photo and submits it.
    go("/fr/compte/connexion").await;
    log_in(&client, "awa@association.example", password).await;
    go("/fr/espace/missions/nouvelle").await;
    axe_check(&client, "mission editor").await;
    fill(&client, "#title_fr", "Grand nettoyage de la plage de Ngoyé").await;
    fill(
        &client,
        "#description_fr",
        "Ramasser les déchets plastiques avec les jeunes du quartier, un samedi matin.",
    )
    .await;
    set_value(&client, "domain", "environnement-proprete").await;
    set_value(&client, "mission_type", "operation-proprete-dechets").await;
    click(&client, "input[name=contribution][value=benevolat]").await;
    click(&client, "input[name=flexible]").await;
    // Submitting an incomplete form would show errors; this one is complete.
    click(&client, ".mission-form button[type=submit]").await;
    wait_for(&client, ".mission-state").await;
    shot(&client, "supply-3-draft.png").await;
    wait_for(&client, "#photo")
        .await
        .send_keys(photo.to_str().expect("path"))
        .await
        .expect("choose the photo");
    fill(&client, "#alt", "Des déchets plastiques sur le sable").await;
    click(&client, ".photo-form button[type=submit]").await;
    wait_for(&client, ".photo-list img").await;
    axe_check(&client, "mission with a photo").await;
    shot(&client, "supply-4-photo.png").await;
    click(&client, "form[action$='/soumettre'] button").await;
    wait_for(&client, ".status-submitted").await;
    log_out(&client).await;

    // 4. The focal point publishes it (the decision's default).
    go("/fr/compte/connexion").await;
    log_in(&client, "pf.kribi@example.org", password).await;
    go("/fr/espace/missions/verification").await;
    axe_check(&client, "missions queue").await;
    shot(&client, "supply-5-queue.png").await;
    click(&client, ".decision-form button[type=submit]").await;
    wait_for(&client, ".notice").await;
    log_out(&client).await;

    // 5. A visitor finds it and opens it: "Validé par", the photo, flexible dates.
    go("/fr/missions?q=plage").await;
    let link = client
        .wait()
        .for_element(Locator::XPath(
            "//a[contains(., 'Grand nettoyage de la plage')]",
        ))
        .await
        .expect("found in search");
    shot(&client, "supply-6-search.png").await;
    link.click().await.expect("open");
    let article = wait_for(&client, "article.mission")
        .await
        .text()
        .await
        .expect("text");
    assert!(article.contains("Validé par"), "{article}");
    assert!(article.contains("Dates flexibles"), "{article}");
    let alt = wait_for(&client, ".photos img")
        .await
        .attr("alt")
        .await
        .expect("alt");
    assert_eq!(alt.as_deref(), Some("Des déchets plastiques sur le sable"));
    shot(&client, "supply-7-mission.png").await;
    client.close().await.expect("close");
}
