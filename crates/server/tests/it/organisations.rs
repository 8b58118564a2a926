//! Organisations over real HTTP: a member registers one, it waits without a public page, the
//! focal point of its city verifies it from the queue and it appears; field errors, refusals
//! with a reason, and the other tenant.

use crate::helpers::{Browser, TestApp};
use crate::requests::{emails, person};
use crate::roles::SN;
use jsap_store::Role;

fn fields<'a>(name: &'a str, city: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("kind", "association"),
        ("city", city),
        (
            "description",
            "Soutien scolaire et bibliothèque de quartier à Bonabéri.",
        ),
        ("website", "https://amis-bonaberi.example.org"),
        ("public_email", "contact@amis-bonaberi.example.org"),
        ("phone", "+237 699 00 00 00"),
        ("facility", "interlocuteur"),
        ("facility", "locaux"),
    ]
}

/// The id in the first `id="organisation-<id>"` of a page (the space, the queue).
fn first_organisation_id(body: &str) -> String {
    let start = body.find("id=\"organisation-").expect("an organisation") + 17;
    body[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

/// Awa, signed in, admin of the pending "Les Amis de Bonabéri" (Douala) she registered.
pub async fn awa_with_an_organisation(app: &TestApp) -> Browser<'_> {
    let mut awa = person(app, "awa@example.org", "Awa Diallo", &[]).await;
    let done = register(&mut awa, &fields("Les Amis de Bonabéri", "douala")).await;
    assert_eq!(done.status, 303);
    awa
}

async fn register(awa: &mut Browser<'_>, fields: &[(&str, &str)]) -> crate::helpers::Page {
    let form = awa.get("/fr/organisations/nouvelle").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = form.csrf();
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    awa.post("/fr/organisations/nouvelle", &all).await
}

#[tokio::test]
async fn a_member_registers_an_organisation_that_appears_once_its_focal_point_verifies_it() {
    let app = TestApp::spawn().await;
    let douala = jsap_store::Cities::for_tenant(
        app.services.store.conn(),
        &app.services.registry.get("cm").expect("cm").clone(),
    )
    .by_slug("douala")
    .await
    .expect("cities")
    .expect("douala")
    .id;
    // The home page invites organisations to register.
    let (_, home) = app.page("jesuisaucameroun.com", "/fr/").await;
    assert!(home.contains("href=\"/fr/organisations/nouvelle\""));
    let mut awa = person(&app, "awa@example.org", "Awa Diallo", &[]).await;
    let mut focal = person(
        &app,
        "pf.douala@example.org",
        "Fatou Focal",
        &[(Role::FocalPoint, Some(douala), None)],
    )
    .await;

    // Field errors: shown back in order, nothing written.
    let bad = register(
        &mut awa,
        &[
            ("name", ""),
            ("kind", "club-secret"),
            ("city", "dakar"),
            ("description", ""),
            ("website", "amis.example.org"),
            ("public_email", "pas-une-adresse"),
            ("facility", "interlocuteur"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    for message in [
        "Le champ « Nom de l&#x27;organisation » est obligatoire.",
        "« Type d&#x27;organisation » : choisissez une valeur de la liste.",
        "« Ville » : choisissez une valeur de la liste.",
        "Le champ « Présentation » est obligatoire.",
        "https://",
    ] {
        assert!(bad.body.contains(message), "{message}");
    }
    assert!(
        bad.body.contains("value=\"amis.example.org\""),
        "input kept"
    );
    // The error summary follows the order of the form's fields.
    let positions: Vec<usize> = [
        "#name",
        "#kind",
        "#city",
        "#description",
        "#website",
        "#public_email",
    ]
    .iter()
    .map(|anchor| {
        bad.body
            .find(&format!("href=\"{anchor}\""))
            .unwrap_or_else(|| panic!("{anchor} in the summary"))
    })
    .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert!(
        bad.body.contains("value=\"interlocuteur\" checked"),
        "facility kept"
    );

    let done = register(&mut awa, &fields("Les Amis de Bonabéri", "douala")).await;
    assert_eq!(done.status, 303);
    assert_eq!(done.location(), "/fr/espace/organisation?done=registered");
    let space = awa.get(done.location()).await;
    assert!(space.body.contains("Les Amis de Bonabéri"));
    assert!(space.body.contains("en attente de vérification"));
    assert!(space.body.contains("Organisation inscrite"));
    // No public page while pending.
    let (status, _) = app
        .page(
            "jesuisaucameroun.com",
            "/fr/organisations/les-amis-de-bonaberi",
        )
        .await;
    assert_eq!(status, 404);

    // The focal point of Douala was told, and finds it in the queue.
    let told = emails(&app, "cm").await;
    let pending: Vec<_> = told
        .iter()
        .filter(|e| e.kind == "organisation_pending")
        .collect();
    assert!(
        pending.iter().any(|e| e.to == "pf.douala@example.org"),
        "{:?}",
        pending.iter().map(|e| &e.to).collect::<Vec<_>>()
    );
    let space = focal.get("/fr/espace/ville").await;
    assert!(
        space
            .body
            .contains("Organisations à vérifier <span class=\"tally\">1</span>"),
        "the focal point's space counts what waits"
    );
    let queue = focal.get("/fr/espace/organisations/verification").await;
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains("Les Amis de Bonabéri"));
    assert!(queue.body.contains("Interlocuteur dédié"));
    let id = first_organisation_id(&queue.body);
    let action = format!("/fr/espace/organisations/{id}/verification");

    // Refusing without a reason: 422 and the reason asked for.
    let csrf = queue.csrf();
    let no_reason = focal
        .post(
            &action,
            &[("csrf", &csrf), ("decision", "refuse"), ("reason", "")],
        )
        .await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.body.contains("Indiquez le motif"));

    // Another tenant cannot act on it (its id means nothing there).
    crate::roles::account(
        &app,
        "sn",
        "op@example.sn",
        &[(Role::CountryOperator, None, None)],
    )
    .await;
    let mut moussa = crate::roles::signed_in(&app, SN, "op@example.sn").await;
    let csrf_sn = moussa
        .get("/fr/espace/organisations/verification")
        .await
        .csrf();
    let foreign = moussa
        .post(&action, &[("csrf", &csrf_sn), ("decision", "verify")])
        .await;
    assert_eq!(foreign.status, 404);

    let verified = focal
        .post(&action, &[("csrf", &csrf), ("decision", "verify")])
        .await;
    assert_eq!(verified.status, 303);
    let after = focal.get(verified.location()).await;
    assert!(after.body.contains("Organisation vérifiée"));
    assert!(
        after.body.contains("attend de vérification."),
        "the queue is empty"
    );
    let (status, page) = app
        .page(
            "jesuisaucameroun.com",
            "/fr/organisations/les-amis-de-bonaberi",
        )
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("Organisation vérifiée"));
    // Not a city hall: the city page lists it, without naming it the city's hall.
    let (_, city) = app.page("jesuisaucameroun.com", "/fr/villes/douala").await;
    assert!(city.contains("/fr/organisations/les-amis-de-bonaberi"));
    assert!(
        city.contains("La mairie sur le site :"),
        "the demo city hall"
    );
    assert!(!city.contains("La mairie sur le site : <a href=\"/fr/organisations/les-amis"));
    let reviewed: Vec<_> = emails(&app, "cm")
        .await
        .into_iter()
        .filter(|e| e.kind == "organisation_reviewed" && e.to == "awa@example.org")
        .collect();
    assert_eq!(reviewed.len(), 1);
    assert!(reviewed[0].text_body.contains("vérifiée"));
    let again = focal
        .post(&action, &[("csrf", &csrf), ("decision", "verify")])
        .await;
    assert_eq!(
        again.location(),
        "/fr/espace/organisations/verification?done=already"
    );

    // Suspended (with a reason) it leaves the site; restored it comes back.
    let no_reason = focal
        .post(
            &action,
            &[("csrf", &csrf), ("decision", "suspend"), ("reason", " ")],
        )
        .await;
    assert_eq!(no_reason.status, 422);
    let suspended = focal
        .post(
            &action,
            &[
                ("csrf", &csrf),
                ("decision", "suspend"),
                ("reason", "Annonces trompeuses signalées."),
            ],
        )
        .await;
    assert_eq!(
        suspended.location(),
        "/fr/espace/organisations/verification?done=suspended"
    );
    let listed = focal.get(suspended.location()).await;
    assert!(listed.body.contains("suspendue") && listed.body.contains("Rétablir"));
    let (status, _) = app
        .page(
            "jesuisaucameroun.com",
            "/fr/organisations/les-amis-de-bonaberi",
        )
        .await;
    assert_eq!(status, 404);
    assert!(
        emails(&app, "cm")
            .await
            .iter()
            .any(|e| e.kind == "organisation_reviewed"
                && e.to == "awa@example.org"
                && e.text_body.contains("Annonces trompeuses signalées."))
    );
    let restored = focal
        .post(&action, &[("csrf", &csrf), ("decision", "verify")])
        .await;
    assert_eq!(restored.status, 303);
    let (status, _) = app
        .page(
            "jesuisaucameroun.com",
            "/fr/organisations/les-amis-de-bonaberi",
        )
        .await;
    assert_eq!(status, 200);
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn an_admin_invites_an_editor_who_accepts_and_the_last_admin_cannot_leave() {
    let app = TestApp::spawn().await;
    let mut awa = awa_with_an_organisation(&app).await;
    let space = awa.get("/fr/espace/organisation").await;
    let id = first_organisation_id(&space.body);
    let invite = format!("/fr/espace/organisation/{id}/membres");

    // Field errors are shown in the organisation's own form.
    let csrf = space.csrf();
    let bad = awa
        .post(
            &invite,
            &[
                ("csrf", &csrf),
                ("display_name", ""),
                ("email", "x"),
                ("role", "editor"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Indiquez le nom de la personne invitée."));

    let sent = awa
        .post(
            &invite,
            &[
                ("csrf", &csrf),
                ("display_name", "Ibrahim Ndiaye"),
                ("email", "ibrahim@example.org"),
                ("role", "editor"),
            ],
        )
        .await;
    assert_eq!(sent.location(), "/fr/espace/organisation?done=invited");
    let space = awa.get(sent.location()).await;
    assert!(
        space.body.contains("ibrahim@example.org") && space.body.contains("invitation envoyée")
    );

    // Ibrahim follows the link: the page says which organisation and which role.
    let email = emails(&app, "cm")
        .await
        .into_iter()
        .rev()
        .find(|e| e.kind == "organisation_invitation" && e.to == "ibrahim@example.org")
        .expect("invitation");
    let prefix = "https://jesuisaucameroun.com";
    let start = email.text_body.find(prefix).expect("link") + prefix.len();
    let link: String = email.text_body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let mut ibrahim = Browser::new(&app, crate::roles::CM);
    let page = ibrahim.get(&link).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Les Amis de Bonabéri") && page.body.contains("rédacteur"));
    let accepted = ibrahim
        .post(
            &link,
            &[
                ("csrf", &page.csrf()),
                ("display_name", "Ibrahim Ndiaye"),
                ("password", crate::helpers::PASSWORD),
                ("password_confirm", crate::helpers::PASSWORD),
                ("terms", "yes"),
            ],
        )
        .await;
    assert_eq!(accepted.status, 303);
    let his = ibrahim.get("/fr/espace/organisation").await;
    assert_eq!(his.status, 200);
    assert!(his.body.contains("Les Amis de Bonabéri") && his.body.contains("Quitter"));

    // The last admin cannot leave.
    let space = awa.get("/fr/espace/organisation").await;
    let me = awa_id(&app).await;
    let leave = awa
        .post(
            &format!("/fr/espace/organisation/{id}/membres/{me}/retirer"),
            &[("csrf", &space.csrf())],
        )
        .await;
    assert_eq!(leave.location(), "/fr/espace/organisation?done=last_admin");
    let refused = awa.get(leave.location()).await;
    assert!(refused.body.contains("au moins un administrateur"));
    app.stop().await.expect("stop");
}

async fn awa_id(app: &TestApp) -> i64 {
    let cm = app.services.registry.get("cm").expect("cm").clone();
    jsap_store::Accounts::for_tenant(app.services.store.conn(), &cm)
        .find_by_email(&jsap_domain::EmailAddress::parse("awa@example.org").expect("email"))
        .await
        .expect("find")
        .expect("awa")
        .id
}

/// A `multipart/form-data` body with a `csrf` field and a `logo` file.
fn logo_form(csrf: &str, file: &[u8], name: &str) -> (String, Vec<u8>) {
    let boundary = "jsap-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"{name}\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn an_admin_uploads_a_logo_that_is_re_encoded_and_shown_on_this_site_only() {
    let app = TestApp::spawn().await;
    let mut awa = awa_with_an_organisation(&app).await;
    let space = awa.get("/fr/espace/organisation").await;
    let id = first_organisation_id(&space.body);
    let action = format!("http://{}/fr/espace/organisation/{id}/logo", app.addr);
    let post = |content_type: String, body: Vec<u8>, cookies: String| {
        app.client
            .post(&action)
            .header("Host", crate::roles::CM)
            .header("Cookie", cookies)
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    let csrf = space.csrf();

    // A script named like an image: refused, with the reason next to the form.
    let (ct, body) = logo_form(&csrf, b"<script>alert(1)</script>", "logo.png");
    let refused = post(ct, body, awa.cookie_header()).await.expect("post");
    assert_eq!(refused.status().as_u16(), 415);
    assert!(
        refused
            .text()
            .await
            .expect("body")
            .contains("image JPEG, PNG ou WebP")
    );

    // Over 10 MB: refused as too large.
    let mut big = png_bytes(40, 40);
    big.resize(10 * 1024 * 1024 + 10, 0);
    let (ct, body) = logo_form(&csrf, &big, "big.png");
    let large = post(ct, body, awa.cookie_header()).await.expect("post");
    assert_eq!(large.status().as_u16(), 413);

    // Without the form's token: 403, nothing stored.
    let (ct, body) = logo_form("forged", &png_bytes(600, 300), "logo.png");
    assert_eq!(
        post(ct, body, awa.cookie_header())
            .await
            .expect("post")
            .status()
            .as_u16(),
        403
    );

    let (ct, body) = logo_form(&csrf, &png_bytes(600, 300), "logo.png");
    let saved = post(ct, body, awa.cookie_header()).await.expect("post");
    assert_eq!(saved.status().as_u16(), 303);
    let space = awa.get("/fr/espace/organisation?done=logo").await;
    assert!(space.body.contains("Logo enregistré."));
    let start = space.body.find("src=\"/media/logos/").expect("the logo") + 5;
    let src: String = space.body[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let logo = app.get("jesuisaucameroun.com", &src).await;
    assert_eq!(logo.status().as_u16(), 200);
    assert_eq!(
        logo.headers()["content-type"].to_str().expect("type"),
        "image/png"
    );
    let bytes = logo.bytes().await.expect("bytes");
    let decoded = image::load_from_memory(&bytes).expect("an image");
    assert_eq!((decoded.width(), decoded.height()), (256, 128));
    // The other tenant's host does not serve it.
    assert_eq!(
        app.get("jesuisausenegal.com", &src).await.status().as_u16(),
        404
    );
    app.stop().await.expect("stop");
}

fn png_bytes(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(width, height, image::Rgba([31, 111, 80, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

/// The missions of a suspended organisation leave search, their page, the API, the sitemap
/// and the home count; restored, they come back.
#[tokio::test]
async fn a_suspended_organisations_missions_are_no_longer_public() {
    use jsap_app::organisations::{Decision, review};
    let app = TestApp::spawn().await;
    let cm = app.services.registry.get("cm").expect("cm").clone();
    let conn = app.services.store.conn();
    let (total_before, list) = {
        let (_, list) = app.page("jesuisaucameroun.com", "/fr/missions").await;
        let api = app
            .get("jesuisaucameroun.com", "/api/v1/missions")
            .await
            .text()
            .await
            .expect("api");
        let total: serde_json::Value = serde_json::from_str(&api).expect("json");
        (total["total"].as_u64().expect("total"), list)
    };
    let start = list.find("href=\"/fr/missions/").expect("a mission") + 6;
    let path: String = list[start..].chars().take_while(|c| *c != '"').collect();
    let id: i64 = path
        .trim_start_matches("/fr/missions/")
        .split('-')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("id");
    let organisation = jsap_store::Missions::for_tenant(conn, &cm)
        .published(id, "fr")
        .await
        .expect("mission")
        .expect("published")
        .mission
        .organisation_id;
    let organisation_missions = jsap_store::Missions::for_tenant(conn, &cm)
        .count_of_organisation(organisation)
        .await
        .expect("count");
    let operator = crate::roles::account(
        &app,
        "cm",
        "op@example.org",
        &[(Role::CountryOperator, None, None)],
    )
    .await;
    let operator = jsap_store::Accounts::for_tenant(conn, &cm)
        .find(operator)
        .await
        .expect("find")
        .expect("operator");
    let scope = app.scope(&cm);
    review(
        &scope,
        &operator,
        jsap_domain::OrganisationId(organisation),
        Decision::Suspend("Signalements répétés.".into()),
    )
    .await
    .expect("review")
    .expect("suspended");

    assert_eq!(app.page("jesuisaucameroun.com", &path).await.0, 404);
    let api = app
        .get("jesuisaucameroun.com", "/api/v1/missions")
        .await
        .text()
        .await
        .expect("api");
    let after: serde_json::Value = serde_json::from_str(&api).expect("json");
    assert_eq!(
        after["total"].as_u64().expect("total"),
        total_before - organisation_missions
    );
    let (_, sitemap) = app.page("jesuisaucameroun.com", "/sitemap.xml").await;
    assert!(!sitemap.contains(&path), "not in the sitemap");
    assert_eq!(
        app.get("jesuisaucameroun.com", &format!("/api/v1/missions/{id}"))
            .await
            .status()
            .as_u16(),
        404
    );

    review(
        &scope,
        &operator,
        jsap_domain::OrganisationId(organisation),
        Decision::Verify,
    )
    .await
    .expect("review")
    .expect("restored");
    assert_eq!(app.page("jesuisaucameroun.com", &path).await.0, 200);
    app.stop().await.expect("stop");
}
