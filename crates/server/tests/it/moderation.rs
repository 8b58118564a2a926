//! Moderation over HTTP: members report a mission (a reason, a comment), the third member's
//! report hides it everywhere until the operator decides; the operator dismisses it, hides an
//! organisation, erases a message and blocks its author (an email with the reason, sessions
//! ended, no more log-in here) then unblocks them; another tenant's operator sees and touches
//! none of it.

use crate::helpers::{Browser, PASSWORD};
use crate::requests::{douala_association, emails, mission};
use crate::roles::{CM, SN, account, signed_in, tenant};
use chrono::{Duration, Utc};
use jsap_domain::requests::RequestKind;
use jsap_store::{NewRequest, Requests, Role, Side};

async fn report(browser: &mut Browser<'_>, form: &str, reason: &str, comment: &str) -> u16 {
    let page = browser.get(form).await;
    assert_eq!(page.status, 200, "{form}: {}", page.body);
    let csrf = page.csrf();
    browser
        .post(
            form,
            &[("csrf", &csrf), ("reason", reason), ("comment", comment)],
        )
        .await
        .status
}

#[tokio::test]
async fn three_reports_hide_a_mission_until_the_operator_decides_and_blocking_ends_an_account() {
    let (app, douala, org) = douala_association().await;
    let today = tenant(&app, "cm").today();
    let window = (today + Duration::days(10), today + Duration::days(60));
    let (mission_id, path) = mission(&app, "cm", org, douala, "Collecte suspecte", window).await;
    let form = format!("{path}/signaler");
    for (code, email) in [
        ("cm", "operateur@example.org"),
        ("sn", "operateur-sn@example.org"),
    ] {
        account(&app, code, email, &[(Role::CountryOperator, None, None)]).await;
    }
    let mut members = Vec::new();
    for email in ["a@example.org", "b@example.org", "c@example.org"] {
        account(&app, "cm", email, &[]).await;
        members.push(signed_in(&app, CM, email).await);
    }

    // Only members report; the form names the content.
    let anonymous = Browser::new(&app, CM).get(&form).await;
    assert_eq!(anonymous.status, 303);
    assert!(anonymous.location().contains("/fr/compte/connexion"));
    let page = members[0].get(&form).await;
    assert!(page.body.contains("Collecte suspecte"));
    assert!(page.body.contains("Informations erronées"));
    // A clear error for each bad input, nothing recorded.
    let csrf = page.csrf();
    let refused = members[0]
        .post(&form, &[("csrf", &csrf), ("reason", "boring")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("href=\"#reason\""),
        "{}",
        refused.body
    );
    let long = "x".repeat(1001);
    let refused = members[0]
        .post(
            &form,
            &[("csrf", &csrf), ("reason", "spam"), ("comment", &long)],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("1000 caractères"));

    assert_eq!(
        report(&mut members[0], &form, "scam", "Demande de l'argent").await,
        303
    );
    let thanks = members[0].get(&format!("{form}?envoye=1")).await;
    assert!(thanks.body.contains("votre signalement a été transmis"));
    // Twice is once.
    let again = members[0]
        .post(&form, &[("csrf", &csrf), ("reason", "spam")])
        .await;
    assert_eq!(again.status, 303);
    assert!(members[0].get(&form).await.body.contains("déjà signalé"));
    assert_eq!(report(&mut members[1], &form, "spam", "").await, 303);
    let (status, _) = app.page(CM, &path).await;
    assert_eq!(status, 200, "two reports: still shown");

    // The third member's report hides it: page, search, sitemap.
    assert_eq!(
        report(&mut members[2], &form, "wrong_information", "").await,
        303
    );
    let (status, _) = app.page(CM, &path).await;
    assert_eq!(status, 404, "hidden after three reports");
    let (_, search) = app.page(CM, "/fr/missions?q=collecte").await;
    assert!(!search.contains("Collecte suspecte"), "{search}");
    let (_, sitemap) = app.page(CM, "/sitemap.xml").await;
    assert!(!sitemap.contains(&format!("/missions/{mission_id}-")));
    // The reporters still see their thanks, from the record.
    assert!(
        members[2]
            .get(&format!("{form}?envoye=1"))
            .await
            .body
            .contains("Merci")
    );

    // The operator's queue: the mission, its three reports, hidden; the journal says why.
    let mut operator = signed_in(&app, CM, "operateur@example.org").await;
    let queue = operator.get("/fr/espace/pays/moderation").await;
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains("Collecte suspecte"));
    assert!(queue.body.contains("3 signalement(s)"));
    assert!(queue.body.contains("Masqué"));
    // Each report names its reporter; no decision yet but the automatic hiding.
    for email in ["a@example.org", "b@example.org", "c@example.org"] {
        assert!(
            queue.body.contains(&format!("par Awa Test ({email})")),
            "{email}"
        );
    }
    assert!(queue.body.contains("Dernières décisions"));
    assert!(
        queue
            .body
            .contains("Contenu masqué après des signalements : Collecte suspecte")
    );
    assert!(
        queue.body.contains("Demande de l&#x27;argent")
            || queue.body.contains("Demande de l'argent")
    );
    let journal = operator.get("/fr/espace/pays/journal").await;
    assert!(
        journal
            .body
            .contains("Contenu masqué après des signalements")
    );
    let country = operator.get("/fr/espace/pays").await;
    assert!(
        country
            .body
            .contains("Modération <span class=\"count\">1</span>")
    );

    // Douala's focal point sees it among the reports of their cities.
    account(
        &app,
        "cm",
        "pf@example.org",
        &[(Role::FocalPoint, Some(douala), None)],
    )
    .await;
    let mut focal = signed_in(&app, CM, "pf@example.org").await;
    let workspace = focal.get("/fr/espace/ville").await;
    assert!(
        workspace
            .body
            .contains("Signalements dans mes villes <span class=\"tally\">1</span>")
    );
    assert!(workspace.body.contains("Collecte suspecte"));

    // Senegal's operator sees none of it and cannot decide on it.
    let mut sn_operator = signed_in(&app, SN, "operateur-sn@example.org").await;
    let sn_queue = sn_operator.get("/fr/espace/pays/moderation").await;
    assert_eq!(sn_queue.status, 200);
    assert!(sn_queue.body.contains("Aucun signalement en attente"));
    assert!(!sn_queue.body.contains("Collecte suspecte"));
    let csrf = sn_queue.csrf();
    let sn_decides = sn_operator
        .post(
            &format!("/fr/espace/pays/moderation/mission/{mission_id}"),
            &[("csrf", &csrf), ("decision", "dismiss")],
        )
        .await;
    assert_eq!(sn_decides.status, 404);
    assert_eq!(app.page(CM, &path).await.0, 404, "still hidden");

    // Dismissed: shown again, the queue empty.
    let csrf = queue.csrf();
    let decided = operator
        .post(
            &format!("/fr/espace/pays/moderation/mission/{mission_id}"),
            &[
                ("csrf", &csrf),
                ("decision", "dismiss"),
                ("note", "Vérifié par téléphone"),
            ],
        )
        .await;
    assert_eq!(decided.status, 303);
    assert_eq!(app.page(CM, &path).await.0, 200);
    let queue = operator.get(decided.location()).await;
    assert!(queue.body.contains("le contenu est de nouveau visible"));
    assert!(queue.body.contains("Aucun signalement en attente"));
    // The decision heads the latest decisions, with who and the note.
    assert!(
        queue
            .body
            .contains("Signalements classés : Collecte suspecte")
    );
    assert!(queue.body.contains("par operateur@example.org"));
    assert!(queue.body.contains("« Vérifié par téléphone »"));
    let sn_queue = sn_operator.get("/fr/espace/pays/moderation").await;
    assert!(
        sn_queue
            .body
            .contains("Aucune décision pour l&#x27;instant")
            || sn_queue.body.contains("Aucune décision pour l'instant")
    );
    assert!(!sn_queue.body.contains("Collecte suspecte"));

    // An organisation reported once, hidden by the operator: its page is gone.
    let org_form = "/fr/organisations/entraide-douala/signaler";
    assert_eq!(
        report(&mut members[0], org_form, "inappropriate", "").await,
        303
    );
    let queue = operator.get("/fr/espace/pays/moderation").await;
    assert!(queue.body.contains("Association entraide-douala"));
    let hidden = operator
        .post(
            &format!("/fr/espace/pays/moderation/organisation/{org}"),
            &[("csrf", &queue.csrf()), ("decision", "hide")],
        )
        .await;
    assert_eq!(hidden.status, 303);
    assert_eq!(
        app.page(CM, "/fr/organisations/entraide-douala").await.0,
        404
    );
    assert_eq!(app.page(CM, &path).await.0, 404, "its missions go with it");

    // A message: reported by the member it was sent to, erased by the operator; its author
    // blocked (a reason needed), emailed, signed out and refused at log-in; then unblocked.
    let spammer = account(
        &app,
        "cm",
        "spam@example.org",
        &[(Role::FocalPoint, Some(douala), None)],
    )
    .await;
    let mut spammer_browser = signed_in(&app, CM, "spam@example.org").await;
    let cm = tenant(&app, "cm");
    let requests = Requests::for_tenant(app.services.store.conn(), &cm);
    let member_a = jsap_store::Accounts::for_tenant(app.services.store.conn(), &cm)
        .find_by_email(&jsap_domain::EmailAddress::parse("a@example.org").expect("address"))
        .await
        .expect("find")
        .expect("member a");
    let request = requests
        .create(
            NewRequest {
                kind: RequestKind::Project,
                member_user_id: member_a.id,
                mission_id: None,
                organisation_id: None,
                city_id: douala,
                locale: "fr".into(),
                title: "Bibliothèque de quartier".into(),
                body: "Je propose des livres.".into(),
                offer: "Des livres".into(),
                contribution: None,
                available_from: None,
                available_to: None,
                domain: None,
            },
            Utc::now(),
            14,
        )
        .await
        .expect("request");
    requests
        .add_message(
            &request,
            spammer,
            Side::FocalPoint,
            "Gagnez vite https://spam.example",
            Utc::now(),
        )
        .await
        .expect("message");
    let message = requests.messages(request.id).await.expect("messages")[0].id;
    let thread = members[0]
        .get(&format!("/fr/demandes/{}", request.id))
        .await;
    let message_form = format!("/fr/demandes/{}/messages/{message}/signaler", request.id);
    assert!(
        thread.body.contains(&message_form),
        "a report link on others' messages"
    );
    // Not from another conversation's address, not by someone outside it, not one's own.
    let elsewhere = members[0]
        .get(&format!(
            "/fr/demandes/{}/messages/{message}/signaler",
            request.id + 1
        ))
        .await;
    assert_eq!(elsewhere.status, 404);
    assert_eq!(members[1].get(&message_form).await.status, 404);
    assert_eq!(spammer_browser.get(&message_form).await.status, 403);
    assert_eq!(
        report(&mut members[0], &message_form, "spam", "").await,
        303
    );
    let queue = operator.get("/fr/espace/pays/moderation").await;
    assert!(queue.body.contains("Gagnez vite"));
    assert!(
        queue
            .body
            .contains("Bloquer le compte de l&#x27;auteur (spam@example.org)")
            || queue
                .body
                .contains("Bloquer le compte de l'auteur (spam@example.org)")
    );
    let erased = operator
        .post(
            &format!("/fr/espace/pays/moderation/message/{message}"),
            &[("csrf", &queue.csrf()), ("decision", "remove")],
        )
        .await;
    assert_eq!(erased.status, 303);
    let thread = members[0]
        .get(&format!("/fr/demandes/{}", request.id))
        .await;
    assert!(!thread.body.contains("Gagnez vite"));
    assert!(
        thread
            .body
            .contains("Ce message a été masqué par la modération.")
    );

    // Another country operator is not blocked from the console (the staff do).
    let colleague = account(
        &app,
        "cm",
        "operateur2@example.org",
        &[(Role::CountryOperator, None, None)],
    )
    .await;
    let refused = operator
        .post(
            &format!("/fr/espace/pays/comptes/{colleague}/bloquer"),
            &[("csrf", &queue.csrf()), ("reason", "Un essai")],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert!(
        signed_in(&app, CM, "operateur2@example.org")
            .await
            .is_signed_in()
            .await
    );
    let block = format!("/fr/espace/pays/comptes/{spammer}/bloquer");
    let no_reason = operator
        .post(&block, &[("csrf", &queue.csrf()), ("reason", "  ")])
        .await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.body.contains("Donnez la raison du blocage."));
    assert!(spammer_browser.is_signed_in().await, "nothing done");
    let blocked = operator
        .post(
            &block,
            &[
                ("csrf", &queue.csrf()),
                ("reason", "Messages publicitaires répétés"),
            ],
        )
        .await;
    assert_eq!(blocked.status, 303);
    assert!(!spammer_browser.is_signed_in().await, "its sessions ended");
    let mut again = Browser::new(&app, CM);
    let login = again.login("spam@example.org", PASSWORD).await;
    assert_eq!(login.status, 403);
    assert!(login.body.contains("Ce compte a été bloqué sur ce site"));
    let mut wrong = Browser::new(&app, CM);
    assert_eq!(
        wrong
            .login("spam@example.org", "not-the-password")
            .await
            .status,
        401,
        "a guesser learns nothing"
    );
    let email = emails(&app, "cm")
        .await
        .into_iter()
        .find(|e| e.kind == "account_blocked")
        .expect("blocked email");
    assert_eq!(email.to, "spam@example.org");
    assert!(email.text_body.contains("Messages publicitaires répétés"));
    let page = operator.get("/fr/espace/pays/moderation").await;
    assert!(page.body.contains("spam@example.org"));
    assert!(page.body.contains("Débloquer"));
    let journal = operator.get("/fr/espace/pays/journal").await;
    for action in [
        "Compte bloqué",
        "Contenu retiré",
        "Contenu masqué",
        "Signalements classés",
    ] {
        assert!(journal.body.contains(action), "{action} in the journal");
    }
    // Senegal's journal and queue hold none of it; its operator cannot block a Cameroon account.
    let sn_journal = sn_operator.get("/fr/espace/pays/journal").await;
    assert!(!sn_journal.body.contains("spam@example.org"));
    let sn_block = sn_operator
        .post(&block, &[("csrf", &sn_queue.csrf()), ("reason", "x")])
        .await;
    assert_eq!(sn_block.status, 404);

    let unblocked = operator
        .post(
            &format!("/fr/espace/pays/comptes/{spammer}/debloquer"),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(unblocked.status, 303);
    assert_eq!(
        Browser::new(&app, CM)
            .login("spam@example.org", PASSWORD)
            .await
            .status,
        303
    );
}
