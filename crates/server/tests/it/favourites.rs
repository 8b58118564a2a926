//! Favourites: a member saves a mission from its page, finds it in their list, removes it;
//! those who saved a mission are told by email, in their language, when it closes; another
//! site neither sees nor saves a mission of this one. Anonymous visitors share rendered pages.

use crate::helpers::{Browser, Page, TestApp};
use crate::requests::{emails, person, signed_in_elsewhere};
use crate::roles::CM;
use jsap_domain::missions::CloseReason;
use jsap_domain::{EmailAddress, MissionId};
use jsap_store::{Accounts, Favourites, Role};

/// The `/{locale}/missions/{id}-{slug}` paths the search page of `host` links to, first first.
pub(crate) async fn mission_paths(app: &TestApp, host: &str) -> Vec<String> {
    let (status, body) = app.page(host, "/fr/missions").await;
    assert_eq!(status, 200);
    let mut paths: Vec<String> = Vec::new();
    for part in body.split("href=\"/fr/missions/").skip(1) {
        let rest: String = part.chars().take_while(|c| *c != '"').collect();
        let id_slug = rest.split(['?', '#']).next().unwrap_or("");
        let Some((id, slug)) = id_slug.split_once('-') else {
            continue;
        };
        let path = format!("/fr/missions/{id}-{slug}");
        if id.parse::<i64>().is_ok() && !slug.contains('/') && !paths.contains(&path) {
            paths.push(path);
        }
    }
    assert!(!paths.is_empty(), "the demo has public missions on {host}");
    paths
}

/// The id of a mission path.
pub(crate) fn id_of(path: &str) -> i64 {
    path.trim_start_matches("/fr/missions/")
        .split('-')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("an id")
}

async fn account_id(app: &TestApp, code: &str, email: &str) -> i64 {
    let tenant = app.services.registry.get(code).expect("tenant").clone();
    Accounts::for_tenant(app.services.store.conn(), &tenant)
        .find_by_email(&EmailAddress::parse(email).expect("email"))
        .await
        .expect("find")
        .expect("account")
        .id
}

/// A country operator of cm closes mission `id` (cancelled).
async fn close_as_operator(app: &TestApp, id: i64) {
    person(
        app,
        "op@example.org",
        "Opératrice",
        &[(Role::CountryOperator, None, None)],
    )
    .await;
    let cm = app.services.registry.get("cm").expect("cm").clone();
    let operator = Accounts::for_tenant(app.services.store.conn(), &cm)
        .find(account_id(app, "cm", "op@example.org").await)
        .await
        .expect("find")
        .expect("operator");
    jsap_app::missions::close(
        &app.scope(&cm),
        &operator,
        MissionId(id),
        CloseReason::Cancelled,
    )
    .await
    .expect("close")
    .expect("closed");
}

/// `who` saves `mission` through the form of its page; the answer to the post.
pub(crate) async fn save(who: &mut Browser<'_>, mission: &str) -> Page {
    let page = who.get(mission).await;
    who.post(
        &format!("{mission}/favori"),
        &[("csrf", &page.csrf()), ("action", "save")],
    )
    .await
}

