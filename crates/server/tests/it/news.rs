//! News posts: a country operator writes a draft (not public), publishes it (the public list,
//! its page with OpenGraph and JSON-LD, the home page, the sitemap), gives it a photo, edits
//! it, unpublishes and deletes it, each step in the journal; bad input is a 422 with the
//! errors in the form's order; raw HTML and `javascript:` links never reach the page; members
//! and visitors do not reach the console; another tenant sees nothing and touches nothing.

use crate::helpers::{Browser, Options, Page, TestApp};
use crate::roles::{CM, SN, account, signed_in, tenant};
use jsap_store::{AuditLog, JournalQuery, NewsPosts, Role};

const CONSOLE: &str = "/fr/espace/pays/actualites";
const NEW: &str = "/fr/espace/pays/actualites/nouvelle";

async fn app() -> TestApp {
    TestApp::spawn_with(Options {
        demo: false,
        ..Options::default()
    })
    .await
}

async fn operator<'a>(app: &'a TestApp, code: &str, host: &str) -> Browser<'a> {
    let email = format!("operateur-{code}@example.org");
    account(app, code, &email, &[(Role::CountryOperator, None, None)]).await;
    signed_in(app, host, &email).await
}

/// The post id of a redirect to its console page (`.../actualites/{id}?done=...`).
fn post_id(page: &Page) -> i64 {
    assert_eq!(page.status, 303, "{}", page.body);
    let location = page.location();
    let rest = location
        .strip_prefix("/fr/espace/pays/actualites/")
        .unwrap_or_else(|| panic!("a post's page: {location}"));
    rest.split('?').next().expect("id").parse().expect("an id")
}

fn post_fields<'a>(title: &'a str, body: &'a str, published: bool) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![("title", title), ("locale", "fr"), ("body", body)];
    if published {
        fields.push(("published", "yes"));
    }
    fields
}

async fn journal(app: &TestApp, code: &str) -> Vec<(String, String)> {
    let tenant = tenant(app, code);
    let asked = JournalQuery {
        search: "",
        page: 1,
        per_page: 100,
    };
    AuditLog::for_tenant(app.services.store.conn(), &tenant)
        .list(&asked)
        .await
        .expect("journal")
        .entries
        .into_iter()
        .map(|e| (e.action, e.target.name))
        .collect()
}

/// The JSON-LD block of a page, parsed.
fn json_ld(body: &str) -> serde_json::Value {
    let open = "<script type=\"application/ld+json\">";
    let start = body.find(open).expect("a JSON-LD block") + open.len();
    let end = start + body[start..].find("</script>").expect("its end");
    serde_json::from_str(&body[start..end]).expect("valid JSON")
}

const BODY: &str = "Les **travaux** de l'école de Bonabéri avancent.\n\n## Prochaine étape\n\nVoir [les missions](/fr/missions).";

