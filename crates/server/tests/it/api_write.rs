//! The write API over real HTTP with personal access tokens: a token made on the account
//! page creates, changes, illustrates and submits a mission; a focal point's token reviews
//! it; every error is JSON with its stable code; another tenant and a revoked token get
//! nothing.

use crate::helpers::TestApp;
use crate::missions::{jpeg, window};
use crate::requests::person;
use crate::roles::{CM, SN};
use jsap_store::AcrossTenants;
use jsap_store::Role;
use serde_json::{Value, json};

/// Creates a token named `name` on the account page of `browser`; returns it.
async fn token_of(browser: &mut crate::helpers::Browser<'_>, name: &str) -> String {
    let page = browser.get("/fr/compte/jetons").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let created = browser
        .post(
            "/fr/compte/jetons",
            &[("csrf", &page.csrf()), ("name", name)],
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.body.contains("il ne sera plus jamais affiché"));
    let start = created.body.find("value=\"jsap_").expect("the token") + 7;
    created.body[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect()
}

struct Api<'a> {
    app: &'a TestApp,
}

impl Api<'_> {
    async fn call(
        &self,
        host: &str,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .app
            .client
            .request(method, format!("http://{}/api/v1{path}", self.app.addr))
            .header("Host", host);
        if let Some(token) = token {
            req = req.header("Authorization", format!("Bearer {token}"));
        }
        if let Some(body) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(serde_json::to_vec(&body).expect("json"));
        }
        let resp = req.send().await.expect("send");
        let status = resp.status().as_u16();
        let ct = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap_or("").to_owned())
            .unwrap_or_default();
        let text = resp.text().await.expect("body");
        assert!(
            ct.starts_with("application/json"),
            "{path} answered {status} {ct}: {text}"
        );
        (status, serde_json::from_str(&text).expect("json"))
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.call(CM, reqwest::Method::POST, path, token, Some(body))
            .await
    }
}

/// A mission as the API's JSON: a writing workshop in the test window.
fn atelier() -> Value {
    let (starts, ends) = window();
    json!({
        "title": "Atelier d'écriture",
        "description": "Écrire des contes avec les enfants du quartier.",
        "domain": "education-enfance",
        "mission_type": "soutien-scolaire-ateliers",
        "contribution_types": ["benevolat"],
        "starts_on": starts,
        "ends_on": ends,
        "skills": ["écriture"],
        "locale": "fr",
    })
}

