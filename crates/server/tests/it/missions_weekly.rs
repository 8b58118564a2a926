//! "Missions pour vous" by email: members who asked for it get, once a week from Monday 9:00
//! (site time), the missions that fit their profile and next stay, with reasons, in the
//! language they asked in; remote missions only when they welcome them; nothing when nothing
//! fits; never another site's missions.

use crate::helpers::TestApp;
use crate::requests::{
    city_id, consents_given, douala_association, emails, mission_with, organisation, person,
    signed_in_elsewhere, user_id,
};
use crate::roles::tenant;
use chrono::{Duration, TimeZone, Utc};
use jsap_app::recommend::weekly::{WeeklyReport, send_weekly};
use jsap_app::{FixedClock, Scope};
use jsap_store::{OutboxEmail, Profiles};

/// One pass of the weekly email on `code` at `at` (UTC).
async fn pass(app: &TestApp, code: &str, at: chrono::DateTime<Utc>) -> WeeklyReport {
    let t = tenant(app, code);
    let clock = FixedClock(at);
    let scope = Scope::new(&app.services.store, app.services.themes.clone(), &t, &clock);
    send_weekly(&scope).await.expect("weekly")
}

async fn weekly(app: &TestApp, code: &str, to: &str) -> Vec<OutboxEmail> {
    emails(app, code)
        .await
        .into_iter()
        .filter(|e| e.kind == "missions_weekly" && e.to == to)
        .collect()
}

