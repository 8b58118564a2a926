//! The pages of the refusals (`AppError::Forbidden`, `Gone`, `BadRequest`): one themed page
//! per status, rendered once by the middleware, in the language of the page asked for.

use crate::helpers::{Browser, Options, Page, TestApp};
use crate::roles::{CM, account, signed_in};

async fn spawn() -> TestApp {
    TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await
}

/// The page's `<h1>`.
fn heading(body: &str) -> &str {
    body.split_once("<h1>")
        .and_then(|(_, rest)| rest.split_once("</h1>"))
        .map_or("", |(h1, _)| h1.trim())
}

fn cache_control(page: &Page) -> &str {
    page.headers
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn refusals_are_themed_pages_in_the_language_of_the_url() {
    let app = spawn().await;
    account(&app, "cm", "awa@example.org", &[]).await;
    let mut member = signed_in(&app, CM, "awa@example.org").await;

    // 403: a member without the role on the country operators' space.
    let forbidden = member.get("/fr/espace/pays").await;
    assert_eq!(forbidden.status, 403);
    assert!(
        forbidden.body.contains("<html lang=\"fr\""),
        "{}",
        forbidden.body
    );
    assert_eq!(heading(&forbidden.body), "Accès réservé");
    assert!(
        forbidden.body.contains("Se déconnecter"),
        "the signed-in header is kept"
    );
    assert!(cache_control(&forbidden).contains("no-store"));
    let forbidden = member.get("/en/espace/pays").await;
    assert_eq!(forbidden.status, 403);
    assert!(
        forbidden.body.contains("<html lang=\"en\""),
        "{}",
        forbidden.body
    );
    assert_eq!(heading(&forbidden.body), "Restricted page");

    // 410: a link that is unknown, expired or used.
    let mut visitor = Browser::new(&app, CM);
    let gone = visitor
        .get(&format!("/fr/compte/verifier/{}", "0".repeat(64)))
        .await;
    assert_eq!(gone.status, 410);
    assert!(gone.body.contains("<html lang=\"fr\""), "{}", gone.body);
    assert_eq!(heading(&gone.body), "Lien invalide");
    assert_eq!(
        cache_control(&gone),
        "no-store",
        "a refusal is never stored"
    );
    let gone = visitor
        .get(&format!("/en/compte/reinitialiser/{}", "0".repeat(64)))
        .await;
    assert_eq!(gone.status, 410);
    assert!(gone.body.contains("<html lang=\"en\""), "{}", gone.body);
    assert_eq!(heading(&gone.body), "Invalid link");

    // 400: a form no page of ours sends (a stay in a city that is not a number).
    let bad = member
        .submit(
            "/fr/compte/profil",
            "/fr/compte/sejours",
            &[
                ("starts_on", "2030-07-01"),
                ("ends_on", "2030-07-20"),
                ("city", "abc"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("<html lang=\"fr\""), "{}", bad.body);
    assert_eq!(heading(&bad.body), "Demande incorrecte");
    app.stop().await.expect("stop");
}
