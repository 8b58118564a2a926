//! Requests over real HTTP: answering a mission, proposing a project, offering a profile;
//! conversations and their state machine; inboxes and unread counts; who may see what; the
//! emails queued for each; the delay job (reminder, escalation, survey) run with a fake "now";
//! the survey page. Members are real accounts (sign-up, emailed verification link, log-in);
//! roles are granted through the store.

use crate::helpers::{Browser, Options, PASSWORD, TestApp, env, service_available};
use chrono::{Duration, NaiveDate, Utc};
use jsap_domain::EmailAddress;
use jsap_store::AcrossTenants;
use jsap_store::Grant;
use jsap_store::{
    Accounts, Cities, ConnectionTrait, MissionFields, MissionTerms, MissionText, Missions,
    NewMission, NewOrganisation, OrganisationProfile, Organisations, Outbox, OutboxEmail, Requests,
    Role, Store,
};
use jsap_tenancy::Tenant;
use std::sync::Arc;

const CM: &str = "cm.localhost";
const SN: &str = "sn.localhost";

struct Fixture {
    /// `/fr/missions/{id}-{slug}` of a mission of organisation A in Douala.
    mission: String,
    mission_id: i64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    org_a: i64,
    org_b: i64,
    douala: i64,
    yaounde: i64,
    /// A mission of the Senegal site.
    sn_mission: String,
}

fn tenant(app: &TestApp, code: &str) -> Arc<Tenant> {
    app.services.registry.get(code).expect("tenant").clone()
}

fn store(app: &TestApp) -> &Store {
    &app.services.store
}

async fn spawn() -> (TestApp, Fixture) {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Default::default()
    })
    .await;
    let fixture = seed(&app).await;
    (app, fixture)
}

pub(crate) async fn mission(
    app: &TestApp,
    code: &str,
    org: i64,
    city: i64,
    title: &str,
    window: (NaiveDate, NaiveDate),
) -> (i64, String) {
    mission_with(app, code, (org, city), title, window, false).await
}

/// A published mission of `org` in `city`, remote or on site; its id and path.
pub(crate) async fn mission_with(
    app: &TestApp,
    code: &str,
    (org, city): (i64, i64),
    title: &str,
    window: (NaiveDate, NaiveDate),
    remote: bool,
) -> (i64, String) {
    let t = tenant(app, code);
    let slug = jsap_domain::slugify(title);
    Missions::for_tenant(store(app).conn(), &t)
        .insert_all(vec![NewMission {
            slug: slug.clone(),
            published: true,
            photos: vec![],
            fields: MissionFields {
                organisation_id: org,
                city_id: city,
                featured: false,
                capacity: None,
                contact_name: String::new(),
                skills: vec![],
                texts: vec![MissionText {
                    locale: "fr".into(),
                    title: title.into(),
                    summary: "Résumé".into(),
                    description: "Description".into(),
                }],
                terms: MissionTerms {
                    domain: "education-enfance".into(),
                    mission_type: "soutien-scolaire-ateliers".into(),
                    contribution_types: vec!["competences".into(), "benevolat".into()],
                    remote,
                    urgent: false,
                    flexible: false,
                    starts_on: window.0,
                    ends_on: window.1,
                },
            },
        }])
        .await
        .expect("mission");
    let id = Missions::for_tenant(store(app).conn(), &t)
        .open_slugs(t.today())
        .await
        .expect("slugs")
        .into_iter()
        .find(|(_, s)| *s == slug)
        .expect("inserted")
        .0;
    (id, format!("/fr/missions/{id}-{slug}"))
}

/// An app without the demo data, with a verified association of Douala on `cm`
/// ("entraide-douala"): the app, Douala's id and the association's.
pub(crate) async fn douala_association() -> (TestApp, i64, i64) {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    let douala = city_id(&app, "cm", "douala").await;
    let org = organisation(&app, "cm", douala, "entraide-douala").await;
    (app, douala, org)
}

pub(crate) async fn organisation(app: &TestApp, code: &str, city: i64, slug: &str) -> i64 {
    Organisations::for_tenant(store(app).conn(), &tenant(app, code))
        .insert(NewOrganisation {
            slug: slug.into(),
            verified: true,
            profile: OrganisationProfile {
                city_id: city,
                kind: "association".into(),
                name: format!("Association {slug}"),
                description: "Une association".into(),
                ..Default::default()
            },
        })
        .await
        .expect("organisation")
}

/// The id of the account `email` on site `code`.
pub(crate) async fn user_id(app: &TestApp, code: &str, email: &str) -> i64 {
    Accounts::for_tenant(store(app).conn(), &tenant(app, code))
        .find_by_email(&EmailAddress::parse(email).expect("address"))
        .await
        .expect("q")
        .expect("account")
        .id
}

pub(crate) async fn city_id(app: &TestApp, code: &str, slug: &str) -> i64 {
    Cities::for_tenant(store(app).conn(), &tenant(app, code))
        .by_slug(slug)
        .await
        .expect("cities")
        .expect("city")
        .id
}

async fn seed(app: &TestApp) -> Fixture {
    let douala = city_id(app, "cm", "douala").await;
    let yaounde = city_id(app, "cm", "yaounde").await;
    let org_a = organisation(app, "cm", douala, "entraide-douala").await;
    let org_b = organisation(app, "cm", douala, "autre-asso").await;
    let today = tenant(app, "cm").today();
    let (starts_on, ends_on) = (today + Duration::days(30), today + Duration::days(90));
    let (mission_id, mission_path) = mission(
        app,
        "cm",
        org_a,
        douala,
        "Mentorat au lycée de Douala",
        (starts_on, ends_on),
    )
    .await;
    mission(
        app,
        "cm",
        org_b,
        douala,
        "Autre mission",
        (starts_on, ends_on),
    )
    .await;
    let dakar = city_id(app, "sn", "dakar").await;
    let sn_org = organisation(app, "sn", dakar, "asso-dakar").await;
    let (_, sn_mission) = mission(
        app,
        "sn",
        sn_org,
        dakar,
        "Mission à Dakar",
        (starts_on, ends_on),
    )
    .await;
    Fixture {
        mission: mission_path,
        mission_id,
        starts_on,
        ends_on,
        org_a,
        org_b,
        douala,
        yaounde,
        sn_mission,
    }
}

pub async fn emails(app: &TestApp, code: &str) -> Vec<OutboxEmail> {
    Outbox::for_tenant(store(app).conn(), &tenant(app, code))
        .list()
        .await
        .expect("outbox")
}

async fn emails_of(app: &TestApp, kind: &str) -> Vec<OutboxEmail> {
    emails(app, "cm")
        .await
        .into_iter()
        .filter(|e| e.kind == kind)
        .collect()
}

/// The path of the first link to the canonical domain in an email's text.
fn link_in(email: &OutboxEmail, segment: &str) -> String {
    let prefix = "https://jesuisaucameroun.com";
    let start = email
        .text_body
        .find(&format!("{prefix}{segment}"))
        .unwrap_or_else(|| panic!("a {segment} link in {}", email.text_body))
        + prefix.len();
    email.text_body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect()
}