#[tokio::test]
async fn a_token_writes_a_mission_through_its_lifecycle_and_every_error_is_json() {
    let app = TestApp::spawn().await;
    let api = Api { app: &app };
    let cm = app.services.registry.get("cm").expect("cm").clone();
    let douala = jsap_store::Cities::for_tenant(app.services.store.conn(), &cm)
        .by_slug("douala")
        .await
        .expect("cities")
        .expect("douala")
        .id;
    let mut awa = crate::organisations::awa_with_an_organisation(&app).await;
    let mut focal = person(
        &app,
        "pf.douala@example.org",
        "Fatou Focal",
        &[(Role::FocalPoint, Some(douala), None)],
    )
    .await;
    let mut stranger = person(&app, "x@example.org", "Xavier", &[]).await;
    let token = token_of(&mut awa, "Site de l'association").await;
    let focal_token = token_of(&mut focal, "outil").await;
    let stranger_token = token_of(&mut stranger, "curieux").await;
    let body = atelier();

    // No token, a wrong one: 401 JSON.
    let (status, error) = api.post("/missions", None, body.clone()).await;
    assert_eq!(
        (status, error["error"].as_str()),
        (401, Some("unauthorized"))
    );
    let (status, _) = api.post("/missions", Some("jsap_nope"), body.clone()).await;
    assert_eq!(status, 401);
    // A member writing for no organisation: 403.
    let (status, error) = api
        .post("/missions", Some(&stranger_token), body.clone())
        .await;
    assert_eq!((status, error["error"].as_str()), (403, Some("forbidden")));
    // An invalid field is named.
    let mut bad = body.clone();
    bad["mission_type"] = json!("reboisement-espaces-verts");
    let (status, error) = api.post("/missions", Some(&token), bad).await;
    assert_eq!(status, 422);
    assert_eq!(error["parameter"], "mission_type");
    let mut bad = body.clone();
    bad["ends_on"] = json!("31/12/2027");
    let (status, error) = api.post("/missions", Some(&token), bad).await;
    assert_eq!(
        (status, error["parameter"].as_str()),
        (422, Some("ends_on"))
    );
    // A body that is not the documented JSON: 400, still JSON.
    let (status, error) = api.post("/missions", Some(&token), json!([1, 2])).await;
    assert_eq!(
        (status, error["error"].as_str()),
        (400, Some("invalid_body"))
    );

    let (status, created) = api.post("/missions", Some(&token), body.clone()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "draft");
    assert_eq!(created["organisation"], "les-amis-de-bonaberi");
    assert_eq!(
        created["city"], "douala",
        "the organisation's city by default"
    );
    let id = created["id"].as_i64().expect("id");

    // A draft: its organisation's token sees it, nobody else does.
    let get = |token: Option<String>| {
        let api = &api;
        async move {
            api.call(
                CM,
                reqwest::Method::GET,
                &format!("/missions/{id}"),
                token.as_deref(),
                None,
            )
            .await
        }
    };
    assert_eq!(get(None).await.0, 404);
    assert_eq!(get(Some(stranger_token.clone())).await.0, 404);
    let (status, draft) = get(Some(token.clone())).await;
    assert_eq!((status, draft["status"].as_str()), (200, Some("draft")));

    // Change only the title.
    let (status, patched) = api
        .call(
            CM,
            reqwest::Method::PATCH,
            &format!("/missions/{id}"),
            Some(&token),
            Some(json!({"title": "Atelier d'écriture de contes"})),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["texts"][0]["title"], "Atelier d'écriture de contes");
    assert_eq!(patched["skills"], json!(["écriture"]), "the rest kept");

    // Photos: multipart; a script is 415.
    let photo = |bytes: Vec<u8>, alt: &str| {
        let boundary = "jsap-api-boundary-5fd9a2";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\n{alt}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"photo.jpg\"\r\n\
             Content-Type: image/jpeg\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(&bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        app.client
            .post(format!("http://{}/api/v1/missions/{id}/photos", app.addr))
            .header("Host", CM)
            .header("Authorization", format!("Bearer {token}"))
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
    };
    let script = photo(b"<script>alert(1)</script>".to_vec(), "x")
        .await
        .expect("send");
    assert_eq!(script.status().as_u16(), 415);
    let added = photo(jpeg(800, 600), "Des enfants écrivent")
        .await
        .expect("send");
    assert_eq!(added.status().as_u16(), 201);
    let added: Value = serde_json::from_slice(&added.bytes().await.expect("body")).expect("json");
    assert_eq!(added["photos"], 1);

    // Submit; again is a conflict.
    let (status, submitted) = api
        .post(&format!("/missions/{id}/submit"), Some(&token), json!({}))
        .await;
    assert_eq!(
        (status, submitted["status"].as_str()),
        (200, Some("submitted"))
    );
    let (status, error) = api
        .post(&format!("/missions/{id}/submit"), Some(&token), json!({}))
        .await;
    assert_eq!(
        (status, error["error"].as_str()),
        (409, Some("invalid_state"))
    );

    // Review: not the organisation's to decide; the focal point's, once it is verified.
    let review = |t: &str, decision: &str| {
        let api = &api;
        let t = t.to_owned();
        let decision = decision.to_owned();
        async move {
            api.post(
                &format!("/missions/{id}/review"),
                Some(&t),
                json!({"decision": decision, "comment": ""}),
            )
            .await
        }
    };
    assert_eq!(review(&token, "publish").await.0, 403);
    let (status, error) = review(&focal_token, "publish").await;
    assert_eq!(
        (status, error["error"].as_str()),
        (409, Some("invalid_state"))
    );
    let (status, error) = review(&focal_token, "refuse").await;
    assert_eq!(
        (status, error["parameter"].as_str()),
        (422, Some("comment"))
    );
    let (status, error) = review(&focal_token, "maybe").await;
    assert_eq!(
        (status, error["parameter"].as_str()),
        (422, Some("decision"))
    );
    let organisation = jsap_store::Organisations::for_tenant(app.services.store.conn(), &cm)
        .by_slug("les-amis-de-bonaberi")
        .await
        .expect("find")
        .expect("organisation");
    let focal_account = jsap_store::Accounts::for_tenant(app.services.store.conn(), &cm)
        .find_by_email(&jsap_domain::EmailAddress::parse("pf.douala@example.org").expect("e"))
        .await
        .expect("find")
        .expect("focal");
    jsap_app::organisations::review(
        &app.scope(&cm),
        &focal_account,
        jsap_domain::OrganisationId(organisation.id),
        jsap_app::organisations::Decision::Verify,
    )
    .await
    .expect("review")
    .expect("verified");
    let (status, published) = review(&focal_token, "publish").await;
    assert_eq!(
        (status, published["status"].as_str()),
        (200, Some("published"))
    );
    let (status, public) = get(None).await;
    assert_eq!(
        (status, public["status"].as_str()),
        (200, Some("published"))
    );

    // Another tenant: the token means nothing there, its operator sees no such mission.
    let (status, _) = api
        .call(
            SN,
            reqwest::Method::GET,
            &format!("/missions/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = api
        .call(
            SN,
            reqwest::Method::POST,
            &format!("/missions/{id}/close"),
            Some(&token),
            Some(json!({"reason": "filled"})),
        )
        .await;
    assert_eq!(status, 401);

    // Close; then revoke the token: 401.
    let (status, error) = api
        .post(
            &format!("/missions/{id}/close"),
            Some(&token),
            json!({"reason": "bof"}),
        )
        .await;
    assert_eq!((status, error["parameter"].as_str()), (422, Some("reason")));
    let (status, closed) = api
        .post(
            &format!("/missions/{id}/close"),
            Some(&token),
            json!({"reason": "filled"}),
        )
        .await;
    assert_eq!((status, closed["status"].as_str()), (200, Some("closed")));
    let tokens = awa.get("/fr/compte/jetons").await;
    assert!(
        tokens.body.contains("Site de l&#x27;association")
            || tokens.body.contains("Site de l'association")
    );
    let token_id: String = {
        let start = tokens.body.find("/fr/compte/jetons/").expect("revoke form") + 18;
        tokens.body[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect()
    };
    let revoked = awa
        .post(
            &format!("/fr/compte/jetons/{token_id}/revoquer"),
            &[("csrf", &tokens.csrf())],
        )
        .await;
    assert_eq!(revoked.status, 303);
    let (status, _) = api
        .post(&format!("/missions/{id}/submit"), Some(&token), json!({}))
        .await;
    assert_eq!(status, 401);
    // Someone else's token cannot revoke it: 404.
    let page = stranger.get("/fr/compte/jetons").await;
    let other = stranger
        .post(
            &format!("/fr/compte/jetons/{token_id}/revoquer"),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(other.status, 404);
}

/// How many missions site `cm` holds, as text (the same on SQLite and PostgreSQL).
async fn missions_of_cm(app: &TestApp) -> String {
    use jsap_store::ConnectionTrait;
    let conn = app.services.store.conn();
    conn.across_tenants()
        .query_one_raw(jsap_store::Statement::from_string(
            conn.get_database_backend(),
            "SELECT CAST(COUNT(*) AS TEXT) FROM missions WHERE tenant_id = 'cm'".to_owned(),
        ))
        .await
        .expect("query")
        .expect("a row")
        .try_get_by_index(0)
        .expect("count")
}

/// A failure on the site's side (a table gone under the running server) is a JSON 500 with
/// the stable code `internal` and no detail, and nothing of the mission is half-written.
#[tokio::test]
async fn a_failure_of_the_site_is_a_json_500_and_nothing_is_half_written() {
    use jsap_store::ConnectionTrait;
    let app = TestApp::spawn().await;
    let api = Api { app: &app };
    let mut awa = crate::organisations::awa_with_an_organisation(&app).await;
    let token = token_of(&mut awa, "Site de l'association").await;
    let before = missions_of_cm(&app).await;
    app.services
        .store
        .conn()
        .across_tenants()
        .execute_unprepared("ALTER TABLE mission_contributions RENAME TO contributions_gone")
        .await
        .expect("break the database");
    let body = atelier();
    let (status, error) = api.post("/missions", Some(&token), body).await;
    assert_eq!((status, error["error"].as_str()), (500, Some("internal")));
    let message = error["message"].as_str().expect("message");
    assert!(!message.contains("mission_contributions"), "{message}");
    assert_eq!(
        missions_of_cm(&app).await,
        before,
        "the mission row was rolled back"
    );
}
