//! Tenant resolution, locales and the home pages, over HTTP.

use crate::helpers::{Options, TestApp, copy_tenants};

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[tokio::test]
async fn cameroon_home_shows_the_site_its_14_cities_and_live_mission_count() {
    let app = TestApp::spawn().await;
    let (status, body) = app.page("jesuisaucameroun.com", "/fr/").await;
    assert_eq!(status, 200);
    assert!(body.contains("<h1>Je suis au Cameroun</h1>"), "{body}");
    assert!(body.contains(r#"<html lang="fr" dir="ltr">"#));
    assert_eq!(count(&body, r#"<li class="city">"#), 14);
    for city in [
        "Douala",
        "Yaoundé",
        "Bamenda",
        "Limbé",
        "Kribi",
        "Ngaoundéré",
    ] {
        assert!(body.contains(city), "missing {city}");
    }
    // 60 demo missions, some starting soon and all ending in the future.
    assert!(
        body.contains("Aujourd&#x27;hui, 60 bonnes actions vous attendent !"),
        "{body}"
    );
    assert!(
        !body.contains("Sénégal"),
        "no other tenant's data on the Cameroon home"
    );
    // "Any" agrees with each filter's noun: une ville (Toutes), un domaine, un type (Tous).
    for (select, any) in [
        ("city", "Toutes"),
        ("domain", "Tous"),
        ("contribution", "Tous"),
    ] {
        assert!(
            body.contains(&format!(
                "<select id=\"{select}\" name=\"{select}\"><option value=\"\">{any}</option>"
            )),
            "{select}: {any}"
        );
    }
}

#[tokio::test]
async fn each_host_gets_its_own_country_and_unknown_hosts_get_a_neutral_404() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Default::default()
    })
    .await;
    let (status, body) = app.page("jesuisausenegal.com", "/fr/").await;
    assert_eq!(status, 200);
    assert!(body.contains("Je suis au Sénégal"));
    assert!(body.contains("Dakar") && !body.contains("Douala"));
    assert!(
        body.contains("Les premières missions arrivent bientôt."),
        "empty state without missions"
    );

    let response = app.get("unknown.example.org", "/fr/").await;
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["vary"], "Host");
    let body = response.text().await.expect("body");
    for name in ["Cameroun", "Sénégal", "jesuisau", "Maroc"] {
        assert!(!body.contains(name), "the unknown-host page names {name}");
    }
}

#[tokio::test]
async fn hosts_are_normalised_and_aliases_redirect_permanently_keeping_path_and_query() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Default::default()
    })
    .await;
    let (status, body) = app.page("JesuisAuCameroun.COM.:8080", "/fr/").await;
    assert_eq!(status, 200);
    assert!(body.contains("Je suis au Cameroun"));

    let response = app
        .get(
            "www.jesuisaucameroun.com",
            "/en/missions?city=douala&page=2",
        )
        .await;
    assert_eq!(response.status(), 301);
    assert_eq!(
        response.headers()["location"],
        "https://jesuisaucameroun.com/en/missions?city=douala&page=2"
    );
    assert_eq!(response.headers()["vary"], "Host");
}

