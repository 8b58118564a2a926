//! The staff console's accounts: the platform staff find an account on any site by a piece of
//! its address, see its roles, end its sessions, block it (with a reason, emailed) and lift
//! the block; each action lands in the journal of the account's own site, marked as staff.

use crate::helpers::{Browser, Options, PASSWORD, TestApp};
use crate::roles::{CM, PORTAL, account, signed_in, staff, tenant};
use jsap_store::{Outbox, Role};

const ACCOUNTS: &str = "/fr/admin/comptes";

async fn setting(app: &TestApp) -> (i64, i64, i64) {
    let member = account(app, "cm", "awa.membre@example.org", &[]).await;
    let operator = account(
        app,
        "cm",
        "awa.operatrice@example.org",
        &[(Role::CountryOperator, None, None)],
    )
    .await;
    let sn_member = account(app, "sn", "awa.dakar@example.org", &[]).await;
    staff(app, "staff@example.org").await;
    (member, operator, sn_member)
}

#[tokio::test]
async fn staff_find_accounts_on_every_site_with_their_roles() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    setting(&app).await;
    let mut staff = signed_in(&app, PORTAL, "staff@example.org").await;
    let console = staff.get("/fr/admin").await;
    assert!(console.body.contains(&format!("href=\"{ACCOUNTS}\"")));
    let empty = staff.get(ACCOUNTS).await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("Saisissez au moins 3 caractères"));
    let short = staff.get(&format!("{ACCOUNTS}?q=aw")).await;
    assert_eq!(short.status, 400);

    let found = staff.get(&format!("{ACCOUNTS}?q=AWA.")).await;
    assert_eq!(found.status, 200);
    assert!(
        found.body.contains("3 compte(s) trouvé(s)"),
        "{}",
        found.body
    );
    for email in [
        "awa.membre@example.org",
        "awa.operatrice@example.org",
        "awa.dakar@example.org",
    ] {
        assert!(found.body.contains(email), "{email}");
    }
    assert!(found.body.contains("(sn)") && found.body.contains("(cm)"));
    assert!(found.body.contains("opérateur pays"));
    let none = staff.get(&format!("{ACCOUNTS}?q=personne-ici")).await;
    assert!(none.body.contains("Aucun compte ne correspond"));
}

