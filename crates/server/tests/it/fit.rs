//! The members who fit a mission, for the focal points of its city: only members who let
//! focal points find them, whose stay (or remote welcome) fits; the mission proposed by email
//! once per member, two proposals a month at most; nothing across cities or sites.

use crate::requests::{
    city_id, consents_given, douala_association, emails, focal_point_elsewhere, mission_with,
    person, user_id,
};
use crate::roles::tenant;
use chrono::Duration;
use jsap_store::{Profiles, Role};

#[tokio::test]
async fn focal_points_see_the_findable_members_a_mission_fits_and_propose_it_sparingly() {
    let (app, douala, org) = douala_association().await;
    let cm = tenant(&app, "cm");
    let (yaounde, garoua) = (
        city_id(&app, "cm", "yaounde").await,
        city_id(&app, "cm", "garoua").await,
    );
    let start = cm.today() + Duration::days(30);
    let window = (start, start + Duration::days(30));
    let (first, first_path) = mission_with(
        &app,
        "cm",
        (org, douala),
        "Mentorat à Douala",
        window,
        false,
    )
    .await;
    let (second, _) =
        mission_with(&app, "cm", (org, douala), "Atelier à Douala", window, false).await;
    let (third, _) = mission_with(
        &app,
        "cm",
        (org, douala),
        "Chantier à Douala",
        window,
        false,
    )
    .await;
    let (remote, _) = mission_with(&app, "cm", (org, garoua), "Cours en ligne", window, true).await;

    let mut fatou = person(
        &app,
        "fatou@example.org",
        "Fatou Focal",
        &[(Role::FocalPoint, Some(douala), None)],
    )
    .await;
    let mut yves = person(
        &app,
        "yves@example.org",
        "Yves Focal",
        &[(Role::FocalPoint, Some(garoua), None)],
    )
    .await;
    // Awa lets focal points find her (from her profile) and stays in Douala; Bob stays there
    // too but did not; Chloé lets them, stays in Yaoundé and does not welcome remote missions.
    let mut awa = person(&app, "awa@example.org", "Awa Diallo", &[]).await;
    let profile = awa.get("/fr/compte/profil").await;
    assert!(
        profile
            .body
            .contains("Les points focaux peuvent me proposer des missions")
    );
    let saved = awa
        .submit(
            "/fr/compte/profil",
            "/fr/compte/profil",
            &[
                ("display_name", "Awa Diallo"),
                ("findable", "yes"),
                ("remote_ok", "yes"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let mut chloe = person(&app, "chloe@example.org", "Chloé Martin", &[]).await;
    let saved = chloe
        .submit(
            "/fr/compte/profil",
            "/fr/compte/profil",
            &[("display_name", "Chloé Martin"), ("findable", "yes")],
        )
        .await;
    assert_eq!(saved.status, 303);
    person(&app, "bob@example.org", "Bob Ngando", &[]).await;
    let profiles = Profiles::for_tenant(app.services.store.conn(), &cm);
    let (awa_id, bob_id, chloe_id) = (
        user_id(&app, "cm", "awa@example.org").await,
        user_id(&app, "cm", "bob@example.org").await,
        user_id(&app, "cm", "chloe@example.org").await,
    );
    for (id, city) in [(awa_id, douala), (bob_id, douala), (chloe_id, yaounde)] {
        profiles
            .add_stay(id, start, start + Duration::days(10), &[city])
            .await
            .expect("stay");
    }

    // Fatou, focal point of Douala: Awa only, with her stay, never an address.
    let page = fatou
        .get(&format!("/fr/espace/missions/{first}/membres"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Awa Diallo"), "{}", page.body);
    assert!(page.body.contains("En séjour du"));
    // Its reasons speak about the member to the focal point, not to the member.
    assert!(
        page.body.contains("Pendant son séjour à Douala"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("votre séjour"));
    assert!(!page.body.contains("Bob Ngando"), "not findable");
    assert!(
        !page.body.contains("Chloé Martin"),
        "her stay is in Yaoundé"
    );
    assert!(!page.body.contains("awa@example.org"));
    // Garoua's remote mission fits Awa (remote welcome), not Chloé; it is not Fatou's to see.
    let page = yves
        .get(&format!("/fr/espace/missions/{remote}/membres"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Awa Diallo"));
    assert!(!page.body.contains("Chloé Martin"));
    assert_eq!(
        fatou
            .get(&format!("/fr/espace/missions/{remote}/membres"))
            .await
            .status,
        404
    );
    assert_eq!(
        yves.get(&format!("/fr/espace/missions/{first}/membres"))
            .await
            .status,
        404
    );
    assert_eq!(
        awa.get(&format!("/fr/espace/missions/{first}/membres"))
            .await
            .status,
        403
    );
    // The editor links to the page for its reviewers.
    let editor = fatou.get(&format!("/fr/espace/missions/{first}")).await;
    assert!(
        editor
            .body
            .contains(&format!("/fr/espace/missions/{first}/membres"))
    );

    // Fatou proposes the mission: Awa is emailed its link, once.
    let propose = |mission: i64, user: i64| format!("/fr/espace/missions/{mission}/membres/{user}");
    let list = format!("/fr/espace/missions/{first}/membres");
    let done = fatou.submit(&list, &propose(first, awa_id), &[]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = fatou.get(done.location()).await;
    assert!(page.body.contains("La mission a été proposée par e-mail."));
    assert!(page.body.contains("Mission déjà proposée"));
    let sent: Vec<_> = emails(&app, "cm")
        .await
        .into_iter()
        .filter(|e| e.kind == "mission_proposed")
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, "awa@example.org");
    assert!(sent[0].text_body.contains("Fatou Focal"));
    assert!(
        sent[0]
            .text_body
            .contains(&format!("https://jesuisaucameroun.com{first_path}"))
    );
    let again = fatou.submit(&list, &propose(first, awa_id), &[]).await;
    assert_eq!(again.status, 409);
    assert!(again.body.contains("déjà été proposée"));
    // Bob never let anyone find him.
    let bob = fatou.submit(&list, &propose(first, bob_id), &[]).await;
    assert_eq!(bob.status, 409);
    // Two proposals a month: the second mission goes, the third waits.
    let second_list = format!("/fr/espace/missions/{second}/membres");
    assert_eq!(
        fatou
            .submit(&second_list, &propose(second, awa_id), &[])
            .await
            .status,
        303
    );
    let third_list = format!("/fr/espace/missions/{third}/membres");
    let page = fatou.get(&third_list).await;
    assert!(
        page.body.contains("A déjà reçu 2 propositions ce mois-ci"),
        "{}",
        page.body
    );
    let too_often = fatou
        .submit(&third_list, &propose(third, awa_id), &[])
        .await;
    assert_eq!(too_often.status, 409);
    assert!(too_often.body.contains("assez de propositions"));
    let count = emails(&app, "cm")
        .await
        .iter()
        .filter(|e| e.kind == "mission_proposed")
        .count();
    assert_eq!(count, 2);

    // Her data export says so.
    let export = awa.get("/fr/compte/export").await;
    let data: serde_json::Value = serde_json::from_str(&export.body).expect("json");
    assert_eq!(data["profile"]["findable"], true);
    let proposed = data["missions_proposed_to_you"]
        .as_array()
        .expect("proposals");
    assert_eq!(proposed.len(), 2);
    assert_eq!(proposed[0]["mission_id"], first);

    // Awa withdraws: she is no longer listed, and both choices are in her consents.
    let saved = awa
        .submit(
            "/fr/compte/profil",
            "/fr/compte/profil",
            &[("display_name", "Awa Diallo"), ("remote_ok", "yes")],
        )
        .await;
    assert_eq!(saved.status, 303);
    let page = fatou.get(&list).await;
    assert!(!page.body.contains("Awa Diallo"));
    assert!(
        page.body
            .contains("Aucun membre ne correspond pour le moment.")
    );
    let given = consents_given(&app, "cm", awa_id, "findable").await;
    assert_eq!(given, [true, false]);

    // Another site's focal point reaches none of it.
    let mut moussa = focal_point_elsewhere(&app, "moussa@example.org").await;
    assert_eq!(moussa.get(&list).await.status, 404);
    let across = moussa
        .submit("/fr/espace/ville", &propose(first, awa_id), &[])
        .await;
    assert_eq!(across.status, 404);
}
