//! The outbox delivery job: files by default, retries with backoff when the mail server fails,
//! one run at a time per cluster.

use crate::helpers::services;
use jsap_adapters::{Cache, Mailer};
use jsap_jobs::{deliver_outbox, with_lock};
use jsap_store::{Outbox, OutboxDelivery, OutboxStatus};
use std::time::Duration;

#[tokio::test]
async fn invitations_are_delivered_as_eml_files_and_marked_sent() {
    let (services, dir) = services().await;
    let report = deliver_outbox(&services.store, &services.mailer, &services.cache)
        .await
        .expect("deliver");
    // 14 (cm) + 5 for each of the 6 other countries; the batch is 100.
    assert_eq!(report.sent, 44);
    assert_eq!(
        (report.retried, report.failed, report.skipped),
        (0, 0, false)
    );
    let outbox = dir.path().join("data/outbox");
    let files: Vec<_> = std::fs::read_dir(&outbox)
        .expect("outbox dir")
        .flatten()
        .collect();
    assert_eq!(files.len(), 44);
    let douala = files
        .iter()
        .map(|f| std::fs::read_to_string(f.path()).expect("eml"))
        .find(|text| text.contains("To: pf.douala@jesuisaucameroun.com"))
        .expect("Douala's invitation");
    assert!(
        douala.contains("From: \"Je suis au Cameroun\" <contact@jesuisaucameroun.com>")
            || douala.contains("From: Je suis au Cameroun <contact@jesuisaucameroun.com>"),
        "{douala}"
    );
    assert!(
        douala.contains("https://jesuisaucameroun.com/fr/invitation/"),
        "link on the canonical domain"
    );
    let cm = services.registry.get("cm").expect("cm").clone();
    let rows = Outbox::for_tenant(services.store.conn(), &cm)
        .list()
        .await
        .expect("list");
    assert!(
        rows.iter()
            .all(|r| r.status == OutboxStatus::Sent && r.attempts == 1)
    );
    let again = deliver_outbox(&services.store, &services.mailer, &services.cache)
        .await
        .expect("deliver");
    assert_eq!(again.sent, 0, "nothing is sent twice");
}

#[tokio::test]
async fn an_smtp_outage_loses_nothing_and_retries_with_backoff() {
    let (services, _dir) = services().await;
    // Nothing listens on this port: every attempt fails.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let broken = Mailer::smtp(&format!("smtp://127.0.0.1:{port}")).expect("mailer");
    let report = deliver_outbox(&services.store, &broken, &services.cache)
        .await
        .expect("run");
    assert_eq!((report.sent, report.retried), (0, 44));
    let cm = services.registry.get("cm").expect("cm").clone();
    let rows = Outbox::for_tenant(services.store.conn(), &cm)
        .list()
        .await
        .expect("list");
    let now = chrono::Utc::now();
    for row in &rows {
        assert_eq!(row.status, OutboxStatus::Pending);
        assert_eq!(row.attempts, 1);
        assert!(row.last_error.is_some());
        assert!(
            row.next_attempt_at > now + chrono::Duration::seconds(50),
            "backed off about a minute"
        );
    }
    let immediately = deliver_outbox(&services.store, &services.mailer, &services.cache)
        .await
        .expect("run");
    assert_eq!(immediately.sent, 0, "not due yet");
    // Once due again, a working mailer delivers them.
    let later = now + chrono::Duration::minutes(2);
    let due = OutboxDelivery::across_all_tenants(services.store.conn())
        .due(later, 1000)
        .await
        .expect("due");
    assert_eq!(due.len(), 44);
    // After MAX_ATTEMPTS failures an email is marked failed, not dropped.
    let delivery = OutboxDelivery::across_all_tenants(services.store.conn());
    let id = rows[0].id;
    let mut status = OutboxStatus::Pending;
    for _ in 1..8 {
        status = delivery
            .mark_attempt_failed(id, "still down", later)
            .await
            .expect("mark");
    }
    assert_eq!(status, OutboxStatus::Failed);
}

#[tokio::test]
async fn a_job_runs_once_when_two_replicas_race() {
    let cache = match crate::helpers::env("TEST_REDIS_URL") {
        Some(url) => Cache::redis(
            &url,
            &format!("jsap-test:{}:", uuid::Uuid::new_v4().simple()),
        )
        .await
        .expect("redis"),
        None => Cache::in_process(),
    };
    let (first, second) = tokio::join!(
        with_lock(&cache, "race", Duration::from_secs(30), async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Ok(1)
        }),
        async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            with_lock(&cache, "race", Duration::from_secs(30), async { Ok(2) }).await
        }
    );
    assert_eq!(first.expect("first"), Some(1));
    assert_eq!(second.expect("second"), None, "the second replica skipped");
    let third = with_lock(&cache, "race", Duration::from_secs(30), async { Ok(3) })
        .await
        .expect("third");
    assert_eq!(third, Some(3), "the lock is released after the run");
}