#[tokio::test]
async fn staff_end_sessions_block_and_unblock_an_account_of_a_site() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    let (member, operator, sn_member) = setting(&app).await;
    let mut awa = signed_in(&app, CM, "awa.membre@example.org").await;
    assert!(awa.is_signed_in().await);
    let mut staff = signed_in(&app, PORTAL, "staff@example.org").await;
    let search = format!("{ACCOUNTS}?q=awa");
    let act = |id: i64, action: &str| format!("{ACCOUNTS}/cm/{id}/{action}");

    // End the sessions: Awa must log in again; the journal of Cameroon says who did it.
    let ended = staff
        .submit(&search, &act(member, "sessions"), &[("q", "awa")])
        .await;
    assert_eq!(ended.status, 303, "{}", ended.body);
    assert_eq!(ended.location(), format!("{ACCOUNTS}?q=awa&done=sessions"));
    assert!(!awa.is_signed_in().await, "the session is over");
    assert!(awa.login("awa.membre@example.org", PASSWORD).await.status == 303);

    // A block needs a reason.
    let no_reason = staff
        .submit(
            &search,
            &act(member, "bloquer"),
            &[("q", "awa"), ("reason", " ")],
        )
        .await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.body.contains("Donnez le motif du blocage"));
    let blocked = staff
        .submit(
            &search,
            &act(member, "bloquer"),
            &[("q", "awa"), ("reason", "Annonces frauduleuses répétées")],
        )
        .await;
    assert_eq!(blocked.status, 303);
    assert!(!awa.is_signed_in().await);
    let refused = Browser::new(&app, CM)
        .login("awa.membre@example.org", PASSWORD)
        .await;
    assert_eq!(refused.status, 403, "a blocked account cannot log in");
    let emails = Outbox::for_tenant(app.services.store.conn(), &tenant(&app, "cm"))
        .list()
        .await
        .expect("outbox");
    assert!(emails.iter().any(|e| e.to == "awa.membre@example.org"
        && e.text_body.contains("Annonces frauduleuses répétées")));
    let page = staff.get(&search).await;
    assert!(page.body.contains("Bloqué depuis le"));

    // The staff may block a country operator too (operators cannot block each other).
    let operator_blocked = staff
        .submit(
            &search,
            &act(operator, "bloquer"),
            &[("q", "awa"), ("reason", "Compte compromis")],
        )
        .await;
    assert_eq!(operator_blocked.status, 303);

    let unblocked = staff
        .submit(&search, &act(member, "debloquer"), &[("q", "awa")])
        .await;
    assert_eq!(
        unblocked.location(),
        format!("{ACCOUNTS}?q=awa&done=unblocked")
    );
    assert_eq!(
        Browser::new(&app, CM)
            .login("awa.membre@example.org", PASSWORD)
            .await
            .status,
        303
    );

    // Cameroon's journal holds each action, marked as the staff's; Senegal's holds none.
    let entries = jsap_store::AuditLog::for_tenant(app.services.store.conn(), &tenant(&app, "cm"))
        .list(&jsap_store::JournalQuery {
            search: "",
            page: 1,
            per_page: 50,
        })
        .await
        .expect("journal");
    let actions: Vec<(&str, &str)> = entries
        .entries
        .iter()
        .map(|e| (e.action.as_str(), e.actor.name.as_str()))
        .collect();
    for action in [
        "account_sessions_ended",
        "account_blocked",
        "account_unblocked",
    ] {
        assert!(
            actions
                .iter()
                .any(|(a, who)| *a == action && *who == "staff@example.org (staff)"),
            "{action} in {actions:?}"
        );
    }
    let sn_entries =
        jsap_store::AuditLog::for_tenant(app.services.store.conn(), &tenant(&app, "sn"))
            .list(&jsap_store::JournalQuery {
                search: "",
                page: 1,
                per_page: 50,
            })
            .await
            .expect("journal");
    assert!(sn_entries.entries.is_empty());

    // An account of Senegal is not reached through Cameroon's address, and the staff's own
    // accounts are not blocked from here.
    let elsewhere = staff
        .submit(&search, &act(sn_member, "sessions"), &[("q", "awa")])
        .await;
    assert_eq!(elsewhere.status, 404);
    let staff_id =
        jsap_store::Accounts::for_tenant(app.services.store.conn(), &tenant(&app, "portal"))
            .find_by_email(&jsap_domain::EmailAddress::parse("staff@example.org").expect("email"))
            .await
            .expect("lookup")
            .expect("staff")
            .id;
    let own = staff
        .submit(
            &search,
            &format!("{ACCOUNTS}/portal/{staff_id}/bloquer"),
            &[("q", "awa"), ("reason", "essai")],
        )
        .await;
    assert_eq!(own.status, 422);
    assert!(own.body.contains("équipe plateforme ne se bloque pas"));
    assert_eq!(
        staff
            .submit(&search, &act(member, "effacer"), &[("q", "awa")])
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn the_staff_overview_counts_what_waits_on_each_site_and_nothing_of_another() {
    let app = TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await;
    let conn = app.services.store.conn();
    let (cm, sn) = (tenant(&app, "cm"), tenant(&app, "sn"));
    let now = chrono::Utc::now();
    let before = jsap_store::TenantOverview::for_tenant(conn, &sn)
        .figures(now)
        .await
        .expect("figures");
    assert!(before.synced_at.is_some(), "the tenant file was synced");

    // On Cameroon: a mission, a member who answers it, a request past its answer date.
    let douala = crate::requests::city_id(&app, "cm", "douala").await;
    let org = crate::requests::organisation(&app, "cm", douala, "entraide").await;
    let today = cm.today();
    let window = (
        today + chrono::Duration::days(30),
        today + chrono::Duration::days(60),
    );
    let (_, path) =
        crate::requests::mission(&app, "cm", org, douala, "Cours du soir", window).await;
    account(&app, "cm", "awa.membre@example.org", &[]).await;
    let mut awa = signed_in(&app, CM, "awa.membre@example.org").await;
    let action = format!("{path}/repondre");
    let (from, to) = (window.0.to_string(), window.1.to_string());
    let fields = crate::requests::answer_fields(&from, &to);
    assert_eq!(awa.submit(&action, &action, &fields).await.status, 303);
    let figures = |t| async move {
        jsap_store::TenantOverview::for_tenant(conn, t)
            .figures(chrono::Utc::now())
            .await
            .expect("figures")
    };
    let o = figures(&cm).await;
    assert_eq!(
        (o.members, o.missions_published, o.requests_open),
        (1, 1, 1)
    );
    assert_eq!(o.requests_overdue, 0);
    let later = jsap_store::TenantOverview::for_tenant(conn, &cm)
        .figures(chrono::Utc::now() + chrono::Duration::days(30))
        .await
        .expect("figures");
    assert_eq!(later.requests_overdue, 1, "past the promised answer date");
    assert!(o.last_activity.is_some());
    // Cameroon's focal points of the tenant file are invited, not yet accounts.
    assert!(o.invitations_pending >= 1);

    // Senegal is as it was.
    assert_eq!(figures(&sn).await.members, before.members);
    assert_eq!(figures(&sn).await.requests_open, 0);

    staff(&app, "staff@example.org").await;
    let mut staff = signed_in(&app, PORTAL, "staff@example.org").await;
    let console = staff.get("/fr/admin").await;
    assert!(console.body.contains("1 ouverte(s)"), "{}", console.body);
    assert!(console.body.contains("config. synchronisée le"));
}

#[tokio::test]
async fn staff_download_the_journal_of_every_site_in_one_file() {
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
    let form = "/fr/espace/pays/villes/nouvelle";
    let city = |name: &'static str| {
        [
            ("name", name),
            ("region", "Région"),
            ("latitude", "4.1"),
            ("longitude", "9.2"),
        ]
    };
    let mut cm = signed_in(&app, crate::roles::CM, "operateur@example.org").await;
    assert_eq!(cm.submit(form, form, &city("Buéa")).await.status, 303);
    let mut sn = signed_in(&app, crate::roles::SN, "operateur-sn@example.org").await;
    assert_eq!(sn.submit(form, form, &city("Mbour")).await.status, 303);

    let mut staff = signed_in(&app, PORTAL, "staff@example.org").await;
    let journal = staff.get("/fr/admin/journal").await;
    assert!(
        journal
            .body
            .contains("href=\"/fr/admin/journal/export/journal.csv\"")
    );
    let csv = staff.get("/fr/admin/journal/export/journal.csv").await;
    assert_eq!(csv.status, 200);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(
        lines[0].trim_start_matches('\u{feff}').starts_with("Site"),
        "{}",
        lines[0]
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("cm,") && l.contains("Buéa"))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("sn,") && l.contains("Mbour"))
    );
    let xlsx = staff
        .get_bytes("/fr/admin/journal/export/journal.xlsx")
        .await;
    assert_eq!(xlsx.0, 200);
    assert!(xlsx.1.starts_with(b"PK"), "a zip file");
    assert_eq!(
        staff
            .get("/fr/admin/journal/export/missions.csv")
            .await
            .status,
        404
    );
    // The download itself is journaled, on the portal.
    let journal = staff.get("/fr/admin/journal").await;
    assert!(journal.body.contains("journal.csv"));
    // A country operator reaches neither the file nor its address on their site.
    assert_eq!(
        cm.get("/fr/admin/journal/export/journal.csv").await.status,
        404
    );
}
