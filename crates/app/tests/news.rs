//! News use cases without HTTP: only a country operator of the tenant writes; a draft is not
//! listed, a published post is; each step leaves its journal entry; a photo replaces the
//! previous files and deleting removes them; another tenant sees and touches nothing.

mod common;

use jsap_adapters::BlobStore;
use jsap_adapters::images::ImageError;
use jsap_app::FixedClock;
use jsap_app::news::{self, NewsDraft, NewsRefusal};
use jsap_domain::Locale;
use jsap_store::{AuditLog, JournalQuery, NewsPosts, Role};
use std::io::Cursor;

fn draft(title: &str, published: bool) -> NewsDraft {
    NewsDraft {
        title: title.to_owned(),
        locale: Locale::Fr,
        body_markdown: "Les **travaux** avancent.".to_owned(),
        published,
    }
}

fn png() -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(900, 600, image::Rgba([31, 111, 80, 255]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

async fn actions(world: &common::World, tenant: &jsap_tenancy::Tenant) -> Vec<String> {
    let asked = JournalQuery {
        search: "",
        page: 1,
        per_page: 100,
    };
    AuditLog::for_tenant(world.store.conn(), tenant)
        .list(&asked)
        .await
        .expect("journal")
        .entries
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn operators_write_news_that_stays_on_their_site() {
    let world = common::world().await;
    let (cm, sn) = (&world.cm, &world.sn);
    let dir = tempfile::tempdir().expect("tempdir");
    let blobs = BlobStore::local(dir.path()).expect("blobs");
    let clock = FixedClock("2027-07-01T10:00:00Z".parse().expect("now"));
    let scope = world.scope(cm, &clock);
    let operator = world
        .account(cm, "op@example.org", "Op", &[(Role::CountryOperator, None)])
        .await;
    let member = world.account(cm, "m@example.org", "Membre", &[]).await;
    let conn = world.store.conn();
    let posts = NewsPosts::for_tenant(conn, cm);

    // Only an operator writes.
    let refused = news::create(&scope, &member, draft("Intrus", true))
        .await
        .expect("create");
    assert_eq!(refused.err(), Some(NewsRefusal::NotOperator));
    assert!(posts.all().await.expect("all").is_empty());

    // A draft is not listed; the same title twice gets its own address.
    let first = news::create(&scope, &operator, draft("Rentrée", false))
        .await
        .expect("create")
        .expect("created");
    let second = news::create(&scope, &operator, draft("Rentrée", true))
        .await
        .expect("create")
        .expect("created");
    assert_eq!(
        (first.slug.as_str(), second.slug.as_str()),
        ("rentree", "rentree-2")
    );
    assert_eq!(second.published_at, Some(clock.0));
    let listed = posts.published("fr", 1, 10).await.expect("list");
    assert_eq!(listed.total, 1);
    assert_eq!(listed.posts[0].id, second.id);
    assert_eq!(posts.published("en", 1, 10).await.expect("list").total, 0);

    // Publishing the draft, then unpublishing it.
    let published = news::update(
        &scope,
        &operator,
        jsap_domain::NewsPostId(first.id),
        draft("Rentrée", true),
    )
    .await
    .expect("update")
    .expect("updated");
    assert!(published.published_at.is_some());
    assert_eq!(posts.published("fr", 1, 10).await.expect("list").total, 2);
    news::update(
        &scope,
        &operator,
        jsap_domain::NewsPostId(first.id),
        draft("Rentrée 2027", false),
    )
    .await
    .expect("update")
    .expect("updated");
    assert!(
        posts
            .published_by_slug("rentree")
            .await
            .expect("find")
            .is_none()
    );

    // A photo: refused files write nothing; a new one replaces the previous files.
    let bad = news::set_photo(
        &scope,
        &blobs,
        &operator,
        jsap_domain::NewsPostId(first.id),
        b"GIF89a".to_vec(),
        "x",
    )
    .await
    .expect("photo");
    assert_eq!(bad.err(), Some(NewsRefusal::Image(ImageError::NotAnImage)));
    let photo = news::set_photo(
        &scope,
        &blobs,
        &operator,
        jsap_domain::NewsPostId(first.id),
        png(),
        "La classe",
    )
    .await
    .expect("photo")
    .expect("set");
    assert_eq!((photo.width, photo.height), (900, 600));
    let again = news::set_photo(
        &scope,
        &blobs,
        &operator,
        jsap_domain::NewsPostId(first.id),
        png(),
        "Encore",
    )
    .await
    .expect("photo")
    .expect("set");
    let code = cm.code.as_str();
    assert!(blobs.get(code, &photo.key).await.expect("get").is_none());
    assert!(
        blobs
            .get(code, &again.card_key)
            .await
            .expect("get")
            .is_some()
    );

    // Senegal: no list, no post, no edit, no delete, no photo.
    let sn_operator = world
        .account(
            sn,
            "op-sn@example.org",
            "Op",
            &[(Role::CountryOperator, None)],
        )
        .await;
    let sn_scope = world.scope(sn, &clock);
    let sn_posts = NewsPosts::for_tenant(conn, sn);
    assert!(sn_posts.all().await.expect("all").is_empty());
    assert!(sn_posts.by_slug("rentree-2").await.expect("find").is_none());
    assert!(!sn_posts.has_photo_key(&again.key).await.expect("key"));
    let edit = news::update(
        &sn_scope,
        &sn_operator,
        jsap_domain::NewsPostId(second.id),
        draft("Pris", false),
    )
    .await
    .expect("update");
    assert_eq!(edit.err(), Some(NewsRefusal::NotFound));
    let delete = news::delete(
        &sn_scope,
        &blobs,
        &sn_operator,
        jsap_domain::NewsPostId(first.id),
    )
    .await
    .expect("delete");
    assert_eq!(delete.err(), Some(NewsRefusal::NotFound));
    let photo = news::set_photo(
        &sn_scope,
        &blobs,
        &sn_operator,
        jsap_domain::NewsPostId(first.id),
        png(),
        "x",
    )
    .await
    .expect("photo");
    assert_eq!(photo.err(), Some(NewsRefusal::NotFound));
    // Cameroon's operator is nobody on Senegal.
    let foreign = news::create(&sn_scope, &operator, draft("Ailleurs", true))
        .await
        .expect("create");
    assert_eq!(foreign.err(), Some(NewsRefusal::NotOperator));
    assert!(actions(&world, sn).await.is_empty());

    // Deleting removes the post and its files.
    news::delete(&scope, &blobs, &operator, jsap_domain::NewsPostId(first.id))
        .await
        .expect("delete")
        .expect("deleted");
    assert!(posts.by_id(first.id).await.expect("find").is_none());
    assert!(blobs.get(code, &again.key).await.expect("get").is_none());
    assert!(
        blobs
            .get(code, &again.card_key)
            .await
            .expect("get")
            .is_none()
    );

    let journal = actions(&world, cm).await;
    for action in [
        "news_created",
        "news_published",
        "news_unpublished",
        "news_edited",
        "news_photo_set",
        "news_deleted",
    ] {
        assert!(
            journal.iter().any(|a| a == action),
            "{action} in {journal:?}"
        );
    }
}
