//! The public pages over HTTP: search, mission, city, organisation, sitemap and robots, and
//! what one country's host must never show of another's.

use crate::helpers::TestApp;
use jsap_store::AcrossTenants;

/// The first `/{locale}/missions/{id}-{slug}` link of a page.
fn first_mission_link(body: &str, locale: &str) -> String {
    let marker = format!("href=\"/{locale}/missions/");
    let start = body.find(&marker).expect("a mission link") + 6;
    body[start..].chars().take_while(|c| *c != '"').collect()
}

fn results_heading(body: &str) -> String {
    let start = body.find("id=\"results-title\"").expect("results heading");
    let from = body[start..].find('>').expect(">") + start + 1;
    body[from..].chars().take_while(|c| *c != '<').collect()
}

#[tokio::test]
async fn search_page_filters_paginates_and_keeps_the_url_shareable() {
    let app = TestApp::spawn().await;
    let (status, body) = app.page("jesuisaucameroun.com", "/fr/missions").await;
    assert_eq!(status, 200);
    assert_eq!(results_heading(&body), "60 missions trouvées");
    assert_eq!(
        body.matches("<article class=\"card\" id=").count(),
        12,
        "12 per page"
    );
    assert!(body.contains("href=\"/fr/missions?page=2\""), "pagination");
    let (_, page5) = app
        .page("jesuisaucameroun.com", "/fr/missions?page=5")
        .await;
    assert_eq!(page5.matches("<article class=\"card\" id=").count(), 12);
    assert!(!page5.contains("rel=\"next\""), "last page");

    let (status, body) = app
        .page(
            "jesuisaucameroun.com",
            "/fr/missions?city=douala&city=kribi&tab=distance",
        )
        .await;
    assert_eq!(status, 200);
    assert!(body.contains("name=\"city\" value=\"douala\" checked"));
    assert!(body.contains("name=\"tab\" value=\"distance\""));
    assert!(
        body.contains("href=\"/en/missions?city=douala&amp;city=kribi&amp;tab=distance\""),
        "language switch keeps the search"
    );
    let count: u64 = results_heading(&body)
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    assert!(count <= 12, "remote missions in two cities: {count}");

    let (_, body) = app
        .page("jesuisaucameroun.com", "/fr/missions?q=ecole")
        .await;
    let with_accent = app
        .page("jesuisaucameroun.com", "/fr/missions?q=%C3%89COLE")
        .await
        .1;
    assert_eq!(results_heading(&body), results_heading(&with_accent));
    assert!(!results_heading(&body).starts_with('0'));
}

#[tokio::test]
async fn bad_search_parameters_get_a_400_that_names_them() {
    let app = TestApp::spawn().await;
    for (query, param) in [
        ("domain=astrologie", "domain"),
        ("from=demain", "from"),
        ("from=2027-02-01&to=2027-01-01", "to"),
        ("city=paris", "city"),
        ("page=-1", "page"),
    ] {
        let (status, body) = app
            .page("jesuisaucameroun.com", &format!("/fr/missions?{query}"))
            .await;
        assert_eq!(status, 400, "{query}");
        assert!(body.contains(&format!("« {param} »")), "{query}: {body}");
        assert!(body.contains("role=\"alert\""));
    }
    let (status, body) = app
        .page("jesuisaucameroun.com", "/fr/missions?q=zzzzqqq")
        .await;
    assert_eq!(status, 200);
    assert!(body.contains("Aucune mission ne correspond"), "empty state");
    assert!(body.contains("Effacer tous les filtres"));
}

#[tokio::test]
async fn mission_page_has_its_facts_contact_share_links_and_metadata() {
    let app = TestApp::spawn().await;
    let (_, list) = app.page("jesuisaucameroun.com", "/fr/missions").await;
    let link = first_mission_link(&list, "fr");
    let (status, body) = app.page("jesuisaucameroun.com", &link).await;
    assert_eq!(status, 200);
    assert!(body.contains(&format!(
        "<link rel=\"canonical\" href=\"https://jesuisaucameroun.com{link}\">"
    )));
    assert!(body.contains(&format!(
        "hreflang=\"en\" href=\"https://jesuisaucameroun.com{}\"",
        link.replacen("/fr/", "/en/", 1)
    )));
    assert!(body.contains("property=\"og:title\"") && body.contains("name=\"twitter:card\""));
    assert!(
        body.contains("<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\"")
    );
    assert!(body.contains("href=\"https://wa.me/?text="));
    assert!(body.contains("Responsable diaspora") && body.contains("@jesuisaucameroun.com"));
    assert!(body.contains("Validé par Je suis au Cameroun"));
    assert!(body.contains("Missions similaires"));

    let id = link
        .trim_start_matches("/fr/missions/")
        .split('-')
        .next()
        .expect("id");
    let response = app
        .get(
            "jesuisaucameroun.com",
            &format!("/fr/missions/{id}-old-title"),
        )
        .await;
    assert_eq!(response.status(), 301);
    assert_eq!(response.headers()["location"], link.as_str());
    assert_eq!(
        app.page("jesuisaucameroun.com", "/fr/missions/999999999-x")
            .await
            .0,
        404
    );
    assert_eq!(
        app.page("jesuisaucameroun.com", "/fr/missions/abc").await.0,
        404
    );
}