#[tokio::test]
async fn arabic_pages_are_right_to_left_and_unoffered_locales_are_404() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Default::default()
    })
    .await;
    let (status, body) = app.page("jesuisaumaroc.com", "/ar/").await;
    assert_eq!(status, 200);
    assert!(body.contains(r#"<html lang="ar" dir="rtl">"#), "{body}");
    assert!(body.contains("أنا في المغرب"));
    assert!(body.contains("الدار البيضاء"), "city names in Arabic");
    assert!(body.contains(r#"hreflang="fr""#) && body.contains(r#"hreflang="ar""#));

    assert_eq!(app.page("jesuisaumaroc.com", "/en/").await.0, 404);
    assert_eq!(app.page("jesuisengambie.com", "/fr/").await.0, 404);
    assert_eq!(app.page("jesuisaucameroun.com", "/ar/").await.0, 404);
    let (status, body) = app.page("jesuisaucameroun.com", "/xx/").await;
    assert_eq!(status, 404);
    assert!(
        body.contains("Page introuvable") && body.contains("Je suis au Cameroun"),
        "themed 404"
    );
    let (status, body) = app.page("jesuisengambie.com", "/en/nowhere").await;
    assert_eq!(status, 404);
    assert!(
        body.contains("Page not found"),
        "404 in the tenant's language"
    );
}

#[tokio::test]
async fn root_redirects_to_the_best_offered_locale() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Default::default()
    })
    .await;
    let cases = [
        ("jesuisaumaroc.com", "ar-MA,ar;q=0.9,fr;q=0.5", "/ar/"),
        ("jesuisaumaroc.com", "en-GB,en;q=0.9", "/fr/"),
        ("jesuisaucameroun.com", "en-US,en;q=0.9,fr;q=0.8", "/en/"),
        ("jesuisengambie.com", "fr", "/en/"),
    ];
    for (host, accept, expected) in cases {
        let response = app
            .get_with(host, "/", &[("Accept-Language", accept)])
            .await;
        assert_eq!(response.status(), 302, "{host} {accept}");
        assert_eq!(response.headers()["location"], expected, "{host} {accept}");
    }
    let response = app.get("jesuisaucameroun.com", "/").await;
    assert_eq!(
        response.headers()["location"],
        "/fr/",
        "no header: the tenant default"
    );
    let response = app.get("jesuisaucameroun.com", "/en").await;
    assert_eq!(response.status(), 301);
    assert_eq!(response.headers()["location"], "/en/");
}

#[tokio::test]
async fn forwarded_host_is_ignored_unless_trusted() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Default::default()
    })
    .await;
    let response = app
        .get_with(
            "jesuisaucameroun.com",
            "/fr/",
            &[("X-Forwarded-Host", "jesuisausenegal.com")],
        )
        .await;
    let body = response.text().await.expect("body");
    assert!(body.contains("Je suis au Cameroun") && !body.contains("Sénégal"));

    let trusting = TestApp::spawn_with(Options {
        demo: false,
        trust_forwarded_host: true,
        ..Default::default()
    })
    .await;
    let response = trusting
        .get_with(
            "internal-lb:8080",
            "/fr/",
            &[("X-Forwarded-Host", "jesuisausenegal.com")],
        )
        .await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("Je suis au Sénégal")
    );
}

#[tokio::test]
async fn every_response_has_a_request_id_and_vary_host() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Default::default()
    })
    .await;
    let response = app.get("jesuisaucameroun.com", "/fr/").await;
    let vary: Vec<_> = response.headers().get_all("vary").iter().collect();
    assert!(vary.iter().any(|v| *v == "Host"), "{vary:?}");
    // A random (version 4) UUID, a new one for each request.
    let id = |r: &reqwest::Response| {
        let id = r.headers()["x-request-id"]
            .to_str()
            .expect("ascii")
            .to_owned();
        let parsed = uuid::Uuid::parse_str(&id).expect("a UUID");
        assert_eq!(parsed.get_version_num(), 4, "{id}");
        id
    };
    let first = id(&response);
    assert_ne!(id(&app.get("jesuisaucameroun.com", "/fr/").await), first);
    let response = app
        .get_with(
            "jesuisaucameroun.com",
            "/fr/",
            &[("X-Request-Id", "abc-123")],
        )
        .await;
    assert_eq!(
        response.headers()["x-request-id"],
        "abc-123",
        "a caller's id is kept"
    );
    let response = app
        .get_with(
            "jesuisaucameroun.com",
            "/fr/",
            &[("X-Request-Id", "bad id\tvalue")],
        )
        .await;
    assert_ne!(response.headers()["x-request-id"], "bad id\tvalue");
}

#[tokio::test]
async fn probes_answer_on_any_host() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Default::default()
    })
    .await;
    let (status, body) = app.page("10.0.0.7", "/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    let response = app.get("10.0.0.7", "/readyz").await;
    assert_eq!(response.status(), 200);
    let json: serde_json::Value =
        serde_json::from_str(&response.text().await.expect("body")).expect("json");
    assert_eq!(json["database"], "ok");
    let expected_cache = if crate::helpers::env("TEST_REDIS_URL").is_some() {
        "ok"
    } else {
        "in-process"
    };
    assert_eq!(json["cache"], expected_cache);
}

