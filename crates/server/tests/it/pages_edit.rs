//! Site pages edited from the country console: the repository's default shows until an
//! operator saves a text; a preview writes nothing; every version is kept with its author and
//! can be restored; raw HTML and `javascript:` links never reach the page; bad input is a 422
//! with the text kept; members do not reach the console; another tenant keeps its default,
//! sees none of the history and restores none of its versions.

use crate::helpers::{Browser, Options, TestApp};
use crate::roles::{CM, SN, account, signed_in, tenant};
use jsap_store::{AuditLog, JournalQuery, PageVersions, Role};

const CONSOLE: &str = "/fr/espace/pays/pages";
const EDITOR: &str = "/fr/espace/pays/pages/a-propos/fr";
const PUBLIC: &str = "/fr/pages/a-propos";

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

async fn journal(app: &TestApp, code: &str) -> Vec<(String, String)> {
    let asked = JournalQuery {
        search: "",
        page: 1,
        per_page: 100,
    };
    AuditLog::for_tenant(app.services.store.conn(), &tenant(app, code))
        .list(&asked)
        .await
        .expect("journal")
        .entries
        .into_iter()
        .map(|e| (e.action, e.target.name))
        .collect()
}

async fn versions(app: &TestApp, code: &str) -> Vec<i64> {
    PageVersions::for_tenant(app.services.store.conn(), &tenant(app, code))
        .history("a-propos", "fr", 100)
        .await
        .expect("history")
        .into_iter()
        .map(|v| v.id)
        .collect()
}

fn save(body: &str) -> Vec<(&str, &str)> {
    vec![("body", body), ("action", "save")]
}

#[tokio::test]
async fn an_operator_previews_saves_edits_and_restores_a_page() {
    let app = app().await;
    // The default, from the repository; linked from every page's footer.
    let (status, page) = app.page(CM, PUBLIC).await;
    assert_eq!(status, 200);
    assert!(page.contains("<h1>À propos</h1>"), "{page}");
    assert!(page.contains("met en relation la diaspora"));
    assert!(page.contains("href=\"/fr/pages/mentions-legales\""));
    assert!(page.contains("href=\"/fr/pages/confidentialite\""));
    let (status, en) = app.page(CM, "/en/pages/conditions").await;
    assert_eq!(status, 200);
    assert!(en.contains("<h1>Terms of use</h1>"));
    assert_eq!(app.page(CM, "/fr/pages/nope").await.0, 404);
    let (_, signup) = app.page(CM, "/fr/compte/inscription").await;
    assert!(signup.contains("href=\"/fr/pages/conditions\""));

    let mut op = operator(&app, "cm", CM).await;
    let console = op.get("/fr/espace/pays").await;
    assert!(
        console.body.contains(CONSOLE),
        "the country console links to it"
    );
    let list = op.get(CONSOLE).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains(EDITOR) && list.body.contains("/fr/espace/pays/pages/faq/en"));
    assert!(list.body.contains("Texte par défaut"));
    let editor = op.get(EDITOR).await;
    assert!(
        editor.body.contains("# À propos"),
        "the default in the editor"
    );
    assert!(editor.body.contains("Pas encore de modification"));

    // A preview: rendered below the form, nothing written.
    let first = "# Qui sommes-nous\n\nUne **équipe** au pays.";
    let preview = op
        .submit(EDITOR, EDITOR, &[("body", first), ("action", "preview")])
        .await;
    assert_eq!(preview.status, 200);
    assert!(
        preview.body.contains("<strong>équipe</strong>"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("Aperçu"));
    assert!(versions(&app, "cm").await.is_empty());
    assert!(app.page(CM, PUBLIC).await.1.contains("<h1>À propos</h1>"));

    // Saved: the public page shows it.
    let saved = op.submit(EDITOR, EDITOR, &save(first)).await;
    assert_eq!(saved.status, 303);
    assert_eq!(saved.location(), format!("{EDITOR}?done=saved"));
    let (_, page) = app.page(CM, PUBLIC).await;
    assert!(page.contains("<h1>Qui sommes-nous</h1>") && page.contains("<strong>équipe</strong>"));
    let list = op.get(CONSOLE).await;
    assert!(
        list.body.contains("par operateur-cm@example.org"),
        "{}",
        list.body
    );

    // The same text again: nothing written.
    let same = op.submit(EDITOR, EDITOR, &save(first)).await;
    assert_eq!(same.location(), format!("{EDITOR}?done=unchanged"));
    assert_eq!(versions(&app, "cm").await.len(), 1);

    // Edited again, then the first version restored.
    let second = "# Qui sommes-nous\n\nUne équipe **renouvelée**.";
    op.submit(EDITOR, EDITOR, &save(second)).await;
    assert!(
        app.page(CM, PUBLIC)
            .await
            .1
            .contains("<strong>renouvelée</strong>")
    );
    let ids = versions(&app, "cm").await;
    assert_eq!(ids.len(), 2);
    let oldest = ids[1];
    let restore = format!("{EDITOR}/restaurer/{oldest}");
    let editor = op.get(EDITOR).await;
    assert!(editor.body.contains(&format!("action=\"{restore}\"")));
    let restored = op.submit(EDITOR, &restore, &[]).await;
    assert_eq!(restored.location(), format!("{EDITOR}?done=restored"));
    let (_, page) = app.page(CM, PUBLIC).await;
    assert!(page.contains("<strong>équipe</strong>") && !page.contains("renouvelée"));
    let history = op.get(&format!("{EDITOR}?done=restored")).await;
    assert!(history.body.contains("Version restaurée"));
    assert_eq!(history.body.matches("operateur-cm@example.org").count(), 3);
    assert!(
        history
            .body
            .contains(&format!("restauration de la version n° {oldest}"))
    );
    let store = PageVersions::for_tenant(app.services.store.conn(), &tenant(&app, "cm"));
    let newest = store
        .current("a-propos", "fr")
        .await
        .expect("current")
        .expect("a version");
    assert_eq!(newest.restored_from, Some(oldest));

    // The journal.
    let entries = journal(&app, "cm").await;
    let actions: Vec<&str> = entries.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "page_edited").count(), 2);
    assert_eq!(actions.iter().filter(|a| **a == "page_restored").count(), 1);
    assert!(entries.iter().all(|(_, t)| t == "a-propos (fr)"));
    let shown = op.get("/fr/espace/pays/journal").await;
    assert!(shown.body.contains("Page modifiée") && shown.body.contains("Page restaurée"));
}

