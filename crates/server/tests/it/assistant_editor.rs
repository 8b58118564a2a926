//! "Write from a message" in the mission editor: the assistant fills the new mission form
//! from a pasted message and says what it understood, with its confidence and alternatives;
//! nothing is saved; an empty message is a clear error; a site knows only its own cities.

use crate::helpers::{Options, TestApp};
use crate::roles::{CM, SN, account, signed_in, tenant};
use jsap_store::Role;

pub(crate) const NEW: &str = "/fr/espace/missions/nouvelle";
pub(crate) const FROM_MESSAGE: &str = "/fr/espace/missions/nouvelle/depuis-un-message";

async fn missions_count(app: &TestApp, code: &str) -> u64 {
    jsap_store::Missions::for_tenant(app.services.store.conn(), &tenant(app, code))
        .count_all()
        .await
        .expect("count")
}

#[tokio::test]
async fn a_pasted_message_fills_the_new_mission_form_for_review() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    for (code, email) in [("cm", "op-cm@example.org"), ("sn", "op-sn@example.org")] {
        account(&app, code, email, &[(Role::CountryOperator, None, None)]).await;
    }
    let mut op = signed_in(&app, CM, "op-cm@example.org").await;
    let empty_form = op.get(NEW).await;
    assert_eq!(empty_form.status, 200);
    assert!(
        empty_form
            .body
            .contains("Écrire à partir d&#x27;un message")
            || empty_form.body.contains("Écrire à partir d'un message")
    );
    assert!(
        empty_form
            .body
            .contains(&format!("action=\"{FROM_MESSAGE}#assistant-title\""))
    );
    let before = missions_count(&app, "cm").await;

    let message = "Bonjour ! Le centre de santé de Bonabéri cherche un médecin pour des \
                   consultations gratuites du 2 au 9 août 2027. Merci de faire passer.";
    let filled = op.submit(NEW, FROM_MESSAGE, &[("message", message)]).await;
    assert_eq!(filled.status, 200, "{}", filled.body);
    let body = &filled.body;
    assert!(
        body.contains("Ce que l&#x27;assistant a compris")
            || body.contains("Ce que l'assistant a compris")
    );
    assert!(
        body.contains("<option value=\"consultations-medicales\" selected>"),
        "type chosen"
    );
    assert!(
        body.contains("<option value=\"sante\" selected>"),
        "domain chosen"
    );
    assert!(
        body.contains("<option value=\"douala\" selected>"),
        "Bonabéri is in Douala"
    );
    assert!(body.contains("value=\"2027-08-02\"") && body.contains("value=\"2027-08-09\""));
    assert!(body.contains("certitude"), "a confidence is shown");
    assert!(
        body.contains("autres possibilités"),
        "alternatives are shown"
    );
    assert!(body.contains("du 2 août 2027 au 9 août 2027"));
    // The message is kept as the description to rework, and in the panel to try again.
    assert!(
        body.matches("consultations gratuites du 2 au 9 août 2027")
            .count()
            >= 2
    );
    assert_eq!(missions_count(&app, "cm").await, before, "nothing saved");

    // An empty message: a clear error, the form still there.
    let refused = op.submit(NEW, FROM_MESSAGE, &[("message", "   ")]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Collez le message à lire."));
    let long = "a".repeat(10_001);
    let too_long = op.submit(NEW, FROM_MESSAGE, &[("message", &long)]).await;
    assert_eq!(too_long.status, 422);
    assert!(too_long.body.contains("dépasse 10000 caractères"));

    // Each site reads only its own cities: Dakar means nothing in Cameroon, and is Senegal's.
    let dakar = "Besoin de bénévoles pour nettoyer la plage de Dakar le 12 juillet 2027";
    let on_cm = op.submit(NEW, FROM_MESSAGE, &[("message", dakar)]).await;
    assert!(on_cm.body.contains("aucune ville reconnue"));
    let mut sn = signed_in(&app, SN, "op-sn@example.org").await;
    let on_sn = sn.submit(NEW, FROM_MESSAGE, &[("message", dakar)]).await;
    assert_eq!(on_sn.status, 200);
    assert!(on_sn.body.contains("<option value=\"dakar\" selected>"));
}

