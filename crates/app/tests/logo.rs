//! An organisation's logo: refused files write nothing, an accepted one replaces the previous
//! file, another tenant or a non-admin cannot set it. On the local folder and, when
//! `TEST_S3_ENDPOINT` is set, on the S3-compatible server.

mod common;

use jsap_adapters::BlobStore;
use jsap_adapters::images::ImageError;
use jsap_app::FixedClock;
use jsap_app::organisations::{self, Draft, LogoRefusal};
use jsap_domain::EmailAddress;
use jsap_store::{Accounts, Cities, Organisations};
use std::io::Cursor;

fn png() -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(600, 300, image::Rgba([31, 111, 80, 255]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

async fn logo_key(world: &common::World, id: i64) -> String {
    Organisations::for_tenant(world.store.conn(), &world.cm)
        .by_id(id)
        .await
        .expect("find")
        .expect("organisation")
        .logo_key
}

async fn exercise(blobs: &BlobStore) {
    let world = common::world().await;
    let (cm, sn) = (&world.cm, &world.sn);
    let clock = FixedClock("2027-07-01T10:00:00Z".parse().expect("now"));
    let scope = world.scope(cm, &clock);
    let accounts = Accounts::for_tenant(world.store.conn(), cm);
    let email = |s: &str| EmailAddress::parse(s).expect("email");
    let awa = accounts
        .create(&email("awa@example.org"), "Awa", "hash", true)
        .await
        .expect("awa");
    let outsider = accounts
        .create(&email("out@example.org"), "Out", "hash", true)
        .await
        .expect("outsider");
    let douala = Cities::for_tenant(world.store.conn(), cm)
        .by_slug("douala")
        .await
        .expect("cities")
        .expect("douala")
        .id;
    let (organisation, awa) = organisations::register(
        &scope,
        &awa,
        Draft {
            city_id: douala,
            kind: "association".into(),
            name: "Les Amis de Bonabéri".into(),
            description: "Soutien scolaire.".into(),
            website: String::new(),
            public_email: String::new(),
            phone: String::new(),
            facilities: vec![],
        },
    )
    .await
    .expect("register");

    // Refused: not an admin; not an image (nothing stored, no key recorded).
    assert_eq!(
        organisations::set_logo(
            &scope,
            blobs,
            &outsider,
            jsap_domain::OrganisationId(organisation.id),
            png()
        )
        .await
        .expect("set"),
        Err(LogoRefusal::NotFound)
    );
    assert_eq!(
        organisations::set_logo(
            &scope,
            blobs,
            &awa,
            jsap_domain::OrganisationId(organisation.id),
            b"<svg onload=alert(1)>".to_vec()
        )
        .await
        .expect("set"),
        Err(LogoRefusal::Image(ImageError::NotAnImage))
    );
    assert_eq!(logo_key(&world, organisation.id).await, "");

    let first = organisations::set_logo(
        &scope,
        blobs,
        &awa,
        jsap_domain::OrganisationId(organisation.id),
        png(),
    )
    .await
    .expect("set")
    .expect("accepted");
    assert!(first.starts_with("logos/") && first.ends_with(".png"));
    assert_eq!(logo_key(&world, organisation.id).await, first);
    let stored = blobs.get("cm", &first).await.expect("get").expect("stored");
    let decoded = image::load_from_memory(&stored).expect("an image");
    assert_eq!((decoded.width(), decoded.height()), (256, 128));

    // A new logo replaces the file of the previous one.
    let second = organisations::set_logo(
        &scope,
        blobs,
        &awa,
        jsap_domain::OrganisationId(organisation.id),
        png(),
    )
    .await
    .expect("set")
    .expect("accepted");
    assert_ne!(first, second);
    assert!(
        blobs.get("cm", &first).await.expect("get").is_none(),
        "old file removed"
    );
    assert!(blobs.get("cm", &second).await.expect("get").is_some());

    // Another tenant does not know this organisation.
    let sn_scope = world.scope(sn, &clock);
    assert_eq!(
        organisations::set_logo(
            &sn_scope,
            blobs,
            &awa,
            jsap_domain::OrganisationId(organisation.id),
            png()
        )
        .await
        .expect("set"),
        Err(LogoRefusal::NotFound)
    );
    assert_eq!(logo_key(&world, organisation.id).await, second);
}

#[tokio::test]
async fn logos_on_the_local_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    exercise(&BlobStore::local(dir.path()).expect("local")).await;
}

#[tokio::test]
async fn logos_on_the_s3_compatible_server() {
    if let Some(blobs) = common::s3_store() {
        exercise(&blobs).await;
    }
}
