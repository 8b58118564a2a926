//! Each adapter against its embedded default and against the real service.

use crate::helpers::{env, service_available};
use bytes::Bytes;
use jsap_adapters::blob::S3Config;
use jsap_adapters::{BlobStore, Cache, Mailer};
use jsap_store::{OutboxEmail, OutboxStatus};
use std::time::Duration;

async fn exercise_cache(cache: &Cache) {
    assert_eq!(cache.get("k").await.expect("get"), None);
    cache
        .set("k", "v1", Duration::from_secs(60))
        .await
        .expect("set");
    assert_eq!(cache.get("k").await.expect("get").as_deref(), Some("v1"));
    cache
        .set("short", "x", Duration::from_millis(100))
        .await
        .expect("set");
    let window = Duration::from_secs(60);
    for expected in 1..=3 {
        let (count, left) = cache.incr_with_ttl("hits", window).await.expect("incr");
        assert_eq!(count, expected);
        assert!(left <= window && left > Duration::from_secs(50), "{left:?}");
    }
    let (count, _) = cache
        .incr_with_ttl("short-hits", Duration::from_millis(100))
        .await
        .expect("incr");
    assert_eq!(count, 1);
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(cache.get("short").await.expect("get"), None, "expired");
    let (count, _) = cache
        .incr_with_ttl("short-hits", Duration::from_millis(100))
        .await
        .expect("incr");
    assert_eq!(count, 1, "a counter starts again after its window");
    let (count, _) = cache.incr_with_ttl("hits", window).await.expect("incr");
    assert_eq!(count, 4, "the window is kept, not restarted, by later hits");
    assert!(
        cache
            .set_if_absent("lock", "a", Duration::from_secs(60))
            .await
            .expect("nx")
    );
    assert!(
        !cache
            .set_if_absent("lock", "b", Duration::from_secs(60))
            .await
            .expect("nx")
    );
    assert_eq!(cache.get("lock").await.expect("get").as_deref(), Some("a"));
    cache.delete("lock").await.expect("del");
    assert!(
        cache
            .set_if_absent("lock", "c", Duration::from_secs(60))
            .await
            .expect("nx")
    );
    cache.ping().await.expect("ping");
}

#[tokio::test]
async fn in_process_cache_stores_expires_and_locks() {
    exercise_cache(&Cache::in_process()).await;
}

#[tokio::test]
async fn redis_cache_stores_expires_and_locks_under_its_prefix() {
    let url = env("TEST_REDIS_URL").unwrap_or_else(|| "redis://127.0.0.1:6379".into());
    let prefix = format!("jsap-test:{}:", uuid::Uuid::new_v4().simple());
    let cache =
        match tokio::time::timeout(Duration::from_secs(5), Cache::redis(&url, &prefix)).await {
            Ok(Ok(cache)) => cache,
            other => {
                let why = format!("{url}: {:?}", other.map(|r| r.map(|_| ())));
                if !service_available("Redis", false, &why) {
                    return;
                }
                unreachable!()
            }
        };
    exercise_cache(&cache).await;
    let other = Cache::redis(
        &url,
        &format!("jsap-test:{}:", uuid::Uuid::new_v4().simple()),
    )
    .await
    .expect("redis");
    assert_eq!(
        other.get("k").await.expect("get"),
        None,
        "another prefix sees nothing"
    );
}

async fn exercise_blobs(blobs: &BlobStore) {
    let data = Bytes::from_static(b"\x89PNG fake image");
    blobs
        .put("cm", "missions/1/photo.png", data.clone())
        .await
        .expect("put");
    assert_eq!(
        blobs.get("cm", "missions/1/photo.png").await.expect("get"),
        Some(data)
    );
    assert_eq!(
        blobs.get("sn", "missions/1/photo.png").await.expect("get"),
        None,
        "keys live under the tenant"
    );
    blobs
        .delete("cm", "missions/1/photo.png")
        .await
        .expect("delete");
    assert_eq!(
        blobs.get("cm", "missions/1/photo.png").await.expect("get"),
        None
    );
    blobs
        .delete("cm", "missions/1/photo.png")
        .await
        .expect("deleting twice is fine");
    for bad in ["../escape", "/abs", "a//b", ""] {
        assert!(
            blobs.put("cm", bad, Bytes::new()).await.is_err(),
            "{bad:?} refused"
        );
    }
}