/// A verified member, signed in, on the Cameroon site; granted `roles` through the store.
pub async fn person<'a>(
    app: &'a TestApp,
    email: &str,
    name: &str,
    roles: &[(Role, Option<i64>, Option<i64>)],
) -> Browser<'a> {
    let mut browser = Browser::new(app, CM);
    assert_eq!(browser.signup(email, name).await.status, 200);
    let verification = emails(app, "cm")
        .await
        .into_iter()
        .rev()
        .find(|e| e.to == email && e.kind == "account_verification")
        .expect("verification email");
    let link = link_in(&verification, "/fr/compte/verifier/");
    assert_eq!(browser.get(&link).await.status, 200);
    let accounts = Accounts::for_tenant(store(app).conn(), &tenant(app, "cm"));
    let account = accounts
        .find_by_email(&EmailAddress::parse(email).expect("email"))
        .await
        .expect("find")
        .expect("account");
    for (role, city, org) in roles {
        accounts
            .grant(account.id, Grant::new(*role, *city, *org).expect("a grant"))
            .await
            .expect("grant");
    }
    // After the roles: a new role ends the sessions opened before it.
    assert_eq!(browser.login(email, PASSWORD).await.status, 303);
    browser
}

/// A verified member signed in on the Senegal site.
pub(crate) async fn signed_in_elsewhere<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut browser = Browser::new(app, SN);
    assert_eq!(browser.signup(email, "Moussa").await.status, 200);
    let verification = emails(app, "sn")
        .await
        .into_iter()
        .find(|e| e.to == email && e.kind == "account_verification")
        .expect("verification");
    let prefix = "https://jesuisausenegal.com";
    let start = verification.text_body.find(prefix).expect("link") + prefix.len();
    let link: String = verification.text_body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert_eq!(browser.get(&link).await.status, 200);
    assert_eq!(browser.login(email, PASSWORD).await.status, 303);
    browser
}

/// A verified member signed in on the Senegal site as focal point of Dakar.
pub(crate) async fn focal_point_elsewhere<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut browser = signed_in_elsewhere(app, email).await;
    let dakar = city_id(app, "sn", "dakar").await;
    let id = user_id(app, "sn", email).await;
    Accounts::for_tenant(store(app).conn(), &tenant(app, "sn"))
        .grant(
            id,
            Grant::new(Role::FocalPoint, Some(dakar), None).expect("a grant"),
        )
        .await
        .expect("grant");
    // After the role: a new role ends the sessions opened before it.
    assert_eq!(browser.login(email, PASSWORD).await.status, 303);
    browser
}

/// The choices `user_id` made on consent `kind` on site `code`, oldest first.
pub(crate) async fn consents_given(
    app: &TestApp,
    code: &str,
    user_id: i64,
    kind: &str,
) -> Vec<bool> {
    jsap_store::Consents::for_tenant(store(app).conn(), &tenant(app, code))
        .of_user(user_id)
        .await
        .expect("consents")
        .into_iter()
        .filter(|c| c.kind.as_str() == kind)
        .map(|c| c.granted)
        .collect()
}

pub(crate) fn answer_fields<'a>(from: &'a str, to: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        (
            "message",
            "Bonjour, je suis enseignante et je serai à Douala cet été.",
        ),
        ("contribution", "competences"),
        ("available_from", from),
        ("available_to", to),
    ]
}

/// Answers the fixture's mission; returns the request's path.
async fn answer(browser: &mut Browser<'_>, f: &Fixture) -> String {
    let (from, to) = (f.starts_on.to_string(), f.ends_on.to_string());
    let action = format!("{}/repondre", f.mission);
    let sent = browser
        .submit(&action, &action, &answer_fields(&from, &to))
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let location = sent.location().to_owned();
    assert!(location.ends_with("?done=sent"), "{location}");
    location.trim_end_matches("?done=sent").to_owned()
}

fn request_id(path: &str) -> i64 {
    path.rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("a request id")
}

async fn request_count(app: &TestApp) -> u64 {
    let conn = store(app).conn();
    let rows = conn
        .across_tenants()
        .query_one_raw(jsap_store::Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM requests".to_owned(),
        ))
        .await
        .expect("count")
        .expect("row");
    rows.try_get::<i64>("", "n").expect("n") as u64
}