#[tokio::test]
async fn a_member_saves_a_mission_finds_it_in_their_list_and_removes_it() {
    let app = TestApp::spawn().await;
    let paths = mission_paths(&app, CM).await;
    let mission = &paths[0];
    let action = format!("{mission}/favori");

    // A visitor's heart leads to the log-in page, which brings them back to the heart.
    let mut visitor = Browser::new(&app, CM);
    let page = visitor.get(mission).await;
    assert_eq!(page.status, 200);
    let login = format!("/fr/compte/connexion?next={}", action.replace('/', "%2F"));
    assert!(page.body.contains(&login), "{login} in the mission page");
    assert!(!page.body.contains(&format!("action=\"{action}\"")));
    let refused = visitor.post(&action, &[("action", "save")]).await;
    assert_eq!(refused.status, 303);
    assert!(refused.location().starts_with("/fr/compte/connexion?next="));

    let mut awa = person(&app, "awa@example.org", "Awa", &[]).await;
    let back = awa.get(&action).await;
    assert_eq!(
        (back.status, back.location()),
        (303, format!("{mission}#favori").as_str())
    );
    let page = awa.get(mission).await;
    assert!(page.body.contains(&format!("action=\"{action}\"")));
    assert!(page.body.contains("name=\"action\" value=\"save\""));
    assert!(page.body.contains("aria-pressed=\"false\""));
    let csrf = page.csrf();

    // Without the form's token: refused, nothing saved.
    assert_eq!(awa.post(&action, &[("action", "save")]).await.status, 403);
    let list = awa.get("/fr/compte/favoris").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("encore enregistré aucune mission"));

    // Saved (twice: still once), confirmed on the mission's page.
    for _ in 0..2 {
        let saved = awa
            .post(&action, &[("csrf", &csrf), ("action", "save")])
            .await;
        assert_eq!(saved.status, 303);
        assert_eq!(saved.location(), format!("{mission}?done=saved#favori"));
    }
    let page = awa.get(&format!("{mission}?done=saved")).await;
    assert!(
        page.body
            .contains("Mission enregistrée : vous la retrouverez")
    );
    assert!(page.body.contains("name=\"action\" value=\"remove\""));
    assert!(page.body.contains("aria-pressed=\"true\""));
    let list = awa.get("/fr/compte/favoris").await;
    assert!(
        list.body.contains("Missions enregistrées : 1"),
        "{}",
        list.body
    );
    assert!(list.body.contains(&format!("href=\"{mission}\"")));
    assert!(!list.body.contains("Terminée"));

    // A bad action, an unknown mission: refused.
    let bad = awa
        .post(&action, &[("csrf", &csrf), ("action", "like")])
        .await;
    assert_eq!(bad.status, 400);
    let unknown = awa
        .post(
            "/fr/missions/999999-x/favori",
            &[("csrf", &csrf), ("action", "save")],
        )
        .await;
    assert_eq!(unknown.status, 404);

    // Removed from the list: back to the list, empty again.
    let list = awa.get("/fr/compte/favoris").await;
    let removed = awa
        .post(
            &action,
            &[
                ("csrf", &list.csrf()),
                ("action", "remove"),
                ("from", "list"),
            ],
        )
        .await;
    assert_eq!(
        (removed.status, removed.location()),
        (303, "/fr/compte/favoris?done=removed")
    );
    let list = awa.get("/fr/compte/favoris?done=removed").await;
    assert!(
        list.body
            .contains("Mission retirée de vos missions enregistrées.")
    );
    assert!(list.body.contains("encore enregistré aucune mission"));
    assert_eq!(awa.get("/fr/compte/favoris?page=2").await.status, 404);
    assert_eq!(
        awa.get("/fr/compte/favoris?page=99999999999999999")
            .await
            .status,
        404,
        "an absurd page is a 404, not an overflow"
    );
}

/// Another site: its members cannot save this site's missions (404) and see none of what
/// this site's members saved, even under the same address.
#[tokio::test]
async fn another_site_neither_saves_nor_sees_this_sites_favourites() {
    let app = TestApp::spawn().await;
    let paths = mission_paths(&app, CM).await;
    let mission = &paths[0];
    let mut awa = person(&app, "awa@example.org", "Awa", &[]).await;
    assert_eq!(save(&mut awa, mission).await.status, 303);

    let mut sn = signed_in_elsewhere(&app, "awa@example.org").await;
    let home = sn.get("/fr/compte/favoris").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("encore enregistré aucune mission"));
    let refused = sn
        .post(
            &format!("{mission}/favori"),
            &[("csrf", &home.csrf()), ("action", "save")],
        )
        .await;
    assert_eq!(refused.status, 404, "a mission of cm is no mission of sn");

    // In the store: cm holds the favourite, sn holds none for the same mission or member.
    let cm = app.services.registry.get("cm").expect("cm").clone();
    let sn_tenant = app.services.registry.get("sn").expect("sn").clone();
    let conn = app.services.store.conn();
    let cm_awa = account_id(&app, "cm", "awa@example.org").await;
    let sn_awa = account_id(&app, "sn", "awa@example.org").await;
    let id = id_of(mission);
    assert!(
        Favourites::for_tenant(conn, &cm)
            .holds(cm_awa, id)
            .await
            .expect("holds")
    );
    let of_sn = Favourites::for_tenant(conn, &sn_tenant);
    assert!(!of_sn.holds(cm_awa, id).await.expect("holds"));
    assert_eq!(of_sn.savers(id).await.expect("savers"), vec![]);
    assert_eq!(
        of_sn
            .of_member(cm_awa, "fr", 1, 20)
            .await
            .expect("list")
            .total,
        0
    );
    assert_eq!(
        of_sn
            .of_member(sn_awa, "fr", 1, 20)
            .await
            .expect("list")
            .total,
        0
    );
}