#[tokio::test]
async fn local_blob_store_keeps_files_under_the_uploads_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let blobs = BlobStore::local(dir.path()).expect("local");
    blobs
        .put("cm", "a/b.txt", Bytes::from_static(b"hello"))
        .await
        .expect("put");
    assert_eq!(
        std::fs::read(dir.path().join("cm/a/b.txt")).expect("file"),
        b"hello"
    );
    exercise_blobs(&blobs).await;
}

#[tokio::test]
async fn s3_blob_store_round_trips_on_the_s3_compatible_server() {
    let (Some(endpoint), Some(bucket)) = (env("TEST_S3_ENDPOINT"), env("TEST_S3_BUCKET")) else {
        service_available(
            "S3-compatible server",
            false,
            "TEST_S3_ENDPOINT / TEST_S3_BUCKET not set",
        );
        return;
    };
    let blobs = BlobStore::s3(&S3Config {
        endpoint: Some(endpoint),
        bucket,
        region: "us-east-1".into(),
        access_key_id: "test".into(),
        secret_access_key: "testtest".into(),
    })
    .expect("s3 config");
    exercise_blobs(&blobs).await;
}

fn outbox_email(to: &str) -> OutboxEmail {
    OutboxEmail {
        id: 42,
        tenant_code: "cm".into(),
        kind: "test".into(),
        to: to.into(),
        from_name: "Je suis au Cameroun".into(),
        from_address: "contact@jesuisaucameroun.com".into(),
        subject: "Votre invitation à Douala".into(),
        text_body: "Bonjour, voici votre lien : https://jesuisaucameroun.com/fr/invitation/abc"
            .into(),
        html_body: "<p>Bonjour</p>".into(),
        status: OutboxStatus::Pending,
        attempts: 0,
        next_attempt_at: chrono::Utc::now(),
        last_error: None,
    }
}

#[tokio::test]
async fn file_mailer_writes_one_eml_per_email() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mailer = Mailer::files(dir.path()).expect("mailer");
    mailer
        .send(&outbox_email("pf.douala@jesuisaucameroun.com"))
        .await
        .expect("send");
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(files[0].path()).expect("eml");
    assert!(text.contains("To: pf.douala@jesuisaucameroun.com"));
    assert!(text.contains("multipart/alternative"));
    assert!(mailer.send(&outbox_email("not an address")).await.is_err());
}

#[tokio::test]
async fn smtp_mailer_delivers_to_the_sink_with_recipient_subject_and_link() {
    let (Some(url), Some(maildir)) = (env("TEST_SMTP_URL"), env("TEST_SMTP_MAILDIR")) else {
        service_available(
            "SMTP sink",
            false,
            "TEST_SMTP_URL / TEST_SMTP_MAILDIR not set",
        );
        return;
    };
    let mailer = Mailer::smtp(&url).expect("smtp");
    let to = format!("pf.{}@jesuisaucameroun.com", uuid::Uuid::new_v4().simple());
    mailer.send(&outbox_email(&to)).await.expect("send");
    let mut found = None;
    for _ in 0..50 {
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(std::path::Path::new(&maildir).join(sub)) else {
                continue;
            };
            for entry in entries.flatten() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                if text.contains(&to) {
                    found = Some(text);
                }
            }
        }
        if found.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let text = found.expect("the sink received the email");
    assert!(text.contains(&format!("To: {to}")));
    assert!(
        text.contains("Subject: =?utf-8?") || text.contains("Subject: Votre invitation"),
        "{text}"
    );
    assert!(text.contains("https://jesuisaucameroun.com/fr/invitation/abc"));
}