#[tokio::test]
async fn assets_have_hashed_names_and_long_cache() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Default::default()
    })
    .await;
    let (_, body) = app.page("jesuisaucameroun.com", "/fr/").await;
    let start = body.find("/assets/cm/app.").expect("stylesheet link");
    let href: String = body[start..].chars().take_while(|c| *c != '"').collect();
    let response = app.get("jesuisaucameroun.com", &href).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/css")
    );
    assert!(
        response.text().await.expect("css").contains("#007a5e"),
        "Cameroon colours"
    );
    assert_eq!(
        app.get("jesuisaucameroun.com", "/assets/cm/app.0000000000.css")
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn portal_lists_every_country_site_with_links_to_canonical_domains() {
    let app = TestApp::spawn().await;
    let (status, body) = app.page("localhost", "/fr/").await;
    assert_eq!(status, 200);
    for link in [
        "https://jesuisaucameroun.com/fr/",
        "https://jesuisausenegal.com/fr/",
        "https://jesuisaumaroc.com/fr/",
        "https://jesuisengambie.com/en/",
    ] {
        assert!(body.contains(link), "portal lacks {link}");
    }
    assert!(body.contains("60 missions ouvertes"));
}

#[tokio::test]
async fn a_new_tenant_file_brings_a_new_site_up_without_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tenants(dir.path(), &["cm"]);
    let gabon = std::fs::read_to_string(dir.path().join("cm.toml"))
        .expect("read")
        .replace("code = \"cm\"", "code = \"ga\"")
        .replace("Je suis au Cameroun", "Je suis au Gabon")
        .replace("I am in Cameroon", "I am in Gabon")
        .replace("Cameroun", "Gabon")
        .replace("country_code = \"CM\"", "country_code = \"GA\"")
        .replace("jesuisaucameroun.com", "jesuisaugabon.com")
        .replace("cm.localhost", "ga.localhost")
        .replace("theme = \"cm\"", "theme = \"base\"");
    std::fs::write(dir.path().join("ga.toml"), gabon).expect("write");
    let app = TestApp::spawn_with(Options {
        tenants_dir: dir.path().to_owned(),
        demo: false,
        ..Default::default()
    })
    .await;
    let (status, body) = app.page("ga.localhost:1234", "/fr/").await;
    assert_eq!(status, 200);
    assert!(body.contains("<h1>Je suis au Gabon</h1>"));
    assert_eq!(
        app.page("jesuisausenegal.com", "/fr/").await.0,
        404,
        "tenants come from the folder only"
    );
}

#[tokio::test]
async fn graceful_shutdown_stops_the_server() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Default::default()
    })
    .await;
    let addr = app.addr;
    assert_eq!(app.page("jesuisaucameroun.com", "/healthz").await.0, 200);
    tokio::time::timeout(std::time::Duration::from_secs(15), app.stop())
        .await
        .expect("stops within the grace period")
        .expect("clean stop");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "port closed after shutdown"
    );
}

#[tokio::test]
async fn pages_are_gzipped_only_for_clients_that_accept_it() {
    let app = TestApp::spawn_with(Options {
        demo: true,
        ..Default::default()
    })
    .await;
    for path in ["/fr/", "/fr/missions?q=ecole"] {
        // Twice: the home page's second answer comes from the page cache.
        for _ in 0..2 {
            let plain = app.get("jesuisaucameroun.com", path).await;
            assert_eq!(plain.status(), 200);
            assert!(plain.headers().get("content-encoding").is_none());
            let vary: Vec<_> = plain.headers().get_all("vary").iter().collect();
            assert!(vary.iter().any(|v| *v == "Accept-Encoding"), "{vary:?}");
            let html = plain.text().await.expect("body");

            let packed = app
                .get_with(
                    "jesuisaucameroun.com",
                    path,
                    &[("Accept-Encoding", "br;q=1.0, gzip;q=0.5")],
                )
                .await;
            assert_eq!(packed.headers()["content-encoding"], "gzip");
            let bytes = packed.bytes().await.expect("body");
            assert!(
                bytes.len() * 3 < html.len(),
                "{} vs {}",
                bytes.len(),
                html.len()
            );
            let mut unpacked = String::new();
            std::io::Read::read_to_string(
                &mut flate2::read::GzDecoder::new(&bytes[..]),
                &mut unpacked,
            )
            .expect("valid gzip");
            // Same page, apart from the per-request parts (none on these pages).
            assert_eq!(unpacked, html);

            let refused = app
                .get_with(
                    "jesuisaucameroun.com",
                    path,
                    &[("Accept-Encoding", "gzip;q=0")],
                )
                .await;
            assert!(refused.headers().get("content-encoding").is_none());
        }
    }
    // Tiny and non-text bodies are left alone.
    let robots = app
        .get_with(
            "jesuisaucameroun.com",
            "/robots.txt",
            &[("Accept-Encoding", "gzip")],
        )
        .await;
    assert!(robots.headers().get("content-encoding").is_none());
}

