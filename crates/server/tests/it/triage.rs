//! Triage of incoming requests in the product: each request sent is read by the assistant
//! (topic, urgency, language, a suggested reply); the handling side's inbox sorts and filters
//! by it; the conversation offers the reply to edit and send; the `request_triage` job reads
//! what was sent before triage existed and refines offline readings with an LLM, once. A
//! second site sees none of it.

use crate::helpers::{Options, TestApp};
use crate::requests::{city_id, focal_point_elsewhere, person, signed_in_elsewhere, user_id};
use crate::roles::tenant;
use chrono::{Duration, Utc};
use jsap_assistant::{
    Assistant, Draft, DraftInput, Engine, EngineError, Language, Triage, TriageInput, Urgency,
};
use jsap_store::{NewRequest, RequestKind, Requests, Role};

async fn spawn() -> TestApp {
    TestApp::spawn_with(Options {
        demo: false,
        ..Default::default()
    })
    .await
}

const FOCAL_INBOX: &str = "/fr/espace/ville/demandes";

/// The position of `needle` in `body` (a row's order in an inbox).
fn at(body: &str, needle: &str) -> usize {
    body.find(needle)
        .unwrap_or_else(|| panic!("{needle} in {body}"))
}

#[tokio::test]
async fn requests_are_triaged_as_sent_and_the_focal_inbox_sorts_and_filters_by_it() {
    let app = spawn().await;
    let douala = city_id(&app, "cm", "douala").await;
    let mut focal = person(
        &app,
        "focal.douala@example.org",
        "Fatou Focal",
        &[(Role::FocalPoint, Some(douala), None)],
    )
    .await;
    let mut awa = person(&app, "awa@example.org", "Awa Diallo", &[]).await;
    let project = "/fr/villes/douala/proposer";
    let mut sent = Vec::new();
    for (title, domain, description, offer) in [
        (
            "Bibliothèque de quartier",
            "education-enfance",
            "Ouvrir une bibliothèque pour les enfants du quartier, rien ne presse.",
            "Des livres et du temps.",
        ),
        (
            "Medicines for the clinic",
            "sante",
            "URGENT: the clinic has run out of medicines, we need help this week please.",
            "I can bring medicines.",
        ),
        (
            "Jardin partagé",
            "environnement-proprete",
            "Créer un jardin partagé avec les habitants du quartier.",
            "Des graines et des outils.",
        ),
    ] {
        let fields = [
            ("title", title),
            ("domain", domain),
            ("description", description),
            ("offer", offer),
        ];
        let done = awa.submit(project, project, &fields).await;
        assert_eq!(done.status, 303, "{}", done.body);
        let path = done.location().trim_end_matches("?done=sent").to_owned();
        sent.push(path);
    }
    // Stored with each request: the stated domain as topic, urgency and language read.
    let cm = tenant(&app, "cm");
    let requests = Requests::for_tenant(app.services.store.conn(), &cm);
    let mut read = Vec::new();
    for path in &sent {
        let id: i64 = path
            .rsplit('/')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("id");
        let r = requests.find(id).await.expect("q").expect("request");
        read.push(r.triage.expect("triaged as sent"));
    }
    let seen: Vec<(&str, Urgency, Language, &str)> = read
        .iter()
        .map(|t| (t.topic.as_str(), t.urgency, t.language, t.engine.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("education-enfance", Urgency::Low, Language::Fr, "offline"),
            ("sante", Urgency::High, Language::En, "offline"),
            (
                "environnement-proprete",
                Urgency::Normal,
                Language::Fr,
                "offline"
            ),
        ]
    );
    assert!(
        read[1].suggested_reply.starts_with("Hello,"),
        "{}",
        read[1].suggested_reply
    );

    // The focal inbox: newest first by default, each row with its reading.
    let inbox = focal.get(FOCAL_INBOX).await;
    assert_eq!(inbox.status, 200);
    let body = &inbox.body;
    assert!(at(body, "Jardin partagé") < at(body, "Medicines for the clinic"));
    assert!(at(body, "Medicines for the clinic") < at(body, "Bibliothèque de quartier"));
    assert!(
        body.contains("<span class=\"badge urgency-high\">Urgente</span>"),
        "{body}"
    );
    assert!(body.contains("Santé · Écrite en anglais"), "{body}");
    // Only what stands out is badged: urgent and not urgent, not the normal ones.
    assert!(body.contains("urgency-low\">Peu urgente"), "{body}");
    assert!(!body.contains("urgency-normal"), "{body}");
    assert!(body.contains("Trier et filtrer"));
    // Most urgent first: the clinic, then the garden, then the library.
    let urgent_first = focal.get(&format!("{FOCAL_INBOX}?tri=urgence")).await;
    let body = &urgent_first.body;
    assert!(at(body, "Medicines for the clinic") < at(body, "Jardin partagé"));
    assert!(at(body, "Jardin partagé") < at(body, "Bibliothèque de quartier"));
    assert!(
        body.contains("<option value=\"urgence\" selected>"),
        "{body}"
    );
    // The state links keep the order.
    assert!(
        body.contains(&format!("href=\"{FOCAL_INBOX}?etat=new&amp;tri=urgence\"")),
        "{body}"
    );
    // Each filter keeps only what matches it.
    for (query, only) in [
        ("urgence=high", "Medicines for the clinic"),
        ("langue=en", "Medicines for the clinic"),
        ("sujet=education-enfance", "Bibliothèque de quartier"),
        ("urgence=low&etat=new", "Bibliothèque de quartier"),
    ] {
        let page = focal.get(&format!("{FOCAL_INBOX}?{query}")).await;
        assert_eq!(page.status, 200, "{query}");
        for title in [
            "Medicines for the clinic",
            "Bibliothèque de quartier",
            "Jardin partagé",
        ] {
            assert_eq!(page.body.contains(title), title == only, "{query}: {title}");
        }
        assert!(page.body.contains("Tout afficher"), "{query}");
    }
    let none = focal.get(&format!("{FOCAL_INBOX}?langue=ar")).await;
    assert!(none.body.contains("Aucune demande ici."));
    for bad in [
        "urgence=tres",
        "langue=de",
        "sujet=astrologie",
        "tri=hasard",
    ] {
        let page = focal.get(&format!("{FOCAL_INBOX}?{bad}")).await;
        assert_eq!(page.status, 400, "{bad}");
        assert!(page.body.contains("Ce filtre n’existe pas"), "{bad}");
    }

    // The member's own inbox shows no reading and takes no triage filter.
    let mine = awa.get("/fr/compte/demandes?urgence=tres").await;
    assert_eq!(mine.status, 200);
    assert!(mine.body.contains("Medicines for the clinic"));
    assert!(!mine.body.contains("urgency-"), "{}", mine.body);
    assert!(!mine.body.contains("Trier et filtrer"));

    // The conversation: the reading and the suggested reply, in the request's language, for
    // the focal point only.
    let clinic = &sent[1];
    let thread = focal.get(clinic).await;
    assert!(
        thread.body.contains("Lecture de l’assistant"),
        "{}",
        thread.body
    );
    assert!(thread.body.contains("Urgence : Urgente"));
    assert!(thread.body.contains("Réponse suggérée"));
    assert!(
        thread.body.contains("lang=\"en\" dir=\"auto\">Hello,"),
        "{}",
        thread.body
    );
    // Each side reads the offer from its own viewpoint.
    assert!(thread.body.contains("Ce que le membre apporte"));
    assert!(!thread.body.contains("Ce que vous apportez"));
    let own = awa.get(clinic).await;
    assert!(own.body.contains("Ce que vous apportez"));
    assert!(!own.body.contains("Lecture de l’assistant"));
    assert!(!own.body.contains("Réponse suggérée"));
    // Sent as edited, it is the focal point's message; then it is no longer offered.
    let reply = format!("{}\n\nWe can meet on Monday.", read[1].suggested_reply);
    let action = format!("{clinic}/messages");
    let posted = focal.submit(clinic, &action, &[("message", &reply)]).await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    let thread = focal.get(clinic).await;
    assert!(thread.body.contains("We can meet on Monday."));
    assert!(!thread.body.contains("Réponse suggérée"));
    assert!(thread.body.contains("Lecture de l’assistant"));

    // Another site's focal point sees none of it, whatever the filter.
    let mut moussa = focal_point_elsewhere(&app, "moussa@example.org").await;
    for query in ["", "?urgence=high", "?langue=en", "?tri=urgence"] {
        let page = moussa.get(&format!("{FOCAL_INBOX}{query}")).await;
        assert_eq!(page.status, 200, "{query}");
        assert!(page.body.contains("Aucune demande ici."), "{query}");
        assert!(!page.body.contains("Medicines"), "{query}");
    }
    assert_eq!(moussa.get(clinic).await.status, 404);
}

