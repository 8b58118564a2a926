//! A mission's photos: two variants stored per photo, refused files write nothing, at most
//! six, reordered and removed with their files, another tenant cannot touch them, and a
//! storage that fails leaves no row. On the local folder and, when `TEST_S3_ENDPOINT` is set,
//! on the S3-compatible server.

mod common;

use chrono::NaiveDate;
use jsap_adapters::BlobStore;
use jsap_adapters::blob::S3Config;
use jsap_adapters::images::ImageError;
use jsap_app::FixedClock;
use jsap_app::missions::{self, Edit, PhotoChange, PhotoRefusal};
use jsap_app::organisations::{self, Draft};
use jsap_domain::Locale;
use jsap_domain::missions::{MissionInput, TextInput};
use jsap_store::{MissionEdits, MissionPhotos, Role};
use std::io::Cursor;

fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(1000, 750, image::Rgb([200, 120, 30]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("jpeg");
    out.into_inner()
}

async fn exercise(blobs: &BlobStore) {
    let world = common::world().await;
    let clock = FixedClock("2027-06-01T09:00:00Z".parse().expect("now"));
    let cm = &world.cm;
    let scope = world.scope(cm, &clock);
    let douala = world.city(cm, "douala").await;
    let member = world.account(cm, "awa@example.org", "Awa", &[]).await;
    let stranger = world.account(cm, "x@example.org", "X", &[]).await;
    let (organisation, admin) = organisations::register(
        &scope,
        &member,
        Draft {
            city_id: douala,
            kind: "association".into(),
            name: "Lire à Bonabéri".into(),
            description: "Bibliothèque.".into(),
            website: String::new(),
            public_email: String::new(),
            phone: String::new(),
            facilities: vec![],
        },
    )
    .await
    .expect("register");
    let mission = missions::create(
        &scope,
        &admin,
        Edit {
            organisation_id: organisation.id,
            input: MissionInput {
                texts: vec![TextInput {
                    locale: Locale::Fr,
                    title: "Ateliers".into(),
                    summary: String::new(),
                    description: "Lecture.".into(),
                }],
                city_id: None,
                domain: "education-enfance".into(),
                mission_type: "soutien-scolaire-ateliers".into(),
                contribution_types: vec!["benevolat".into()],
                starts_on: NaiveDate::from_ymd_opt(2027, 7, 1),
                ends_on: NaiveDate::from_ymd_opt(2027, 8, 1),
                ..MissionInput::default()
            },
            urgent: false,
            featured: false,
        },
    )
    .await
    .expect("create")
    .expect("created");
    let photos = MissionPhotos::for_tenant(world.store.conn(), cm);

    // Refused: a stranger, a script, a GIF, a polyglot, no alt text. Nothing is written.
    let add = |who, bytes: Vec<u8>, alt: &'static str| {
        let scope = &scope;
        async move {
            missions::add_photo(
                scope,
                blobs,
                who,
                jsap_domain::MissionId(mission.id),
                bytes,
                alt,
            )
            .await
            .expect("add")
        }
    };
    assert_eq!(
        add(&stranger, jpeg(), "Des enfants").await,
        Err(PhotoRefusal::Mission(missions::MissionRefusal::NotAllowed))
    );
    assert_eq!(
        add(&admin, b"<script>alert(1)</script>".to_vec(), "x").await,
        Err(PhotoRefusal::Image(ImageError::NotAnImage))
    );
    assert_eq!(
        add(&admin, b"GIF89a\x01\x00\x01\x00".to_vec(), "x").await,
        Err(PhotoRefusal::Image(ImageError::NotAnImage))
    );
    let mut polyglot = b"\x89PNG\r\n\x1a\n".to_vec();
    polyglot.extend_from_slice(b"<html><script>alert(1)</script></html>");
    assert_eq!(
        add(&admin, polyglot, "x").await,
        Err(PhotoRefusal::Image(ImageError::Unreadable))
    );
    assert_eq!(add(&admin, jpeg(), "  ").await, Err(PhotoRefusal::Alt));
    assert!(
        photos
            .of_mission(mission.id)
            .await
            .expect("list")
            .is_empty()
    );

    // Accepted: two variants, both stored, both served by key.
    let first = add(&admin, jpeg(), "Des enfants lisent")
        .await
        .expect("accepted");
    let stored = photos.of_mission(mission.id).await.expect("list");
    assert_eq!(stored.len(), 1);
    let p = &stored[0];
    assert_eq!(p.id, first);
    assert_eq!((p.width, p.height), (1000, 750), "not enlarged");
    assert_eq!((p.card_width, p.card_height), (640, 480));
    for key in [&p.blob_key, &p.card_key] {
        let bytes = blobs.get("cm", key).await.expect("get").expect("stored");
        assert_eq!(&bytes[..2], b"\xFF\xD8", "a JPEG");
        assert!(photos.by_key(key).await.expect("by key").is_some());
    }

    // Up to six; reordered; removed with its files.
    let mut ids = vec![first];
    for n in 1..6 {
        let alt = ["", "deux", "trois", "quatre", "cinq", "six"][n];
        ids.push(add(&admin, jpeg(), alt).await.expect("accepted"));
    }
    assert_eq!(
        add(&admin, jpeg(), "sept").await,
        Err(PhotoRefusal::TooMany)
    );
    assert_eq!(
        missions::change_photo(
            &scope,
            blobs,
            &admin,
            jsap_domain::MissionId(mission.id),
            jsap_domain::PhotoId(ids[5]),
            PhotoChange::Up
        )
        .await
        .expect("move"),
        Ok(true)
    );
    let order: Vec<i64> = photos
        .of_mission(mission.id)
        .await
        .expect("list")
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(order, [ids[0], ids[1], ids[2], ids[3], ids[5], ids[4]]);
    assert_eq!(
        missions::change_photo(
            &scope,
            blobs,
            &admin,
            jsap_domain::MissionId(mission.id),
            jsap_domain::PhotoId(ids[0]),
            PhotoChange::Up
        )
        .await
        .expect("move"),
        Ok(false),
        "the first cannot go up"
    );
    // Another tenant does not know this mission.
    let sn_scope = world.scope(&world.sn, &clock);
    let sn_operator = world
        .account(
            &world.sn,
            "op@example.sn",
            "Op",
            &[(Role::CountryOperator, None)],
        )
        .await;
    assert_eq!(
        missions::change_photo(
            &sn_scope,
            blobs,
            &sn_operator,
            jsap_domain::MissionId(mission.id),
            jsap_domain::PhotoId(ids[0]),
            PhotoChange::Remove
        )
        .await
        .expect("remove"),
        Err(missions::MissionRefusal::NotFound)
    );
    assert_eq!(
        missions::add_photo(
            &sn_scope,
            blobs,
            &sn_operator,
            jsap_domain::MissionId(mission.id),
            jpeg(),
            "x"
        )
        .await
        .expect("add"),
        Err(PhotoRefusal::Mission(missions::MissionRefusal::NotFound))
    );
    let gone = photos.of_mission(mission.id).await.expect("list")[0].clone();
    assert_eq!(
        missions::change_photo(
            &scope,
            blobs,
            &admin,
            jsap_domain::MissionId(mission.id),
            jsap_domain::PhotoId(gone.id),
            PhotoChange::Remove
        )
        .await
        .expect("remove"),
        Ok(true)
    );
    for key in [&gone.blob_key, &gone.card_key] {
        assert!(
            blobs.get("cm", key).await.expect("get").is_none(),
            "file removed"
        );
    }
    assert_eq!(photos.of_mission(mission.id).await.expect("list").len(), 5);
    let history = MissionEdits::for_tenant(world.store.conn(), cm)
        .history(mission.id)
        .await
        .expect("history");
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "photo_added").count(), 6);
    assert_eq!(actions.last(), Some(&"photo_removed"));

    // A storage that cannot be reached: an error, and no row.
    let down = BlobStore::s3(&S3Config {
        endpoint: Some("http://127.0.0.1:9".into()),
        bucket: "nowhere".into(),
        region: "us-east-1".into(),
        access_key_id: "test".into(),
        secret_access_key: "testtest".into(),
    })
    .expect("s3 config");
    missions::change_photo(
        &scope,
        blobs,
        &admin,
        jsap_domain::MissionId(mission.id),
        jsap_domain::PhotoId(ids[1]),
        PhotoChange::Remove,
    )
    .await
    .expect("remove")
    .expect("removed");
    assert!(
        missions::add_photo(
            &scope,
            &down,
            &admin,
            jsap_domain::MissionId(mission.id),
            jpeg(),
            "panne"
        )
        .await
        .is_err()
    );
    assert_eq!(photos.of_mission(mission.id).await.expect("list").len(), 4);
}

#[tokio::test]
async fn photos_on_the_local_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    exercise(&BlobStore::local(dir.path()).expect("local")).await;
}

#[tokio::test]
async fn photos_on_the_s3_compatible_server() {
    if let Some(blobs) = common::s3_store() {
        exercise(&blobs).await;
    }
}