#[tokio::test]
async fn an_operator_drafts_publishes_edits_unpublishes_and_deletes_a_post() {
    let app = app().await;
    let mut op = operator(&app, "cm", CM).await;
    let console = op.get("/fr/espace/pays").await;
    assert!(
        console.body.contains(CONSOLE),
        "the country console links to it"
    );

    // A draft: in the console, nowhere public.
    let title = "Rentrée à Bonabéri";
    let created = op.submit(NEW, NEW, &post_fields(title, BODY, false)).await;
    let id = post_id(&created);
    assert!(created.location().ends_with("?done=created"));
    let page = op.get(created.location()).await;
    assert!(page.body.contains("Brouillon enregistré"), "{}", page.body);
    let list = op.get(CONSOLE).await;
    assert!(list.body.contains(title) && list.body.contains("Brouillon"));
    let slug = "rentree-a-bonaberi";
    let public = format!("/fr/actualites/{slug}");
    assert_eq!(app.page(CM, &public).await.0, 404, "a draft is not public");
    let (_, news) = app.page(CM, "/fr/actualites").await;
    assert!(!news.contains(title) && news.contains("Aucune actualité pour le moment"));
    let (_, home) = app.page(CM, "/fr/").await;
    assert!(
        !home.contains("news-title"),
        "no news section without posts"
    );
    let (_, sitemap) = app.page(CM, "/sitemap.xml").await;
    assert!(!sitemap.contains(slug));

    // Published: the list, its page, the home page (cached before: forgotten), the sitemap.
    let path = format!("{CONSOLE}/{id}");
    let published = op
        .submit(&path, &path, &post_fields(title, BODY, true))
        .await;
    assert_eq!(published.location(), format!("{path}?done=published"));
    let (status, page) = app.page(CM, &public).await;
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Rentrée à Bonabéri</h1>"), "{page}");
    assert!(page.contains("<strong>travaux</strong>"));
    assert!(
        page.contains("<h3>Prochaine étape</h3>"),
        "headings demoted"
    );
    assert_eq!(page.matches("<h1").count(), 1, "the title is the only h1");
    assert!(page.contains("<meta property=\"og:type\" content=\"article\">"));
    assert!(page.contains("<meta property=\"og:title\" content=\"Rentrée à Bonabéri\">"));
    assert!(page.contains(&format!(
        "<meta property=\"og:url\" content=\"https://jesuisaucameroun.com{public}\">"
    )));
    assert!(!page.contains("og:image"), "no photo yet");
    let ld = json_ld(&page);
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["headline"], title);
    assert_eq!(ld["inLanguage"], "fr");
    let (_, news) = app.page(CM, "/fr/actualites").await;
    assert!(news.contains(title) && news.contains(&public));
    let (_, home) = app.page(CM, "/fr/").await;
    assert!(
        home.contains("news-title") && home.contains(&public),
        "{home}"
    );
    let (_, sitemap) = app.page(CM, "/sitemap.xml").await;
    assert!(sitemap.contains(&format!("https://jesuisaucameroun.com{public}")));
    // Written in French: not in the English list; its page under /en keeps its language and
    // names the French address as canonical.
    let (_, en_news) = app.page(CM, "/en/actualites").await;
    assert!(!en_news.contains(title) && en_news.contains("No news yet"));
    let (status, en_page) = app.page(CM, &format!("/en/actualites/{slug}")).await;
    assert_eq!(status, 200);
    assert!(en_page.contains("<article class=\"news-post\" lang=\"fr\" dir=\"ltr\">"));
    assert!(en_page.contains(&format!(
        "<link rel=\"canonical\" href=\"https://jesuisaucameroun.com{public}\">"
    )));

    // A photo: re-encoded, served for this site only, the shared image of the post.
    let (status, _) = upload(&app, &mut op, id, &png(1200, 800), "Les élèves").await;
    assert_eq!(status, 303);
    let (_, page) = app.page(CM, &public).await;
    assert!(page.contains(
        "<meta property=\"og:image\" content=\"https://jesuisaucameroun.com/media/news/"
    ));
    let start = page.find("src=\"/media/news/").expect("the photo") + 5;
    let src: String = page[start..].chars().take_while(|c| *c != '"').collect();
    let photo = app.get(CM, &src).await;
    assert_eq!(photo.status().as_u16(), 200);
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    assert_eq!(app.get(SN, &src).await.status().as_u16(), 404);
    let ld = json_ld(&page);
    assert!(ld["image"][0].as_str().expect("image").ends_with(&src));

    // Edited: the new title shows, the address stays.
    let edited = op
        .submit(
            &path,
            &path,
            &post_fields("Rentrée réussie à Bonabéri", BODY, true),
        )
        .await;
    assert_eq!(edited.location(), format!("{path}?done=saved"));
    let (_, page) = app.page(CM, &public).await;
    assert!(page.contains("Rentrée réussie à Bonabéri"));

    // Unpublished: gone from the public pages.
    let unpublished = op
        .submit(
            &path,
            &path,
            &post_fields("Rentrée réussie à Bonabéri", BODY, false),
        )
        .await;
    assert_eq!(unpublished.location(), format!("{path}?done=unpublished"));
    assert_eq!(app.page(CM, &public).await.0, 404);
    let (_, home) = app.page(CM, "/fr/").await;
    assert!(!home.contains(&public));
    let (_, sitemap) = app.page(CM, "/sitemap.xml").await;
    assert!(!sitemap.contains(slug));

    // Deleted after the confirmation page; its photo goes with it.
    let confirm = format!("{path}/supprimer");
    let page = op.get(&confirm).await;
    assert!(
        page.body.contains("Rentrée réussie à Bonabéri")
            && page.body.contains("Supprimer définitivement")
    );
    let deleted = op.submit(&confirm, &confirm, &[]).await;
    assert_eq!(deleted.location(), format!("{CONSOLE}?done=deleted"));
    assert!(
        op.get(deleted.location())
            .await
            .body
            .contains("Actualité supprimée.")
    );
    assert_eq!(op.get(&path).await.status, 404);
    assert_eq!(app.get(CM, &src).await.status().as_u16(), 404);

    let actions: Vec<String> = journal(&app, "cm")
        .await
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    for action in [
        "news_created",
        "news_published",
        "news_photo_set",
        "news_edited",
        "news_unpublished",
        "news_deleted",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
    let page = op.get("/fr/espace/pays/journal").await;
    assert!(page.body.contains("Actualité publiée"));
}

