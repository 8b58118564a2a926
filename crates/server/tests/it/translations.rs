//! Translations of missions drafted by an LLM (a local fake OpenAI-compatible server, never
//! the real network) into the site's other languages: kept apart until the mission's editor
//! publishes them (as written or corrected) or discards them; nothing shows on the site
//! before; a failed call is tried again later; nothing crosses sites; without an LLM,
//! nothing is drafted.

use crate::helpers::TestApp;
use crate::requests::{city_id, douala_association, focal_point_elsewhere, mission_with, person};
use crate::roles::tenant;
use chrono::{Duration, Utc};
use jsap_adapters::{LlmConfig, LlmEngine};
use jsap_assistant::Assistant;
use jsap_store::{MissionTranslations, Role};
use poem::listener::TcpAcceptor;
use poem::web::{Data, Json};
use poem::{EndpointExt, IntoResponse, Route, Server, handler, post};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

type Asked = Arc<Mutex<Vec<Value>>>;

/// Translates into "English" by prefixing each field; a title holding "PANNE" gets a 500.
#[handler]
fn completions(Json(body): Json<Value>, asked: Data<&Asked>) -> poem::Response {
    asked.lock().expect("lock").push(body.clone());
    let source: Value =
        serde_json::from_str(body["messages"][1]["content"].as_str().unwrap_or("{}"))
            .unwrap_or_default();
    let field = |name: &str| source[name].as_str().unwrap_or_default().to_owned();
    if field("title").contains("PANNE") {
        return poem::Response::builder()
            .status(poem::http::StatusCode::INTERNAL_SERVER_ERROR)
            .finish();
    }
    let prefixed = |name: &str| {
        let text = field(name);
        if text.is_empty() {
            text
        } else {
            format!("EN {text}")
        }
    };
    let answer = json!({
        "title": prefixed("title"),
        "summary": prefixed("summary"),
        "description": prefixed("description"),
    });
    Json(json!({
        "choices": [{"message": {"role": "assistant", "content": answer.to_string()}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 300, "completion_tokens": 120}
    }))
    .into_response()
}

/// A fake LLM and the assistant that calls it.
async fn llm() -> (Assistant, Asked) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let asked: Asked = Arc::default();
    tokio::spawn(
        Server::new_with_acceptor(TcpAcceptor::from_tokio(listener).expect("acceptor")).run(
            Route::new()
                .at("/v1/chat/completions", post(completions))
                .data(asked.clone()),
        ),
    );
    let mut config = LlmConfig::new(&format!("http://{addr}/v1"), "fake-model", "sk-fake");
    config.retries = 0;
    let engine = LlmEngine::new(config).expect("engine");
    (Assistant::with_primary(Box::new(engine)), asked)
}

async fn run(app: &TestApp, assistant: &Assistant, at: chrono::DateTime<Utc>) -> usize {
    let services = (
        &app.services.store,
        &*app.services.registry,
        &app.services.themes,
    );
    jsap_jobs::mission_translations(services, &app.services.cache, assistant, at)
        .await
        .expect("job")
        .expect("the lock is free")
}