/// An engine that reads every request as urgent English about education.
struct Fixed;

#[async_trait::async_trait]
impl Engine for Fixed {
    fn name(&self) -> &'static str {
        "fixed-llm"
    }
    async fn draft(&self, _: &DraftInput<'_>) -> Result<Draft, EngineError> {
        Err(EngineError::Unavailable("not in this test".into()))
    }
    async fn triage(&self, _: &TriageInput<'_>) -> Result<Triage, EngineError> {
        Ok(Triage {
            topic: "education-enfance".into(),
            urgency: Urgency::High,
            language: Language::En,
            suggested_reply: "Hello from the LLM".into(),
        })
    }
}

/// An engine that always fails.
struct Down;

#[async_trait::async_trait]
impl Engine for Down {
    fn name(&self) -> &'static str {
        "down"
    }
    async fn draft(&self, _: &DraftInput<'_>) -> Result<Draft, EngineError> {
        Err(EngineError::Unavailable("down".into()))
    }
    async fn triage(&self, _: &TriageInput<'_>) -> Result<Triage, EngineError> {
        Err(EngineError::Unavailable("down".into()))
    }
}

fn sent(member: i64, city: i64, domain: Option<&str>, body: &str) -> NewRequest {
    NewRequest {
        kind: RequestKind::Project,
        member_user_id: member,
        mission_id: None,
        organisation_id: None,
        city_id: city,
        locale: "fr".into(),
        title: "Une demande".into(),
        body: body.into(),
        offer: String::new(),
        contribution: None,
        available_from: None,
        available_to: None,
        domain: domain.map(str::to_owned),
    }
}

