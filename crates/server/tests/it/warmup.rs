//! Every site's catalogue loads at start (`WARM_CATALOGUES`), and `/readyz` waits for it.

use crate::helpers::{Options, TestApp};
use std::time::Duration;

const CM: &str = "cm.localhost";

/// The code of every site the app serves.
fn site_codes(app: &TestApp) -> Vec<String> {
    app.services
        .registry
        .tenants()
        .iter()
        .map(|t| t.code.to_string())
        .collect()
}

#[tokio::test]
async fn every_sites_catalogue_is_loaded_at_start_before_readyz_lets_traffic_in() {
    let app = TestApp::spawn_with(Options {
        warm_catalogues: true,
        ..Options::default()
    })
    .await;
    let codes = site_codes(&app);
    assert!(codes.len() >= 2, "the demo's sites: {codes:?}");
    let mut ready = None;
    for _ in 0..600 {
        let response = app.get(CM, "/readyz").await;
        let status = response.status();
        let body: serde_json::Value =
            serde_json::from_str(&response.text().await.expect("body")).expect("a JSON body");
        if status == 200 {
            ready = Some(body);
            break;
        }
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["catalogues"], "loading", "{body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let body = ready.expect("ready within 30 s");
    assert_eq!(body["catalogues"], "ok");
    for code in &codes {
        assert!(
            app.services.store.holds_catalogue(code),
            "{code}'s catalogue loaded at start, before any search"
        );
    }
    // And the "did you mean" vocabulary of each of its languages.
    for tenant in app.services.registry.tenants() {
        let catalogue = app.services.store.catalogue(tenant).await.expect("held");
        for locale in &tenant.locales {
            assert!(
                catalogue.holds_vocabulary(*locale),
                "{}'s {locale} vocabulary built at start",
                tenant.code
            );
        }
    }
    assert!(app.services.store.vocabulary_builds().peak() >= 1);
}

#[tokio::test]
async fn without_the_warm_up_a_catalogue_loads_at_its_own_sites_first_search_only() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get(CM, "/readyz").await.status(), 200);
    assert!(!app.services.store.holds_catalogue("cm"));
    assert_eq!(app.get(CM, "/fr/missions").await.status(), 200);
    assert!(app.services.store.holds_catalogue("cm"));
    let others: Vec<String> = site_codes(&app).into_iter().filter(|c| c != "cm").collect();
    assert!(!others.is_empty());
    for code in &others {
        assert!(
            !app.services.store.holds_catalogue(code),
            "a search on the Cameroon site loaded {code}'s catalogue"
        );
    }
}
