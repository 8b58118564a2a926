//! `recommend` on the worst case the issue names: a SQLite site with 2,500 published missions
//! and a member whose stay covers every city of Cameroon for two years, remote accepted, so
//! every open mission of the site is a candidate. Four measurements: the whole use case
//! (read from the catalogue in memory, rank, reasons, titles), the catalogue read alone, the
//! same read from the database (what the use case did before), and the ranking alone, so a
//! regression says where it is. `cargo bench -p jesuisaupays --bench recommend`.

use chrono::{Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use jesuisaupays::config::DemoData;
use jesuisaupays::{Config, Services};
use jsap_app::recommend::{Member, MemberStay, recommend, score};
use jsap_domain::Locale;
use jsap_store::{CandidateFilter, Cities, Recommendables};
use std::hint::black_box;
use std::path::PathBuf;

/// Published missions on the measured site.
const PER_SITE: usize = 2_500;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = Config::defaults();
    config.data_dir = dir.path().join("data");
    config.tenants_dir = repo_root().join("tenants");
    config.themes_dir = repo_root().join("themes");
    config.demo_data = DemoData::Off;
    config.weather_url = None;
    let services = rt.block_on(async {
        let services = Services::connect(&config).await.expect("services");
        services.sync_tenants().await.expect("sync");
        let sites = services.registry.countries().count();
        jesuisaupays::seed::seed_synthetic(&services, PER_SITE * sites)
            .await
            .expect("seed");
        services
    });
    let cm = services.registry.get("cm").expect("cm").clone();
    let today = cm.local_date(Utc::now());
    let cities = rt
        .block_on(Cities::for_tenant(services.store.conn(), &cm).list())
        .expect("cities");
    let member = Member {
        residence_country: "FR".into(),
        home_city: Some("douala".into()),
        skills: vec!["comptabilité".into(), "informatique".into(), "santé".into()],
        languages: vec!["fr".into(), "en".into()],
        interests_domains: vec!["education-enfance".into(), "sante".into()],
        contribution_types: vec!["competences".into()],
        stays: vec![MemberStay {
            from: today,
            to: today + Duration::days(730),
            cities: cities.iter().map(|c| c.slug.clone()).collect(),
        }],
        remote_ok: true,
        leave_out: Vec::new(),
    };
    let filter = CandidateFilter {
        today,
        city_ids: cities.iter().map(|c| c.id).collect(),
        remote: true,
    };
    let read = || async {
        Recommendables::for_tenant(services.store.conn(), &cm)
            .candidates(&filter)
            .await
            .expect("candidates")
    };
    let found = rt.block_on(read());
    assert!(
        found.len() >= PER_SITE,
        "{} open missions on cm, expected {PER_SITE}",
        found.len()
    );
    eprintln!("cm: {} candidate missions", found.len());
    let slug_of: std::collections::HashMap<i64, &str> =
        cities.iter().map(|c| (c.id, c.slug.as_str())).collect();
    let candidates: Vec<score::Candidate> = found
        .into_iter()
        .map(|m| score::Candidate {
            city: slug_of[&m.city_id].to_owned(),
            id: m.id,
            slug: m.slug,
            terms: m.terms,
            skills: m.skills,
            languages: m.locales.iter().filter_map(|l| l.parse().ok()).collect(),
            published_on: m.published_at.map(|at| cm.local_date(at)),
        })
        .collect();

    let mut group = c.benchmark_group("recommend_2500");
    group.sample_size(30);
    group.bench_function("use_case", |b| {
        b.iter(|| {
            rt.block_on(recommend(
                &services.store,
                &cm,
                black_box(&member),
                10,
                today,
                Locale::Fr,
            ))
            .expect("recommend")
            .expect("valid profile")
        })
    });
    group.bench_function("read_catalogue", |b| {
        b.iter(|| {
            rt.block_on(services.store.catalogue(&cm))
                .expect("catalogue")
                .candidates(black_box(&filter))
        })
    });
    group.bench_function("read_sql", |b| b.iter(|| rt.block_on(read())));
    group.bench_function("rank", |b| {
        b.iter(|| score::rank(black_box(&member), &candidates, today, 10))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