#[tokio::test]
async fn a_senegal_host_never_shows_a_cameroon_mission_city_or_organisation() {
    let app = TestApp::spawn().await;
    let (_, list) = app.page("jesuisaucameroun.com", "/fr/missions").await;
    let link = first_mission_link(&list, "fr");
    assert_eq!(
        app.page("jesuisausenegal.com", &link).await.0,
        404,
        "mission by id"
    );
    let id = link
        .trim_start_matches("/fr/missions/")
        .split('-')
        .next()
        .expect("id");
    assert_eq!(
        app.page("jesuisausenegal.com", &format!("/fr/missions/{id}"))
            .await
            .0,
        404
    );
    assert_eq!(
        app.page("jesuisausenegal.com", "/fr/villes/douala").await.0,
        404,
        "city"
    );
    assert_eq!(
        app.page("jesuisausenegal.com", "/fr/organisations/mairie-de-douala")
            .await
            .0,
        404,
        "organisation"
    );
    let (_, search) = app
        .page("jesuisausenegal.com", "/fr/missions?q=douala")
        .await;
    assert!(!search.contains("Douala"), "search");
    let (_, sitemap) = app.page("jesuisausenegal.com", "/sitemap.xml").await;
    assert!(
        !sitemap.contains("jesuisaucameroun") && !sitemap.contains(&format!("/missions/{id}-")),
        "sitemap"
    );
    let (status, _) = app
        .page("jesuisausenegal.com", "/fr/missions?city=douala")
        .await;
    assert_eq!(status, 400, "a Cameroon city is unknown in Senegal");
}

#[tokio::test]
async fn city_and_organisation_pages_list_their_missions() {
    let app = TestApp::spawn().await;
    let (status, body) = app.page("jesuisaucameroun.com", "/fr/villes/douala").await;
    assert_eq!(status, 200);
    assert!(body.contains("<h1>Douala</h1>"));
    assert!(body.contains("https://www.openstreetmap.org/?mlat=4.04827&amp;mlon=9.70428"));
    assert!(body.contains("pf.douala@jesuisaucameroun.com"));
    assert!(body.matches("<article class=\"card\" id=").count() >= 1);
    assert!(body.contains("href=\"/fr/organisations/mairie-de-douala\""));
    let (status, body) = app
        .page("jesuisaucameroun.com", "/fr/organisations/mairie-de-douala")
        .await;
    assert_eq!(status, 200);
    assert!(body.contains("<h1>Mairie de Douala</h1>") && body.contains("Organisation vérifiée"));
    assert_eq!(
        app.page("jesuisaucameroun.com", "/fr/villes/paris").await.0,
        404
    );
    assert_eq!(
        app.page("jesuisaucameroun.com", "/fr/organisations/nope")
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn sitemap_and_robots_use_the_canonical_domain_only() {
    let app = TestApp::spawn().await;
    let response = app.get("cm.localhost:8080", "/sitemap.xml").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("application/xml")
    );
    let sitemap = response.text().await.expect("body");
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().unwrap_or(""))
        .collect();
    assert!(locs.len() > 60 * 2, "missions in fr and en: {}", locs.len());
    assert!(
        locs.iter()
            .all(|l| l.starts_with("https://jesuisaucameroun.com/")),
        "canonical only"
    );
    assert!(locs.contains(&"https://jesuisaucameroun.com/en/villes/kribi"));
    assert!(sitemap.contains("hreflang=\"fr\""));
    let (_, robots) = app.page("www.jesuisaucameroun.com", "/robots.txt").await;
    assert!(robots.is_empty(), "aliases redirect, even for robots.txt");
    let (status, robots) = app.page("jesuisaucameroun.com", "/robots.txt").await;
    assert_eq!(status, 200);
    assert!(robots.contains("Sitemap: https://jesuisaucameroun.com/sitemap.xml"));
}