/// The home page is answered from the page cache before the session, compression and routing
/// layers: that answer is the rendered one (same body, same headers), per site and language,
/// and never reaches a signed-in visitor.
#[tokio::test]
async fn the_memoised_home_page_is_the_rendered_one_per_site_and_only_for_anonymous_visitors() {
    use crate::roles::{CM, SN};
    let app = TestApp::spawn_with(Options {
        demo: true,
        ..Default::default()
    })
    .await;
    let gzip = [("Accept-Encoding", "gzip")];
    let rendered = app.get_with(CM, "/fr/", &gzip).await;
    let memoised = app.get_with(CM, "/fr/", &gzip).await;
    for name in [
        "content-type",
        "content-encoding",
        "cache-control",
        "content-security-policy",
        "x-frame-options",
        "x-content-type-options",
        "referrer-policy",
    ] {
        assert_eq!(
            rendered.headers().get(name),
            memoised.headers().get(name),
            "{name}"
        );
        assert!(memoised.headers().get(name).is_some(), "{name}");
    }
    let vary = |r: &reqwest::Response| -> Vec<String> {
        let mut all: Vec<_> = r
            .headers()
            .get_all("vary")
            .iter()
            .map(|v| v.to_str().expect("ascii").to_owned())
            .collect();
        all.sort();
        all
    };
    assert_eq!(vary(&rendered), vary(&memoised));
    assert_eq!(vary(&memoised), ["Accept-Encoding", "Host"]);
    let ids: Vec<_> = [&rendered, &memoised]
        .iter()
        .map(|r| {
            r.headers()["x-request-id"]
                .to_str()
                .expect("ascii")
                .to_owned()
        })
        .collect();
    assert_ne!(ids[0], ids[1], "each answer has its own request id");
    let (first, second) = (
        rendered.bytes().await.expect("body"),
        memoised.bytes().await.expect("body"),
    );
    assert_eq!(first, second);

    // Another site, and another language of this one, get their own page.
    let senegal = app.page(SN, "/fr/").await.1;
    assert!(senegal.contains("<h1>Je suis au Sénégal</h1>"), "{senegal}");
    assert!(!senegal.contains("Je suis au Cameroun"));
    let english = app.page(CM, "/en/").await.1;
    assert!(english.contains(r#"<html lang="en""#), "{english}");
    let french = app.page(CM, "/fr/").await.1;
    assert!(french.contains(r#"<html lang="fr""#));
    assert!(!french.contains("Je suis au Sénégal"));

    // A signed-in visitor is never served the anonymous page.
    crate::roles::account(&app, "cm", "memo@example.org", &[]).await;
    let mut member = crate::roles::signed_in(&app, CM, "memo@example.org").await;
    let home = member.get("/fr/").await;
    assert!(home.body.contains("Se déconnecter"), "{}", home.body);
    assert_eq!(
        home.headers
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("private, no-store")
    );
    // Nor a HEAD, answered by the router as before.
    let head = reqwest::Client::new()
        .head(format!("http://{}/fr/", app.addr))
        .header("Host", CM)
        .send()
        .await
        .expect("head");
    assert_eq!(head.status(), 200);
}