#[tokio::test]
async fn the_triage_job_reads_older_requests_and_refines_with_the_llm_once_per_site() {
    let app = spawn().await;
    let store = &app.services.store;
    let (cm, sn) = (tenant(&app, "cm"), tenant(&app, "sn"));
    let (douala, dakar) = (
        city_id(&app, "cm", "douala").await,
        city_id(&app, "sn", "dakar").await,
    );
    // Two members (one per site), their requests written as before triage existed.
    let awa = person(&app, "awa@example.org", "Awa", &[]).await;
    drop(awa);
    let moussa = signed_in_elsewhere(&app, "moussa@example.org").await;
    drop(moussa);
    let (awa_id, moussa_id) = (
        user_id(&app, "cm", "awa@example.org").await,
        user_id(&app, "sn", "moussa@example.org").await,
    );
    let now = Utc::now();
    let cm_requests = Requests::for_tenant(store.conn(), &cm);
    let sn_requests = Requests::for_tenant(store.conn(), &sn);
    let old = cm_requests
        .create(
            sent(
                awa_id,
                douala,
                None,
                "Hello, I would like to help the hospital, it is urgent",
            ),
            now - Duration::days(3),
            7,
        )
        .await
        .expect("create");
    let stated = cm_requests
        .create(
            sent(
                awa_id,
                douala,
                Some("tourisme"),
                "Je voudrais aider, rien ne presse.",
            ),
            now - Duration::days(3),
            7,
        )
        .await
        .expect("create");
    let dakar_request = sn_requests
        .create(
            sent(moussa_id, dakar, None, "Bonjour, je veux aider une école."),
            now,
            7,
        )
        .await
        .expect("create");
    assert!(old.triage.is_none());
    // Each site lists only its own requests to read.
    let pending: Vec<i64> = cm_requests
        .needing_triage(None, 100)
        .await
        .expect("q")
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(pending, [old.id, stated.id]);

    let services = (store, &*app.services.registry, &app.services.themes);
    let cache = &app.services.cache;
    let offline = Assistant::offline();
    let n = jsap_jobs::request_triage(services, cache, &offline, now)
        .await
        .expect("job")
        .expect("lock");
    assert_eq!(n, 3, "both sites' requests are read");
    let read = |r: Option<jsap_store::RequestRecord>| r.expect("request").triage.expect("read");
    let t = read(cm_requests.find(old.id).await.expect("q"));
    assert_eq!(
        (t.urgency, t.language, t.engine.as_str()),
        (Urgency::High, Language::En, "offline")
    );
    assert_eq!(t.topic, "sante");
    let t = read(cm_requests.find(stated.id).await.expect("q"));
    assert_eq!(
        (t.topic.as_str(), t.urgency),
        ("tourisme", Urgency::Low),
        "the stated domain is kept"
    );
    let t = read(sn_requests.find(dakar_request.id).await.expect("q"));
    assert_eq!(t.topic, "education-enfance");
    // Nothing is left to read offline.
    let again = jsap_jobs::request_triage(services, cache, &offline, now)
        .await
        .expect("job");
    assert_eq!(again, Some(0));

    // With an LLM: only the offline readings of the last day are refined (Dakar's), once.
    let llm = Assistant::with_primary(Box::new(Fixed));
    let n = jsap_jobs::request_triage(services, cache, &llm, now)
        .await
        .expect("job");
    assert_eq!(n, Some(1));
    let t = read(sn_requests.find(dakar_request.id).await.expect("q"));
    assert_eq!((t.engine.as_str(), t.urgency), ("fixed-llm", Urgency::High));
    assert_eq!(t.suggested_reply, "Hello from the LLM");
    let t = read(cm_requests.find(old.id).await.expect("q"));
    assert_eq!(t.engine, "offline", "older than a day: kept");
    assert_eq!(
        jsap_jobs::request_triage(services, cache, &llm, now)
            .await
            .expect("job"),
        Some(0)
    );

    // An LLM that fails keeps the offline reading, marked so that it is not asked again.
    let fresh = cm_requests
        .create(
            sent(awa_id, douala, Some("sante"), "Bonjour, je peux aider."),
            now,
            7,
        )
        .await
        .expect("create");
    let down = Assistant::with_primary(Box::new(Down));
    assert_eq!(
        jsap_jobs::request_triage(services, cache, &offline, now)
            .await
            .expect("job"),
        Some(1)
    );
    assert_eq!(
        jsap_jobs::request_triage(services, cache, &down, now)
            .await
            .expect("job"),
        Some(1)
    );
    let t = read(cm_requests.find(fresh.id).await.expect("q"));
    assert_eq!(
        (t.engine.as_str(), t.topic.as_str()),
        ("offline-kept", "sante")
    );
    assert_eq!(
        jsap_jobs::request_triage(services, cache, &down, now)
            .await
            .expect("job"),
        Some(0)
    );
    // Neither site's repository reaches the other's request.
    assert!(sn_requests.find(old.id).await.expect("q").is_none());
    assert!(
        cm_requests
            .find(dakar_request.id)
            .await
            .expect("q")
            .is_none()
    );
}
