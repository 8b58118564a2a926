//! A country operator manages a city from the console: edits it (the tenant file's sync keeps
//! the edit), gives it a photo, invites, invites again, replaces and removes its focal points,
//! retires it from the site and brings it back; another tenant's operator reaches none of it.

use crate::helpers::{Browser, Options, TestApp};
use crate::missions::{jpeg, photo_form};
use crate::roles::{CM, SN, account, signed_in, tenant};
use jsap_store::{Cities, Invitations, Outbox, Role};

const DOUALA: &str = "/fr/espace/pays/villes/douala";

async fn operator(app: &TestApp) -> Browser<'_> {
    account(
        app,
        "cm",
        "operateur@example.org",
        &[(Role::CountryOperator, None, None)],
    )
    .await;
    signed_in(app, CM, "operateur@example.org").await
}

async fn city_id(app: &TestApp, slug: &str) -> i64 {
    Cities::for_tenant(app.services.store.conn(), &tenant(app, "cm"))
        .by_slug_any(slug)
        .await
        .expect("lookup")
        .expect("city")
        .id
}

/// The invitation links emailed to `to` on `cm`, oldest first.
async fn links_to(app: &TestApp, to: &str) -> Vec<String> {
    Outbox::for_tenant(app.services.store.conn(), &tenant(app, "cm"))
        .list()
        .await
        .expect("outbox")
        .into_iter()
        .filter(|e| e.to == to)
        .filter_map(|e| {
            let start = e.text_body.find("/fr/invitation/")?;
            let rest = &e.text_body[start..];
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            Some(rest[..end].to_owned())
        })
        .collect()
}

fn douala_fields(description: &str) -> Vec<(&str, &str)> {
    vec![
        ("name", "Douala"),
        ("region", "Littoral (Wouri)"),
        ("latitude", "4,0511"),
        ("longitude", "9.7679"),
        ("description", description),
    ]
}

