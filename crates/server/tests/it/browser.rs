//! Real browser checks in headless Chromium: a phone-sized search that reaches a mission page
//! (screenshots saved under `target/screenshots/` for review), and an axe-core audit of the
//! main pages (no serious or critical violation).

use crate::helpers::{TestApp, env, repo_root, service_available};
use fantoccini::{ClientBuilder, Locator};
use std::path::PathBuf;
use std::time::Duration;

const CHROME_ARGS: [&str; 9] = [
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

async fn wait_for(client: &fantoccini::Client, css: &str) -> fantoccini::elements::Element {
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
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "args": CHROME_ARGS, "binary": env("CHROME_BIN").unwrap_or_else(|| "/usr/bin/chromium".into()) }),
    );
    // WebDriver runs on this machine: plain HTTP, no TLS stack needed.
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&webdriver)
        .await
        .expect("connect to chromedriver");
    client
        .set_window_size(412, 915)
        .await
        .expect("phone viewport");
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
    let Some(axe) = env("AXE_BIN") else {
        service_available("axe-core CLI", false, "AXE_BIN not set");
        return;
    };
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
    let out = tempfile::tempdir().expect("tempdir");
    let mut command = std::process::Command::new(&axe);
    command
        .args(&urls)
        .arg("--chrome-path")
        .arg(env("CHROME_BIN").unwrap_or_else(|| "/usr/bin/chromium".into()))
        .arg("--chromedriver-path")
        .arg(env("CHROMEDRIVER_BIN").unwrap_or_else(|| "/usr/bin/chromedriver".into()))
        .arg("--chrome-options=headless,no-sandbox,disable-gpu,disable-dev-shm-usage,disable-background-networking,disable-component-update,disable-sync,no-first-run")
        .args(["--save", "axe.json", "--dir"])
        .arg(out.path());
    // Blocking: run it off the runtime that serves the pages.
    let status = tokio::task::spawn_blocking(move || command.status())
        .await
        .expect("join")
        .expect("run axe");
    assert!(status.success(), "axe failed to run");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("axe.json")).expect("report"),
    )
    .expect("json");
    let pages = report.as_array().expect("one result per page");
    assert_eq!(pages.len(), urls.len());
    let mut problems = Vec::new();
    for page in pages {
        for v in page["violations"].as_array().into_iter().flatten() {
            if matches!(v["impact"].as_str(), Some("serious" | "critical")) {
                problems.push(format!("{}: {} ({})", page["url"], v["id"], v["impact"]));
            }
        }
    }
    std::fs::copy(
        out.path().join("axe.json"),
        screenshots_dir().join("axe.json"),
    )
    .expect("keep report");
    assert!(problems.is_empty(), "{problems:#?}");
}
