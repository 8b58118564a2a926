//! The staff drill-down: from the staff console into a country site's console with its
//! operators' powers, marked as staff (banner, journal), through a single-use hand-off token
//! bound to that site.

use crate::helpers::{Browser, Options, PASSWORD, TestApp};
use crate::roles::{CM, PORTAL, SN, account, signed_in, staff, tenant};
use jsap_store::{Accounts, Outbox, TenantOverview};

const STAFF: &str = "staff@example.org";

/// Asks the portal for a hand-off to `code`'s console: the page's answer.
async fn hand_off(portal: &mut Browser<'_>, code: &str) -> crate::helpers::Page {
    portal
        .submit("/fr/admin", &format!("/fr/admin/pays/{code}/console"), &[])
        .await
}

/// The path of the hand-off link on the page the portal answers, on `host`.
fn entry_path(page: &crate::helpers::Page, host: &str) -> String {
    assert_eq!(page.status, 200, "{}", page.body);
    let marker = "id=\"staff-entry\" href=\"";
    let start = page.body.find(marker).expect("the entry link") + marker.len();
    let link: String = page.body[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let link = link.replace("&amp;", "&");
    // The page moves on by itself to the same address.
    assert!(
        page.body.contains(&format!("content=\"0;url={link}\"")),
        "{}",
        page.body
    );
    let prefix = format!("http://{host}");
    assert!(link.starts_with(&prefix), "{link}");
    let path = link[prefix.len()..].to_owned();
    assert!(path.starts_with("/fr/espace/entree-staff?jeton="), "{path}");
    path
}

#[tokio::test]
async fn staff_enter_a_country_console_as_its_operator_marked_as_staff() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    staff(&app, STAFF).await;
    account(&app, "cm", "awa.membre@example.org", &[]).await;
    let cm = tenant(&app, "cm");
    let conn = app.services.store.conn();
    let members_before = TenantOverview::for_tenant(conn, &cm)
        .figures(chrono::Utc::now())
        .await
        .expect("figures")
        .members;

    let mut portal = signed_in(&app, PORTAL, STAFF).await;
    let console = portal.get("/fr/admin").await;
    assert!(
        console
            .body
            .contains("action=\"/fr/admin/pays/cm/console\"")
    );
    assert!(console.body.contains("Ouvrir sa console"));
    let path = entry_path(&hand_off(&mut portal, "cm").await, CM);

    // The country site redeems it: a session of ten hours and the country console.
    let mut site = Browser::new(&app, CM);
    let entered = site.get(&path).await;
    assert_eq!(entered.status, 303, "{}", entered.body);
    assert_eq!(entered.location(), "/fr/espace/pays?done=staff");
    assert!(
        entered
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("jsap_session=") && c.contains("Max-Age=36000")),
        "{:?}",
        entered.set_cookies()
    );
    let home = site.get("/fr/espace/pays").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(home.body.contains("class=\"staff-banner\""));
    assert!(
        home.body
            .contains("avec les droits d&#x27;un opérateur pays")
            || home.body.contains("avec les droits d'un opérateur pays")
    );

    // An operator's power: add a city. The journal names the staff member, marked staff.
    let added = site
        .submit(
            "/fr/espace/pays/villes/nouvelle",
            "/fr/espace/pays/villes/nouvelle",
            &[
                ("name", "Buéa"),
                ("region", "Sud-Ouest"),
                ("latitude", "4.1527"),
                ("longitude", "9.2415"),
                (
                    "description",
                    "Ville universitaire au pied du mont Cameroun.",
                ),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let journal = site.get("/fr/espace/pays/journal").await;
    assert_eq!(journal.status, 200);
    assert!(journal.body.contains("staff@example.org (staff)"));
    assert!(journal.body.contains("Entrée du personnel dans la console"));
    assert!(journal.body.contains("Buéa"));

    // The token works once.
    let again = Browser::new(&app, CM).get(&path).await;
    assert_eq!(again.status, 410);
    assert!(
        again.body.contains("Lien d&#x27;entrée expiré")
            || again.body.contains("Lien d'entrée expiré")
    );

    // A token for Cameroon means nothing on Senegal, and stays good for Cameroon.
    let path = entry_path(&hand_off(&mut portal, "cm").await, CM);
    let elsewhere = Browser::new(&app, SN).get(&path).await;
    assert_eq!(elsewhere.status, 410);
    assert_eq!(Browser::new(&app, CM).get(&path).await.status, 303);

    // The seat has no password and no reset link; it is not counted as a member.
    let login = Browser::new(&app, CM).login(STAFF, PASSWORD).await;
    assert_eq!(login.status, 401);
    let forgot = Browser::new(&app, CM)
        .submit(
            "/fr/compte/mot-de-passe-oublie",
            "/fr/compte/mot-de-passe-oublie",
            &[("email", STAFF)],
        )
        .await;
    assert!(forgot.status < 400, "{}", forgot.body);
    let emails = Outbox::for_tenant(conn, &cm).list().await.expect("outbox");
    assert!(
        !emails.iter().any(|e| e.to == STAFF),
        "no reset link for a seat"
    );
    let members_after = TenantOverview::for_tenant(conn, &cm)
        .figures(chrono::Utc::now())
        .await
        .expect("figures")
        .members;
    assert_eq!(members_after, members_before);

    // Senegal saw none of it: no seat, no journal entry.
    let sn = tenant(&app, "sn");
    let email = jsap_domain::EmailAddress::parse(STAFF).expect("email");
    assert!(
        Accounts::for_tenant(conn, &sn)
            .find_by_email(&email)
            .await
            .expect("find")
            .is_none()
    );
    let mut sn_operator = {
        account(
            &app,
            "sn",
            "op.dakar@example.org",
            &[(jsap_store::Role::CountryOperator, None, None)],
        )
        .await;
        signed_in(&app, SN, "op.dakar@example.org").await
    };
    let sn_journal = sn_operator.get("/fr/espace/pays/journal").await;
    assert_eq!(sn_journal.status, 200);
    assert!(!sn_journal.body.contains("staff@example.org"));
    assert!(!sn_journal.body.contains("Buéa"));
}

#[tokio::test]
async fn a_member_holding_the_staff_address_on_a_site_is_never_adopted() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    staff(&app, STAFF).await;
    account(&app, "cm", STAFF, &[]).await;
    let mut portal = signed_in(&app, PORTAL, STAFF).await;
    let refused = hand_off(&mut portal, "cm").await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("utilise déjà votre adresse"));
    let cm = tenant(&app, "cm");
    let email = jsap_domain::EmailAddress::parse(STAFF).expect("email");
    let member = Accounts::for_tenant(app.services.store.conn(), &cm)
        .find_by_email(&email)
        .await
        .expect("find")
        .expect("member");
    assert!(!member.is_staff, "the member did not become staff");
    // The member signs in as before, without the operator's powers.
    let mut awa = signed_in(&app, CM, STAFF).await;
    assert_eq!(awa.get("/fr/espace/pays").await.status, 403);
    // Unknown site: 404.
    let unknown = portal
        .submit("/fr/admin", "/fr/admin/pays/zz/console", &[])
        .await;
    assert_eq!(unknown.status, 404);
}