#[tokio::test]
async fn arabic_pages_are_right_to_left_with_arabic_text() {
    let app = TestApp::spawn().await;
    let (_, list) = app.page("jesuisaumaroc.com", "/ar/missions").await;
    assert!(list.contains("dir=\"rtl\""));
    let link = first_mission_link(&list, "ar");
    let (status, body) = app.page("jesuisaumaroc.com", &link).await;
    assert_eq!(status, 200);
    assert!(body.contains("<html lang=\"ar\" dir=\"rtl\">"));
    // The text is in the page's language: it inherits `lang="ar"`, with no note.
    assert!(body.contains("<article class=\"mission\">"));
    assert!(!body.contains("lang-note"));
    assert!(body.contains("المهمة"), "Arabic labels");
}

#[tokio::test]
async fn the_portal_searches_every_country_and_links_to_their_domains() {
    let app = TestApp::spawn().await;
    let (status, body) = app.page("localhost", "/fr/missions?q=ecole").await;
    assert_eq!(status, 200);
    for domain in [
        "https://jesuisaucameroun.com/fr/missions/",
        "https://jesuisausenegal.com/fr/missions/",
    ] {
        assert!(
            body.contains(&format!("href=\"{domain}")),
            "portal links to {domain}"
        );
    }
    assert!(body.contains("href=\"https://jesuisaucameroun.com/fr/missions?q=ecole\""));
    // Each site is searched in its own language: French "ecole" finds the six French-speaking
    // sites, not the English-only Gambian one, which "school" finds.
    assert!(
        body.contains("dans 6 pays"),
        "six countries have school missions in French"
    );
    assert!(!body.contains("jesuisengambie.com"));
    let (_, english) = app.page("localhost", "/en/missions?q=school").await;
    assert!(english.contains("href=\"https://jesuisengambie.com/en/missions/"));
    let (_, nothing) = app.page("localhost", "/fr/missions?q=zzzzqqq").await;
    assert!(nothing.contains("0 missions dans 0 pays"));
    let (_, home) = app.page("localhost", "/fr/").await;
    assert!(
        home.contains("action=\"/fr/missions\""),
        "the portal home has the search form"
    );
}

/// A card's lines are in the card's language: on the French portal the Gambian site's cards
/// (`lang="en"`) say "On site", "From ... to ..." and "By ...", around a French page.
#[tokio::test]
async fn portal_cards_speak_their_sites_language() {
    let app = TestApp::spawn().await;
    let (_, body) = app.page("localhost", "/fr/missions?q=water").await;
    let start = body
        .find("<div class=\"cards\" lang=\"en\">")
        .expect("Gambian cards");
    let cards = &body[start..start + body[start..].find("</section>").expect("end")];
    for line in [
        "<p class=\"meta\">From ",
        "<p class=\"meta\">By ",
        ">On site<",
    ] {
        assert!(cards.contains(line), "{line} in {cards}");
    }
    for french in ["meta\">Du ", "meta\">Par ", ">Sur place<", ">À distance<"] {
        assert!(!cards.contains(french), "{french} in {cards}");
    }
    assert!(
        body[..start].contains("missions dans 1 pays"),
        "a French page"
    );
}

