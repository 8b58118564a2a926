//! Site page use cases without HTTP: a country operator or the platform staff edit, a member
//! does not; an unchanged text writes nothing; bad slugs, locales and bodies are refused;
//! restore copies an old version; another tenant keeps its default and restores nothing.

mod common;

use jsap_app::FixedClock;
use jsap_app::pages::{self, BODY_MAX, PageRefusal};
use jsap_domain::Locale;
use jsap_store::{PageVersions, Role};

#[tokio::test]
async fn operators_and_staff_edit_pages_members_do_not() {
    let world = common::world().await;
    let (cm, sn) = (&world.cm, &world.sn);
    let clock = FixedClock("2027-07-01T10:00:00Z".parse().expect("now"));
    let scope = world.scope(cm, &clock);
    let operator = world
        .account(cm, "op@example.org", "Op", &[(Role::CountryOperator, None)])
        .await;
    let member = world.account(cm, "m@example.org", "Membre", &[]).await;
    // Staff are portal accounts: any account marked as staff stands for one here.
    let mut staff = world.account(sn, "staff@example.org", "Staff", &[]).await;
    staff.is_staff = true;

    let default = pages::current(&scope, "faq", Locale::Fr)
        .await
        .expect("page");
    assert!(default.version.is_none() && default.markdown.starts_with("# Questions fréquentes"));
    let refused = pages::edit(&scope, &member, "faq", "fr", "# FAQ")
        .await
        .expect("ran");
    assert_eq!(refused.expect_err("refused"), PageRefusal::NotAllowed);
    for (slug, locale, body, why) in [
        ("nope", "fr", "# X", PageRefusal::UnknownPage),
        ("faq", "ar", "# X", PageRefusal::UnknownPage),
        ("faq", "fr", "  \r\n ", PageRefusal::Empty),
    ] {
        let refused = pages::edit(&scope, &operator, slug, locale, body)
            .await
            .expect("ran");
        assert_eq!(refused.expect_err("refused"), why, "{slug} {locale}");
    }
    let long = "a".repeat(BODY_MAX + 1);
    let refused = pages::edit(&scope, &operator, "faq", "fr", &long)
        .await
        .expect("ran");
    assert_eq!(refused.expect_err("refused"), PageRefusal::TooLong);
    // The default text again: nothing written.
    let same = pages::edit(&scope, &operator, "faq", "fr", &default.markdown).await;
    assert_eq!(same.expect("ran").expect("allowed"), None);

    let first = pages::edit(&scope, &operator, "faq", "fr", "# FAQ\r\n\r\nUn.")
        .await
        .expect("ran")
        .expect("allowed")
        .expect("written");
    assert_eq!(first.body_markdown, "# FAQ\n\nUn.");
    assert_eq!(first.author_label, "op@example.org");
    let second = pages::edit(&scope, &staff, "faq", "fr", "# FAQ\n\nDeux.")
        .await
        .expect("ran")
        .expect("staff may edit")
        .expect("written");
    assert_eq!(second.author_label, "staff@example.org (staff)");
    let restored = pages::restore(
        &scope,
        &operator,
        "faq",
        "fr",
        jsap_domain::PageVersionId(first.id),
    )
    .await
    .expect("ran")
    .expect("restored");
    assert_eq!(restored.restored_from, Some(first.id));
    assert_eq!(restored.body_markdown, first.body_markdown);
    let current = pages::current(&scope, "faq", Locale::Fr)
        .await
        .expect("page");
    assert_eq!(current.version.map(|v| v.id), Some(restored.id));
    let refused = pages::restore(
        &scope,
        &member,
        "faq",
        "fr",
        jsap_domain::PageVersionId(first.id),
    )
    .await
    .expect("ran");
    assert_eq!(refused.expect_err("refused"), PageRefusal::NotAllowed);
    let refused = pages::restore(
        &scope,
        &operator,
        "a-propos",
        "fr",
        jsap_domain::PageVersionId(first.id),
    )
    .await;
    assert_eq!(
        refused.expect("ran").expect_err("refused"),
        PageRefusal::NotFound
    );

    // Senegal: its default, and cm's versions are not there.
    let sn_scope = world.scope(sn, &clock);
    let sn_page = pages::current(&sn_scope, "faq", Locale::Fr)
        .await
        .expect("page");
    assert!(sn_page.version.is_none());
    let refused = pages::restore(
        &sn_scope,
        &staff,
        "faq",
        "fr",
        jsap_domain::PageVersionId(first.id),
    )
    .await;
    assert_eq!(
        refused.expect("ran").expect_err("refused"),
        PageRefusal::NotFound
    );
    let sn_history = PageVersions::for_tenant(world.store.conn(), sn)
        .history("faq", "fr", 10)
        .await
        .expect("history");
    assert!(sn_history.is_empty());
}