#[tokio::test]
async fn members_who_asked_get_the_missions_that_fit_them_once_a_week() {
    let (app, douala, org) = douala_association().await;
    let cm = tenant(&app, "cm");
    let yaounde = city_id(&app, "cm", "yaounde").await;
    // Monday 7 December 2026; the stays and missions are in January.
    let monday = Utc.with_ymd_and_hms(2026, 12, 7, 8, 5, 0).unwrap(); // 9:05 in Douala
    let start = monday.date_naive() + Duration::days(30);
    let window = (start, start + Duration::days(30));
    mission_with(
        &app,
        "cm",
        (org, douala),
        "Mentorat à Douala",
        window,
        false,
    )
    .await;
    mission_with(&app, "cm", (org, yaounde), "Cours en ligne", window, true).await;
    mission_with(
        &app,
        "cm",
        (org, yaounde),
        "Chantier à Yaoundé",
        window,
        false,
    )
    .await;

    // Awa asks for the email on the French site, and will be in Douala in January.
    let mut awa = person(&app, "awa@example.org", "Awa Diallo", &[]).await;
    let form = awa.get("/fr/compte/emails").await;
    assert!(
        form.body
            .contains("Chaque semaine, les missions qui correspondent")
    );
    let saved = awa
        .submit(
            "/fr/compte/emails",
            "/fr/compte/emails",
            &[("reminders", "yes"), ("missions", "yes")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let awa_id = user_id(&app, "cm", "awa@example.org").await;
    let profiles = Profiles::for_tenant(app.services.store.conn(), &cm);
    profiles
        .add_stay(
            awa_id,
            start - Duration::days(2),
            start + Duration::days(10),
            &[douala],
        )
        .await
        .expect("stay");
    // Bob has the same stay and did not ask; Chloé asked on the English site, nothing fits her.
    person(&app, "bob@example.org", "Bob", &[]).await;
    let bob_id = user_id(&app, "cm", "bob@example.org").await;
    profiles
        .add_stay(bob_id, start, start + Duration::days(10), &[douala])
        .await
        .expect("stay");
    let mut chloe = person(&app, "chloe@example.org", "Chloé", &[]).await;
    let saved = chloe
        .submit(
            "/en/compte/emails",
            "/en/compte/emails",
            &[("missions", "yes")],
        )
        .await;
    assert_eq!(saved.status, 303);

    // Monday before 9:00 in Douala: not yet.
    let early = pass(&app, "cm", monday - Duration::hours(1)).await;
    assert_eq!(early, WeeklyReport::default());
    let report = pass(&app, "cm", monday).await;
    assert_eq!((report.sent, report.nothing_fits), (1, 1), "{report:?}");
    let sent = weekly(&app, "cm", "awa@example.org").await;
    assert_eq!(sent.len(), 1);
    let email = &sent[0];
    assert!(
        email.subject.contains("2 missions pour vous cette semaine"),
        "{}",
        email.subject
    );
    assert!(
        email.text_body.contains("Mentorat à Douala"),
        "{}",
        email.text_body
    );
    assert!(
        email.text_body.contains("Cours en ligne"),
        "remote is welcome by default"
    );
    assert!(
        !email.text_body.contains("Chantier à Yaoundé"),
        "Yaoundé is not on her stay"
    );
    assert!(
        email
            .text_body
            .contains("https://jesuisaucameroun.com/fr/missions/")
    );
    assert!(
        email
            .text_body
            .contains("https://jesuisaucameroun.com/fr/compte/emails")
    );
    assert!(weekly(&app, "cm", "bob@example.org").await.is_empty());
    assert!(weekly(&app, "cm", "chloe@example.org").await.is_empty());
    // Once a week, whatever the passes.
    let wednesday = pass(&app, "cm", monday + Duration::days(2)).await;
    assert_eq!((wednesday.sent, wednesday.already_sent), (0, 1));

    // Awa turns remote missions off on her profile: the next week's email has only Douala.
    let profile = awa.get("/fr/compte/profil").await;
    assert!(
        profile
            .body
            .contains("name=\"remote_ok\" value=\"yes\" checked")
    );
    let saved = awa
        .submit(
            "/fr/compte/profil",
            "/fr/compte/profil",
            &[("display_name", "Awa Diallo")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(!profiles.get(awa_id).await.expect("profile").remote_ok);
    // A new mission in Douala: the next week's email lists it alone (Mentorat was sent
    // already).
    mission_with(
        &app,
        "cm",
        (org, douala),
        "Atelier de couture à Douala",
        window,
        false,
    )
    .await;
    let next_monday = monday + Duration::days(7);
    assert_eq!(pass(&app, "cm", next_monday).await.sent, 1);
    let sent = weekly(&app, "cm", "awa@example.org").await;
    let latest = sent.last().expect("the second email");
    assert!(
        latest.subject.contains("une mission pour vous"),
        "{}",
        latest.subject
    );
    assert!(latest.text_body.contains("Atelier de couture à Douala"));
    assert!(
        !latest.text_body.contains("Mentorat à Douala"),
        "sent the week before"
    );
    assert!(!latest.text_body.contains("Cours en ligne"));
    // Nothing new the week after: no email (Awa, and Chloé as every week).
    let third = pass(&app, "cm", monday + Duration::days(14)).await;
    assert_eq!((third.sent, third.nothing_fits), (0, 2), "{third:?}");
    assert_eq!(weekly(&app, "cm", "awa@example.org").await.len(), 2);

    // She stops it: no more email, and both choices are in her consents.
    let saved = awa
        .submit(
            "/fr/compte/emails",
            "/fr/compte/emails",
            &[("reminders", "yes")],
        )
        .await;
    assert_eq!(saved.status, 303);
    assert_eq!(pass(&app, "cm", monday + Duration::days(14)).await.sent, 0);
    let given = consents_given(&app, "cm", awa_id, "email_missions").await;
    assert_eq!(given, [true, false]);

    // Senegal: Moussa asked, with a stay in Dakar; he gets Dakar's mission, none of
    // Cameroon's, and the job runs both sites.
    let mut moussa = signed_in_elsewhere(&app, "moussa@example.org").await;
    let saved = moussa
        .submit(
            "/fr/compte/emails",
            "/fr/compte/emails",
            &[("missions", "yes")],
        )
        .await;
    assert_eq!(saved.status, 303);
    let sn = tenant(&app, "sn");
    let dakar = city_id(&app, "sn", "dakar").await;
    let sn_org = organisation(&app, "sn", dakar, "asso-dakar").await;
    mission_with(
        &app,
        "sn",
        (sn_org, dakar),
        "Mission à Dakar",
        window,
        false,
    )
    .await;
    let moussa_id = user_id(&app, "sn", "moussa@example.org").await;
    Profiles::for_tenant(app.services.store.conn(), &sn)
        .add_stay(moussa_id, start, start + Duration::days(10), &[dakar])
        .await
        .expect("stay");
    // Monday 28 December, 10:05 in Dakar (UTC) and 11:05 in Douala.
    let later = monday + Duration::days(21) + Duration::hours(2);
    let total = jsap_jobs::missions_weekly(
        &app.services.store,
        &app.services.registry,
        &app.services.themes,
        &app.services.cache,
        later,
    )
    .await
    .expect("job")
    .expect("lock");
    assert_eq!(total, 1, "Moussa only: Awa stopped it");
    let sent = weekly(&app, "sn", "moussa@example.org").await;
    assert_eq!(sent.len(), 1);
    assert!(sent[0].text_body.contains("Mission à Dakar"));
    assert!(
        !sent[0].text_body.contains("Douala"),
        "{}",
        sent[0].text_body
    );
    assert!(
        sent[0]
            .text_body
            .contains("https://jesuisausenegal.com/fr/missions/")
    );
    assert!(weekly(&app, "cm", "moussa@example.org").await.is_empty());
}
