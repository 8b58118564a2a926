//! The public pages' layout in a real Chromium, at a true 412 px phone viewport (Chrome's
//! mobile emulation) and at 1366x900: nothing wider than the phone, the search filters in a
//! drawer on the phone (opened by a link, no script) and a compact column on the desktop
//! (it used to be stretched down the whole result list, its button hundreds of pixels below).

use crate::browser::CHROME_ARGS;
use crate::helpers::{TestApp, env, service_available};
use fantoccini::{Client, ClientBuilder, Locator};

async fn browser(webdriver: &str, phone: bool) -> Client {
    let mut options = serde_json::json!({
        "args": CHROME_ARGS,
        "binary": env("CHROME_BIN").unwrap_or_else(|| "/usr/bin/chromium".into()),
    });
    if phone {
        options["mobileEmulation"] = serde_json::json!({ "deviceMetrics": { "width": 412, "height": 915, "pixelRatio": 1 } });
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(webdriver)
        .await
        .expect("connect to chromedriver");
    if !phone {
        client.set_window_size(1366, 900).await.expect("desktop");
    }
    client
}

async fn number(client: &Client, script: &str) -> f64 {
    client
        .execute(script, vec![])
        .await
        .expect("script")
        .as_f64()
        .unwrap_or_else(|| panic!("a number from {script}"))
}

async fn text(client: &Client, script: &str) -> String {
    client
        .execute(script, vec![])
        .await
        .expect("script")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

const FILTERS_DISPLAY: &str = "return getComputedStyle(document.getElementById('filters')).display";

#[tokio::test]
async fn the_search_filters_are_a_drawer_on_phones_and_a_compact_column_on_desktops() {
    let Some(webdriver) = env("WEBDRIVER_URL") else {
        service_available("WebDriver (chromedriver)", false, "WEBDRIVER_URL not set");
        return;
    };
    let app = TestApp::spawn().await;
    let base = format!("http://cm.localhost:{}", app.addr.port());

    // A long address used to push the account page to 458 px on a phone.
    let long = "prenom.nom-de-famille.tres-long@exemple-association-diaspora.org";
    crate::accounts::member(&app, long).await;
    let phone = browser(&webdriver, true).await;
    phone
        .goto(&format!("{base}/fr/compte/connexion"))
        .await
        .expect("log-in page");
    crate::browser::log_in(&phone, long, crate::helpers::PASSWORD).await;
    for path in [
        "/fr/",
        "/fr/missions",
        "/fr/villes/douala",
        "/en/missions",
        "/fr/compte",
        "/fr/compte/demandes",
    ] {
        phone.goto(&format!("{base}{path}")).await.expect("page");
        let inner = number(&phone, "return window.innerWidth").await;
        let wide = number(&phone, "return document.documentElement.scrollWidth").await;
        assert_eq!(inner, 412.0, "a true phone viewport");
        assert!(
            wide <= inner,
            "{path}: {wide} px wide on a {inner} px phone"
        );
        if path == "/fr/compte" {
            let source = phone.source().await.expect("source");
            assert!(source.contains(long), "signed in, the address on the page");
        }
    }
    phone
        .goto(&format!("{base}/fr/missions?domain=sante"))
        .await
        .expect("search");
    assert_eq!(
        text(&phone, FILTERS_DISPLAY).await,
        "none",
        "closed at first"
    );
    let opener = phone
        .find(Locator::Css(".refine a"))
        .await
        .expect("the drawer's button");
    assert!(
        opener
            .text()
            .await
            .expect("text")
            .contains("filtres actifs"),
        "it says filters are on"
    );
    opener.click().await.expect("open");
    assert_eq!(text(&phone, FILTERS_DISPLAY).await, "grid", "open");
    let bottom = number(
        &phone,
        "return document.querySelector('.filters-actions button').getBoundingClientRect().bottom",
    )
    .await;
    assert!(bottom <= 915.0, "the submit button is in reach: {bottom}");
    phone
        .find(Locator::Css(".filters-close"))
        .await
        .expect("close")
        .click()
        .await
        .expect("close");
    assert_eq!(text(&phone, FILTERS_DISPLAY).await, "none", "closed again");
    phone.close().await.expect("close");

    let desktop = browser(&webdriver, false).await;
    desktop
        .goto(&format!("{base}/fr/missions"))
        .await
        .expect("search");
    assert_eq!(text(&desktop, FILTERS_DISPLAY).await, "grid");
    let bottom = number(
        &desktop,
        "return document.querySelector('.filters-actions button').getBoundingClientRect().bottom",
    )
    .await;
    let results = number(
        &desktop,
        "return document.querySelector('.results').getBoundingClientRect().height",
    )
    .await;
    assert!(
        bottom < 900.0 && results > 900.0,
        "the filter button sits at {bottom} px beside {results} px of results"
    );
    desktop.close().await.expect("close");
}
