//! The journal of administrative actions over HTTP: what an operator does is in their
//! tenant's journal and in the staff's, searchable and paged; another tenant's operator sees
//! none of it.

use crate::helpers::{Options, TestApp};
use crate::roles::{CM, PORTAL, SN, account, signed_in, staff};
use jsap_store::Role;

#[tokio::test]
async fn operators_and_staff_read_who_did_what_and_only_their_tenants() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    for (code, email) in [
        ("cm", "operateur@example.org"),
        ("sn", "operateur-sn@example.org"),
    ] {
        account(&app, code, email, &[(Role::CountryOperator, None, None)]).await;
    }
    staff(&app, "staff@example.org").await;

    let mut cm_operator = signed_in(&app, CM, "operateur@example.org").await;
    let empty = cm_operator.get("/fr/espace/pays/journal").await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("Aucune action pour le moment"));
    let form = "/fr/espace/pays/villes/nouvelle";
    let added = cm_operator
        .submit(
            form,
            form,
            &[
                ("name", "Buéa"),
                ("region", "Sud-Ouest"),
                ("latitude", "4.15"),
                ("longitude", "9.24"),
            ],
        )
        .await;
    assert_eq!(added.status, 303);
    let invited = cm_operator
        .submit(
            "/fr/espace/pays",
            "/fr/espace/pays/inviter",
            &[
                ("display_name", "Binta Ndiaye"),
                ("email", "binta@example.org"),
            ],
        )
        .await;
    assert_eq!(invited.status, 303);

    let journal = cm_operator.get("/fr/espace/pays/journal").await;
    assert_eq!(journal.status, 200);
    assert!(journal.body.contains("2 action(s)"), "{}", journal.body);
    let city = journal.body.find("Ville ajoutée").expect("city added");
    let operator = journal.body.find("Opérateur pays invité").expect("invited");
    assert!(operator < city, "newest first");
    assert!(journal.body.contains("operateur@example.org"));
    assert!(journal.body.contains("binta@example.org"));
    // Search narrows it; a search with no match says so.
    let found = cm_operator.get("/fr/espace/pays/journal?q=Sud-Ouest").await;
    assert!(found.body.contains("1 action(s)") && found.body.contains("Buéa"));
    assert!(!found.body.contains("binta@example.org"));
    let none = cm_operator.get("/fr/espace/pays/journal?q=kribi").await;
    assert!(none.body.contains("Aucune action ne correspond"));
    let long = "x".repeat(101);
    let bad = cm_operator
        .get(&format!("/fr/espace/pays/journal?q={long}"))
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        cm_operator
            .get("/fr/espace/pays/journal?page=0")
            .await
            .status,
        400
    );

    // Senegal's operator: their own journal, empty of Cameroon.
    let mut sn_operator = signed_in(&app, SN, "operateur-sn@example.org").await;
    let sn_journal = sn_operator.get("/fr/espace/pays/journal").await;
    assert_eq!(sn_journal.status, 200);
    assert!(sn_journal.body.contains("Aucune action pour le moment"));
    assert!(!sn_journal.body.contains("Buéa") && !sn_journal.body.contains("binta"));

    // Staff see every tenant's, with the site.
    let mut staff = signed_in(&app, PORTAL, "staff@example.org").await;
    let all = staff.get("/fr/admin/journal").await;
    assert_eq!(all.status, 200);
    assert!(all.body.contains(">cm</td>") && all.body.contains("Buéa"));
    let invite = staff
        .submit(
            "/fr/admin",
            "/fr/admin/inviter",
            &[
                ("tenant", "sn"),
                ("display_name", "Moussa Diop"),
                ("email", "moussa@example.org"),
            ],
        )
        .await;
    assert_eq!(invite.status, 303);
    let all = staff.get("/fr/admin/journal?q=moussa").await;
    assert!(all.body.contains(">sn</td>") && all.body.contains("staff@example.org"));
    let sn_journal = sn_operator.get("/fr/espace/pays/journal").await;
    assert!(sn_journal.body.contains("moussa@example.org"));
    let cm_journal = cm_operator.get("/fr/espace/pays/journal?q=moussa").await;
    assert!(cm_journal.body.contains("Aucune action ne correspond"));
}
