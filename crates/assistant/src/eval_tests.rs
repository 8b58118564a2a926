use super::*;
use std::path::Path;

/// Cities of a tenant from the project's tenant files.
fn project_cities(code: &str) -> Option<Vec<City>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tenants");
    let tenants = jsap_tenancy::load_dir(&dir).ok()?;
    let tenant = tenants.into_iter().find(|t| t.code.as_str() == code)?;
    Some(
        tenant
            .cities
            .iter()
            .map(|c| City {
                slug: c.slug.as_str().to_string(),
                name: c.name.clone(),
                name_ar: c.name_ar.clone(),
            })
            .collect(),
    )
}

#[test]
fn malformed_lines_and_unknown_tenants_name_their_line() {
    let good = r#"{"text":"Nettoyage à Douala","tenant":"cm","expected_topic":"environnement-proprete","expected_urgency":"normal","expected_language":"fr"}"#;
    let e = evaluate(&format!("{good}\n{{not json\n"), &project_cities).expect_err("malformed");
    assert!(e.to_string().starts_with("line 2: invalid JSON"), "{e}");
    let unknown = good.replace("\"cm\"", "\"zz\"");
    let e = evaluate(&format!("\n{unknown}\n"), &project_cities).expect_err("unknown tenant");
    assert_eq!(e.to_string(), "line 2: unknown tenant \"zz\"");
    let e = evaluate(r#"{"text":"x","tenant":"cm"}"#, &project_cities).expect_err("unlabelled");
    assert!(e.to_string().starts_with("line 1: neither"), "{e}");
    let e = evaluate(
        r#"{"text":"x","tenant":"cm","expected_domain":"sante"}"#,
        &project_cities,
    )
    .expect_err("incomplete");
    assert!(e.to_string().contains("missing field"), "{e}");
    assert!(matches!(
        evaluate("\n\n", &project_cities),
        Err(EvalError::Empty)
    ));
}

#[test]
fn a_report_counts_and_renders() {
    let line = r#"{"text":"Consultations médicales gratuites à Douala du 2 au 9 août 2027","tenant":"cm","expected_domain":"sante","expected_mission_type":"consultations-medicales","expected_contribution_types":["competences","benevolat"],"expected_city":"douala","expected_remote":false,"expected_dates":["2027-08-02","2027-08-09"]}"#;
    let r = evaluate(line, &project_cities).expect("report");
    assert_eq!(r.needs(), 1);
    assert_eq!(r.domain_top1, Tally { right: 1, total: 1 });
    assert_eq!(r.dates_stated, Tally { right: 1, total: 1 });
    let text = r.render(true);
    assert!(
        text.contains("domain (top 1)") && text.contains("100.0 %"),
        "{text}"
    );
}

fn held_out(file: &str) -> Report {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(file);
    let content = std::fs::read_to_string(path).expect("held-out file");
    let report = evaluate(&content, &project_cities).expect("held-out eval");
    println!("{}", report.render(false));
    report
}

/// The targets of issue 13 on the held-out needs: CI fails if the engine regresses.
#[test]
fn held_out_needs_meet_the_targets() {
    let r = held_out("needs-heldout.jsonl");
    assert!(r.needs() >= 60);
    assert!(r.domain_top1.rate() >= 0.85, "domain {:?}", r.domain_top1);
    assert!(
        r.mission_type_top3.rate() >= 0.85,
        "type top 3 {:?}",
        r.mission_type_top3
    );
    assert!(r.city.rate() >= 0.95, "city {:?}", r.city);
    assert!(r.dates_stated.rate() >= 0.90, "dates {:?}", r.dates_stated);
    assert!(r.remote.rate() >= 0.90, "remote {:?}", r.remote);
}

#[test]
fn held_out_requests_meet_the_targets() {
    let r = held_out("requests-heldout.jsonl");
    assert!(r.requests() >= 40);
    assert!(r.topic.rate() >= 0.80, "topic {:?}", r.topic);
    assert!(r.urgency.rate() >= 0.75, "urgency {:?}", r.urgency);
    assert!(r.language.rate() >= 0.98, "language {:?}", r.language);
}

/// Floors a little below the figures measured on the stress sets (texts in other styles,
/// `docs/assistant.md`): a regression fails CI.
struct Floors {
    domain: f64,
    type_top3: f64,
    city: f64,
    dates: f64,
    remote: f64,
}

fn check_needs(file: &str, f: &Floors) {
    let r = held_out(file);
    assert!(r.needs() >= 40, "{file}");
    assert!(
        r.domain_top1.rate() >= f.domain,
        "{file} domain {:?}",
        r.domain_top1
    );
    assert!(
        r.mission_type_top3.rate() >= f.type_top3,
        "{file} type top 3 {:?}",
        r.mission_type_top3
    );
    assert!(r.city.rate() >= f.city, "{file} city {:?}", r.city);
    assert!(
        r.dates_stated.rate() >= f.dates,
        "{file} dates {:?}",
        r.dates_stated
    );
    assert!(r.remote.rate() >= f.remote, "{file} remote {:?}", r.remote);
}

fn check_requests(file: &str, topic: f64, urgency: f64, language: f64) {
    let r = held_out(file);
    assert!(r.requests() >= 15, "{file}");
    assert!(r.topic.rate() >= topic, "{file} topic {:?}", r.topic);
    assert!(
        r.urgency.rate() >= urgency,
        "{file} urgency {:?}",
        r.urgency
    );
    assert!(
        r.language.rate() >= language,
        "{file} language {:?}",
        r.language
    );
}

#[test]
fn stress_sets_do_not_regress() {
    check_needs(
        "needs-stress.jsonl",
        &Floors {
            domain: 0.95,
            type_top3: 0.95,
            city: 0.97,
            dates: 0.94,
            remote: 0.92,
        },
    );
    check_needs(
        "needs-stress2.jsonl",
        &Floors {
            domain: 0.90,
            type_top3: 0.93,
            city: 0.97,
            dates: 0.92,
            remote: 0.85,
        },
    );
    check_needs(
        "needs-stress3.jsonl",
        &Floors {
            domain: 0.90,
            type_top3: 0.95,
            city: 0.97,
            dates: 0.95,
            remote: 0.92,
        },
    );
    check_requests("requests-stress.jsonl", 0.88, 0.95, 0.98);
    check_requests("requests-stress3.jsonl", 0.85, 0.85, 0.95);
    check_requests("requests-stress2.jsonl", 0.85, 0.95, 0.95);
}