#[tokio::test]
async fn a_member_answers_a_mission_and_the_organisation_and_focal_point_are_told() {
    let (app, f) = spawn().await;
    // The mission page's call to action leads to the form.
    let (status, page) = app.page(CM, &f.mission).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("href=\"{}/repondre\"", f.mission)),
        "call to action"
    );
    assert!(
        !page.contains("mailto:pf.douala@jesuisaucameroun.com?"),
        "no mailto call to action"
    );

    let mut org_member = person(
        &app,
        "org.a@example.org",
        "Odile Org",
        &[(Role::OrganisationAdmin, None, Some(f.org_a))],
    )
    .await;
    let _org_b = person(
        &app,
        "org.b@example.org",
        "Boris Org",
        &[(Role::OrganisationEditor, None, Some(f.org_b))],
    )
    .await;
    let _focal = person(
        &app,
        "focal.douala@example.org",
        "Fatou Focal",
        &[(Role::FocalPoint, Some(f.douala), None)],
    )
    .await;

    // Anonymous: to the log-in page, then back to the form.
    let mut awa = Browser::new(&app, CM);
    let action = format!("{}/repondre", f.mission);
    let anonymous = awa.get(&action).await;
    assert_eq!(anonymous.status, 303);
    let login = anonymous.location().to_owned();
    assert!(
        login.starts_with("/fr/compte/connexion?next=%2Ffr%2Fmissions%2F"),
        "{login}"
    );
    assert_eq!(
        awa.signup("awa@example.org", "Awa Diallo").await.status,
        200
    );
    let verification = emails_of(&app, "account_verification")
        .await
        .into_iter()
        .find(|e| e.to == "awa@example.org")
        .expect("verification");
    awa.get(&link_in(&verification, "/fr/compte/verifier/"))
        .await;
    let form = awa.get(&login).await;
    assert!(
        form.body.contains("name=\"next\" value=\"/fr/missions/"),
        "next kept in the form"
    );
    let csrf = form.csrf();
    let logged = awa
        .post(
            "/fr/compte/connexion",
            &[
                ("csrf", &csrf),
                ("email", "awa@example.org"),
                ("password", PASSWORD),
                ("next", &action),
            ],
        )
        .await;
    assert_eq!(logged.status, 303);
    assert_eq!(logged.location(), action, "back to the form after log-in");
    // A next pointing elsewhere is ignored.
    let mut other = Browser::new(&app, CM);
    let page = other
        .get("/fr/compte/connexion?next=//evil.example/x")
        .await;
    assert!(!page.body.contains("evil.example"));

    let form = awa.get(&action).await;
    assert_eq!(form.status, 200);
    assert!(
        form.body.contains("Réponse promise sous 14 jours"),
        "delay promised before sending"
    );
    let thread = answer(&mut awa, &f).await;
    let confirmation = awa.get(&format!("{thread}?done=sent")).await;
    assert_eq!(confirmation.status, 200);
    assert!(
        confirmation.body.contains("Réponse promise sous 14 jours"),
        "{}",
        confirmation.body
    );
    assert!(confirmation.body.contains("Mentorat au lycée de Douala"));
    assert!(
        confirmation.body.contains("vous répondra"),
        "the member is told who will answer"
    );

    // The organisation's member and the city's focal point hear of it; the other
    // organisation does not; the member is not emailed about their own request.
    let new: Vec<String> = emails_of(&app, "request_new")
        .await
        .into_iter()
        .map(|e| e.to)
        .collect();
    assert_eq!(
        new,
        vec![
            "org.a@example.org".to_owned(),
            "focal.douala@example.org".to_owned()
        ]
    );
    let email = emails_of(&app, "request_new").await.remove(0);
    assert!(
        email.subject.contains("Mentorat au lycée de Douala"),
        "{}",
        email.subject
    );
    assert!(email.text_body.contains("Awa Diallo"));
    assert!(
        email
            .html_body
            .contains("https://jesuisaucameroun.com/fr/compte/emails"),
        "preferences link"
    );
    let link = link_in(&email, "/fr/demandes/");
    assert_eq!(link, thread);
    let seen = org_member.get(&link).await;
    assert_eq!(seen.status, 200);
    assert!(
        seen.body.contains("awa@example.org"),
        "the organisation sees the member's email"
    );

    // The request in the store.
    let requests = Requests::for_tenant(store(&app).conn(), &tenant(&app, "cm"));
    let id: i64 = request_id(&thread);
    let record = requests.find(id).await.expect("find").expect("request");
    assert_eq!(record.sent.mission_id, Some(f.mission_id));
    assert_eq!(record.sent.organisation_id, Some(f.org_a));
    assert_eq!(record.sent.city_id, f.douala);
    assert_eq!(record.sent.contribution.as_deref(), Some("competences"));
    assert_eq!(record.due_at - record.created_at, Duration::days(14));
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn bad_answers_are_shown_back_with_field_errors_and_write_nothing() {
    let (app, f) = spawn().await;
    let mut awa = person(&app, "awa@example.org", "Awa Diallo", &[]).await;
    let action = format!("{}/repondre", f.mission);
    let (from, to) = (f.starts_on.to_string(), f.ends_on.to_string());
    let before = (f.starts_on - Duration::days(1)).to_string();
    let after = (f.ends_on + Duration::days(1)).to_string();
    let long = "x".repeat(4001);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![], "Le champ « Votre message » est obligatoire."),
        (
            vec![
                ("message", &long),
                ("contribution", "competences"),
                ("available_from", &from),
                ("available_to", &to),
            ],
            "« Votre message » : 4000 caractères au plus.",
        ),
        (
            vec![
                ("message", "Bonjour"),
                ("contribution", "investissement"),
                ("available_from", &from),
                ("available_to", &to),
            ],
            "« Votre contribution » : choisissez une valeur de la liste.",
        ),
        (
            vec![
                ("message", "Bonjour"),
                ("contribution", "competences"),
                ("available_from", "demain"),
                ("available_to", &to),
            ],
            "« Disponible à partir du » : date invalide",
        ),
        (
            vec![
                ("message", "Bonjour"),
                ("contribution", "competences"),
                ("available_from", &before),
                ("available_to", &to),
            ],
            "« Disponible à partir du » : choisissez une date entre",
        ),
        (
            vec![
                ("message", "Bonjour"),
                ("contribution", "competences"),
                ("available_from", &from),
                ("available_to", &after),
            ],
            "« Jusqu&#x27;au » : choisissez une date entre",
        ),
        (
            vec![
                ("message", "Bonjour"),
                ("contribution", "competences"),
                ("available_from", &to),
                ("available_to", &from),
            ],
            "La date de fin doit suivre",
        ),
        (
            vec![
                ("message", "   "),
                ("contribution", "competences"),
                ("available_from", &from),
                ("available_to", &to),
                ("extra", "ignored"),
            ],
            "Le champ « Votre message » est obligatoire.",
        ),
    ];
    for (fields, expected) in cases {
        let page = awa.submit(&action, &action, &fields).await;
        assert_eq!(page.status, 422, "{fields:?}");
        assert!(page.body.contains(expected), "{expected}: {fields:?}");
        assert!(page.body.contains("aria-invalid=\"true\""));
    }
    // An empty form: the summary names each missing field once, in the order of the form.
    let page = awa.submit(&action, &action, &[]).await;
    let named = [
        "Le champ « Votre message » est obligatoire.",
        "« Votre contribution » : choisissez une valeur de la liste.",
        "Le champ « Disponible à partir du » est obligatoire.",
        "Le champ « Jusqu&#x27;au » est obligatoire.",
    ];
    let summary = &page.body[page.body.find("id=\"errors\"").expect("summary")..];
    let summary = &summary[..summary.find("</ul>").expect("list")];
    let at: Vec<usize> = named
        .iter()
        .map(|m| {
            assert_eq!(summary.matches(m).count(), 1, "{m}");
            summary.find(m).expect("named")
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    assert!(!page.body.contains("Ce champ est obligatoire"));
    // Input is shown back.
    let page = awa
        .submit(
            &action,
            &action,
            &[
                ("message", "Mon <message>"),
                ("contribution", "competences"),
                ("available_from", &before),
                ("available_to", &to),
            ],
        )
        .await;
    assert!(
        page.body.contains("Mon &lt;message&gt;</textarea>"),
        "escaped and kept"
    );
    assert!(page.body.contains("value=\"competences\" selected"));

    // CSRF missing or wrong: 403, nothing written.
    let mut fields = answer_fields(&from, &to);
    assert_eq!(awa.post(&action, &fields).await.status, 403);
    fields.push(("csrf", "deadbeef"));
    assert_eq!(awa.post(&action, &fields).await.status, 403);

    // Another tenant's mission, an unknown mission, a bad id: 404.
    let sn_id = f.sn_mission.trim_start_matches("/fr/missions/");
    assert_eq!(
        awa.get(&format!("/fr/missions/{sn_id}/repondre"))
            .await
            .status,
        404
    );
    let form = awa.get(&action).await;
    let csrf = form.csrf();
    let mut with_csrf = answer_fields(&from, &to);
    with_csrf.push(("csrf", &csrf));
    assert_eq!(
        awa.post(&format!("/fr/missions/{sn_id}/repondre"), &with_csrf)
            .await
            .status,
        404
    );
    assert_eq!(
        awa.post("/fr/missions/999999-x/repondre", &with_csrf)
            .await
            .status,
        404
    );
    assert_eq!(awa.get("/fr/missions/abc/repondre").await.status, 404);
    assert_eq!(awa.get("/de/missions/abc/repondre").await.status, 404);
    assert_eq!(request_count(&app).await, 0, "nothing written");
    assert!(emails_of(&app, "request_new").await.is_empty());

    // An unverified member cannot even sign in: the form sends them to the log-in page.
    let mut fresh = Browser::new(&app, CM);
    fresh.signup("nouveau@example.org", "Nouveau").await;
    assert_eq!(
        fresh.login("nouveau@example.org", PASSWORD).await.status,
        403
    );
    assert_eq!(fresh.get(&action).await.status, 303);
    assert_eq!(request_count(&app).await, 0);
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn projects_and_profiles_go_to_the_city_focal_points() {
    let (app, f) = spawn().await;
    let _focal = person(
        &app,
        "focal.douala@example.org",
        "Fatou Focal",
        &[(Role::FocalPoint, Some(f.douala), None)],
    )
    .await;
    let mut awa = person(&app, "awa@example.org", "Awa Diallo", &[]).await;
    // The city page links to both forms.
    let city = awa.get("/fr/villes/douala").await;
    assert!(city.body.contains("href=\"/fr/villes/douala/proposer\""));
    assert!(city.body.contains("href=\"/fr/villes/douala/offrir\""));

    let project = "/fr/villes/douala/proposer";
    let bad = awa
        .submit(
            project,
            project,
            &[
                ("title", ""),
                ("domain", "astrologie"),
                ("description", "Un projet"),
                ("offer", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body
            .contains("« Domaine » : choisissez une valeur de la liste.")
    );
    assert!(bad.body.contains("value=\"Un projet\"") || bad.body.contains(">Un projet</textarea>"));
    let sent = awa
        .submit(
            project,
            project,
            &[
                ("title", "Bibliothèque de quartier"),
                ("domain", "education-enfance"),
                ("description", "Ouvrir une bibliothèque."),
                ("offer", "Des livres et du temps."),
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);

    let profile = "/fr/villes/douala/offrir";
    let today = tenant(&app, "cm").today();
    let past = (today - Duration::days(10)).to_string();
    let yesterday = (today - Duration::days(1)).to_string();
    let bad = awa
        .submit(
            profile,
            profile,
            &[
                ("offer", "Comptable"),
                ("available_from", &past),
                ("available_to", &yesterday),
                ("description", "Aider une association"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Ces dates sont passées."));
    let (from, to) = (
        (today + Duration::days(20)).to_string(),
        (today + Duration::days(40)).to_string(),
    );
    let sent = awa
        .submit(
            profile,
            profile,
            &[
                ("offer", "Comptable"),
                ("available_from", &from),
                ("available_to", &to),
                ("description", "Aider une association"),
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let thread = awa.get(sent.location()).await;
    assert!(
        thread.body.contains("Profil proposé : Awa Diallo"),
        "{}",
        thread.body
    );

    // Yaoundé has no focal-point account yet: its configured role address hears of it.
    let sent = awa
        .submit(
            "/fr/villes/yaounde/proposer",
            "/fr/villes/yaounde/proposer",
            &[
                ("title", "Jardin"),
                ("domain", "education-enfance"),
                ("description", "Un jardin."),
                ("offer", "Des graines."),
            ],
        )
        .await;
    assert_eq!(sent.status, 303);
    let recipients: Vec<String> = emails_of(&app, "request_new")
        .await
        .into_iter()
        .map(|e| e.to)
        .collect();
    assert_eq!(
        recipients,
        vec![
            "focal.douala@example.org".to_owned(),
            "focal.douala@example.org".to_owned(),
            "pf.yaounde@jesuisaucameroun.com".to_owned()
        ]
    );
    // Another tenant's city, an unknown city: 404, nothing written.
    let before = request_count(&app).await;
    assert_eq!(awa.get("/fr/villes/dakar/proposer").await.status, 404);
    // A form the city pages do not offer: 404 too.
    assert_eq!(awa.get("/fr/villes/douala/vendre").await.status, 404);
    let csrf = awa.get(project).await.csrf();
    let unknown_form = awa
        .post(
            "/fr/villes/douala/vendre",
            &[("csrf", csrf.as_str()), ("title", "Un titre")],
        )
        .await;
    assert_eq!(unknown_form.status, 404);
    let page = awa
        .post(
            "/fr/villes/dakar/offrir",
            &[
                ("csrf", &csrf),
                ("offer", "x"),
                ("available_from", &from),
                ("available_to", &to),
                ("description", "y"),
            ],
        )
        .await;
    assert_eq!(page.status, 404);
    assert_eq!(request_count(&app).await, before);
    let _ = f.yaounde;
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn only_the_parties_see_a_request_and_the_member_contact() {
    let (app, f) = spawn().await;
    let mut awa = person(&app, "awa@example.org", "Awa Diallo", &[]).await;
    let thread = answer(&mut awa, &f).await;
    // Awa's profile has a phone: it goes with her email, to the answering side only.
    let cm = tenant(&app, "cm");
    let awa_id = Accounts::for_tenant(store(&app).conn(), &cm)
        .find_by_email(&EmailAddress::parse("awa@example.org").expect("email"))
        .await
        .expect("find")
        .expect("awa")
        .id;
    let profiles = jsap_store::Profiles::for_tenant(store(&app).conn(), &cm);
    let mut profile = profiles.get(awa_id).await.expect("profile");
    profile.phone = "+237 6 99 00 11 22".into();
    profiles.save(awa_id, &profile).await.expect("save");
    let mut org_a = person(
        &app,
        "org.a@example.org",
        "Odile",
        &[(Role::OrganisationEditor, None, Some(f.org_a))],
    )
    .await;
    let mut org_b = person(
        &app,
        "org.b@example.org",
        "Boris",
        &[(Role::OrganisationAdmin, None, Some(f.org_b))],
    )
    .await;
    let mut focal_douala = person(
        &app,
        "fd@example.org",
        "Fatou",
        &[(Role::FocalPoint, Some(f.douala), None)],
    )
    .await;
    let mut focal_yaounde = person(
        &app,
        "fy@example.org",
        "Yves",
        &[(Role::FocalPoint, Some(f.yaounde), None)],
    )
    .await;
    let mut third = person(&app, "third@example.org", "Tiers", &[]).await;
    let mut operator = person(
        &app,
        "op@example.org",
        "Opératrice",
        &[(Role::CountryOperator, None, None)],
    )
    .await;

    let mine = awa.get(&thread).await;
    assert_eq!(mine.status, 200);
    for (who, browser) in [
        ("organisation", &mut org_a),
        ("focal point", &mut focal_douala),
        ("operator", &mut operator),
    ] {
        let page = browser.get(&thread).await;
        assert_eq!(page.status, 200, "{who}");
        assert!(
            page.body.contains("awa@example.org"),
            "{who} sees the member's email"
        );
        assert!(
            page.body
                .contains("href=\"tel:+2376990011 22\"".replace(' ', "").as_str())
                && page.body.contains("+237 6 99 00 11 22"),
            "{who} sees the member's phone"
        );
    }
    // The country operator's inbox lists every request of the country.
    let country = operator.get("/fr/espace/pays/demandes").await;
    assert_eq!(country.status, 200);
    assert!(
        country.body.contains(&format!("href=\"{thread}\"")),
        "the operator's inbox lists the request"
    );
    assert_eq!(third.get("/fr/espace/pays/demandes").await.status, 404);
    let unknown = third.get("/fr/demandes/999999").await;
    for (who, browser) in [
        ("third member", &mut third),
        ("other organisation", &mut org_b),
        ("other city's focal point", &mut focal_yaounde),
    ] {
        let page = browser.get(&thread).await;
        assert_eq!(page.status, 404, "{who}");
        assert!(!page.body.contains("awa@example.org"), "{who}");
        assert!(!page.body.contains("99 00 11 22"), "{who}");
        let main = |body: &str| body[body.find("<main").expect("main")..].to_owned();
        assert_eq!(
            main(&page.body),
            main(&unknown.body),
            "{who}: same answer as a request that does not exist"
        );
        // Nor write to it.
        let csrf = browser.get("/fr/compte").await.csrf();
        let post = browser
            .post(
                &format!("{thread}/messages"),
                &[("csrf", &csrf), ("message", "Coucou")],
            )
            .await;
        assert_eq!(post.status, 404, "{who}");
        let post = browser
            .post(
                &format!("{thread}/etat"),
                &[("csrf", &csrf), ("action", "accept")],
            )
            .await;
        assert_eq!(post.status, 404, "{who}");
    }
    // Another tenant's host: the cookie is not valid there, and a member of that site (even a
    // country operator there) gets a 404 for the same id.
    let mut on_sn = awa.on(SN);
    assert_eq!(on_sn.get(&thread).await.status, 303);
    let mut moussa = signed_in_elsewhere(&app, "moussa@example.org").await;
    let sn_tenant = tenant(&app, "sn");
    let sn_accounts = Accounts::for_tenant(store(&app).conn(), &sn_tenant);
    let moussa_id = sn_accounts
        .find_by_email(&EmailAddress::parse("moussa@example.org").expect("email"))
        .await
        .expect("find")
        .expect("account")
        .id;
    sn_accounts
        .grant(moussa_id, Grant::CountryOperator)
        .await
        .expect("grant");
    assert_eq!(
        moussa.login("moussa@example.org", PASSWORD).await.status,
        303,
        "signed in again with the new role"
    );
    assert_eq!(moussa.get(&thread).await.status, 404);
    assert_eq!(
        Requests::for_tenant(store(&app).conn(), &sn_tenant)
            .find(request_id(&thread))
            .await
            .expect("find"),
        None,
        "the Senegal repository does not see Cameroon's request"
    );
    let _ = f.sn_mission;
    // Anonymous: to the log-in page.
    let mut anonymous = Browser::new(&app, CM);
    assert_eq!(anonymous.get(&thread).await.status, 303);
    assert_eq!(anonymous.get("/fr/demandes/abc").await.status, 303);
    assert_eq!(awa.get("/fr/demandes/abc").await.status, 404);
    // The member does not see a mailto of themselves; no conversation leaks into the inboxes.
    let inbox = org_b.get("/fr/espace/organisation/demandes").await;
    assert_eq!(inbox.status, 200);
    assert!(!inbox.body.contains("Mentorat au lycée"));
    let inbox = focal_yaounde.get("/fr/espace/ville/demandes").await;
    assert!(!inbox.body.contains("Mentorat au lycée"));
    // Inboxes of a role the user does not have: 404.
    assert_eq!(
        third.get("/fr/espace/organisation/demandes").await.status,
        404
    );
    assert_eq!(third.get("/fr/espace/ville/demandes").await.status, 404);
    assert_eq!(org_a.get("/fr/espace/ville/demandes").await.status, 404);
    app.stop().await.expect("stop");
}

async fn state_of(app: &TestApp, id: i64) -> &'static str {
    Requests::for_tenant(store(app).conn(), &tenant(app, "cm"))
        .find(id)
        .await
        .expect("find")
        .expect("request")
        .state
        .as_str()
}

#[tokio::test]
async fn conversations_move_the_request_through_its_states() {
    let (app, f) = spawn().await;
    let mut awa = person(&app, "awa@example.org", "Awa Diallo", &[]).await;
    let mut org = person(
        &app,
        "org.a@example.org",
        "Odile Org",
        &[(Role::OrganisationAdmin, None, Some(f.org_a))],
    )
    .await;
    let mut focal = person(
        &app,
        "fd@example.org",
        "Fatou",
        &[(Role::FocalPoint, Some(f.douala), None)],
    )
    .await;
    let thread = answer(&mut awa, &f).await;
    let id: i64 = request_id(&thread);
    assert_eq!(state_of(&app, id).await, "new");

    // Unread: the organisation has not opened it yet.
    let inbox = org.get("/fr/espace/organisation/demandes").await;
    assert!(inbox.body.contains("Non lues : 1"), "{}", inbox.body);
    assert!(
        inbox.body.contains("<span aria-hidden=\"true\">1</span>"),
        "the header counts the organisation's inbox too"
    );
    let inbox = focal.get("/fr/espace/ville/demandes?etat=new").await;
    assert!(inbox.body.contains("Non lues : 1"));
    assert!(inbox.body.contains("Mentorat au lycée"));
    assert!(
        awa.get("/fr/compte/demandes")
            .await
            .body
            .contains("Non lues : 0")
    );

    // A message from the member does not start the work; CSRF is checked; empty is refused.
    let csrf = awa.get(&thread).await.csrf();
    assert_eq!(
        awa.post(&format!("{thread}/messages"), &[("message", "Sans jeton")])
            .await
            .status,
        403
    );
    let empty = awa
        .post(
            &format!("{thread}/messages"),
            &[("csrf", &csrf), ("message", "  ")],
        )
        .await;
    assert_eq!(empty.status, 422);
    let long = "y".repeat(4001);
    assert_eq!(
        awa.post(
            &format!("{thread}/messages"),
            &[("csrf", &csrf), ("message", &long)]
        )
        .await
        .status,
        422
    );
    let sent = awa
        .post(
            &format!("{thread}/messages"),
            &[
                ("csrf", &csrf),
                ("message", "Une précision : je parle anglais."),
            ],
        )
        .await;
    assert_eq!(sent.status, 303);
    assert_eq!(state_of(&app, id).await, "new");
    let to: Vec<String> = emails_of(&app, "request_message")
        .await
        .into_iter()
        .map(|e| e.to)
        .collect();
    assert_eq!(
        to,
        vec!["org.a@example.org".to_owned(), "fd@example.org".to_owned()]
    );

    // The organisation opens it (read), answers: in progress; the member is emailed.
    let page = org.get(&thread).await;
    assert!(page.body.contains("Une précision : je parle anglais."));
    assert!(
        org.get("/fr/espace/organisation/demandes")
            .await
            .body
            .contains("Non lues : 0")
    );
    let csrf = page.csrf();
    let reply = org
        .post(
            &format!("{thread}/messages"),
            &[("csrf", &csrf), ("message", "Merci Awa, bienvenue !")],
        )
        .await;
    assert_eq!(reply.status, 303);
    assert_eq!(state_of(&app, id).await, "in_progress");
    let to_member = emails_of(&app, "request_message")
        .await
        .pop()
        .expect("an email");
    assert_eq!(to_member.to, "awa@example.org");
    assert!(to_member.text_body.contains("Merci Awa, bienvenue !"));
    assert_eq!(link_in(&to_member, "/fr/demandes/"), thread);
    let inbox = awa.get("/fr/compte/demandes").await;
    assert!(
        inbox.body.contains("Non lues : 1"),
        "the member has an unread reply"
    );
    let badge = "<span aria-hidden=\"true\">1</span>";
    assert!(inbox.body.contains(badge), "header badge");
    assert!(
        awa.get("/fr/missions").await.body.contains(badge),
        "on every page"
    );
    assert!(inbox.body.contains("class=\"unread\""));
    let page = awa.get(&thread).await;
    assert!(page.body.contains("Merci Awa, bienvenue !"));
    assert!(!page.body.contains(badge), "read: the badge goes at once");
    assert!(
        !page.body.contains("mailto:awa@example.org"),
        "the member's own contact is not shown to them"
    );
    assert!(
        awa.get("/fr/compte/demandes")
            .await
            .body
            .contains("Non lues : 0")
    );

    // Illegal transitions: 409 with a message, nothing changes.
    let csrf = awa.get(&thread).await.csrf();
    let refused = awa
        .post(
            &format!("{thread}/etat"),
            &[("csrf", &csrf), ("action", "accept")],
        )
        .await;
    assert_eq!(refused.status, 409);
    assert!(
        refused.body.contains("pas possible de votre côté"),
        "{}",
        refused.body
    );
    let org_csrf = org.get(&thread).await.csrf();
    let refused = org
        .post(
            &format!("{thread}/etat"),
            &[("csrf", &org_csrf), ("action", "complete")],
        )
        .await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("En cours"), "{}", refused.body);
    let refused = org
        .post(
            &format!("{thread}/etat"),
            &[("csrf", &org_csrf), ("action", "withdraw")],
        )
        .await;
    assert_eq!(refused.status, 409);
    assert_eq!(
        org.post(
            &format!("{thread}/etat"),
            &[("csrf", &org_csrf), ("action", "explode")]
        )
        .await
        .status,
        400
    );
    assert_eq!(
        org.post(&format!("{thread}/etat"), &[("action", "accept")])
            .await
            .status,
        403
    );
    assert_eq!(state_of(&app, id).await, "in_progress");

    // Accept, then the member withdraws; then nothing more.
    assert_eq!(
        org.post(
            &format!("{thread}/etat"),
            &[("csrf", &org_csrf), ("action", "accept")]
        )
        .await
        .status,
        303
    );
    assert_eq!(state_of(&app, id).await, "accepted");
    let told = emails_of(&app, "request_state").await;
    assert_eq!(told.len(), 1, "refused transitions email nobody");
    assert_eq!(told[0].to, "awa@example.org");
    assert!(told[0].subject.contains("Acceptée"), "{}", told[0].subject);
    assert_eq!(
        org.post(
            &format!("{thread}/etat"),
            &[("csrf", &org_csrf), ("action", "decline")]
        )
        .await
        .status,
        409
    );
    let page = awa.get(&thread).await;
    assert!(page.body.contains("value=\"withdraw\""));
    assert!(page.body.contains("value=\"complete\""));
    assert_eq!(
        awa.post(
            &format!("{thread}/etat"),
            &[("csrf", &csrf), ("action", "withdraw")]
        )
        .await
        .status,
        303
    );
    assert_eq!(state_of(&app, id).await, "withdrawn");
    let told: Vec<String> = emails_of(&app, "request_state")
        .await
        .into_iter()
        .skip(1)
        .map(|e| e.to)
        .collect();
    assert_eq!(
        told,
        vec!["org.a@example.org".to_owned(), "fd@example.org".to_owned()]
    );
    let closed = awa
        .post(
            &format!("{thread}/messages"),
            &[("csrf", &csrf), ("message", "Encore un mot")],
        )
        .await;
    assert_eq!(closed.status, 409, "a closed conversation takes no message");
    assert!(
        !awa.get(&thread).await.body.contains("/messages\""),
        "no reply form"
    );
    assert_eq!(
        awa.post(
            &format!("{thread}/etat"),
            &[("csrf", &csrf), ("action", "withdraw")]
        )
        .await
        .status,
        409
    );
    let focal_csrf = focal.get(&thread).await.csrf();
    assert_eq!(
        focal
            .post(
                &format!("{thread}/etat"),
                &[("csrf", &focal_csrf), ("action", "complete")]
            )
            .await
            .status,
        409
    );

    // A second request: accepted then completed by the focal point.
    let second = answer(&mut awa, &f).await;
    let fc = focal.get(&second).await.csrf();
    assert_eq!(
        focal
            .post(
                &format!("{second}/etat"),
                &[("csrf", &fc), ("action", "accept")]
            )
            .await
            .status,
        303
    );
    assert_eq!(
        focal
            .post(
                &format!("{second}/etat"),
                &[("csrf", &fc), ("action", "complete")]
            )
            .await
            .status,
        303
    );

    // Filters and pages.
    let inbox = awa.get("/fr/compte/demandes?etat=withdrawn").await;
    assert_eq!(inbox.status, 200);
    assert!(inbox.body.contains(&format!("href=\"{thread}\"")));
    assert!(!inbox.body.contains(&format!("href=\"{second}\"")));
    let inbox = awa.get("/fr/compte/demandes?etat=completed").await;
    assert!(inbox.body.contains(&format!("href=\"{second}\"")));
    assert_eq!(awa.get("/fr/compte/demandes?etat=bogus").await.status, 400);
    assert_eq!(awa.get("/fr/compte/demandes?page=0").await.status, 400);
    assert_eq!(awa.get("/fr/compte/demandes?page=abc").await.status, 400);
    let page2 = awa.get("/fr/compte/demandes?page=2").await;
    assert_eq!(page2.status, 200);
    assert!(page2.body.contains("Aucune demande ici."));
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn the_delay_job_reminds_escalates_and_surveys_once_each() {
    let (app, f) = spawn().await;
    let mut awa = person(&app, "awa@example.org", "Awa Diallo", &[]).await;
    let _org = person(
        &app,
        "org.a@example.org",
        "Odile",
        &[(Role::OrganisationAdmin, None, Some(f.org_a))],
    )
    .await;
    let _op = person(
        &app,
        "op@example.org",
        "Opératrice",
        &[(Role::CountryOperator, None, None)],
    )
    .await;
    let mut org_replying = person(
        &app,
        "org.a2@example.org",
        "Omar",
        &[(Role::OrganisationEditor, None, Some(f.org_a))],
    )
    .await;
    let silent = answer(&mut awa, &f).await;
    let answered = answer(&mut awa, &f).await;
    let csrf = org_replying.get(&answered).await.csrf();
    org_replying
        .post(
            &format!("{answered}/messages"),
            &[("csrf", &csrf), ("message", "Bonjour !")],
        )
        .await;

    let cm = tenant(&app, "cm");
    let themes = app.services.themes.clone();
    let run = |now| {
        let (store, cm, themes) = (store(&app).clone(), cm.clone(), themes.clone());
        async move {
            jsap_jobs::request_deadlines_for(&store, &cm, &themes, now)
                .await
                .expect("job")
        }
    };
    let start = Utc::now();
    let nothing = run(start + Duration::days(5)).await;
    assert_eq!(
        (nothing.reminded, nothing.escalated, nothing.surveyed),
        (0, 0, 0)
    );

    // 12 days on: the silent request is due within 3 days: one reminder, to its handlers.
    let report = run(start + Duration::days(12)).await;
    assert_eq!(report.reminded, 1, "only the request still new");
    let reminders = emails_of(&app, "request_reminder").await;
    let to: Vec<&str> = reminders.iter().map(|e| e.to.as_str()).collect();
    // The city's focal point has no account yet: its role address is reminded.
    assert_eq!(
        to,
        vec![
            "org.a@example.org",
            "org.a2@example.org",
            "pf.douala@jesuisaucameroun.com"
        ]
    );
    assert_eq!(link_in(&reminders[0], "/fr/demandes/"), silent);
    assert_eq!(run(start + Duration::days(13)).await.reminded, 0, "once");

    // 14 days on: still new past the due date: escalated to the country operators, once.
    let report = run(start + Duration::days(14) + Duration::hours(1)).await;
    assert_eq!(report.escalated, 1);
    let escalations = emails_of(&app, "request_escalation").await;
    assert_eq!(escalations.len(), 1);
    assert_eq!(escalations[0].to, "op@example.org");
    assert!(
        escalations[0]
            .html_body
            .contains("https://jesuisaucameroun.com/fr/compte/emails")
    );
    assert_eq!(
        run(start + Duration::days(14) + Duration::hours(2))
            .await
            .escalated,
        0,
        "once"
    );

    // 15 days on: each request's member gets one survey.
    let report = run(start + Duration::days(15) + Duration::hours(1)).await;
    assert_eq!(report.surveyed, 2);
    assert_eq!(run(start + Duration::days(16)).await.surveyed, 0, "once");
    let surveys = emails_of(&app, "request_survey").await;
    assert_eq!(surveys.len(), 2);
    assert!(surveys.iter().all(|e| e.to == "awa@example.org"));
    let link = link_in(&surveys[0], "/fr/enquete/");

    // The survey page: anonymous is fine; bad scores refused; one answer only.
    let mut visitor = Browser::new(&app, CM);
    let form = visitor.get(&link).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = form.csrf();
    for bad in ["", "0", "6", "cinq"] {
        assert_eq!(
            visitor
                .post(&link, &[("csrf", &csrf), ("score", bad)])
                .await
                .status,
            422,
            "{bad}"
        );
    }
    let long = "z".repeat(1001);
    assert_eq!(
        visitor
            .post(
                &link,
                &[("csrf", &csrf), ("score", "4"), ("comment", &long)]
            )
            .await
            .status,
        422
    );
    assert_eq!(visitor.post(&link, &[("score", "4")]).await.status, 403);
    assert_eq!(
        visitor
            .post(
                &link,
                &[
                    ("csrf", &csrf),
                    ("score", "4"),
                    ("comment", "Accueil chaleureux")
                ]
            )
            .await
            .status,
        200
    );
    assert_eq!(
        visitor
            .post(&link, &[("csrf", &csrf), ("score", "1")])
            .await
            .status,
        410,
        "one answer"
    );
    assert_eq!(visitor.get(&link).await.status, 410);
    assert_eq!(visitor.get("/fr/enquete/0000").await.status, 410);
    let other = link_in(&surveys[1], "/fr/enquete/");
    assert_eq!(
        visitor.on(SN).get(&other).await.status,
        410,
        "another tenant does not know it"
    );
    // The organisation page shows the average.
    let requests = Requests::for_tenant(store(&app).conn(), &cm);
    assert_eq!(
        requests.organisation_score(f.org_a).await.expect("score"),
        Some((4.0, 1))
    );
    let (_, page) = app.page(CM, "/fr/organisations/entraide-douala").await;
    assert!(
        page.contains("Satisfaction des membres : 4.0/5 (1 avis)"),
        "{page}"
    );
    let (_, page) = app.page(CM, "/fr/organisations/autre-asso").await;
    assert!(!page.contains("Satisfaction des membres"));

    // An expired survey cannot be answered.
    store(&app)
        .conn()
        .across_tenants()
        .execute_unprepared("UPDATE surveys SET expires_at = '2000-01-01 00:00:00+00:00'")
        .await
        .expect("expire");
    assert_eq!(visitor.get(&other).await.status, 410);

    // The scheduled entry point takes the lock and covers every tenant.
    let report = jsap_jobs::request_deadlines(
        store(&app),
        &app.services.registry,
        &app.services.themes,
        &app.services.cache,
        start + Duration::days(30),
    )
    .await
    .expect("job");
    assert!(!report.skipped);
    assert_eq!(report.emails, 0, "everything was already sent");
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn a_new_request_email_reaches_the_smtp_sink_with_its_link() {
    let (Some(url), Some(maildir)) = (env("TEST_SMTP_URL"), env("TEST_SMTP_MAILDIR")) else {
        service_available(
            "SMTP sink",
            false,
            "TEST_SMTP_URL / TEST_SMTP_MAILDIR not set",
        );
        return;
    };
    let (app, f) = spawn().await;
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let org_email = format!("org.{tag}@example.org");
    let _org = person(
        &app,
        &org_email,
        "Odile",
        &[(Role::OrganisationAdmin, None, Some(f.org_a))],
    )
    .await;
    let mut awa = person(&app, "awa@example.org", "Awa Diallo", &[]).await;
    let thread = answer(&mut awa, &f).await;
    let email = emails_of(&app, "request_new")
        .await
        .into_iter()
        .find(|e| e.to == org_email)
        .expect("queued");
    jsap_adapters::Mailer::smtp(&url)
        .expect("smtp")
        .send(&email)
        .await
        .expect("send");
    let mut found = None;
    for _ in 0..50 {
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(std::path::Path::new(&maildir).join(sub)) else {
                continue;
            };
            for entry in entries.flatten() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                if text.contains(&org_email) {
                    found = Some(text);
                }
            }
        }
        if found.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let text = found.expect("the sink received the email");
    assert!(text.contains(&format!("To: {org_email}")));
    assert!(
        text.contains("Subject: Je suis au Cameroun : nouvelle demande"),
        "{text}"
    );
    let link = format!("https://jesuisaucameroun.com{thread}");
    assert!(text.contains(&link), "{text}");
    // The link works for the recipient (on the development host).
    let mut org = Browser::new(&app, CM);
    org.login(&org_email, PASSWORD).await;
    assert_eq!(org.get(&thread).await.status, 200);
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn sending_requests_is_rate_limited_per_member() {
    let (app, f) = spawn().await;
    let mut awa = person(&app, "awa@example.org", "Awa Diallo", &[]).await;
    // An account older than a week (a new one stops at three a day: `spam.rs`).
    let conn = store(&app).conn();
    let backend = conn.get_database_backend();
    let sql = match backend {
        jsap_store::DbBackend::Postgres => "UPDATE users SET created_at = $1 WHERE email = $2",
        _ => "UPDATE users SET created_at = ? WHERE email = ?",
    };
    let month_ago = jsap_store::Value::from(Utc::now() - Duration::days(30));
    let values = [month_ago, jsap_store::Value::from("awa@example.org")];
    conn.across_tenants()
        .execute_raw(jsap_store::Statement::from_sql_and_values(
            backend, sql, values,
        ))
        .await
        .expect("an older account");
    for _ in 0..5 {
        answer(&mut awa, &f).await;
    }
    let (from, to) = (f.starts_on.to_string(), f.ends_on.to_string());
    let action = format!("{}/repondre", f.mission);
    let page = awa
        .submit(&action, &action, &answer_fields(&from, &to))
        .await;
    assert_eq!(page.status, 429);
    assert!(page.headers.contains_key("retry-after"));
    assert_eq!(request_count(&app).await, 5);
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn request_pages_are_translated_and_right_to_left_in_arabic() {
    let (app, f) = spawn().await;
    let mut awa = person(&app, "awa@example.org", "Awa Diallo", &[]).await;
    let thread = answer(&mut awa, &f).await;
    let english = awa
        .get(&format!("{}/repondre", f.mission.replace("/fr/", "/en/")))
        .await;
    assert_eq!(english.status, 200);
    assert!(english.body.contains("Answer the mission"));
    assert!(
        english
            .body
            .contains("An answer is promised within 14 days.")
    );
    let english = awa.get(&thread.replace("/fr/", "/en/")).await;
    assert!(english.body.contains("Conversation"));
    assert!(english.body.contains("Mission answer"));
    let inbox = awa.get("/en/compte/demandes").await;
    assert!(inbox.body.contains("My requests"));
    assert!(!inbox.body.contains("request."), "no untranslated key");

    // Morocco offers Arabic: the forms are right to left.
    let mut karim = Browser::new(&app, "ma.localhost");
    assert_eq!(karim.signup("karim@example.org", "Karim").await.status, 200);
    let verification = emails(&app, "ma")
        .await
        .into_iter()
        .find(|e| e.kind == "account_verification")
        .expect("verification");
    let prefix = "https://jesuisaumaroc.com";
    let start = verification.text_body.find(prefix).expect("link") + prefix.len();
    let link: String = verification.text_body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert_eq!(karim.get(&link).await.status, 200);
    assert_eq!(karim.login("karim@example.org", PASSWORD).await.status, 303);
    let city = tenant(&app, "ma").cities[0].slug.to_string();
    for form in ["proposer", "offrir"] {
        let page = karim.get(&format!("/ar/villes/{city}/{form}")).await;
        assert_eq!(page.status, 200, "{form}");
        assert!(page.body.contains("dir=\"rtl\""), "{form}");
        assert!(
            !page.body.contains("request."),
            "{form}: no untranslated key"
        );
        // Right to left, the link back to the city points right.
        assert!(
            page.body.contains(&format!("/villes/{city}\">→ ")),
            "{form}"
        );
        assert!(!page.body.contains("\">← "), "{form}");
    }
    let inbox = karim.get("/ar/compte/demandes").await;
    assert!(inbox.body.contains("طلباتي"));
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn inboxes_are_paginated_newest_first() {
    let (app, f) = spawn().await;
    let mut awa = person(&app, "awa@example.org", "Awa Diallo", &[]).await;
    let cm = tenant(&app, "cm");
    let awa_id = Accounts::for_tenant(store(&app).conn(), &cm)
        .find_by_email(&EmailAddress::parse("awa@example.org").expect("email"))
        .await
        .expect("find")
        .expect("account")
        .id;
    let requests = Requests::for_tenant(store(&app).conn(), &cm);
    let start = Utc::now();
    for n in 0..21 {
        requests
            .create(
                jsap_store::NewRequest {
                    kind: jsap_store::RequestKind::Project,
                    member_user_id: awa_id,
                    mission_id: None,
                    organisation_id: None,
                    city_id: f.douala,
                    locale: "fr".into(),
                    title: format!("Projet numéro {n:02}"),
                    body: "Un projet".into(),
                    offer: "Du temps".into(),
                    contribution: None,
                    available_from: None,
                    available_to: None,
                    domain: Some("education-enfance".into()),
                },
                start + Duration::seconds(n),
                14,
            )
            .await
            .expect("create");
    }
    let first = awa.get("/fr/compte/demandes").await;
    assert_eq!(
        first.body.matches("<tr").count(),
        21,
        "a header row and 20 requests"
    );
    assert!(first.body.contains("Projet numéro 20"), "newest first");
    assert!(!first.body.contains("Projet numéro 00"));
    assert!(first.body.contains("Page 1 sur 2"));
    assert!(first.body.contains("href=\"/fr/compte/demandes?page=2\""));
    let second = awa.get("/fr/compte/demandes?page=2").await;
    assert!(second.body.contains("Projet numéro 00"));
    assert_eq!(second.body.matches("<tr").count(), 2);
    assert!(second.body.contains("href=\"/fr/compte/demandes?page=1\""));
    let filtered = awa.get("/fr/compte/demandes?etat=new&page=2").await;
    assert!(filtered.body.contains("Projet numéro 00"));
    assert!(
        awa.get("/fr/compte/demandes?etat=accepted")
            .await
            .body
            .contains("Aucune demande ici.")
    );
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn no_survey_for_a_member_who_turned_request_reminders_off() {
    let (app, f) = spawn().await;
    let mut awa = person(&app, "awa@example.org", "Awa Diallo", &[]).await;
    let mut bintou = person(&app, "bintou@example.org", "Bintou Sow", &[]).await;
    answer(&mut awa, &f).await;
    answer(&mut bintou, &f).await;
    // Bintou turns reminders about her requests off on her email preferences page.
    let csrf = bintou.get("/fr/compte/emails").await.csrf();
    let saved = bintou
        .post("/fr/compte/emails", &[("csrf", csrf.as_str())])
        .await;
    assert!(saved.status < 400, "preferences saved: {}", saved.status);
    let cm = tenant(&app, "cm");
    let bintou_id = Accounts::for_tenant(store(&app).conn(), &cm)
        .find_by_email(&EmailAddress::parse("bintou@example.org").expect("email"))
        .await
        .expect("find")
        .expect("bintou")
        .id;
    let profile = jsap_store::Profiles::for_tenant(store(&app).conn(), &cm)
        .get(bintou_id)
        .await
        .expect("profile");
    assert!(
        !profile.email_reminders,
        "the unchecked box turned them off"
    );

    let later = Utc::now() + Duration::days(15) + Duration::hours(1);
    let report = jsap_jobs::request_deadlines_for(store(&app), &cm, &app.services.themes, later)
        .await
        .expect("job");
    assert_eq!((report.surveyed, report.survey_opted_out), (2, 1));
    let surveys = emails_of(&app, "request_survey").await;
    let to: Vec<&str> = surveys.iter().map(|e| e.to.as_str()).collect();
    assert_eq!(to, vec!["awa@example.org"]);
    // Never retried.
    let again = jsap_jobs::request_deadlines_for(
        store(&app),
        &cm,
        &app.services.themes,
        later + Duration::days(1),
    )
    .await
    .expect("job");
    assert_eq!(again.surveyed, 0);
}

/// The three rules the page and the delay job used to write each on its own, now decided once
/// (`jsap_app::requests::recipients`, `Tenant::local_date`): an address reached twice is
/// emailed once by both; dates are the tenant's local dates on the page and in the email; the
/// member's language is used only while the site offers it.
#[tokio::test]
async fn the_page_and_the_delay_job_agree_on_recipients_dates_and_languages() {
    let (app, f) = spawn().await;
    // The organisation's admin is also the address the tenant file gives Douala's focal point.
    let mut org_member = person(
        &app,
        "pf.douala@jesuisaucameroun.com",
        "Paul Focal et Org",
        &[(Role::OrganisationAdmin, None, Some(f.org_a))],
    )
    .await;
    let mut awa = person(&app, "awa@example.org", "Awa Diallo", &[]).await;
    let thread = answer(&mut awa, &f).await;
    let id = request_id(&thread);
    let new: Vec<String> = emails_of(&app, "request_new")
        .await
        .into_iter()
        .map(|e| e.to)
        .collect();
    assert_eq!(new, vec!["pf.douala@jesuisaucameroun.com"], "once");

    // Due at 23:30 UTC on 15 July: 16 July in Douala (UTC+1), on the page and in the email.
    store(&app)
        .conn()
        .across_tenants()
        .execute_unprepared(&format!(
            "UPDATE requests SET due_at = '2027-07-15 23:30:00+00:00' WHERE id = {id}"
        ))
        .await
        .expect("due date");
    let page = awa.get(&thread).await;
    assert!(page.body.contains("16 juil. 2027"), "{}", page.body);
    assert!(!page.body.contains("15 juil. 2027"));
    let cm = tenant(&app, "cm");
    let due = chrono::DateTime::parse_from_rfc3339("2027-07-15T23:30:00Z")
        .expect("date")
        .with_timezone(&Utc);
    let report = jsap_jobs::request_deadlines_for(
        store(&app),
        &cm,
        &app.services.themes,
        due - Duration::days(2),
    )
    .await
    .expect("job");
    assert_eq!(report.reminded, 1);
    let reminders = emails_of(&app, "request_reminder").await;
    let to: Vec<&str> = reminders.iter().map(|e| e.to.as_str()).collect();
    assert_eq!(
        to,
        vec!["pf.douala@jesuisaucameroun.com"],
        "the job too: once"
    );
    assert!(
        reminders[0].text_body.contains("16 juil. 2027"),
        "{}",
        reminders[0].text_body
    );

    // The request was written in Arabic, which this site no longer offers: the member's
    // emails come in the site's language.
    store(&app)
        .conn()
        .across_tenants()
        .execute_unprepared(&format!(
            "UPDATE requests SET locale = 'ar' WHERE id = {id}"
        ))
        .await
        .expect("locale");
    let csrf = org_member.get(&thread).await.csrf();
    let sent = org_member
        .post(
            &format!("{thread}/messages"),
            &[("csrf", &csrf), ("message", "Bonjour Awa !")],
        )
        .await;
    assert_eq!(sent.status, 303);
    let to_member: Vec<OutboxEmail> = emails(&app, "cm")
        .await
        .into_iter()
        .filter(|e| e.to == "awa@example.org" && e.kind == "request_message")
        .collect();
    assert_eq!(to_member.len(), 1);
    assert!(
        to_member[0]
            .text_body
            .contains("https://jesuisaucameroun.com/fr/demandes/"),
        "{}",
        to_member[0].text_body
    );
    app.stop().await.expect("stop");
}
