//! Metrics: on their own listener only (the public sites answer 404), by route template and
//! tenant, checked by `promtool check metrics` and scraped by a real Prometheus server.

use crate::helpers::{Options, TestApp, service_available};
use crate::roles::{CM, SN};
use std::process::Stdio;
use std::time::Duration;

fn installed(name: &str) -> bool {
    std::process::Command::new(name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The value of the series whose line starts with `series` (name and labels as written).
fn value(metrics: &str, series: &str) -> Option<f64> {
    metrics
        .lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_are_served_on_their_own_listener_and_read_by_prometheus() {
    let app = TestApp::spawn_with(Options {
        metrics: true,
        ..Default::default()
    })
    .await;
    let metrics_addr = app.metrics_addr.expect("metrics listener");
    for (host, path) in [
        (CM, "/fr/missions?q=ecole"),
        (CM, "/fr/missions"),
        (SN, "/fr/missions"),
        (CM, "/fr/no-such-page"),
        (CM, "/fr/"),
        (CM, "/fr/"),
    ] {
        app.get(host, path).await;
    }
    // A sign-up queues an email: the outbox backlog shows it (delivery runs hourly here).
    crate::helpers::Browser::new(&app, CM)
        .signup("metrics@example.org", "Métrique")
        .await;
    for host in [CM, SN] {
        let public = app.get(host, "/metrics").await;
        assert_eq!(public.status(), 404, "never on a public site");
    }
    let client = reqwest::Client::new();
    let scrape = client
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .expect("scrape");
    assert_eq!(scrape.status(), 200);
    assert!(
        scrape.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/plain; version=0.0.4")
    );
    let text = scrape.text().await.expect("body");
    let missions = r#"jsap_http_requests_total{method="GET",route="/:locale/missions",status="2xx",tenant="cm"}"#;
    assert!(value(&text, missions).is_some_and(|n| n >= 2.0), "{text}");
    let sn = r#"jsap_http_requests_total{method="GET",route="/:locale/missions",status="2xx",tenant="sn"}"#;
    assert!(value(&text, sn).is_some_and(|n| n >= 1.0));
    // A home page twice: rendered, then answered from the page cache before the router; both
    // count under its route. (The Gambian one, which no other test asks for: the counters are
    // the process's, shared by the tests running beside this one.)
    let home =
        r#"jsap_http_requests_total{method="GET",route="/:locale/",status="2xx",tenant="gm"}"#;
    let before = value(&text, home).unwrap_or(0.0);
    for _ in 0..2 {
        assert_eq!(app.page("jesuisengambie.com", "/en/").await.0, 200);
    }
    let again = crate::helpers::scrape(&client, &metrics_addr).await;
    assert!(
        value(&again, home).is_some_and(|n| n >= before + 2.0),
        "{again}"
    );
    assert!(
        text.contains(r#"route="unmatched",status="4xx",tenant="cm""#),
        "an unknown path counts under one route"
    );
    assert!(
        !text.contains("no-such-page") && !text.contains("q=ecole"),
        "templates only"
    );
    assert!(text.contains("jsap_http_request_duration_seconds_bucket{"));
    assert!(value(&text, "jsap_outbox_pending ").is_some_and(|n| n >= 1.0));
    assert!(value(&text, "jsap_build_info{").is_some_and(|n| n == 1.0));
    // The search pages read the catalogues: each site's first read loads it, later ones hit.
    let lookups =
        |metric: &str, outcome: &str| value(&text, &format!("{metric}{{outcome=\"{outcome}\"}}"));
    let catalogue = "jsap_catalogue_lookups_total";
    assert!(
        lookups(catalogue, "load").is_some_and(|n| n >= 2.0),
        "{text}"
    );
    assert!(
        lookups(catalogue, "hit").is_some_and(|n| n >= 1.0),
        "{text}"
    );
    // The home page twice: the first read misses the page cache, the second hits it.
    let page = "jsap_page_cache_lookups_total";
    assert!(lookups(page, "miss").is_some_and(|n| n >= 1.0), "{text}");
    assert!(lookups(page, "hit").is_some_and(|n| n >= 1.0), "{text}");
    assert!(value(&text, "jsap_db_pool_connections ").is_some_and(|n| n >= 1.0));
    // Counted from the pool's reports by the server's subscriber (`telemetry`), which this
    // test process does not install: here the series is present (its counting is tested in
    // `telemetry::tests` and by `cli::serve_...`).
    assert!(text.contains("jsap_db_pool_acquire_seconds_bucket{le=\"0.001\"}"));
    assert!(text.contains(r#"jsap_job_last_success_timestamp_seconds{job="deliver_outbox"}"#));

    if service_available(
        "promtool",
        installed("promtool"),
        "Debian package prometheus",
    ) {
        let mut check = std::process::Command::new("promtool")
            .args(["check", "metrics"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("promtool");
        use std::io::Write;
        check
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write");
        let out = check.wait_with_output().expect("promtool ran");
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    if service_available(
        "prometheus",
        installed("prometheus"),
        "Debian package prometheus",
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: jsap\n    static_configs:\n      - targets: ['{metrics_addr}']\n"
            ),
        )
        .expect("config");
        let port = crate::helpers::free_port();
        let mut prometheus = tokio::process::Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("prometheus");
        let query = |q: &str| {
            client
                .get(format!("http://127.0.0.1:{port}/api/v1/query"))
                .query(&[("query", q)])
                .send()
        };
        let mut scraped = None;
        for _ in 0..60 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let Ok(resp) = query(r#"jsap_http_requests_total{tenant="cm"}"#).await else {
                continue;
            };
            let text = resp.text().await.unwrap_or_default();
            let body: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            if body["data"]["result"]
                .as_array()
                .is_some_and(|r| !r.is_empty())
            {
                scraped = Some(body);
                break;
            }
        }
        let body = scraped.expect("Prometheus scraped the app's requests");
        assert_eq!(body["status"], "success");
        let up: serde_json::Value = serde_json::from_str(
            &query(r#"up{job="jsap"}"#)
                .await
                .expect("query")
                .text()
                .await
                .expect("body"),
        )
        .expect("json");
        assert_eq!(up["data"]["result"][0]["value"][1], "1", "{up}");
        prometheus.start_kill().expect("stop prometheus");
        let _ = prometheus.wait().await;
    }
    app.stop().await.expect("stop");
}
