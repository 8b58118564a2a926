//! Missions over real HTTP: an organisation admin writes one in the editor (field errors
//! first), previews and submits it; the focal point of its city finds it in the review queue,
//! cannot publish it before the organisation is verified, then publishes it; a visitor finds
//! it in search; another tenant's operator sees none of it.

use crate::helpers::TestApp;
use crate::requests::{emails, person};
use crate::roles::SN;
use jsap_store::Grant;
use jsap_store::Role;

/// The id after `prefix` in `text`.
fn id_after(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix} in {text}"))
        + prefix.len();
    text[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

/// The id of Awa's "Les Amis de Bonabéri" (`organisations::awa_with_an_organisation`).
async fn awas_organisation(app: &TestApp) -> String {
    let cm = app.services.registry.get("cm").expect("cm").clone();
    jsap_store::Organisations::for_tenant(app.services.store.conn(), &cm)
        .list()
        .await
        .expect("organisations")
        .into_iter()
        .find(|o| o.profile.name == "Les Amis de Bonabéri")
        .expect("awa's organisation")
        .id
        .to_string()
}

/// Awa (an admin of "Les Amis de Bonabéri") writes the Bonabéri reading workshops mission
/// and submits it for review: its id.
pub(crate) async fn submit_a_mission(
    app: &TestApp,
    awa: &mut crate::helpers::Browser<'_>,
) -> String {
    let organisation = awas_organisation(app).await;
    let form = awa.get("/fr/espace/missions/nouvelle").await;
    let csrf = form.csrf();
    let dates = window();
    let created = awa
        .post(
            "/fr/espace/missions/nouvelle",
            &good(&organisation, &csrf, &dates),
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = id_after(created.location(), "/fr/espace/missions/");
    let submitted = awa
        .post(
            &format!("/fr/espace/missions/{id}/soumettre"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(submitted.status, 303, "{}", submitted.body);
    id
}

/// A window starting in a month, ending in three (the form refuses past ones).
pub(crate) fn window() -> (String, String) {
    let today = chrono::Utc::now().date_naive();
    (
        (today + chrono::Duration::days(30)).to_string(),
        (today + chrono::Duration::days(90)).to_string(),
    )
}

fn good<'a>(
    organisation: &'a str,
    csrf: &'a str,
    (starts, ends): &'a (String, String),
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("organisation", organisation),
        ("title_fr", "Ateliers de lecture à Bonabéri"),
        ("summary_fr", ""),
        (
            "description_fr",
            "Animer des ateliers de lecture pour les enfants du quartier.\n\nDeux après-midi par semaine.",
        ),
        ("title_en", ""),
        ("city", "douala"),
        ("domain", "education-enfance"),
        ("mission_type", "soutien-scolaire-ateliers"),
        ("contribution", "benevolat"),
        ("contribution", "competences"),
        ("starts_on", starts),
        ("ends_on", ends),
        ("skills", "pédagogie, lecture"),
        ("capacity", "4"),
        ("contact_name", "Awa Diallo"),
        // Not a reviewer: ignored.
        ("urgent", "yes"),
    ]
}

#[tokio::test]
async fn an_organisation_writes_a_mission_its_focal_point_publishes_and_visitors_find() {
    let app = TestApp::spawn().await;
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

    let empty = awa.get("/fr/espace/missions").await;
    assert_eq!(empty.status, 200);
    assert!(
        empty.body.contains("Aucune mission pour l&#x27;instant")
            || empty.body.contains("Aucune mission pour l'instant"),
        "{}",
        empty.body
    );
    let form = awa.get("/fr/espace/missions/nouvelle").await;
    assert_eq!(form.status, 200);
    let organisation = awas_organisation(&app).await;
    assert!(
        form.body
            .contains(&format!("value=\"{organisation}\" selected"))
    );
    assert!(
        form.body.contains("value=\"douala\" selected"),
        "the organisation's city by default"
    );
    let csrf = form.csrf();
    let dates = window();

    // Field errors, in the order of the form; nothing is written.
    let mut bad = good(&organisation, &csrf, &dates);
    bad.retain(|(k, _)| !["title_fr", "contribution"].contains(k));
    bad.iter_mut().for_each(|f| {
        if f.0 == "mission_type" {
            f.1 = "reboisement-espaces-verts";
        }
        if f.0 == "ends_on" {
            f.1 = "2020-06-01";
        }
    });
    let refused = awa.post("/fr/espace/missions/nouvelle", &bad).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let positions: Vec<usize> = [
        "#title_fr",
        "#mission_type",
        "#contribution_types",
        "#ends_on",
    ]
    .iter()
    .map(|a| {
        refused
            .body
            .find(&format!("href=\"{a}\""))
            .unwrap_or_else(|| panic!("{a} in the summary"))
    })
    .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    // The missing fields are named, a text with its language.
    for named in [
        "Le champ « Titre (Français) » est obligatoire.",
        "Le champ « Contributions attendues » est obligatoire.",
    ] {
        assert!(refused.body.contains(named), "{named}");
    }
    assert!(
        refused.body.contains("n&#x27;appartient pas au domaine")
            || refused.body.contains("n'appartient pas au domaine")
    );
    assert!(refused.body.contains("value=\"Awa Diallo\""), "input kept");

    let created = awa
        .post(
            "/fr/espace/missions/nouvelle",
            &good(&organisation, &csrf, &dates),
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = id_after(created.location(), "/fr/espace/missions/");
    let page = awa.get(created.location()).await;
    assert!(page.body.contains("Brouillon"));
    assert!(page.body.contains("Brouillon enregistré"));
    assert!(
        !page.body.contains("name=\"urgent\""),
        "no flags for an editor"
    );
    let preview = awa.get(&format!("/fr/espace/missions/{id}/apercu")).await;
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains("Ateliers de lecture à Bonabéri"));
    assert!(preview.body.contains("Deux après-midi par semaine."));

    // Submit: the focal point is emailed and finds it in the queue.
    let csrf = page.csrf();
    let submitted = awa
        .post(
            &format!("/fr/espace/missions/{id}/soumettre"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(submitted.status, 303);
    assert!(
        emails(&app, "cm")
            .await
            .iter()
            .any(|e| e.kind == "mission_submitted" && e.to == "pf.douala@example.org")
    );
    let space = focal.get("/fr/espace/ville").await;
    assert!(
        space
            .body
            .contains("Missions à valider <span class=\"tally\">1</span>"),
        "the count on the focal point's space"
    );
    // Another country's operator counts and sees none of it.
    crate::roles::account(
        &app,
        "sn",
        "operateur.sn@example.org",
        &[(Role::CountryOperator, None, None)],
    )
    .await;
    let mut senegal = crate::roles::signed_in(&app, SN, "operateur.sn@example.org").await;
    let sn_space = senegal.get("/fr/espace/pays").await;
    assert_eq!(sn_space.status, 200);
    assert!(
        sn_space.body.contains("Missions à valider</a>")
            && !sn_space.body.contains("Missions à valider <span"),
        "no count on another country's space"
    );
    let sn_queue = senegal.get("/fr/espace/missions/verification").await;
    assert_eq!(sn_queue.status, 200);
    assert!(!sn_queue.body.contains("Ateliers de lecture à Bonabéri"));
    let queue = focal.get("/fr/espace/missions/verification").await;
    assert!(queue.body.contains("Ateliers de lecture à Bonabéri"));
    assert!(queue.body.contains("organisation non vérifiée"));
    let csrf_focal = queue.csrf();
    let decision = format!("/fr/espace/missions/{id}/decision");
    let too_soon = focal
        .post(&decision, &[("csrf", &csrf_focal), ("decision", "publish")])
        .await;
    assert_eq!(too_soon.status, 422);
    assert!(too_soon.body.contains("vérifiée"));
    let no_comment = focal
        .post(
            &decision,
            &[
                ("csrf", &csrf_focal),
                ("decision", "refuse"),
                ("comment", ""),
            ],
        )
        .await;
    assert_eq!(no_comment.status, 422);

    // Another tenant's operator: nothing of it exists there.
    crate::roles::account(
        &app,
        "sn",
        "op@example.sn",
        &[(Role::CountryOperator, None, None)],
    )
    .await;
    let mut moussa = crate::roles::signed_in(&app, SN, "op@example.sn").await;
    let sn_queue = moussa.get("/fr/espace/missions/verification").await;
    assert!(!sn_queue.body.contains("Ateliers de lecture"));
    let csrf_sn = sn_queue.csrf();
    assert_eq!(
        moussa
            .get(&format!("/fr/espace/missions/{id}"))
            .await
            .status,
        404
    );
    assert_eq!(
        moussa
            .post(&decision, &[("csrf", &csrf_sn), ("decision", "publish")])
            .await
            .status,
        404
    );
    assert!(
        !moussa
            .get("/fr/espace/missions")
            .await
            .body
            .contains("Ateliers")
    );

    // Verified, then published: "Validé par" and in search.
    let org_queue = focal.get("/fr/espace/organisations/verification").await;
    let org_id = id_after(&org_queue.body, "id=\"organisation-");
    let verified = focal
        .post(
            &format!("/fr/espace/organisations/{org_id}/verification"),
            &[("csrf", &org_queue.csrf()), ("decision", "verify")],
        )
        .await;
    assert_eq!(verified.status, 303);
    let published = focal
        .post(&decision, &[("csrf", &csrf_focal), ("decision", "publish")])
        .await;
    assert_eq!(published.status, 303);
    assert!(published.location().ends_with("done=publish"));
    assert!(
        emails(&app, "cm")
            .await
            .iter()
            .any(|e| e.kind == "mission_reviewed" && e.to == "awa@example.org")
    );
    let (status, search) = app
        .page("jesuisaucameroun.com", "/fr/missions?q=lecture")
        .await;
    assert_eq!(status, 200);
    assert!(
        search.contains("Ateliers de lecture à Bonabéri"),
        "found in search"
    );
    let (status, mission) = app
        .page(
            "jesuisaucameroun.com",
            &format!("/fr/missions/{id}-ateliers-de-lecture-a-bonaberi"),
        )
        .await;
    assert_eq!(status, 200);
    assert!(mission.contains("Validé par"));
    assert!(mission.contains("Awa Diallo"), "the contact person");

    // Close it as filled: out of search; the history says who did what.
    let page = awa.get(&format!("/fr/espace/missions/{id}")).await;
    assert!(page.body.contains("Publiée"));
    let closed = awa
        .post(
            &format!("/fr/espace/missions/{id}/cloturer"),
            &[("csrf", &page.csrf()), ("reason", "filled")],
        )
        .await;
    assert_eq!(closed.status, 303);
    let (_, search) = app
        .page("jesuisaucameroun.com", "/fr/missions?q=lecture")
        .await;
    assert!(!search.contains("Ateliers de lecture à Bonabéri"));
    let page = awa.get(&format!("/fr/espace/missions/{id}")).await;
    for entry in [
        "création",
        "soumission",
        "publication",
        "clôture",
        "Fatou Focal",
    ] {
        assert!(page.body.contains(entry), "{entry} in the history");
    }
    assert!(
        !page.body.contains("name=\"title_fr\""),
        "a closed mission has no form"
    );
}

/// A `multipart/form-data` body with `csrf`, `alt` and a `photo` file.
pub(crate) fn photo_form(csrf: &str, file: &[u8], alt: &str) -> (String, Vec<u8>) {
    let boundary = "jsap-photo-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\n{alt}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"photo.jpg\"\r\n\
             Content-Type: image/jpeg\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(crate) fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(width, height, image::Rgb([200, 120, 30]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("jpeg");
    out.into_inner()
}

#[tokio::test]
async fn an_editor_adds_photos_that_are_checked_resized_and_served_to_this_site_only() {
    let app = TestApp::spawn().await;
    let mut awa = crate::organisations::awa_with_an_organisation(&app).await;
    let organisation = awas_organisation(&app).await;
    let csrf = awa.get("/fr/espace/missions/nouvelle").await.csrf();
    let dates = window();
    let created = awa
        .post(
            "/fr/espace/missions/nouvelle",
            &good(&organisation, &csrf, &dates),
        )
        .await;
    let id = id_after(created.location(), "/fr/espace/missions/");
    let page = awa.get(created.location()).await;
    assert!(page.body.contains("Aucune photo pour l"));
    // Written in French only: the editor says which of the site's languages it lacks.
    assert!(
        page.body.contains("Pas encore traduite en : anglais.")
            && page.body.contains("votre texte en français"),
        "{}",
        page.body
    );
    let action = format!("http://{}/fr/espace/missions/{id}/photos", app.addr);
    let post = |(content_type, body): (String, Vec<u8>), cookies: String| {
        app.client
            .post(&action)
            .header("Host", crate::roles::CM)
            .header("Cookie", cookies)
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    let csrf = page.csrf();
    let status = |r: reqwest::Response| r.status().as_u16();
    let script = post(
        photo_form(&csrf, b"<script>alert(1)</script>", "x"),
        awa.cookie_header(),
    )
    .await
    .expect("post");
    assert_eq!(script.status().as_u16(), 415);
    assert!(
        script
            .text()
            .await
            .expect("body")
            .contains("pas une photo JPEG, PNG ou WebP")
    );
    let mut big = jpeg(40, 40);
    big.resize(10 * 1024 * 1024 + 10, 0);
    assert_eq!(
        status(
            post(photo_form(&csrf, &big, "x"), awa.cookie_header())
                .await
                .expect("post")
        ),
        413
    );
    assert_eq!(
        status(
            post(photo_form(&csrf, &jpeg(900, 600), ""), awa.cookie_header())
                .await
                .expect("post")
        ),
        422,
        "alt text required"
    );
    assert_eq!(
        status(
            post(
                photo_form("forged", &jpeg(900, 600), "x"),
                awa.cookie_header()
            )
            .await
            .expect("post")
        ),
        403
    );
    let saved = post(
        photo_form(&csrf, &jpeg(900, 600), "Des enfants lisent"),
        awa.cookie_header(),
    )
    .await
    .expect("post");
    assert_eq!(saved.status().as_u16(), 303);
    let page = awa
        .get(&format!("/fr/espace/missions/{id}?done=photo"))
        .await;
    assert!(page.body.contains("Photo ajoutée."));
    let start = page.body.find("src=\"/media/photos/").expect("the photo") + 5;
    let src: String = page.body[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let photo = app.get("jesuisaucameroun.com", &src).await;
    assert_eq!(photo.status().as_u16(), 200);
    assert_eq!(
        photo.headers()["content-type"].to_str().expect("type"),
        "image/jpeg"
    );
    let decoded = image::load_from_memory(&photo.bytes().await.expect("bytes")).expect("image");
    assert_eq!(
        (decoded.width(), decoded.height()),
        (640, 427),
        "the card size"
    );
    // Another tenant's site does not serve it.
    assert_eq!(app.get(SN, &src).await.status().as_u16(), 404);

    // Removed: gone from the page and from the media route.
    let photo_id = id_after(&page.body, &format!("/espace/missions/{id}/photos/"));
    let removed = awa
        .post(
            &format!("/fr/espace/missions/{id}/photos/{photo_id}/retirer"),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(removed.status, 303);
    assert_eq!(
        app.get("jesuisaucameroun.com", &src)
            .await
            .status()
            .as_u16(),
        404
    );
}

#[tokio::test]
async fn a_mission_published_on_one_replica_is_in_the_other_replicas_search_within_the_recheck() {
    use jsap_app::missions::{self as uc, Edit};
    use jsap_domain::missions::{MissionInput, MissionStep, TextInput};
    let (replica_a, _dir) = crate::helpers::services().await;
    let replica_b = jesuisaupays::startup::Services::connect(&replica_a.config)
        .await
        .expect("second replica");
    let tenant = replica_b.registry.get("cm").expect("cm").clone();
    let clock = jsap_app::SystemClock;
    let scope = jsap_app::Scope::new(&replica_b.store, replica_b.themes.clone(), &tenant, &clock);
    let conn = replica_b.store.conn();
    let accounts = jsap_store::Accounts::for_tenant(conn, &tenant);
    let email = |s: &str| jsap_domain::EmailAddress::parse(s).expect("email");
    let member = accounts
        .create(&email("awa@example.org"), "Awa", "hash", true)
        .await
        .expect("member");
    let operator = accounts
        .create(&email("op@example.org"), "Op", "hash", true)
        .await
        .expect("operator");
    accounts
        .grant(operator.id, Grant::CountryOperator)
        .await
        .expect("grant");
    let douala = jsap_store::Cities::for_tenant(conn, &tenant)
        .by_slug("douala")
        .await
        .expect("cities")
        .expect("douala")
        .id;
    let (organisation, admin) = jsap_app::organisations::register(
        &scope,
        &member,
        jsap_app::organisations::Draft {
            city_id: douala,
            kind: "association".into(),
            name: "Lire à Douala".into(),
            description: "Lecture.".into(),
            website: String::new(),
            public_email: String::new(),
            phone: String::new(),
            facilities: vec![],
        },
    )
    .await
    .expect("register");
    jsap_app::organisations::review(
        &scope,
        &operator,
        jsap_domain::OrganisationId(organisation.id),
        jsap_app::organisations::Decision::Verify,
    )
    .await
    .expect("review")
    .expect("verified");
    let mission = uc::create(
        &scope,
        &admin,
        Edit {
            organisation_id: organisation.id,
            input: MissionInput {
                texts: vec![TextInput {
                    title: "Bibliothèque ambulante".into(),
                    description: "Des livres dans les quartiers.".into(),
                    ..TextInput::default()
                }],
                domain: "education-enfance".into(),
                mission_type: "soutien-scolaire-ateliers".into(),
                contribution_types: vec!["benevolat".into()],
                flexible: true,
                ..MissionInput::default()
            },
            urgent: false,
            featured: false,
        },
    )
    .await
    .expect("create")
    .expect("created");
    uc::submit(&scope, &admin, jsap_domain::MissionId(mission.id))
        .await
        .expect("submit")
        .expect("submitted");

    // Replica A serves its catalogue; B publishes; A's search has it after the recheck.
    let query = || {
        let mut q = jsap_store::MissionQuery::new(jsap_domain::Locale::Fr, tenant.today());
        q.text = "bibliotheque ambulante".into();
        q
    };
    let before = replica_a.store.catalogue(&tenant).await.expect("catalogue");
    assert_eq!(before.search(&query()).total, 0);
    uc::review(
        &scope,
        &operator,
        jsap_domain::MissionId(mission.id),
        MissionStep::Publish,
        "",
    )
    .await
    .expect("review")
    .expect("published");
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let after = replica_a.store.catalogue(&tenant).await.expect("catalogue");
    let found = after.search(&query());
    assert_eq!(found.total, 1, "seen by the other replica within a second");
    assert_eq!(found.items[0].id, mission.id);
}

/// The hourly job, with a clock past every demo mission's window: it expires every country's
/// published missions (they leave the public catalogue), and the next pass finds nothing.
#[tokio::test]
async fn the_expiry_job_ends_every_countrys_missions_past_their_window_once() {
    use jsap_domain::missions::MissionStatus;
    let app = TestApp::spawn().await;
    let s = &app.services;
    let count = |tenant: &jsap_tenancy::Tenant, status: MissionStatus| {
        let conn = s.store.conn();
        let tenant = tenant.clone();
        async move {
            let filter = jsap_store::MissionFilter {
                organisations: None,
                cities: None,
                statuses: vec![status],
            };
            jsap_store::MissionEdits::for_tenant(conn, &tenant)
                .list(&filter, "fr", 0, 1)
                .await
                .expect("count")
                .1 as usize
        }
    };
    let mut published = 0;
    for tenant in s.registry.countries() {
        let n = count(tenant, MissionStatus::Published).await;
        assert!(n > 0, "{}: demo missions", tenant.code);
        published += n;
    }
    let later = chrono::Utc::now() + chrono::Duration::days(3 * 366 + 30);
    let run = || jsap_jobs::expire_missions(&s.store, &s.registry, &s.themes, &s.cache, later);
    assert_eq!(run().await.expect("first pass"), Some(published));
    for tenant in s.registry.countries() {
        assert_eq!(
            count(tenant, MissionStatus::Published).await,
            0,
            "{}",
            tenant.code
        );
        let open = jsap_store::Missions::for_tenant(s.store.conn(), tenant)
            .open_slugs(chrono::Utc::now().date_naive())
            .await
            .expect("open");
        assert!(open.is_empty(), "{}: none left public", tenant.code);
    }
    assert_eq!(run().await.expect("second pass"), Some(0), "nothing twice");
    app.stop().await.expect("stop");
}