/// When a saved mission closes, each member who saved it gets one email in the language of
/// the page they saved it on, and their list shows it closed, without a link.
#[tokio::test]
async fn members_who_saved_a_mission_are_told_when_it_closes() {
    let app = TestApp::spawn().await;
    let paths = mission_paths(&app, CM).await;
    let mission = &paths[0];
    let id = id_of(mission);
    let mut awa = person(&app, "awa@example.org", "Awa", &[]).await;
    let mut ben = person(&app, "ben@example.org", "Ben", &[]).await;
    assert_eq!(save(&mut awa, mission).await.status, 303);
    let english = mission.replacen("/fr/", "/en/", 1);
    assert_eq!(ben.get(&english).await.status, 200);
    let en = save(&mut ben, &english).await;
    assert_eq!(
        (en.status, en.location()),
        (303, format!("{english}?done=saved#favori").as_str())
    );

    let before = emails(&app, "cm").await.len();
    close_as_operator(&app, id).await;

    let told: Vec<_> = emails(&app, "cm")
        .await
        .into_iter()
        .skip(before)
        .filter(|e| e.kind == "favourite_closed")
        .collect();
    assert_eq!(told.len(), 2, "one email to each saver");
    let to_awa = told
        .iter()
        .find(|e| e.to == "awa@example.org")
        .expect("awa");
    assert!(
        to_awa.subject.contains("a été annulée"),
        "{}",
        to_awa.subject
    );
    assert!(to_awa.text_body.contains("/fr/compte/favoris"));
    let to_ben = told
        .iter()
        .find(|e| e.to == "ben@example.org")
        .expect("ben");
    assert!(
        to_ben.subject.contains("was cancelled"),
        "{}",
        to_ben.subject
    );
    assert!(to_ben.text_body.contains("/en/compte/favoris"));

    let list = awa.get("/fr/compte/favoris").await;
    assert!(list.body.contains("Terminée"));
    assert!(!list.body.contains(&format!("href=\"{mission}\"")));
}

/// On the search page a signed-in member's cards carry a heart that saves the mission and
/// brings them back to the same results, at the card; a visitor's cards carry none, and a
/// `back` outside this site is ignored.
#[tokio::test]
async fn a_cards_heart_saves_from_the_results_and_comes_back_to_them() {
    let app = TestApp::spawn().await;
    let paths = mission_paths(&app, CM).await;
    let mission = &paths[0];
    let id = id_of(mission);
    let (_, anonymous) = app.page(CM, "/fr/missions").await;
    assert!(!anonymous.contains("card-heart"));

    let mut awa = person(&app, "awa@example.org", "Awa", &[]).await;
    let results = awa.get("/fr/missions?sort=recent").await;
    assert!(
        results
            .body
            .contains(&format!("action=\"{mission}/favori\""))
    );
    assert!(
        results
            .body
            .contains("name=\"back\" value=\"/fr/missions?sort=recent\"")
    );
    let csrf = results.csrf();
    let saved = awa
        .post(
            &format!("{mission}/favori"),
            &[
                ("csrf", &csrf),
                ("action", "save"),
                ("back", "/fr/missions?sort=recent"),
            ],
        )
        .await;
    assert_eq!(
        (saved.status, saved.location()),
        (303, format!("/fr/missions?sort=recent#m-{id}").as_str())
    );
    let results = awa.get("/fr/missions?sort=recent").await;
    let card = results
        .body
        .split(&format!("id=\"m-{id}\""))
        .nth(1)
        .expect("the card")
        .split("</article>")
        .next()
        .expect("its end")
        .to_owned();
    assert!(card.contains("aria-pressed=\"true\""), "{card}");
    assert!(card.contains("name=\"action\" value=\"remove\""));

    let elsewhere = awa
        .post(
            &format!("{mission}/favori"),
            &[
                ("csrf", &csrf),
                ("action", "remove"),
                ("back", "https://evil.example/fr/missions"),
            ],
        )
        .await;
    assert_eq!(
        (elsewhere.status, elsewhere.location()),
        (303, format!("{mission}?done=removed#favori").as_str())
    );
}