#[tokio::test]
async fn raw_html_and_bad_input_never_reach_the_page() {
    let app = app().await;
    let mut op = operator(&app, "cm", CM).await;
    let evil = "# Contact\n\n<script>alert(1)</script>\n\n[clic](javascript:alert(2)) <img src=x onerror=alert(3)>";
    let preview = op
        .submit(EDITOR, EDITOR, &[("body", evil), ("action", "preview")])
        .await;
    let start = preview
        .body
        .find("class=\"page-preview\"")
        .expect("a preview");
    let shown = &preview.body[start..];
    assert!(!shown.contains("<script>alert(1)") && !shown.contains("javascript:alert"));
    assert!(
        !preview.body.contains("<script>alert(1)"),
        "escaped in the text area too"
    );
    op.submit(EDITOR, EDITOR, &save(evil)).await;
    let (_, page) = app.page(CM, PUBLIC).await;
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("javascript:") && !page.contains("<img src=x"));
    assert!(page.contains("&lt;script&gt;") && page.contains("clic"));

    // Empty, too long: 422, the text kept, nothing written.
    let before = versions(&app, "cm").await.len();
    let empty = op.submit(EDITOR, EDITOR, &save("   ")).await;
    assert_eq!(empty.status, 422);
    assert!(
        empty.body.contains("Le champ « Texte » est obligatoire.")
            && empty.body.contains("href=\"#body\"")
    );
    let long = format!("# Titre\n\n{}", "a".repeat(50_001));
    let too_long = op.submit(EDITOR, EDITOR, &save(&long)).await;
    assert_eq!(too_long.status, 422);
    assert!(
        too_long
            .body
            .contains("« Texte » : 50000 caractères au plus")
            && too_long.body.contains("aaaaaaaaaa")
    );
    assert_eq!(versions(&app, "cm").await.len(), before);
    // An unknown page or a language the site does not offer: 404.
    assert_eq!(op.get("/fr/espace/pays/pages/nope/fr").await.status, 404);
    assert_eq!(op.get("/fr/espace/pays/pages/faq/ar").await.status, 404);
}

#[tokio::test]
async fn members_do_not_reach_the_console() {
    let app = app().await;
    account(&app, "cm", "membre@example.org", &[]).await;
    let mut member = signed_in(&app, CM, "membre@example.org").await;
    for path in [CONSOLE, EDITOR] {
        assert_eq!(member.get(path).await.status, 403, "{path}");
        assert_eq!(app.get(CM, path).await.status().as_u16(), 303, "{path}");
    }
    let posted = member.post(EDITOR, &save("# Piraté")).await;
    assert_eq!(posted.status, 403);
    assert!(versions(&app, "cm").await.is_empty());
    assert!(journal(&app, "cm").await.is_empty());
}