#[tokio::test]
async fn an_operator_edits_a_city_and_the_tenant_file_sync_keeps_the_edit() {
    let app = TestApp::spawn().await;
    let mut operator = operator(&app).await;
    let console = operator.get("/fr/espace/pays").await;
    assert!(console.body.contains(&format!("href=\"{DOUALA}\"")));
    let page = operator.get(DOUALA).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("value=\"Littoral\""), "{}", page.body);

    // Bad input: every error, in the form's order, input kept, nothing written.
    let refused = operator
        .submit(
            DOUALA,
            DOUALA,
            &[
                ("name", ""),
                ("region", "Littoral (Wouri)"),
                ("latitude", "95"),
                ("longitude", "9.7"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    let required = refused
        .body
        .find("Le champ « Nom de la ville » est obligatoire")
        .expect("name");
    let range = refused
        .body
        .find("« Latitude » : saisissez un nombre entre -90 et 90")
        .expect("latitude");
    assert!(required < range);
    assert!(refused.body.contains("value=\"Littoral (Wouri)\""));
    let (_, public) = app.page(CM, "/fr/villes/douala").await;
    assert!(!public.contains("Wouri"));

    let words = "Capitale économique, port du golfe de Guinée.";
    let saved = operator.submit(DOUALA, DOUALA, &douala_fields(words)).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location(), format!("{DOUALA}?done=edited"));
    let back = operator.get(saved.location()).await;
    assert!(back.body.contains("Modifications enregistrées"));
    let (status, public) = app.page(CM, "/fr/villes/douala").await;
    assert_eq!(status, 200);
    assert!(public.contains("Littoral (Wouri)") && public.contains(words));

    // A restart syncs the tenant file again: the operator's words stay.
    app.services.sync_tenants().await.expect("sync");
    let (_, public) = app.page(CM, "/fr/villes/douala").await;
    assert!(public.contains("Littoral (Wouri)") && public.contains(words));
    let journal = operator.get("/fr/espace/pays/journal").await;
    assert!(journal.body.contains("Ville modifiée"), "{}", journal.body);
    assert!(journal.body.contains("region, coordinates, description"));
}

#[tokio::test]
async fn a_retired_city_leaves_the_site_and_comes_back_but_not_while_it_has_missions() {
    let app = TestApp::spawn().await;
    let mut operator = operator(&app).await;
    let form = "/fr/espace/pays/villes/nouvelle";
    let fields = [
        ("name", "Buéa"),
        ("region", "Sud-Ouest"),
        ("latitude", "4.15"),
        ("longitude", "9.24"),
    ];
    assert_eq!(operator.submit(form, form, &fields).await.status, 303);
    let buea = "/fr/espace/pays/villes/buea";

    // Douala has published missions: it stays, and the operator is told why.
    let refused = operator
        .submit(DOUALA, &format!("{DOUALA}/retirer"), &[])
        .await;
    assert_eq!(refused.status, 409);
    assert!(
        refused.body.contains("mission(s) en ligne"),
        "{}",
        refused.body
    );
    assert_eq!(app.page(CM, "/fr/villes/douala").await.0, 200);

    let retired = operator.submit(buea, &format!("{buea}/retirer"), &[]).await;
    assert_eq!(retired.status, 303);
    assert_eq!(retired.location(), format!("{buea}?done=retired"));
    // Gone from the site: its page, the filters, the API, the sitemap, the request forms.
    assert_eq!(app.page(CM, "/fr/villes/buea").await.0, 404);
    assert_eq!(operator.get("/fr/villes/buea/proposer").await.status, 404);
    let (_, search) = app.page(CM, "/fr/missions").await;
    assert!(!search.contains("value=\"buea\""));
    let api = app
        .get(CM, "/api/v1/cities")
        .await
        .text()
        .await
        .expect("api");
    assert!(!api.contains("\"buea\""));
    let (_, sitemap) = app.page(CM, "/sitemap.xml").await;
    assert!(!sitemap.contains("/villes/buea"));
    // Still in the console, marked, with the way back; kept through a sync.
    let console = operator.get("/fr/espace/pays").await;
    assert!(console.body.contains("Retirée"));
    app.services.sync_tenants().await.expect("sync");
    let page = operator.get(buea).await;
    assert!(page.body.contains("Remettre en ligne"));
    // Its name stays taken: a new city of that name would take its address.
    let again = operator.submit(form, form, &fields).await;
    assert_eq!(again.status, 409);

    let restored = operator
        .submit(buea, &format!("{buea}/remettre"), &[])
        .await;
    assert_eq!(restored.location(), format!("{buea}?done=restored"));
    assert_eq!(app.page(CM, "/fr/villes/buea").await.0, 200);
    let (_, search) = app.page(CM, "/fr/missions").await;
    assert!(search.contains("value=\"buea\""));
    assert_eq!(
        operator
            .submit(buea, &format!("{buea}/effacer"), &[])
            .await
            .status,
        404
    );
    let journal = operator.get("/fr/espace/pays/journal").await;
    assert!(journal.body.contains("Ville retirée du site"));
    assert!(journal.body.contains("Ville remise en ligne"));
}

#[tokio::test]
async fn an_operator_invites_again_replaces_and_removes_focal_points() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    let douala = city_id(&app, "douala").await;
    account(
        &app,
        "cm",
        "ancien@example.org",
        &[(Role::FocalPoint, Some(douala), None)],
    )
    .await;
    let mut former = signed_in(&app, CM, "ancien@example.org").await;
    assert_eq!(former.get("/fr/espace/ville").await.status, 200);
    let mut operator = operator(&app).await;
    let invite = format!("{DOUALA}/points-focaux");

    let page = operator.get(DOUALA).await;
    assert!(page.body.contains("ancien@example.org") && page.body.contains("compte actif"));
    // The tenant file's focal point of Douala is invited, not yet an account.
    assert!(page.body.contains("pf.douala@jesuisaucameroun.com"));

    let missing = operator
        .submit(DOUALA, &invite, &[("focal_point_name", "Nouvelle")])
        .await;
    assert_eq!(missing.status, 422);
    assert!(
        missing
            .body
            .contains("Donnez l&#x27;adresse e-mail du point focal")
    );

    // Replace the former focal point: their role and sessions end, the new one is invited.
    let replaced = operator
        .submit(
            DOUALA,
            &invite,
            &[
                ("focal_point_name", "Nouvelle Personne"),
                ("focal_point_email", "nouvelle@example.org"),
                ("replaces", "ancien@example.org"),
            ],
        )
        .await;
    assert_eq!(replaced.status, 303, "{}", replaced.body);
    assert_eq!(replaced.location(), format!("{DOUALA}?done=replaced"));
    let after = former.get("/fr/espace/ville").await;
    assert_eq!(after.status, 303, "the former focal point's session ended");
    let relogged = signed_in(&app, CM, "ancien@example.org")
        .await
        .get("/fr/espace/ville")
        .await;
    assert_eq!(relogged.status, 403, "and their role with it");
    let first = links_to(&app, "nouvelle@example.org").await;
    assert_eq!(first.len(), 1);

    // Invite again: a fresh link, the first one dies.
    let again = operator
        .submit(
            DOUALA,
            &invite,
            &[
                ("focal_point_name", "Nouvelle Personne"),
                ("focal_point_email", "nouvelle@example.org"),
            ],
        )
        .await;
    assert_eq!(again.location(), format!("{DOUALA}?done=invited"));
    let links = links_to(&app, "nouvelle@example.org").await;
    assert_eq!(links.len(), 2);
    let (old_link, new_link) = (&links[0], &links[1]);
    assert_ne!(old_link, new_link);
    let (_, old_page) = app.page(CM, old_link).await;
    assert!(!old_page.contains("name=\"password\""), "{old_page}");
    let (_, new_page) = app.page(CM, new_link).await;
    assert!(new_page.contains("Nouvelle Personne"), "{new_page}");

    // Remove the tenant file's focal point: the link dies and a restart does not invite them
    // again.
    let remove = format!("{DOUALA}/points-focaux/retirer");
    let removed = operator
        .submit(
            DOUALA,
            &remove,
            &[("email", "pf.douala@jesuisaucameroun.com")],
        )
        .await;
    assert_eq!(removed.location(), format!("{DOUALA}?done=removed"));
    let emails_before = links_to(&app, "pf.douala@jesuisaucameroun.com").await.len();
    app.services.sync_tenants().await.expect("sync");
    assert_eq!(
        links_to(&app, "pf.douala@jesuisaucameroun.com").await.len(),
        emails_before
    );
    let page = operator.get(DOUALA).await;
    assert!(!page.body.contains("pf.douala@jesuisaucameroun.com"));
    let invitations = Invitations::for_tenant(app.services.store.conn(), &tenant(&app, "cm"))
        .list_of(Role::FocalPoint)
        .await
        .expect("invitations");
    let withdrawn = invitations
        .iter()
        .find(|i| i.email == "pf.douala@jesuisaucameroun.com")
        .expect("kept");
    assert!(withdrawn.withdrawn_at.is_some());

    // Removing someone who is not a focal point of the city is refused.
    let unknown = operator
        .submit(DOUALA, &remove, &[("email", "personne@example.org")])
        .await;
    assert_eq!(unknown.status, 409);
    assert!(unknown.body.contains("pas (ou plus) point focal"));
    let journal = operator.get("/fr/espace/pays/journal").await;
    assert!(journal.body.contains("Point focal retiré"));
    assert!(journal.body.contains("Point focal invité"));
}

