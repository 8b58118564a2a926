//! The JSON API: same filters as the search page, JSON errors naming the parameter, the
//! tenant from the host, OpenAPI description.

use crate::helpers::TestApp;
use serde_json::Value;

async fn json(app: &TestApp, host: &str, path: &str) -> (u16, Value) {
    let (status, body) = app.page(host, path).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}")),
    )
}

#[tokio::test]
async fn missions_endpoint_filters_like_the_search_page_and_counts_facets() {
    let app = TestApp::spawn().await;
    let (status, all) = json(&app, "jesuisaucameroun.com", "/api/v1/missions?per_page=50").await;
    assert_eq!(status, 200);
    assert_eq!(all["total"], 60);
    assert_eq!(all["items"].as_array().map(Vec::len), Some(50));
    let item = &all["items"][0];
    for field in [
        "id",
        "slug",
        "title",
        "url",
        "city",
        "domain",
        "mission_type",
        "contribution_types",
        "remote",
        "starts_on",
        "ends_on",
        "urgent",
    ] {
        assert!(!item[field].is_null(), "item has {field}");
    }
    assert!(
        item["url"]
            .as_str()
            .expect("url")
            .starts_with("https://jesuisaucameroun.com/fr/missions/")
    );

    let douala = all["facets"]["cities"]["douala"]
        .as_u64()
        .expect("douala facet");
    let (_, only_douala) = json(&app, "jesuisaucameroun.com", "/api/v1/missions?city=douala").await;
    assert_eq!(
        only_douala["total"].as_u64(),
        Some(douala),
        "facet count = result count"
    );
    assert!(
        only_douala["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["city"]["slug"] == "douala")
    );

    let (_, remote) = json(
        &app,
        "jesuisaucameroun.com",
        "/api/v1/missions?tab=distance&per_page=50",
    )
    .await;
    assert!(
        remote["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["remote"] == true)
    );
    let (_, urgent) = json(
        &app,
        "jesuisaucameroun.com",
        "/api/v1/missions?urgent=true&per_page=50",
    )
    .await;
    assert!(
        urgent["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["urgent"] == true)
    );
    let (_, english) = json(
        &app,
        "jesuisaucameroun.com",
        "/api/v1/missions?locale=en&q=school",
    )
    .await;
    assert!(
        english["total"].as_u64().expect("total") > 0,
        "English text search"
    );
    assert!(
        english["items"][0]["url"]
            .as_str()
            .expect("url")
            .contains("/en/missions/")
    );

    let id = item["id"].as_i64().expect("id");
    let (status, one) = json(
        &app,
        "jesuisaucameroun.com",
        &format!("/api/v1/missions/{id}"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(one["id"].as_i64(), Some(id));
    assert!(one["description"].as_str().is_some_and(|d| !d.is_empty()));
    let photo = &one["photos"][0];
    let url = photo["url"].as_str().expect("a demo mission has a photo");
    assert!(
        url.starts_with("https://jesuisaucameroun.com/media/photos/"),
        "{url}"
    );
    assert_eq!(photo["width"].as_u64(), Some(640));
    // The demo's illustrations are described by their domain.
    assert_eq!(photo["alt"].as_str(), one["domain"]["label"].as_str());
    let path = url.trim_start_matches("https://jesuisaucameroun.com");
    assert_eq!(app.get("jesuisaucameroun.com", path).await.status(), 200);
}

#[tokio::test]
async fn bad_parameters_get_a_json_400_naming_them_never_a_500() {
    let app = TestApp::spawn().await;
    for (query, param) in [
        ("domain=astrologie", "domain"),
        ("mission_type=x", "mission_type"),
        ("contribution=x", "contribution"),
        ("tab=all", "tab"),
        ("from=2027-13-01", "from"),
        ("from=2027-02-01&to=2027-01-01", "to"),
        ("urgent=perhaps", "urgent"),
        ("page=0", "page"),
        ("per_page=1000", "per_page"),
        ("locale=ar", "locale"),
        ("city=dakar", "city"),
        ("sort=best", "sort"),
    ] {
        let (status, body) = json(
            &app,
            "jesuisaucameroun.com",
            &format!("/api/v1/missions?{query}"),
        )
        .await;
        assert_eq!(status, 400, "{query}");
        assert_eq!(body["error"], "invalid_parameter", "{query}");
        assert_eq!(body["parameter"], param, "{query}");
    }
    let (status, body) = json(
        &app,
        "jesuisaucameroun.com",
        "/api/v1/missions/not-a-number",
    )
    .await;
    assert_eq!((status, body["parameter"].as_str()), (400, Some("id")));
}

#[tokio::test]
async fn the_api_serves_only_the_hosts_tenant() {
    let app = TestApp::spawn().await;
    let (_, cm) = json(&app, "jesuisaucameroun.com", "/api/v1/missions?per_page=1").await;
    let id = cm["items"][0]["id"].as_i64().expect("id");
    let (status, body) = json(
        &app,
        "jesuisausenegal.com",
        &format!("/api/v1/missions/{id}"),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "not_found");
    assert!(
        body.get("parameter").is_none(),
        "absent, never null (the schema says string): {body}"
    );
    let (_, sn) = json(
        &app,
        "jesuisausenegal.com",
        "/api/v1/missions?per_page=50&q=douala",
    )
    .await;
    assert_eq!(sn["total"], 0);
    let (_, cities) = json(&app, "jesuisausenegal.com", "/api/v1/cities").await;
    let slugs: Vec<&str> = cities
        .as_array()
        .expect("cities")
        .iter()
        .filter_map(|c| c["slug"].as_str())
        .collect();
    assert!(slugs.contains(&"dakar") && !slugs.contains(&"douala"));
    let (status, _) = json(&app, "localhost", "/api/v1/missions").await;
    assert_eq!(status, 404, "the portal has no missions of its own");
    assert_eq!(app.page("unknown.example", "/api/v1/missions").await.0, 404);
}

#[tokio::test]
async fn taxonomy_cities_and_the_openapi_description() {
    let app = TestApp::spawn().await;
    let (status, taxonomy) = json(&app, "jesuisaumaroc.com", "/api/v1/taxonomy?locale=ar").await;
    assert_eq!(status, 200);
    assert_eq!(taxonomy["domains"].as_array().map(Vec::len), Some(15));
    assert_eq!(taxonomy["mission_types"].as_array().map(Vec::len), Some(30));
    assert_eq!(
        taxonomy["contribution_types"].as_array().map(Vec::len),
        Some(8)
    );
    assert_eq!(taxonomy["domains"][2]["label"], "الصحة");
    assert!(
        taxonomy["domains"]
            .as_array()
            .expect("domains")
            .iter()
            .all(|d| d.get("group").is_none()),
        "domains have no group: absent, never null"
    );
    assert!(
        taxonomy["mission_types"][0]["group"].is_string(),
        "mission types name their domain"
    );
    let (_, cities) = json(&app, "jesuisaucameroun.com", "/api/v1/cities").await;
    assert_eq!(cities.as_array().map(Vec::len), Some(14));
    let (status, spec) = json(&app, "jesuisaucameroun.com", "/api/openapi.json").await;
    assert_eq!(status, 200);
    for path in [
        "/v1/missions",
        "/v1/missions/{id}",
        "/v1/cities",
        "/v1/taxonomy",
    ] {
        assert!(!spec["paths"][path].is_null(), "spec documents {path}");
    }
    let (status, docs) = app.page("jesuisaucameroun.com", "/api/docs").await;
    assert_eq!(status, 200);
    assert!(
        docs.contains("swagger") && !docs.contains("src=\"http"),
        "no third-party script"
    );
}
