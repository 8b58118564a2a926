//! Bulk decisions over HTTP: a focal point verifies the checked organisations and publishes
//! the checked missions at once; what is not theirs (another tenant's, an unknown id) is
//! counted as refused and left untouched; an empty selection says so; a bad id is a 400.

use crate::helpers::{Options, TestApp};
use crate::requests::{city_id, person};
use crate::roles::{SN, account, signed_in, tenant};
use jsap_domain::missions::MissionStatus;
use jsap_store::{MissionEdits, Organisations, Role};

#[tokio::test]
async fn a_focal_point_verifies_and_publishes_the_checked_items_at_once() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    let cm = tenant(&app, "cm");
    let douala = city_id(&app, "cm", "douala").await;
    let mut focal = person(
        &app,
        "pf.douala@example.org",
        "Fatou Focal",
        &[(Role::FocalPoint, Some(douala), None)],
    )
    .await;
    let mut awa = crate::organisations::awa_with_an_organisation(&app).await;
    let first = crate::missions::submit_a_mission(&app, &mut awa).await;
    let second = crate::missions::submit_a_mission(&app, &mut awa).await;
    assert_ne!(first, second);
    let org = Organisations::for_tenant(app.services.store.conn(), &cm)
        .pending(None)
        .await
        .expect("pending")[0]
        .id
        .to_string();

    // Senegal's focal point cannot touch them: both refused, nothing changed.
    let dakar = city_id(&app, "sn", "dakar").await;
    account(
        &app,
        "sn",
        "pf.dakar@example.org",
        &[(Role::FocalPoint, Some(dakar), None)],
    )
    .await;
    let mut sn_focal = signed_in(&app, SN, "pf.dakar@example.org").await;
    let sn_queue = sn_focal.get("/fr/espace/missions/verification").await;
    let tried = sn_focal
        .post(
            "/fr/espace/missions/verification/lot",
            &[("csrf", &sn_queue.csrf()), ("id", &first), ("id", &second)],
        )
        .await;
    assert_eq!(tried.status, 303);
    assert!(
        tried.location().ends_with("done=bulk&n=0&refused=2"),
        "{}",
        tried.location()
    );

    // Organisations: the checkbox on each item, one known and one unknown id.
    let queue = focal.get("/fr/espace/organisations/verification").await;
    assert!(
        queue
            .body
            .contains(&format!("name=\"id\" value=\"{org}\" form=\"bulk\""))
    );
    let verified = focal
        .post(
            "/fr/espace/organisations/verification/lot",
            &[("csrf", &queue.csrf()), ("id", &org), ("id", "999999")],
        )
        .await;
    assert_eq!(verified.status, 303);
    let after = focal.get(verified.location()).await;
    assert!(after.body.contains("1 traitée(s)."), "{}", after.body);
    assert!(after.body.contains("1 n&#x27;a") || after.body.contains("1 n'a"));

    // Missions: both published at once.
    let queue = focal.get("/fr/espace/missions/verification").await;
    let none = focal
        .post(
            "/fr/espace/missions/verification/lot",
            &[("csrf", &queue.csrf())],
        )
        .await;
    assert!(
        focal
            .get(none.location())
            .await
            .body
            .contains("Cochez au moins un élément")
    );
    let bad = focal
        .post(
            "/fr/espace/missions/verification/lot",
            &[("csrf", &queue.csrf()), ("id", "abc")],
        )
        .await;
    assert_eq!(bad.status, 400);
    let published = focal
        .post(
            "/fr/espace/missions/verification/lot",
            &[("csrf", &queue.csrf()), ("id", &first), ("id", &second)],
        )
        .await;
    assert!(
        published.location().ends_with("done=bulk&n=2&refused=0"),
        "{}",
        published.location()
    );
    let missions = MissionEdits::for_tenant(app.services.store.conn(), &cm);
    for id in [&first, &second] {
        let mission = missions
            .find(id.parse().expect("id"))
            .await
            .expect("find")
            .expect("mission");
        assert_eq!(mission.status, MissionStatus::Published);
    }
    let journal_entries = jsap_store::AuditLog::for_tenant(app.services.store.conn(), &cm)
        .list(&jsap_store::JournalQuery {
            search: "",
            page: 1,
            per_page: 50,
        })
        .await
        .expect("journal")
        .total;
    assert_eq!(journal_entries, 3, "one entry per item decided");
}