/// A `multipart/form-data` body with `csrf`, `alt` and a `photo` file.
fn photo_form(csrf: &str, alt: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "jsap-news-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\n{alt}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.png\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    app: &TestApp,
    browser: &mut Browser<'_>,
    id: i64,
    file: &[u8],
    alt: &str,
) -> (u16, String) {
    let page = browser.get(CONSOLE).await;
    let (content_type, body) = photo_form(&page.csrf(), alt, file);
    let response = app
        .client
        .post(format!("http://{}{CONSOLE}/{id}/photo", app.addr))
        .header("Host", &browser.host)
        .header("Cookie", browser.cookie_header())
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .expect("upload");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(width, height, image::Rgba([31, 111, 80, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

#[tokio::test]
async fn bad_input_is_refused_with_its_errors_and_the_values_shown_back() {
    let app = app().await;
    let mut op = operator(&app, "cm", CM).await;
    let long = "x".repeat(151);
    let refused = op
        .submit(
            NEW,
            NEW,
            &[
                ("title", &long),
                ("locale", "de"),
                ("body", "  "),
                ("published", "yes"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    let at = |needle: &str| {
        refused
            .body
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} in {}", refused.body))
    };
    // The summary lists them in the form's order: title, language, text.
    assert!(at("« Titre » : 150 caractères au plus") < at("Choisissez une des langues du site"));
    assert!(at("Choisissez une des langues du site") < at("Le champ « Texte » est obligatoire"));
    assert!(
        refused.body.contains(&format!("value=\"{long}\"")),
        "input kept"
    );
    assert!(
        refused
            .body
            .contains("name=\"published\" value=\"yes\" checked")
    );
    assert!(
        NewsPosts::for_tenant(app.services.store.conn(), &tenant(&app, "cm"))
            .all()
            .await
            .expect("posts")
            .is_empty()
    );

    // Without the form's token: 403, nothing written.
    let forged = op.post(NEW, &post_fields("Titre", "Texte", true)).await;
    assert_eq!(forged.status, 403);

    // A photo that is not an image, or without its description.
    let created = op
        .submit(NEW, NEW, &post_fields("Titre", "Texte", false))
        .await;
    let id = post_id(&created);
    let (status, body) = upload(&app, &mut op, id, b"<script>alert(1)</script>", "x").await;
    assert_eq!(status, 415);
    assert!(body.contains("image JPEG, PNG ou WebP"));
    let (status, body) = upload(&app, &mut op, id, &png(10, 10), "").await;
    assert_eq!(status, 422);
    assert!(body.contains("Le champ « Description de la photo » est obligatoire"));
    assert!(
        journal(&app, "cm")
            .await
            .iter()
            .all(|(a, _)| a != "news_photo_set")
    );
}

#[tokio::test]
async fn raw_html_and_script_links_never_reach_the_page() {
    let app = app().await;
    let mut op = operator(&app, "cm", CM).await;
    let body = "<script>alert('xss')</script>\n\nCliquez [ici](javascript:alert(1)) ou \
                [là](JAVASCRIPT:alert(2)), <img src=x onerror=alert(3)>, \
                ![image](javascript:alert(4)) et [le site](https://example.org).";
    let title = "Un titre </script><script>alert(5)</script>";
    let created = op.submit(NEW, NEW, &post_fields(title, body, true)).await;
    post_id(&created);
    let (status, page) = app
        .page(CM, "/fr/actualites/un-titre-script-script-alert-5-script")
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("<img src=\"x\"") && !page.contains("<img src=x"));
    assert!(!page.to_lowercase().contains("javascript:"), "{page}");
    assert!(page.contains("&lt;script&gt;"), "shown as text");
    assert!(page.contains("href=\"https://example.org\""));
    // The JSON-LD stays one valid block whose text cannot close it.
    let ld = json_ld(&page);
    assert_eq!(ld["headline"], title);
}

#[tokio::test]
async fn members_and_visitors_do_not_reach_the_console() {
    let app = app().await;
    account(&app, "cm", "membre@example.org", &[]).await;
    let mut member = signed_in(&app, CM, "membre@example.org").await;
    for path in [CONSOLE, NEW] {
        assert_eq!(member.get(path).await.status, 403, "{path}");
        let anonymous = app.get(CM, path).await;
        assert_eq!(anonymous.status().as_u16(), 303, "{path}");
    }
    let posted = member.post(NEW, &post_fields("Titre", "Texte", true)).await;
    assert_eq!(posted.status, 403);
    assert!(journal(&app, "cm").await.is_empty());
}

#[tokio::test]
async fn another_tenant_sees_none_of_the_posts_and_cannot_touch_them() {
    let app = app().await;
    let mut cm_op = operator(&app, "cm", CM).await;
    let title = "Festival de Douala";
    let created = cm_op
        .submit(NEW, NEW, &post_fields(title, "Le programme.", true))
        .await;
    let id = post_id(&created);
    let (_, page) = app.page(CM, "/fr/actualites/festival-de-douala").await;
    assert!(page.contains(title));

    // Senegal's pages know nothing of it.
    assert_eq!(
        app.page(SN, "/fr/actualites/festival-de-douala").await.0,
        404
    );
    let (_, list) = app.page(SN, "/fr/actualites").await;
    assert!(!list.contains(title));
    let (_, home) = app.page(SN, "/fr/").await;
    assert!(!home.contains(title));
    let (_, sitemap) = app.page(SN, "/sitemap.xml").await;
    assert!(!sitemap.contains("festival-de-douala"));

    // Its operator cannot read, edit, photograph or delete it: 404, nothing changed.
    let mut sn_op = operator(&app, "sn", SN).await;
    let path = format!("{CONSOLE}/{id}");
    assert_eq!(sn_op.get(&path).await.status, 404);
    let csrf = sn_op.get(CONSOLE).await.csrf();
    let edit = post_fields("Pris", "Pris", false);
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(&edit);
    assert_eq!(sn_op.post(&path, &fields).await.status, 404);
    let delete = format!("{path}/supprimer");
    assert_eq!(
        sn_op.post(&delete, &[("csrf", csrf.as_str())]).await.status,
        404
    );
    assert_eq!(upload(&app, &mut sn_op, id, &png(10, 10), "x").await.0, 404);
    assert!(!sn_op.get(CONSOLE).await.body.contains(title));
    let (status, page) = app.page(CM, "/fr/actualites/festival-de-douala").await;
    assert_eq!(status, 200);
    assert!(page.contains(title));
    assert!(journal(&app, "sn").await.is_empty());
}
