//! Missions over real HTTP: an organisation admin writes one in the editor (field errors
//! first), previews and submits it; the focal point of its city finds it in the review queue,
//! cannot publish it before the organisation is verified, then publishes it; a visitor finds
//! it in search; another tenant's operator sees none of it.

use crate::helpers::TestApp;
use crate::requests::{emails, person};
use crate::roles::SN;
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

/// A window starting in a month, ending in three (the form refuses past ones).
fn window() -> (String, String) {
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
    let organisation = jsap_store::Organisations::for_tenant(app.services.store.conn(), &cm)
        .list()
        .await
        .expect("organisations")
        .into_iter()
        .find(|o| o.name == "Les Amis de Bonabéri")
        .expect("awa's organisation")
        .id
        .to_string();
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