#[tokio::test]
async fn another_tenant_keeps_its_default_and_touches_nothing() {
    let app = app().await;
    let mut cm_op = operator(&app, "cm", CM).await;
    cm_op
        .submit(EDITOR, EDITOR, &save("# Au Cameroun\n\nTexte du Cameroun."))
        .await;
    let cm_id = versions(&app, "cm").await[0];

    let (_, sn_page) = app.page(SN, PUBLIC).await;
    assert!(sn_page.contains("<h1>À propos</h1>") && !sn_page.contains("Texte du Cameroun"));
    let mut sn_op = operator(&app, "sn", SN).await;
    let editor = sn_op.get(EDITOR).await;
    assert!(editor.body.contains("Pas encore de modification"));
    assert!(!editor.body.contains("operateur-cm@example.org"));
    assert!(!editor.body.contains("Texte du Cameroun"));
    let restore = format!("{EDITOR}/restaurer/{cm_id}");
    let refused = sn_op.submit(EDITOR, &restore, &[]).await;
    assert_eq!(refused.status, 404);
    assert!(versions(&app, "sn").await.is_empty());
    assert!(journal(&app, "sn").await.is_empty());
    // cm's version id under another cm page is not that page's either.
    let other = format!("/fr/espace/pays/pages/faq/fr/restaurer/{cm_id}");
    let refused = cm_op
        .submit("/fr/espace/pays/pages/faq/fr", &other, &[])
        .await;
    assert_eq!(refused.status, 404);
    // The operator of sn reaches nothing on cm.
    let mut on_cm = sn_op.on(CM);
    assert_ne!(on_cm.get(EDITOR).await.status, 200);
}

#[tokio::test]
async fn an_operator_puts_a_page_back_to_its_default_and_pages_through_its_history() {
    let app = app().await;
    let mut op = operator(&app, "cm", CM).await;
    let mut sn_op = operator(&app, "sn", SN).await;
    let sn_edit = sn_op
        .submit(EDITOR, EDITOR, &save("# Sénégal\n\nNotre texte."))
        .await;
    assert_eq!(sn_edit.status, 303);

    // Nothing to reset while the page reads the default: said, nothing written.
    let editor = op.get(EDITOR).await;
    assert!(editor.body.contains("affiche le texte par défaut livré"));
    assert!(!editor.body.contains("/par-defaut\""));
    let reset = format!("{EDITOR}/par-defaut");
    let nothing = op.submit(EDITOR, &reset, &[]).await;
    assert_eq!(nothing.location(), format!("{EDITOR}?done=already_default"));
    assert!(versions(&app, "cm").await.is_empty());

    // 24 edits, then back to the default: the public page reads the repository's text.
    for i in 1..=24 {
        let body = format!("# À propos\n\nVersion numéro {i}.");
        assert_eq!(op.submit(EDITOR, EDITOR, &save(&body)).await.status, 303);
    }
    let (_, edited) = app.page(CM, PUBLIC).await;
    assert!(edited.contains("Version numéro 24."));
    let editor = op.get(EDITOR).await;
    assert!(editor.body.contains(&format!("action=\"{reset}\"")));
    let done = op.submit(EDITOR, &reset, &[]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), format!("{EDITOR}?done=reset"));
    let (_, public) = app.page(CM, PUBLIC).await;
    assert!(public.contains("met en relation la diaspora"), "{public}");
    assert!(!public.contains("Version numéro"));
    let back = op.get(&format!("{EDITOR}?done=reset")).await;
    assert!(back.body.contains("reprend le texte par défaut"));
    assert!(
        back.body.contains("# À propos\n\n"),
        "the default in the editor"
    );
    assert!(back.body.contains(": retour au texte par défaut"));
    let list = op.get(CONSOLE).await;
    assert!(
        !list.body.contains("operateur-cm@example.org"),
        "listed as default"
    );
    assert!(
        journal(&app, "cm")
            .await
            .contains(&("page_reset".to_owned(), "a-propos (fr)".to_owned()))
    );

    // 25 versions: 20 on the first page of the history, 5 on the second; the edits stay
    // restorable.
    assert_eq!(versions(&app, "cm").await.len(), 25);
    let first = op.get(EDITOR).await;
    assert_eq!(
        first.body.matches("/restaurer/").count(),
        19,
        "20 rows, one current"
    );
    assert!(first.body.contains("Page 1 sur 2"));
    assert!(
        first
            .body
            .contains(&format!("href=\"{EDITOR}?page=2#history-title\""))
    );
    let second = op.get(&format!("{EDITOR}?page=2")).await;
    assert_eq!(second.status, 200);
    assert_eq!(second.body.matches("/restaurer/").count(), 5);
    assert!(second.body.contains("Page 2 sur 2"));
    assert!(!second.body.contains("Version en ligne"));
    for bad in ["3", "0", "deux"] {
        let page = op.get(&format!("{EDITOR}?page={bad}")).await;
        assert_eq!(page.status, 404, "page {bad}");
    }
    let newest_edit = versions(&app, "cm").await[1];
    let restored = op
        .submit(EDITOR, &format!("{EDITOR}/restaurer/{newest_edit}"), &[])
        .await;
    assert_eq!(restored.status, 303);
    let (_, public) = app.page(CM, PUBLIC).await;
    assert!(public.contains("Version numéro 24."));

    // Senegal's page is its own: untouched by Cameroon's reset, and Cameroon cannot reset it.
    let (_, sn_public) = app.page(SN, PUBLIC).await;
    assert!(sn_public.contains("Notre texte."));
    let sn_versions = versions(&app, "sn").await;
    assert_eq!(sn_versions.len(), 1);
    let cross = op
        .post(&format!("{EDITOR}/restaurer/{}", sn_versions[0]), &[])
        .await;
    assert!(cross.status >= 400);
}
