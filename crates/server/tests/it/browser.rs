//! Real browser checks in headless Chromium: a phone-sized search that reaches a mission page
//! (screenshots saved under `target/screenshots/` for review), and an axe-core audit of the
//! main pages (no serious or critical violation).

use crate::helpers::{TestApp, axe_audit, axe_check, env, repo_root, service_available};
use fantoccini::{ClientBuilder, Locator};
use jsap_store::Grant;
use std::path::PathBuf;
use std::time::Duration;

pub const CHROME_ARGS: [&str; 9] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
];

fn screenshots_dir() -> PathBuf {
    let dir = repo_root().join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshots dir");
    dir
}

/// A headless Chromium at phone size (412x915) driven through `webdriver` (chromedriver on
/// this machine: plain HTTP, no TLS stack needed).
pub async fn phone_browser(webdriver: &str) -> fantoccini::Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "args": CHROME_ARGS, "binary": env("CHROME_BIN").unwrap_or_else(|| "/usr/bin/chromium".into()) }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(webdriver)
        .await
        .expect("connect to chromedriver");
    client
        .set_window_size(412, 915)
        .await
        .expect("phone viewport");
    client
}

pub async fn wait_for(client: &fantoccini::Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
}

#[tokio::test]
async fn a_phone_visitor_searches_and_reaches_a_mission_page() {
    let Some(webdriver) = env("WEBDRIVER_URL") else {
        service_available("WebDriver (chromedriver)", false, "WEBDRIVER_URL not set");
        return;
    };
    let app = TestApp::spawn().await;
    let client = phone_browser(&webdriver).await;
    let base = format!("http://cm.localhost:{}", app.addr.port());
    let dir = screenshots_dir();

    client.goto(&format!("{base}/fr/")).await.expect("home");
    wait_for(&client, "h1").await;
    std::fs::write(
        dir.join("1-home-phone.png"),
        client.screenshot().await.expect("shot"),
    )
    .expect("save");
    let q = wait_for(&client, "form.search input[name=q]").await;
    q.send_keys("école").await.expect("type");
    wait_for(&client, "form.search button[type=submit]")
        .await
        .click()
        .await
        .expect("submit");
    wait_for(&client, "#results-title").await;
    let url = client.current_url().await.expect("url");
    assert!(
        url.path() == "/fr/missions" && url.query().unwrap_or("").contains("q=%C3%A9cole"),
        "{url}"
    );
    std::fs::write(
        dir.join("2-search-results-phone.png"),
        client.screenshot().await.expect("shot"),
    )
    .expect("save");
    let heading = wait_for(&client, "#results-title")
        .await
        .text()
        .await
        .expect("text");
    assert!(!heading.starts_with('0'), "{heading}");

    wait_for(&client, ".card-title a")
        .await
        .click()
        .await
        .expect("open mission");
    let h1 = wait_for(&client, "article.mission h1")
        .await
        .text()
        .await
        .expect("title");
    assert!(!h1.is_empty());
    assert!(
        client
            .current_url()
            .await
            .expect("url")
            .path()
            .starts_with("/fr/missions/")
    );
    // app.js ran: the copy button it reveals is shown; the photo loaded from /media.
    let copy = wait_for(&client, "button[data-copy]").await;
    assert!(
        copy.is_displayed().await.expect("displayed"),
        "app.js reveals the copy button"
    );
    let mut width = 0;
    for _ in 0..50 {
        width = client
            .execute(
                "const img = document.querySelector('.photos img'); return img && img.complete ? img.naturalWidth : 0;",
                vec![],
            )
            .await
            .expect("script")
            .as_u64()
            .unwrap_or(0);
        if width > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(width, 640, "the mission photo loaded");
    std::fs::write(
        dir.join("3-mission-phone.png"),
        client.screenshot().await.expect("shot"),
    )
    .expect("save");
    client.close().await.expect("close");
}

#[tokio::test]
async fn axe_finds_no_serious_or_critical_violation_on_the_main_pages() {
    let app = TestApp::spawn().await;
    let port = app.addr.port();
    let (_, list) = app.page("jesuisaucameroun.com", "/fr/missions").await;
    let start = list.find("href=\"/fr/missions/").expect("a mission") + 6;
    let mission: String = list[start..].chars().take_while(|c| *c != '"').collect();
    let urls = [
        format!("http://cm.localhost:{port}/fr/"),
        format!("http://cm.localhost:{port}/fr/missions?tab=sinvestir&city=douala"),
        format!("http://cm.localhost:{port}{mission}"),
        format!("http://cm.localhost:{port}/fr/villes/douala"),
        format!("http://cm.localhost:{port}/fr/organisations/mairie-de-douala"),
        format!("http://ma.localhost:{port}/ar/missions"),
        format!("http://localhost:{port}/en/"),
    ];
    let Some(problems) = axe_audit(&urls, Some(&screenshots_dir().join("axe.json"))).await else {
        return;
    };
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Sets a form field's value by script (date inputs take typed text in the browser's locale).
pub async fn set_value(client: &fantoccini::Client, id: &str, value: &str) {
    client
        .execute(
            "document.getElementById(arguments[0]).value = arguments[1];",
            vec![serde_json::json!(id), serde_json::json!(value)],
        )
        .await
        .expect("set value");
}

pub async fn fill(client: &fantoccini::Client, css: &str, text: &str) {
    let field = wait_for(client, css).await;
    field.clear().await.expect("clear");
    field.send_keys(text).await.expect("type");
}

pub async fn shot(client: &fantoccini::Client, name: &str) {
    std::fs::write(
        screenshots_dir().join(name),
        client.screenshot().await.expect("shot"),
    )
    .expect("save");
}

pub async fn log_in(client: &fantoccini::Client, email: &str, password: &str) {
    fill(client, "#email", email).await;
    fill(client, "#password", password).await;
    wait_for(
        client,
        "form[action$='/compte/connexion'] button[type=submit]",
    )
    .await
    .click()
    .await
    .expect("log in");
    // Signed in once the header offers to log out (the next navigation must not race the POST).
    wait_for(client, "form[action$='/compte/deconnexion'] button").await;
}

pub async fn log_out(client: &fantoccini::Client) {
    wait_for(client, "form[action$='/compte/deconnexion'] button")
        .await
        .click()
        .await
        .expect("log out");
    wait_for(client, "form[action$='/compte/connexion']").await;
}

/// The last email of `kind` to `to`, by the outbox.
async fn outbox_email(app: &TestApp, kind: &str, to: &str) -> jsap_store::OutboxEmail {
    let cm = app.services.registry.get("cm").expect("cm").clone();
    jsap_store::Outbox::for_tenant(app.services.store.conn(), &cm)
        .list()
        .await
        .expect("outbox")
        .into_iter()
        .rev()
        .find(|e| e.kind == kind && e.to == to)
        .unwrap_or_else(|| panic!("a {kind} email to {to}"))
}

fn path_of(email: &jsap_store::OutboxEmail, segment: &str) -> String {
    let prefix = "https://jesuisaucameroun.com";
    let start = email
        .text_body
        .find(&format!("{prefix}{segment}"))
        .unwrap_or_else(|| panic!("a {segment} link"))
        + prefix.len();
    email.text_body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect()
}

#[tokio::test]
async fn a_new_visitor_answers_a_mission_and_reads_the_organisation_reply() {
    let Some(webdriver) = env("WEBDRIVER_URL") else {
        service_available("WebDriver (chromedriver)", false, "WEBDRIVER_URL not set");
        return;
    };
    let app = TestApp::spawn().await;
    let cm = app.services.registry.get("cm").expect("cm").clone();
    let conn = app.services.store.conn();
    // A mission of the demo data, and a member of its organisation made through the store.
    let (_, list) = app.page("cm.localhost", "/fr/missions").await;
    let start = list.find("href=\"/fr/missions/").expect("a mission") + 6;
    let mission: String = list[start..].chars().take_while(|c| *c != '"').collect();
    let id: i64 = mission
        .trim_start_matches("/fr/missions/")
        .split('-')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("id");
    let detail = jsap_store::Missions::for_tenant(conn, &cm)
        .published(id, "fr")
        .await
        .expect("mission")
        .expect("published");
    let password = "un mot de passe solide";
    let accounts = jsap_store::Accounts::for_tenant(conn, &cm);
    let org_member = accounts
        .create(
            &jsap_domain::EmailAddress::parse("odile@association.example").expect("email"),
            "Odile de l'association",
            &jesuisaupays::commands::hash_password(password).expect("hash"),
            true,
        )
        .await
        .expect("account");
    accounts
        .grant(
            org_member.id,
            Grant::OrganisationAdmin {
                organisation_id: detail.mission.organisation_id,
            },
        )
        .await
        .expect("grant");

    let client = phone_browser(&webdriver).await;
    let base = format!("http://cm.localhost:{}", app.addr.port());

    // 1. Sign up, then follow the verification link read from the outbox.
    client
        .goto(&format!("{base}/fr/compte/inscription"))
        .await
        .expect("sign-up page");
    fill(&client, "#display_name", "Awa Diallo").await;
    fill(&client, "#email", "awa@example.org").await;
    fill(&client, "#password", password).await;
    fill(&client, "#password_confirm", password).await;
    wait_for(&client, "#terms")
        .await
        .click()
        .await
        .expect("terms");
    wait_for(
        &client,
        "form[action$='/compte/inscription'] button[type=submit]",
    )
    .await
    .click()
    .await
    .expect("sign up");
    wait_for(&client, ".message").await;
    let verification = outbox_email(&app, "account_verification", "awa@example.org").await;
    client
        .goto(&format!(
            "{base}{}",
            path_of(&verification, "/fr/compte/verifier/")
        ))
        .await
        .expect("verify");
    wait_for(&client, ".message").await;

    // 2. From the mission page, answer it: log-in first, then back to the form.
    client
        .goto(&format!("{base}{mission}"))
        .await
        .expect("mission");
    wait_for(&client, "section.contact a.button")
        .await
        .click()
        .await
        .expect("call to action");
    log_in(&client, "awa@example.org", password).await;
    wait_for(&client, "#message").await;
    assert!(
        client
            .current_url()
            .await
            .expect("url")
            .path()
            .ends_with("/repondre"),
        "back to the form after log-in"
    );
    fill(
        &client,
        "#message",
        "Bonjour, je suis à Douala en août et je peux aider.",
    )
    .await;
    let contribution = detail.mission.terms.contribution_types[0].clone();
    set_value(&client, "contribution", &contribution).await;
    set_value(
        &client,
        "available_from",
        &detail.mission.terms.starts_on.to_string(),
    )
    .await;
    set_value(
        &client,
        "available_to",
        &detail.mission.terms.ends_on.to_string(),
    )
    .await;
    shot(&client, "requests-1-answer-form.png").await;
    axe_check(&client, "answer form").await;
    wait_for(&client, "form[action$='/repondre'] button[type=submit]")
        .await
        .click()
        .await
        .expect("send");
    let notice = wait_for(&client, ".notice")
        .await
        .text()
        .await
        .expect("notice");
    assert!(notice.contains("14 jours"), "{notice}");
    shot(&client, "requests-2-sent.png").await;
    axe_check(&client, "conversation, member").await;
    let thread = client.current_url().await.expect("url").path().to_owned();
    log_out(&client).await;

    // 3. The organisation's member follows the emailed link, logs in and replies.
    let new = outbox_email(&app, "request_new", "odile@association.example").await;
    let link = path_of(&new, "/fr/demandes/");
    assert_eq!(link, thread);
    client
        .goto(&format!("{base}{link}"))
        .await
        .expect("request link");
    log_in(&client, "odile@association.example", password).await;
    client
        .goto(&format!("{base}{link}"))
        .await
        .expect("request");
    let page = wait_for(&client, ".request-thread")
        .await
        .text()
        .await
        .expect("text");
    assert!(
        page.contains("awa@example.org"),
        "the organisation sees the member's contact"
    );
    fill(
        &client,
        "#message",
        "Merci Awa ! Rendez-vous le 3 août à la mairie.",
    )
    .await;
    wait_for(&client, "form[action$='/messages'] button[type=submit]")
        .await
        .click()
        .await
        .expect("reply");
    wait_for(&client, ".notice").await;
    shot(&client, "requests-3-organisation-reply.png").await;
    axe_check(&client, "conversation, organisation").await;
    log_out(&client).await;

    // 4. The member sees the reply: unread in the inbox, then in the conversation.
    client
        .goto(&format!("{base}/fr/compte/connexion"))
        .await
        .expect("log-in page");
    log_in(&client, "awa@example.org", password).await;
    client
        .goto(&format!("{base}/fr/compte/demandes"))
        .await
        .expect("inbox");
    let unread = wait_for(&client, ".unread-count")
        .await
        .text()
        .await
        .expect("count");
    assert!(unread.contains('1'), "{unread}");
    shot(&client, "requests-4-member-inbox.png").await;
    axe_check(&client, "member inbox").await;
    wait_for(&client, "tr.unread a")
        .await
        .click()
        .await
        .expect("open");
    let messages = wait_for(&client, ".messages")
        .await
        .text()
        .await
        .expect("messages");
    assert!(messages.contains("Rendez-vous le 3 août"), "{messages}");
    let state = wait_for(&client, ".badges")
        .await
        .text()
        .await
        .expect("state");
    assert!(state.contains("En cours"), "{state}");
    shot(&client, "requests-5-member-reads-reply.png").await;

    // The city's two other forms, also with their field errors shown.
    for form in ["proposer", "offrir"] {
        client
            .goto(&format!("{base}/fr/villes/douala/{form}"))
            .await
            .expect("city form");
        axe_check(&client, form).await;
        wait_for(&client, ".request-form button[type=submit]")
            .await
            .click()
            .await
            .expect("submit empty");
        wait_for(&client, ".field-error").await;
        axe_check(&client, &format!("{form} with errors")).await;
    }
    shot(&client, "requests-6-profile-errors.png").await;
    client.close().await.expect("close");
}