#[tokio::test]
async fn anonymous_visitors_share_search_pages_and_members_get_their_own() {
    let app = TestApp::spawn().await;
    let paths = mission_paths(&app, CM).await;
    let mission = &paths[0];
    let search = "/fr/missions";

    // Two anonymous visits: the same page, with no heart form and no token in it.
    let first = Browser::new(&app, CM).get(search).await;
    let again = Browser::new(&app, CM).get(search).await;
    assert_eq!((first.status, again.status), (200, 200));
    assert_eq!(first.body, again.body, "the shared page");
    assert!(!first.body.contains("class=\"card-heart\""));
    assert!(!first.body.contains("name=\"csrf\""));

    // A member who saved a mission sees their own page: hearts, their token, "saved".
    let mut awa = person(&app, "awa@example.org", "Awa", &[]).await;
    assert_eq!(save(&mut awa, mission).await.status, 303);
    let own = awa.get(search).await;
    assert!(own.body.contains("class=\"card-heart\""));
    assert!(
        own.body.contains("aria-pressed=\"true\""),
        "her saved mission"
    );
    assert!(own.body.contains(&own.csrf()));
    // The anonymous page did not take any of it.
    let later = Browser::new(&app, CM).get(search).await;
    assert!(!later.body.contains("class=\"card-heart\""));
    assert!(!later.body.contains(&own.csrf()));

    // The same address on another site is that site's page.
    let senegal = Browser::new(&app, crate::roles::SN).get(search).await;
    assert_eq!(senegal.status, 200);
    assert!(!senegal.body.contains(mission.as_str()));
    assert_ne!(senegal.body, first.body);
}

#[tokio::test]
async fn anonymous_visitors_share_mission_pages_until_the_mission_changes() {
    let app = TestApp::spawn().await;
    let paths = mission_paths(&app, CM).await;
    let mission = &paths[0];

    // Two anonymous visits: the same page, its heart a link to the log-in page, no token.
    let first = Browser::new(&app, CM).get(mission).await;
    let again = Browser::new(&app, CM).get(mission).await;
    assert_eq!((first.status, again.status), (200, 200));
    assert_eq!(first.body, again.body, "the shared page");
    assert!(first.body.contains("/fr/compte/connexion?next="));
    assert!(!first.body.contains("name=\"csrf\""));

    // A member's page is her own: her token, her saved heart, her notice.
    let mut awa = person(&app, "awa@example.org", "Awa", &[]).await;
    assert_eq!(save(&mut awa, mission).await.status, 303);
    let own = awa.get(&format!("{mission}?done=saved")).await;
    assert!(
        own.body.contains("aria-pressed=\"true\""),
        "her saved mission"
    );
    assert!(own.body.contains(&own.csrf()));
    let later = Browser::new(&app, CM).get(mission).await;
    assert_eq!(later.body, first.body, "the anonymous page took none of it");
    assert!(!later.body.contains(&own.csrf()));

    // The same address on another site is that site's answer, not this site's page.
    let senegal = Browser::new(&app, crate::roles::SN).get(mission).await;
    let start = first.body.find("<h1>").expect("title");
    let title = &first.body[start..start + first.body[start..].find("</h1>").expect("end")];
    assert!(!senegal.body.contains(title), "{title} on sn");

    // Once the mission closes, no one is served the shared page any more.
    close_as_operator(&app, id_of(mission)).await;
    assert_eq!(Browser::new(&app, CM).get(mission).await.status, 404);
}
