//! Roles over real HTTP: every protected route walked with every kind of visitor (the table
//! `ROUTES` below: add a row per new protected route), the 403 page, and country-operator
//! invitations from the country space and from the staff console.

use crate::helpers::{Browser, PASSWORD, TestApp};
use jsap_domain::EmailAddress;
use jsap_store::Grant;
use jsap_store::{
    Accounts, Cities, Invitations, Organisations, Outbox, OutboxEmail, Profiles, Role,
    StaffAccounts,
};
use jsap_tenancy::Tenant;
use std::sync::Arc;

pub const CM: &str = "cm.localhost";
pub const SN: &str = "sn.localhost";
pub const PORTAL: &str = "portal.localhost";

/// The visitors of the walk, in the order of `Route::expect`.
pub const VISITORS: [&str; 8] = [
    "anonymous",
    "member",
    "organisation editor",
    "organisation admin",
    "focal point",
    "country operator",
    "staff",
    "member of another tenant",
];

/// A protected route and the status each visitor gets (same order as `VISITORS`).
/// Everyone but "staff" and "member of another tenant" has an account on `cm`; staff are
/// portal accounts; the other tenant is `sn`.
pub struct Route {
    pub host: &'static str,
    pub path: &'static str,
    pub expect: [u16; 8],
}

const SIGNED_IN_ON_CM: [u16; 8] = [303, 200, 200, 200, 200, 200, 303, 303];
const NOT_HERE: [u16; 8] = [404; 8];