#[tokio::test]
async fn a_city_photo_is_resized_served_on_its_site_only_and_replaced_cleanly() {
    let app = TestApp::spawn().await;
    let mut operator = operator(&app).await;
    let page = operator.get(DOUALA).await;
    assert!(page.body.contains("Pas encore de photo"));
    let action = format!("http://{}{DOUALA}/photo", app.addr);
    let send = |(content_type, body): (String, Vec<u8>), cookies: String| {
        app.client
            .post(&action)
            .header("Host", CM)
            .header("Cookie", cookies)
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    let csrf = page.csrf();
    let script = send(
        photo_form(&csrf, b"<script>alert(1)</script>", ""),
        operator.cookie_header(),
    )
    .await
    .expect("post");
    assert_eq!(script.status().as_u16(), 415);
    let forged = send(
        photo_form("forged", &jpeg(1800, 1200), ""),
        operator.cookie_header(),
    )
    .await
    .expect("post");
    assert_eq!(forged.status().as_u16(), 403);

    let sent = send(
        photo_form(&csrf, &jpeg(1800, 1200), ""),
        operator.cookie_header(),
    )
    .await
    .expect("post");
    assert_eq!(sent.status().as_u16(), 303);
    let city = Cities::for_tenant(app.services.store.conn(), &tenant(&app, "cm"))
        .by_slug("douala")
        .await
        .expect("lookup")
        .expect("douala");
    assert!(city.photo_card_key.starts_with("cities/") && city.photo_key.starts_with("cities/"));
    let (_, public) = app.page(CM, "/fr/villes/douala").await;
    assert!(public.contains(&format!("src=\"/media/{}\"", city.photo_card_key)));
    let card = app
        .get(CM, &format!("/media/{}", city.photo_card_key))
        .await;
    assert_eq!(card.status().as_u16(), 200);
    let bytes = card.bytes().await.expect("bytes");
    let decoded = image::load_from_memory(&bytes).expect("an image");
    assert!(
        decoded.width() <= 640 && decoded.height() <= 480,
        "card variant"
    );
    let page_variant = app.get(CM, &format!("/media/{}", city.photo_key)).await;
    let decoded =
        image::load_from_memory(&page_variant.bytes().await.expect("bytes")).expect("an image");
    assert_eq!(decoded.width(), 1600, "page variant fits 1600x1200");
    // Not on another tenant's site.
    let elsewhere = app
        .get(SN, &format!("/media/{}", city.photo_card_key))
        .await;
    assert_eq!(elsewhere.status().as_u16(), 404);

    // A second photo replaces the first, whose files go.
    let csrf = operator.get(DOUALA).await.csrf();
    let second = send(
        photo_form(&csrf, &jpeg(800, 600), ""),
        operator.cookie_header(),
    )
    .await
    .expect("post");
    assert_eq!(second.status().as_u16(), 303);
    let old = app
        .get(CM, &format!("/media/{}", city.photo_card_key))
        .await;
    assert_eq!(old.status().as_u16(), 404);
}

#[tokio::test]
async fn another_tenants_operator_and_members_reach_nothing_of_a_city() {
    let app = TestApp::spawn().await;
    account(&app, "cm", "membre@example.org", &[]).await;
    account(
        &app,
        "sn",
        "operateur-sn@example.org",
        &[(Role::CountryOperator, None, None)],
    )
    .await;
    let mut member = signed_in(&app, CM, "membre@example.org").await;
    assert_eq!(member.get(DOUALA).await.status, 403);
    let csrf = member.get("/fr/compte").await.csrf();
    let mut fields = douala_fields("Pris");
    fields.push(("csrf", &csrf));
    assert_eq!(member.post(DOUALA, &fields).await.status, 403);

    // Senegal's operator: Douala is no city of theirs, whatever they post.
    let mut sn = signed_in(&app, SN, "operateur-sn@example.org").await;
    assert_eq!(sn.get(DOUALA).await.status, 404);
    let csrf = sn.get("/fr/espace/pays").await.csrf();
    let mut fields = douala_fields("Pris");
    fields.push(("csrf", &csrf));
    assert_eq!(sn.post(DOUALA, &fields).await.status, 404);
    let retire = [("csrf", csrf.as_str())];
    assert_eq!(
        sn.post(&format!("{DOUALA}/retirer"), &retire).await.status,
        404
    );
    let (status, public) = app.page(CM, "/fr/villes/douala").await;
    assert_eq!(status, 200);
    assert!(!public.contains("Pris"));
    // Senegal's console lists its own cities only.
    let console = sn.get("/fr/espace/pays").await;
    assert!(!console.body.contains("/espace/pays/villes/douala"));
}