#[tokio::test]
async fn drafted_translations_show_only_once_their_editor_publishes_them() {
    // The app itself runs offline: the job runs here, by hand, with the fake LLM.
    let (app, douala, org) = douala_association().await;
    let cm = tenant(&app, "cm");
    let garoua = city_id(&app, "cm", "garoua").await;
    let start = cm.today() + Duration::days(20);
    let window = (start, start + Duration::days(10));
    let (cleanup, cleanup_fr) = mission_with(
        &app,
        "cm",
        (org, douala),
        "Nettoyage du quartier Akwa",
        window,
        false,
    )
    .await;
    let (library, _) = mission_with(
        &app,
        "cm",
        (org, douala),
        "Bibliothèque de Bali",
        window,
        false,
    )
    .await;
    let (broken, _) =
        mission_with(&app, "cm", (org, douala), "PANNE du serveur", window, false).await;
    let cleanup_en = cleanup_fr.replacen("/fr/", "/en/", 1);
    let editor = format!("/fr/espace/missions/{cleanup}");
    let review = |id: i64| format!("/fr/espace/missions/{id}/traductions/en");

    // Without an LLM nothing is drafted, and the editor only names the missing language.
    assert_eq!(run(&app, &Assistant::offline(), Utc::now()).await, 0);
    let mut fatou = person(
        &app,
        "fatou@example.org",
        "Fatou Focal",
        &[(Role::FocalPoint, Some(douala), None)],
    )
    .await;
    let page = fatou.get(&editor).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Pas encore traduite en : anglais"));
    assert!(!page.body.contains("Traductions proposées par l’assistant"));

    // The job drafts the two missions it can (cm offers French and English; sn's missions:
    // none), and records the failure of the third.
    let (assistant, asked) = llm().await;
    let now = Utc::now();
    assert_eq!(run(&app, &assistant, now).await, 2);
    {
        let asked = asked.lock().expect("lock");
        assert_eq!(asked.len(), 3, "one call per mission");
        assert!(asked.iter().all(|b| {
            b["response_format"]["json_schema"]["name"] == "mission_translation"
                && b["messages"][0]["content"]
                    .as_str()
                    .is_some_and(|p| p.contains("from French into English"))
        }));
    }
    assert_eq!(run(&app, &assistant, now).await, 0, "nothing twice");
    assert_eq!(asked.lock().expect("lock").len(), 3, "the failure waits");

    // Nothing shows on the site yet: the English page shows the French text.
    let mut visitor = crate::helpers::Browser::new(&app, crate::roles::CM);
    let public = visitor.get(&cleanup_en).await;
    assert_eq!(public.status, 200);
    assert!(public.body.contains("Nettoyage du quartier Akwa"));
    assert!(!public.body.contains("EN Nettoyage"));

    // The editor sees the draft in a review form of its own.
    let page = fatou.get(&editor).await;
    assert!(page.body.contains("Traductions proposées par l’assistant"));
    assert!(
        page.body
            .contains("value=\"EN Nettoyage du quartier Akwa\"")
    );
    assert!(
        page.body
            .contains(&format!("action=\"{}#traductions\"", review(cleanup)))
    );
    assert!(
        !page.body.contains("Pas encore traduite"),
        "the drafted language is not called missing"
    );

    // Another city's focal point and another site's may not review it.
    let mut yves = person(
        &app,
        "yves@example.org",
        "Yves Focal",
        &[(Role::FocalPoint, Some(garoua), None)],
    )
    .await;
    let csrf = yves.get("/fr/espace/missions").await.csrf();
    let refused = yves
        .post(&review(cleanup), &[("csrf", &csrf), ("action", "ecarter")])
        .await;
    assert_eq!(refused.status, 404);
    let mut moussa = focal_point_elsewhere(&app, "moussa@example.org").await;
    let csrf = moussa.get("/fr/espace/missions").await.csrf();
    let refused = moussa
        .post(
            &review(cleanup),
            &[
                ("csrf", &csrf),
                ("action", "publier"),
                ("title", "x"),
                ("description", "y"),
            ],
        )
        .await;
    assert_eq!(refused.status, 404);
    let sn_drafts = MissionTranslations::for_tenant(app.services.store.conn(), &tenant(&app, "sn"))
        .drafts(cleanup)
        .await
        .expect("drafts");
    assert!(sn_drafts.is_empty());

    // A bad review: no token, an unknown action, a language the site has no text for, an
    // empty title.
    let csrf = fatou.get(&editor).await.csrf();
    assert_eq!(
        fatou
            .post(&review(cleanup), &[("action", "publier")])
            .await
            .status,
        403
    );
    assert_eq!(
        fatou
            .post(&review(cleanup), &[("csrf", &csrf), ("action", "traduire")])
            .await
            .status,
        400
    );
    for lang in ["ar", "fr", "xx"] {
        let other = format!("/fr/espace/missions/{cleanup}/traductions/{lang}");
        let page = fatou
            .post(&other, &[("csrf", &csrf), ("action", "ecarter")])
            .await;
        assert_eq!(page.status, 404, "{lang}");
    }
    let refused = fatou
        .post(
            &review(cleanup),
            &[
                ("csrf", &csrf),
                ("action", "publier"),
                ("title", "  "),
                ("summary", "A morning to clean the streets."),
                ("description", "EN Description"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Corrigez les champs signalés"));
    assert!(
        refused.body.contains("A morning to clean the streets."),
        "kept as typed"
    );
    assert!(!fatou.get(&cleanup_en).await.body.contains("A morning"));

    // Published as corrected: the English page shows it, the history says so, the draft is
    // gone and the job leaves the language alone.
    let published = fatou
        .post(
            &review(cleanup),
            &[
                ("csrf", &csrf),
                ("action", "publier"),
                ("title", "Akwa neighbourhood clean-up"),
                ("summary", "A morning to clean the streets."),
                ("description", "EN Description"),
            ],
        )
        .await;
    assert_eq!(published.status, 303);
    let location = published.headers["location"].to_str().expect("location");
    assert_eq!(
        location,
        format!("/fr/espace/missions/{cleanup}?done=translation_published#traductions")
    );
    let page = fatou.get(location).await;
    assert!(page.body.contains("Traduction publiée"));
    assert!(page.body.contains("traduction relue et publiée"));
    assert!(!page.body.contains("Pas encore traduite"));
    assert!(!page.body.contains("value=\"EN Nettoyage"));
    let public = visitor.get(&cleanup_en).await;
    assert!(public.body.contains("Akwa neighbourhood clean-up"));
    assert!(public.body.contains("A morning to clean the streets."));

    // Discarded: gone from the editor and not drafted again, until the French text changes.
    let library_editor = format!("/fr/espace/missions/{library}");
    let csrf = fatou.get(&library_editor).await.csrf();
    let discarded = fatou
        .post(&review(library), &[("csrf", &csrf), ("action", "ecarter")])
        .await;
    assert_eq!(discarded.status, 303);
    let page = fatou.get(&library_editor).await;
    assert!(!page.body.contains("EN Bibliothèque"));
    assert_eq!(
        fatou
            .post(&review(library), &[("csrf", &csrf), ("action", "ecarter")])
            .await
            .status,
        404,
        "no draft left to discard"
    );
    let later = now + Duration::hours(7);
    assert_eq!(
        run(&app, &assistant, later).await,
        0,
        "only the failure is retried"
    );
    assert_eq!(asked.lock().expect("lock").len(), 4);
    let org = org.to_string();
    let (starts, ends) = (window.0.to_string(), window.1.to_string());
    let fields = [
        ("csrf", csrf.as_str()),
        ("organisation", org.as_str()),
        ("title_fr", "Bibliothèque de Bali, deuxième saison"),
        ("summary_fr", "Résumé"),
        ("description_fr", "Description"),
        ("city", "douala"),
        ("domain", "education-enfance"),
        ("mission_type", "soutien-scolaire-ateliers"),
        ("contribution", "competences"),
        ("contribution", "benevolat"),
        ("starts_on", starts.as_str()),
        ("ends_on", ends.as_str()),
    ];
    let saved = fatou.post(&library_editor, &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(run(&app, &assistant, later).await, 1);
    let page = fatou.get(&library_editor).await;
    assert!(
        page.body
            .contains("value=\"EN Bibliothèque de Bali, deuxième saison\"")
    );
    // The mission whose call fails has no draft, even after its retry.
    let cm_drafts = MissionTranslations::for_tenant(app.services.store.conn(), &cm);
    assert!(cm_drafts.drafts(broken).await.expect("drafts").is_empty());
}