/// Every protected GET route. Anonymous visitors are sent to the log-in page (303), signed-in
/// visitors without the role get 403, pages of the other kind of site are 404.
pub const ROUTES: &[Route] = &[
    Route {
        host: CM,
        path: "/fr/organisations/nouvelle",
        expect: SIGNED_IN_ON_CM,
    },
    Route {
        host: PORTAL,
        path: "/fr/organisations/nouvelle",
        expect: NOT_HERE,
    },
    Route {
        host: CM,
        path: "/fr/espace/organisations/verification",
        expect: [303, 403, 403, 403, 200, 200, 303, 303],
    },
    // The members a mission fits: reviewers only; mission 1 is no public mission here.
    Route {
        host: CM,
        path: "/fr/espace/missions/1/membres",
        expect: [303, 403, 403, 403, 404, 404, 303, 303],
    },
    Route {
        host: PORTAL,
        path: "/fr/espace/organisations/verification",
        expect: NOT_HERE,
    },
    Route {
        host: CM,
        path: "/fr/espace/missions",
        expect: [303, 403, 200, 200, 200, 200, 303, 303],
    },
    Route {
        host: PORTAL,
        path: "/fr/espace/missions",
        expect: NOT_HERE,
    },
    Route {
        host: CM,
        path: "/fr/espace/missions/nouvelle",
        expect: [303, 403, 200, 200, 200, 200, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/missions/verification",
        expect: [303, 403, 403, 403, 200, 200, 303, 303],
    },
    // A mission that is not there: the role is checked first, then 404.
    Route {
        host: CM,
        path: "/fr/espace/missions/999999",
        expect: [303, 403, 404, 404, 404, 404, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/missions/999999/apercu",
        expect: [303, 403, 404, 404, 404, 404, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/compte/jetons",
        expect: SIGNED_IN_ON_CM,
    },
    Route {
        host: CM,
        path: "/fr/compte/favoris",
        expect: SIGNED_IN_ON_CM,
    },
    Route {
        host: CM,
        path: "/fr/compte",
        expect: SIGNED_IN_ON_CM,
    },
    Route {
        host: CM,
        path: "/en/compte",
        expect: SIGNED_IN_ON_CM,
    },
    Route {
        host: CM,
        path: "/fr/compte/profil",
        expect: SIGNED_IN_ON_CM,
    },
    Route {
        host: CM,
        path: "/en/compte/profil",
        expect: SIGNED_IN_ON_CM,
    },
    Route {
        host: CM,
        path: "/fr/compte/emails",
        expect: SIGNED_IN_ON_CM,
    },
    Route {
        host: CM,
        path: "/fr/compte/sejours",
        expect: SIGNED_IN_ON_CM,
    },
    Route {
        host: CM,
        path: "/fr/compte/export",
        expect: SIGNED_IN_ON_CM,
    },
    Route {
        host: CM,
        path: "/fr/compte/suppression",
        expect: SIGNED_IN_ON_CM,
    },
    Route {
        host: PORTAL,
        path: "/fr/compte/suppression",
        expect: [303, 303, 303, 303, 303, 303, 200, 303],
    },
    Route {
        host: PORTAL,
        path: "/fr/compte/emails",
        expect: [303, 303, 303, 303, 303, 303, 200, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/organisation",
        expect: [303, 403, 200, 200, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/ville",
        expect: [303, 403, 403, 403, 200, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays",
        expect: [303, 403, 403, 403, 403, 200, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/villes/nouvelle",
        expect: [303, 403, 403, 403, 403, 200, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/villes/douala",
        expect: [303, 403, 403, 403, 403, 200, 303, 303],
    },
    Route {
        host: SN,
        path: "/fr/espace/pays/villes/douala",
        expect: [303, 303, 303, 303, 303, 303, 303, 403],
    },
    Route {
        host: PORTAL,
        path: "/fr/espace/pays/villes/douala",
        expect: NOT_HERE,
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/journal",
        expect: [303, 403, 403, 403, 403, 200, 303, 303],
    },
    Route {
        host: PORTAL,
        path: "/fr/espace/pays/journal",
        expect: NOT_HERE,
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/moderation",
        expect: [303, 403, 403, 403, 403, 200, 303, 303],
    },
    Route {
        host: PORTAL,
        path: "/fr/espace/pays/moderation",
        expect: NOT_HERE,
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/export/missions.csv",
        expect: [303, 403, 403, 403, 403, 200, 303, 303],
    },
    Route {
        host: PORTAL,
        path: "/fr/espace/pays/export/missions.csv",
        expect: NOT_HERE,
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/statistiques",
        expect: [303, 403, 403, 403, 403, 200, 303, 303],
    },
    Route {
        host: PORTAL,
        path: "/fr/espace/pays/statistiques",
        expect: NOT_HERE,
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/actualites",
        expect: [303, 403, 403, 403, 403, 200, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/actualites/nouvelle",
        expect: [303, 403, 403, 403, 403, 200, 303, 303],
    },
    // A post that is not there: the role is checked first, then 404.
    Route {
        host: CM,
        path: "/fr/espace/pays/actualites/999999",
        expect: [303, 403, 403, 403, 403, 404, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/actualites/999999/supprimer",
        expect: [303, 403, 403, 403, 403, 404, 303, 303],
    },
    Route {
        host: PORTAL,
        path: "/fr/espace/pays/actualites",
        expect: NOT_HERE,
    },
    Route {
        host: PORTAL,
        path: "/fr/actualites",
        expect: NOT_HERE,
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/pages",
        expect: [303, 403, 403, 403, 403, 200, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/pages/a-propos/fr",
        expect: [303, 403, 403, 403, 403, 200, 303, 303],
    },
    // A page the site does not have: the role is checked first, then 404.
    Route {
        host: CM,
        path: "/fr/espace/pays/pages/a-propos/ar",
        expect: [303, 403, 403, 403, 403, 404, 303, 303],
    },
    Route {
        host: PORTAL,
        path: "/fr/espace/pays/pages",
        expect: NOT_HERE,
    },
    Route {
        host: PORTAL,
        path: "/fr/pages/a-propos",
        expect: NOT_HERE,
    },
    Route {
        host: PORTAL,
        path: "/fr/admin/journal",
        expect: [303, 303, 303, 303, 303, 303, 200, 303],
    },
    Route {
        host: PORTAL,
        path: "/fr/admin/comptes",
        expect: [303, 303, 303, 303, 303, 303, 200, 303],
    },
    Route {
        // Without a hand-off token, the same refusal for everyone; the portal has no such page.
        host: CM,
        path: "/fr/espace/entree-staff",
        expect: [410, 410, 410, 410, 410, 410, 410, 410],
    },
    Route {
        host: PORTAL,
        path: "/fr/espace/entree-staff",
        expect: NOT_HERE,
    },
    Route {
        host: PORTAL,
        path: "/fr/admin/journal/export/journal.csv",
        expect: [303, 303, 303, 303, 303, 303, 200, 303],
    },
    Route {
        host: CM,
        path: "/fr/admin/journal/export/journal.csv",
        expect: NOT_HERE,
    },
    Route {
        host: CM,
        path: "/fr/admin/comptes",
        expect: NOT_HERE,
    },
    Route {
        host: CM,
        path: "/fr/admin/journal",
        expect: NOT_HERE,
    },
    Route {
        host: PORTAL,
        path: "/fr/espace/pays/villes/nouvelle",
        expect: NOT_HERE,
    },
    // Request inboxes: a signed-in visitor without that inbox gets a 404.
    Route {
        host: CM,
        path: "/fr/compte/demandes",
        expect: SIGNED_IN_ON_CM,
    },
    Route {
        host: CM,
        path: "/fr/espace/organisation/demandes",
        expect: [303, 404, 200, 200, 404, 404, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/ville/demandes",
        expect: [303, 404, 404, 404, 200, 404, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/demandes",
        expect: [303, 404, 404, 404, 404, 200, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/admin",
        expect: NOT_HERE,
    },
    Route {
        host: PORTAL,
        path: "/fr/admin",
        expect: [303, 303, 303, 303, 303, 303, 200, 303],
    },
    Route {
        host: PORTAL,
        path: "/en/admin",
        expect: [303, 303, 303, 303, 303, 303, 200, 303],
    },
    Route {
        host: PORTAL,
        path: "/fr/compte",
        expect: [303, 303, 303, 303, 303, 303, 200, 303],
    },
    Route {
        host: PORTAL,
        path: "/fr/espace/ville",
        expect: NOT_HERE,
    },
    Route {
        host: PORTAL,
        path: "/fr/espace/pays",
        expect: NOT_HERE,
    },
];

/// Every protected POST route, posted without a CSRF token: the role is checked first
/// (303 anonymous, 403 without the role, 404 on the other kind of site), then the missing
/// token makes it a 403 for those who hold the role. Nothing is ever written.
pub const POST_ROUTES: &[Route] = &[
    // Signed-in members may register an organisation, but not without the form's token.
    Route {
        host: CM,
        path: "/fr/organisations/nouvelle",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/organisations/1/verification",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/organisation/1/membres",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/missions/nouvelle",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/missions/nouvelle/depuis-un-message",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/missions/1",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/missions/1/soumettre",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/missions/1/cloturer",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/missions/1/dupliquer",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/missions/1/decision",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/missions/1/membres/1",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/missions/1/photos/1/retirer",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/missions/1/traductions/en",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/compte/jetons",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/compte/jetons/1/revoquer",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/compte/suppression",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/missions/1-mission/favori",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    // Not a multipart form: refused before anything is read (no token either).
    Route {
        host: CM,
        path: "/fr/espace/missions/1/photos",
        expect: [303, 403, 415, 415, 415, 415, 303, 303],
    },
    // Not a multipart form: refused before anything is read (no token either).
    Route {
        host: CM,
        path: "/fr/espace/organisation/1/logo",
        expect: [303, 403, 415, 415, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/organisation/1/membres/1/retirer",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/compte/profil",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/compte/sejours",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/compte/sejours/1/supprimer",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/compte/emails",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/inviter",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/villes/nouvelle",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/villes/douala",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    // Not a multipart form: refused before anything is read (no token either).
    Route {
        host: CM,
        path: "/fr/espace/pays/villes/douala/photo",
        expect: [303, 403, 403, 403, 403, 415, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/villes/douala/points-focaux",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/villes/douala/points-focaux/retirer",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/villes/douala/retirer",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/villes/douala/remettre",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/actualites/nouvelle",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/actualites/1",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/actualites/1/supprimer",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    // Not a multipart form: refused before anything is read (no token either).
    Route {
        host: CM,
        path: "/fr/espace/pays/actualites/1/photo",
        expect: [303, 403, 403, 403, 403, 415, 303, 303],
    },
    Route {
        host: PORTAL,
        path: "/fr/espace/pays/actualites/nouvelle",
        expect: NOT_HERE,
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/pages/a-propos/fr",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/pages/a-propos/fr/restaurer/1",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/pages/a-propos/fr/par-defaut",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: PORTAL,
        path: "/fr/espace/pays/pages/a-propos/fr",
        expect: NOT_HERE,
    },
    Route {
        host: CM,
        path: "/fr/missions/1/signaler",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/missions/verification/lot",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/organisations/verification/lot",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/moderation/mission/1",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/comptes/1/bloquer",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: CM,
        path: "/fr/espace/pays/comptes/1/debloquer",
        expect: [303, 403, 403, 403, 403, 403, 303, 303],
    },
    Route {
        host: PORTAL,
        path: "/fr/espace/pays/moderation/mission/1",
        expect: NOT_HERE,
    },
    Route {
        host: CM,
        path: "/fr/admin/inviter",
        expect: NOT_HERE,
    },
    Route {
        host: PORTAL,
        path: "/fr/admin/inviter",
        expect: [303, 303, 303, 303, 303, 303, 403, 303],
    },
    Route {
        host: PORTAL,
        path: "/fr/admin/comptes/cm/1/bloquer",
        expect: [303, 303, 303, 303, 303, 303, 403, 303],
    },
    Route {
        host: PORTAL,
        path: "/fr/admin/comptes/cm/1/sessions",
        expect: [303, 303, 303, 303, 303, 303, 403, 303],
    },
    Route {
        host: PORTAL,
        path: "/fr/admin/pays/cm/console",
        expect: [303, 303, 303, 303, 303, 303, 403, 303],
    },
    Route {
        host: CM,
        path: "/fr/admin/pays/cm/console",
        expect: NOT_HERE,
    },
    Route {
        host: CM,
        path: "/fr/admin/comptes/cm/1/sessions",
        expect: NOT_HERE,
    },
    Route {
        host: PORTAL,
        path: "/fr/espace/pays/inviter",
        expect: NOT_HERE,
    },
];

pub fn tenant(app: &TestApp, code: &str) -> Arc<Tenant> {
    app.services.registry.get(code).expect("tenant").clone()
}

/// Creates a verified account with `PASSWORD` on `code` and grants it `roles`.
pub async fn account(
    app: &TestApp,
    code: &str,
    email: &str,
    roles: &[(Role, Option<i64>, Option<i64>)],
) -> i64 {
    let tenant = tenant(app, code);
    let accounts = Accounts::for_tenant(app.services.store.conn(), &tenant);
    let hash = jesuisaupays::commands::hash_password(PASSWORD).expect("hash");
    let email = EmailAddress::parse(email).expect("email");
    let created = accounts
        .create(&email, "Awa Test", &hash, true)
        .await
        .expect("account");
    for (role, city, org) in roles {
        accounts
            .grant(created.id, Grant::new(*role, *city, *org).expect("a grant"))
            .await
            .expect("grant");
    }
    created.id
}

pub async fn staff(app: &TestApp, email: &str) {
    let portal = tenant(app, "portal");
    StaffAccounts::new(app.services.store.conn(), &portal)
        .expect("portal")
        .upsert(
            &EmailAddress::parse(email).expect("email"),
            "Staff",
            &jesuisaupays::commands::hash_password(PASSWORD).expect("hash"),
            false,
        )
        .await
        .expect("staff");
}

/// A browser signed in as `email` on `host`.
pub async fn signed_in<'a>(app: &'a TestApp, host: &str, email: &str) -> Browser<'a> {
    let mut browser = Browser::new(app, host);
    let page = browser.login(email, PASSWORD).await;
    assert_eq!(
        page.status, 303,
        "log-in of {email} on {host}: {}",
        page.body
    );
    browser
}

/// One browser per visitor of `VISITORS`, with the accounts behind them (on demo data).
pub async fn visitors(app: &TestApp) -> Vec<Browser<'_>> {
    let cm = tenant(app, "cm");
    let conn = app.services.store.conn();
    let org = Organisations::for_tenant(conn, &cm)
        .list()
        .await
        .expect("orgs")[0]
        .id;
    let city = Cities::for_tenant(conn, &cm)
        .by_slug("yaounde")
        .await
        .expect("city")
        .expect("yaounde")
        .id;
    account(app, "cm", "membre@example.org", &[]).await;
    account(
        app,
        "cm",
        "redac@example.org",
        &[(Role::OrganisationEditor, None, Some(org))],
    )
    .await;
    account(
        app,
        "cm",
        "admin-org@example.org",
        &[(Role::OrganisationAdmin, None, Some(org))],
    )
    .await;
    account(
        app,
        "cm",
        "point-focal@example.org",
        &[(Role::FocalPoint, Some(city), None)],
    )
    .await;
    account(
        app,
        "cm",
        "operateur@example.org",
        &[(Role::CountryOperator, None, None)],
    )
    .await;
    staff(app, "staff@example.org").await;
    account(app, "sn", "membre-sn@example.org", &[]).await;
    vec![
        Browser::new(app, CM),
        signed_in(app, CM, "membre@example.org").await,
        signed_in(app, CM, "redac@example.org").await,
        signed_in(app, CM, "admin-org@example.org").await,
        signed_in(app, CM, "point-focal@example.org").await,
        signed_in(app, CM, "operateur@example.org").await,
        signed_in(app, PORTAL, "staff@example.org").await,
        signed_in(app, SN, "membre-sn@example.org").await,
    ]
}

#[tokio::test]
async fn every_protected_route_answers_each_visitor_by_role() {
    let app = TestApp::spawn().await;
    let browsers = visitors(&app).await;
    let mut failures = Vec::new();
    // The report form of a public mission of the demo (its id is known only now).
    let cm = tenant(&app, "cm");
    let (id, _) = jsap_store::Missions::for_tenant(app.services.store.conn(), &cm)
        .open_slugs(cm.today())
        .await
        .expect("missions")[0]
        .clone();
    let report: &'static str = format!("/fr/missions/{id}/signaler").leak();
    let mut routes: Vec<(&str, &str, [u16; 8])> =
        ROUTES.iter().map(|r| (r.host, r.path, r.expect)).collect();
    routes.push((CM, report, SIGNED_IN_ON_CM));
    for (host, path, expect) in routes {
        let route = Route { host, path, expect };
        for (i, browser) in browsers.iter().enumerate() {
            // The same cookies, sent to the route's host (sessions are bound to their host).
            let mut visitor = browser.on(route.host);
            let page = visitor.get(route.path).await;
            let want = route.expect[i];
            if page.status != want {
                failures.push(format!(
                    "{} {} as {}: {} (expected {want})",
                    route.host, route.path, VISITORS[i], page.status
                ));
            }
            match page.status {
                // The log-in page, possibly with where to come back after (`?next=`).
                303 => assert!(
                    page.location()
                        .split('?')
                        .next()
                        .is_some_and(|p| p.ends_with("/compte/connexion")),
                    "{} {}: {}",
                    route.host,
                    route.path,
                    page.location()
                ),
                403 => {
                    assert!(
                        page.body.contains("Accès réservé")
                            || page.body.contains("Restricted page")
                    );
                    assert!(page.body.contains("<html"), "a themed page");
                }
                _ => {}
            }
        }
    }
    for route in POST_ROUTES {
        for (i, browser) in browsers.iter().enumerate() {
            let mut visitor = browser.on(route.host);
            let page = visitor
                .post(
                    route.path,
                    &[
                        ("display_name", "Intrus"),
                        ("email", "intrus@example.org"),
                        ("tenant", "cm"),
                    ],
                )
                .await;
            if page.status != route.expect[i] {
                failures.push(format!(
                    "POST {} {} as {}: {} (expected {})",
                    route.host, route.path, VISITORS[i], page.status, route.expect[i]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let conn = app.services.store.conn();
    for code in ["cm", "sn"] {
        let t = tenant(&app, code);
        assert!(
            Invitations::for_tenant(conn, &t)
                .list_of(Role::CountryOperator)
                .await
                .expect("list")
                .is_empty()
        );
        assert_eq!(
            Profiles::for_tenant(conn, &t)
                .count_stays()
                .await
                .expect("stays"),
            0
        );
    }
    app.stop().await.expect("stop");
}

async fn outbox_to(app: &TestApp, code: &str, to: &str) -> Vec<OutboxEmail> {
    Outbox::for_tenant(app.services.store.conn(), &tenant(app, code))
        .list()
        .await
        .expect("outbox")
        .into_iter()
        .filter(|e| e.to == to)
        .collect()
}

fn link_in(email: &OutboxEmail) -> String {
    let start = email
        .text_body
        .find("/invitation/")
        .expect("an invitation link");
    let token: String = email.text_body[start + "/invitation/".len()..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    format!("/fr/invitation/{token}")
}

#[tokio::test]
async fn country_operators_invite_operators_who_accept_and_get_the_role() {
    let app = TestApp::spawn().await;
    account(
        &app,
        "cm",
        "operateur@example.org",
        &[(Role::CountryOperator, None, None)],
    )
    .await;
    account(&app, "cm", "membre@example.org", &[]).await;
    // A member without the role cannot invite: 403, nothing written.
    let mut member = signed_in(&app, CM, "membre@example.org").await;
    let csrf = member.get("/fr/compte").await.csrf();
    let denied = member
        .post(
            "/fr/espace/pays/inviter",
            &[
                ("csrf", &csrf),
                ("display_name", "Intrus"),
                ("email", "intrus@example.org"),
            ],
        )
        .await;
    assert_eq!(denied.status, 403);
    let cm = tenant(&app, "cm");
    let invitations = Invitations::for_tenant(app.services.store.conn(), &cm);
    assert!(
        invitations
            .list_of(Role::CountryOperator)
            .await
            .expect("list")
            .is_empty()
    );

    let mut operator = signed_in(&app, CM, "operateur@example.org").await;
    // Field errors re-render the page.
    let invalid = operator
        .submit(
            "/fr/espace/pays",
            "/fr/espace/pays/inviter",
            &[("display_name", ""), ("email", "pas-une-adresse")],
        )
        .await;
    assert_eq!(invalid.status, 422);
    assert!(invalid.body.contains("aria-invalid=\"true\""));
    // Without CSRF: 403, nothing written.
    let forged = operator
        .post(
            "/fr/espace/pays/inviter",
            &[("display_name", "Binta"), ("email", "binta@example.org")],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(
        invitations
            .list_of(Role::CountryOperator)
            .await
            .expect("list")
            .is_empty()
    );
    let sent = operator
        .submit(
            "/fr/espace/pays",
            "/fr/espace/pays/inviter",
            &[
                ("display_name", "Binta Ndiaye"),
                ("email", "binta@example.org"),
            ],
        )
        .await;
    assert_eq!(sent.status, 303);
    assert_eq!(sent.location(), "/fr/espace/pays?done=invited");
    let page = operator.get("/fr/espace/pays?done=invited").await;
    assert!(page.body.contains("binta@example.org"));
    assert!(page.body.contains("invitation en attente"));
    assert!(
        page.body.contains("Yaoundé"),
        "the tenant's cities are listed"
    );

    let emails = outbox_to(&app, "cm", "binta@example.org").await;
    assert_eq!(emails.len(), 1);
    assert!(
        emails[0].subject.contains("opérateur"),
        "{}",
        emails[0].subject
    );
    assert!(emails[0].text_body.contains("/fr/compte/emails"));
    let link = link_in(&emails[0]);
    // The link belongs to cm only.
    assert_eq!(Browser::new(&app, SN).get(&link).await.status, 404);
    let mut invitee = Browser::new(&app, CM);
    let form = invitee.get(&link).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("opérateur du site"), "{}", form.body);
    let accepted = invitee
        .submit(
            &link,
            &link,
            &[
                ("display_name", "Binta Ndiaye"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("terms", "yes"),
            ],
        )
        .await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    assert_eq!(invitee.get("/fr/espace/pays").await.status, 200);
    // Used once.
    assert_eq!(Browser::new(&app, CM).get(&link).await.status, 410);
    let account = Accounts::for_tenant(app.services.store.conn(), &cm)
        .find_by_email(&EmailAddress::parse("binta@example.org").expect("email"))
        .await
        .expect("find")
        .expect("created");
    let roles = Accounts::for_tenant(app.services.store.conn(), &cm)
        .memberships(account.id)
        .await
        .expect("memberships");
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].role, Role::CountryOperator);
    app.stop().await.expect("stop");
}

#[tokio::test]
async fn staff_see_every_tenant_and_invite_an_operator_for_one() {
    let app = TestApp::spawn().await;
    staff(&app, "staff@example.org").await;
    let mut staff = signed_in(&app, PORTAL, "staff@example.org").await;
    let console = staff.get("/fr/admin").await;
    assert_eq!(console.status, 200);
    for code in ["(cm)", "(sn)", "(ma)"] {
        assert!(console.body.contains(code), "{code}");
    }
    assert!(!console.body.contains("(portal)"));
    let bad = staff
        .submit(
            "/fr/admin",
            "/fr/admin/inviter",
            &[
                ("tenant", "portal"),
                ("display_name", "Moussa"),
                ("email", "moussa@example.org"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Choisissez un site pays."));
    let sent = staff
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
    assert_eq!(sent.status, 303, "{}", sent.body);
    let emails = outbox_to(&app, "sn", "moussa@example.org").await;
    assert_eq!(emails.len(), 1);
    assert!(
        outbox_to(&app, "portal", "moussa@example.org")
            .await
            .is_empty()
    );
    let link = link_in(&emails[0]);
    assert_eq!(Browser::new(&app, SN).get(&link).await.status, 200);
    assert_eq!(Browser::new(&app, CM).get(&link).await.status, 404);
    app.stop().await.expect("stop");
}

#[test]
fn the_invite_command_invites_a_country_operator_without_a_city() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_jesuisaupays"))
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .env("DATA_DIR", dir.path())
            .env("TENANTS_DIR", crate::helpers::repo_root().join("tenants"))
            .env("THEMES_DIR", crate::helpers::repo_root().join("themes"))
            .env("DEMO_DATA", "off")
            .arg("invite")
            .args(args)
            .output()
            .expect("run")
    };
    let args = [
        "--tenant",
        "sn",
        "--role",
        "country-operator",
        "--email",
        "Op@example.org",
    ];
    for _ in 0..2 {
        let out = run(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("op@example.org"));
    }
    let with_city = run(&[
        "--tenant",
        "sn",
        "--role",
        "country-operator",
        "--city",
        "dakar",
        "--email",
        "x@example.org",
    ]);
    assert!(!with_city.status.success());
    assert!(String::from_utf8_lossy(&with_city.stderr).contains("--city"));
    let without_city = run(&["--tenant", "sn", "--email", "x@example.org"]);
    assert!(!without_city.status.success());
    assert!(String::from_utf8_lossy(&without_city.stderr).contains("--city"));
    let portal = run(&[
        "--tenant",
        "portal",
        "--role",
        "country-operator",
        "--email",
        "x@example.org",
    ]);
    assert!(!portal.status.success());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("jesuisaupays.db").display()
        );
        let store = jsap_store::Store::connect(&url).await.expect("store");
        let tenants =
            jsap_tenancy::load_dir(&crate::helpers::repo_root().join("tenants")).expect("tenants");
        let sn = tenants
            .iter()
            .find(|t| t.code.as_str() == "sn")
            .expect("sn");
        let sent: Vec<_> = Outbox::for_tenant(store.conn(), sn)
            .list()
            .await
            .expect("outbox")
            .into_iter()
            .filter(|e| e.to == "op@example.org")
            .collect();
        assert_eq!(sent.len(), 2, "one email per run");
        let invitations = Invitations::for_tenant(store.conn(), sn)
            .list_of(Role::CountryOperator)
            .await
            .expect("list");
        assert_eq!(invitations.len(), 1, "one invitation per email");
        assert_eq!(invitations[0].name, "op");
        store.close().await.expect("close");
    });
}