#[tokio::test]
async fn mission_photos_are_shown_sized_and_served_to_their_tenant_only() {
    let app = TestApp::spawn().await;
    let (_, list) = app.page("jesuisaucameroun.com", "/fr/missions").await;
    let link = first_mission_link(&list, "fr");
    let (status, body) = app.page("jesuisaucameroun.com", &link).await;
    assert_eq!(status, 200);
    // The photo list: a sized image with alternative text, and the share image tags.
    let start = body
        .find("<ul class=\"photos\"")
        .expect("photos on the mission page");
    let img = &body[start..body[start..].find("</ul>").expect("end") + start];
    assert!(img.contains("width=\"640\" height=\"360\""), "{img}");
    assert!(!img.contains("alt=\"\""), "{img}");
    let src = img
        .split("src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("src")
        .to_owned();
    assert!(src.starts_with("/media/photos/"), "{src}");
    assert!(body.contains(&format!(
        "<meta property=\"og:image\" content=\"https://jesuisaucameroun.com{src}\">"
    )));
    assert!(body.contains("content=\"summary_large_image\""));

    let photo = app.get("jesuisaucameroun.com", &src).await;
    assert_eq!(photo.status(), 200);
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    assert!(
        photo.headers()["cache-control"]
            .to_str()
            .expect("ascii")
            .contains("immutable")
    );
    assert!(
        photo.headers()["content-security-policy"]
            .to_str()
            .expect("ascii")
            .starts_with("default-src 'none'")
    );
    assert!(
        photo
            .bytes()
            .await
            .expect("body")
            .starts_with(&[0xFF, 0xD8]),
        "a JPEG made by the photo pipeline"
    );

    // Another country's host, an unknown key and a path escape are all 404.
    for (host, path) in [
        ("jesuisausenegal.com", src.as_str()),
        (
            "jesuisaucameroun.com",
            "/media/photos/00000000000000000000.svg",
        ),
        ("jesuisaucameroun.com", "/media/photos/../../test.db"),
    ] {
        assert_eq!(app.get(host, path).await.status(), 404, "{host}{path}");
    }
}

/// The number in "(N)" after a country's name on the portal's search page.
fn portal_count(body: &str, site: &str) -> Option<u64> {
    let at = body.find(&format!(">{site}</span>"))?;
    let rest = &body[at..];
    let open = rest.find('(')?;
    let close = rest.find(')')?;
    rest[open + 1..close].parse().ok()
}

/// The number of results a country's search page announces.
fn result_count(body: &str) -> u64 {
    if body.contains("1 mission trouvée") {
        return 1;
    }
    let at = body.find(" missions trouvées").expect("result count");
    body[..at]
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .expect("number")
}

#[tokio::test]
async fn the_portal_search_filters_every_country_like_their_own_search() {
    let app = TestApp::spawn().await;
    let query = "domain=sante&contribution=don-financier&from=2027-01-01&to=2027-12-31";
    let (status, portal) = app
        .page("localhost", &format!("/fr/missions?{query}"))
        .await;
    assert_eq!(status, 200);
    // The form keeps the chosen filters.
    assert!(portal.contains("<option value=\"sante\" selected>"));
    assert!(portal.contains("value=\"2027-01-01\""));
    // Each country's count is what its own search page finds with the same filters, and the
    // link carries them there.
    let (_, cameroon) = app
        .page("jesuisaucameroun.com", &format!("/fr/missions?{query}"))
        .await;
    let expected = result_count(&cameroon);
    assert!(expected > 0);
    assert_eq!(portal_count(&portal, "Je suis au Cameroun"), Some(expected));
    assert!(portal.contains(
        "href=\"https://jesuisaucameroun.com/fr/missions?from=2027-01-01&amp;to=2027-12-31&amp;domain=sante&amp;contribution=don-financier\""
    ));

    // A city belongs to one country: the others have no result.
    let (_, douala) = app.page("localhost", "/fr/missions?city=douala").await;
    assert!(douala.contains("dans 1 pays"), "only Cameroon has Douala");
    assert!(douala.contains("href=\"https://jesuisaucameroun.com/fr/missions?city=douala\""));

    // Remote only.
    let (_, remote) = app.page("localhost", "/fr/missions?tab=distance").await;
    assert!(
        remote.contains("id=\"tab\" name=\"tab\" type=\"checkbox\" value=\"distance\" checked")
    );
    assert!(remote.contains("missions?tab=distance\""));

    // A bad value is refused with its name, and the page still works.
    let (status, bad) = app.page("localhost", "/fr/missions?from=2027-13-01").await;
    assert_eq!(status, 400);
    assert!(bad.contains("« from »"), "the error names the parameter");
    assert!(bad.contains("aria-invalid=\"true\""));
}

/// A remote mission without a window is not tied to a stay: its card and its page say so
/// instead of showing dates.
#[tokio::test]
async fn a_remote_mission_without_a_window_says_it_fits_any_time() {
    let app = TestApp::spawn().await;
    let backend = app.services.store.conn().get_database_backend();
    let one =
        "(SELECT id FROM missions WHERE tenant_id = 'cm' AND remote = (1 = 1) ORDER BY id LIMIT 1)";
    for sql in [
        format!("UPDATE missions SET flexible = (1 = 1) WHERE id = {one}"),
        "UPDATE tenants SET catalogue_version = catalogue_version + 1 WHERE code = 'cm'".to_owned(),
    ] {
        use jsap_store::ConnectionTrait;
        app.services
            .store
            .conn()
            .across_tenants()
            .execute_raw(jsap_store::Statement::from_string(backend, sql))
            .await
            .expect("update");
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let anytime = "À distance, quand vous voulez : hors de toute date de séjour";
    let (_, list) = app
        .page(
            "jesuisaucameroun.com",
            "/fr/missions?tab=distance&per_page=50",
        )
        .await;
    assert_eq!(list.matches(anytime).count(), 1, "one card says so");
    let start = list.find(anytime).expect("the card");
    let card = &list[list[..start].rfind("<article").expect("card start")..start];
    let link = card
        .split("class=\"card-title\"><a href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("link");
    let (status, page) = app.page("jesuisaucameroun.com", link).await;
    assert_eq!(status, 200);
    assert!(page.contains(anytime), "the mission page too");
}

/// A mission written in French only, on the English site: its card and page show the French
/// text marked as French (`lang`, `dir`, "(in French)") instead of an empty title; the French
/// site shows it unmarked.
#[tokio::test]
async fn a_text_in_another_language_is_shown_and_marked_with_its_language() {
    use jsap_store::ConnectionTrait;
    let app = TestApp::spawn().await;
    let conn = app.services.store.conn();
    let backend = conn.get_database_backend();
    let row = conn
        .across_tenants()
        .query_one_raw(jsap_store::Statement::from_string(
            backend,
            "SELECT CAST(m.id AS TEXT), m.slug, t.title FROM missions m JOIN mission_texts t \
             ON t.mission_id = m.id AND t.locale = 'fr' WHERE m.tenant_id = 'cm' \
             AND m.status = 'published' ORDER BY m.id LIMIT 1"
                .to_owned(),
        ))
        .await
        .expect("query")
        .expect("a mission");
    let id: String = row.try_get_by_index(0).expect("id");
    let slug: String = row.try_get_by_index(1).expect("slug");
    let title: String = row.try_get_by_index(2).expect("title");
    for sql in [
        format!("DELETE FROM mission_texts WHERE mission_id = {id} AND locale = 'en'"),
        "UPDATE tenants SET catalogue_version = catalogue_version + 1 WHERE code = 'cm'".to_owned(),
    ] {
        conn.across_tenants()
            .execute_raw(jsap_store::Statement::from_string(backend, sql))
            .await
            .expect("update");
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let escaped = title.replace('\'', "&#x27;");
    let (_, list) = app
        .page("jesuisaucameroun.com", "/en/missions?per_page=50&sort=date")
        .await;
    let link = format!(
        "href=\"/en/missions/{id}-{slug}\" lang=\"fr\" dir=\"ltr\">{escaped}</a> <span class=\"lang-note\">(in French)</span>"
    );
    assert!(list.contains(&link), "the card, marked: {link}");
    assert_eq!(list.matches("(in French)").count(), 1, "only that card");
    let (status, page) = app
        .page("jesuisaucameroun.com", &format!("/en/missions/{id}-{slug}"))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("<h1><span lang=\"fr\" dir=\"ltr\">{escaped}</span> <span class=\"lang-note\">(in French)</span></h1>")), "{page}");
    assert!(
        page.contains("<p lang=\"fr\" dir=\"ltr\">"),
        "the description too"
    );
    let (_, french) = app
        .page("jesuisaucameroun.com", &format!("/fr/missions/{id}-{slug}"))
        .await;
    assert!(
        !french.contains("lang-note"),
        "in its own language, unmarked"
    );
}

/// A focal point is named in the page's language: on the English and Arabic pages, the role
/// is no longer the French "Point focal diaspora" (the tenant file names it per language), and
/// the English-only Gambian site names it in English.
#[tokio::test]
async fn focal_points_are_named_in_the_language_of_the_page() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            "jesuisaucameroun.com",
            "/en/villes/douala",
            "Diaspora focal point — Douala",
        ),
        (
            "jesuisaucameroun.com",
            "/fr/villes/douala",
            "Point focal diaspora — Douala",
        ),
        (
            "jesuisaumaroc.com",
            "/ar/villes/casablanca",
            "نقطة الاتصال بالجالية — الدار البيضاء",
        ),
        (
            "jesuisengambie.com",
            "/en/villes/serekunda",
            "Diaspora focal point — Serekunda",
        ),
    ];
    for (host, path, name) in cases {
        let (status, body) = app.page(host, path).await;
        assert_eq!(status, 200, "{host}{path}");
        assert!(body.contains(name), "{host}{path}: {name}");
        if !path.starts_with("/fr/") {
            assert!(!body.contains("Point focal diaspora"), "{host}{path}");
        }
    }
    // The mission page's contact names it the same way.
    let (_, list) = app
        .page("jesuisaucameroun.com", "/en/missions?city=douala")
        .await;
    let link = first_mission_link(&list, "en");
    let (_, mission) = app.page("jesuisaucameroun.com", &link).await;
    assert!(mission.contains("Diaspora focal point — Douala"), "{link}");
    assert!(!mission.contains("Point focal diaspora"), "{link}");
}