/// Creates a personal access token on `browser`'s account page; returns it.
pub(crate) async fn token_of(browser: &mut crate::helpers::Browser<'_>) -> String {
    let page = browser.get("/fr/compte/jetons").await;
    let created = browser
        .post(
            "/fr/compte/jetons",
            &[("csrf", &page.csrf()), ("name", "outil partenaire")],
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let start = created.body.find("value=\"jsap_").expect("the token") + 7;
    created.body[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect()
}

pub(crate) async fn draft_api(
    app: &TestApp,
    host: &str,
    token: Option<&str>,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let mut req = app
        .client
        .post(format!("http://{}/api/v1/assistant/draft", app.addr))
        .header("Host", host)
        .header("Content-Type", "application/json")
        .body(serde_json::to_vec(&body).expect("json"));
    if let Some(token) = token {
        req = req.header("Authorization", format!("Bearer {token}"));
    }
    let resp = req.send().await.expect("send");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (status, serde_json::from_str(&text).expect("json answer"))
}

#[tokio::test]
async fn partners_draft_a_mission_through_the_api_with_a_token() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    account(
        &app,
        "cm",
        "op-cm@example.org",
        &[(Role::CountryOperator, None, None)],
    )
    .await;
    account(&app, "cm", "membre@example.org", &[]).await;
    let mut op = signed_in(&app, CM, "op-cm@example.org").await;
    let token = token_of(&mut op).await;
    let text = "We need donations of school supplies (notebooks, pens) for 200 pupils in \
                Bamenda, from 1 to 15 September 2027. Budget 500 000 FCFA.";
    let body = serde_json::json!({ "text": text, "locale": "en" });

    let (status, draft) = draft_api(&app, CM, Some(&token), body.clone()).await;
    assert_eq!(status, 200, "{draft}");
    assert_eq!(draft["domains"][0]["slug"], "education-enfance");
    assert_eq!(
        draft["mission_types"][0]["slug"],
        "dons-fournitures-scolaires"
    );
    assert!(draft["mission_types"].as_array().expect("types").len() >= 3);
    assert_eq!(draft["city"], "bamenda");
    assert_eq!(draft["starts_on"], "2027-09-01");
    assert_eq!(draft["ends_on"], "2027-09-15");
    assert_eq!(draft["amounts"][0]["value"], 500_000.0);
    let before = missions_count(&app, "cm").await;
    assert_eq!(before, 0, "nothing saved");

    // No token, a token of another site, a member who writes no mission, bad input.
    let (status, error) = draft_api(&app, CM, None, body.clone()).await;
    assert_eq!(
        (status, error["error"].as_str()),
        (401, Some("unauthorized"))
    );
    let (status, _) = draft_api(&app, SN, Some(&token), body.clone()).await;
    assert_eq!(status, 401, "a token acts on its own site only");
    let mut member = signed_in(&app, CM, "membre@example.org").await;
    let member_token = token_of(&mut member).await;
    let (status, error) = draft_api(&app, CM, Some(&member_token), body.clone()).await;
    assert_eq!((status, error["error"].as_str()), (403, Some("forbidden")));
    let (status, error) =
        draft_api(&app, CM, Some(&token), serde_json::json!({ "text": "  " })).await;
    assert_eq!((status, error["parameter"].as_str()), (422, Some("text")));
    let (status, error) = draft_api(
        &app,
        CM,
        Some(&token),
        serde_json::json!({ "text": text, "locale": "ar" }),
    )
    .await;
    assert_eq!(
        (status, error["parameter"].as_str()),
        (422, Some("locale")),
        "cm has no ar"
    );
    let (status, _) = draft_api(&app, CM, Some(&token), serde_json::json!({ "txt": 1 })).await;
    assert_eq!(status, 400);
    // No city and no dates stated: those fields are left out, never null.
    let vague =
        serde_json::json!({ "text": "On cherche des mentors pour nos jeunes entrepreneurs." });
    let (status, draft) = draft_api(&app, CM, Some(&token), vague).await;
    assert_eq!(status, 200, "{draft}");
    for absent in ["city", "starts_on", "ends_on"] {
        assert!(draft.get(absent).is_none(), "{absent}: {draft}");
    }
}
