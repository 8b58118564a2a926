use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn today() -> NaiveDate {
    d("2027-07-01")
}

fn mission(id: i64, city: &str, domain: &str) -> Candidate {
    Candidate {
        id,
        slug: format!("mission-{id}"),
        city: city.to_owned(),
        languages: vec![Locale::Fr],
        published_on: Some(d("2027-06-01")),
        terms: MissionTerms {
            domain: domain.to_owned(),
            mission_type: "t".to_owned(),
            contribution_types: vec!["benevolat".to_owned()],
            remote: false,
            urgent: false,
            flexible: false,
            starts_on: d("2027-08-01"),
            ends_on: d("2027-08-20"),
        },
        skills: vec![],
    }
}

fn member() -> Member {
    Member {
        stays: vec![MemberStay {
            from: d("2027-08-02"),
            to: d("2027-08-09"),
            cities: vec!["douala".to_owned()],
        }],
        ..Member::default()
    }
}

fn ids(ranked: &[Ranked]) -> Vec<i64> {
    ranked.iter().map(|r| r.id).collect()
}

#[test]
fn a_mission_in_a_stay_city_during_the_stay_fits_with_the_stay_as_its_reason() {
    let ranked = rank(&member(), &[mission(1, "douala", "sante")], today(), 10);
    assert_eq!(ids(&ranked), [1]);
    assert_eq!(
        ranked[0].reasons[0],
        Reason::Stay {
            city: "douala".to_owned(),
            from: d("2027-08-02"),
            to: d("2027-08-09"),
        }
    );
}

#[test]
fn a_city_outside_the_stay_never_fits_even_to_fill_the_list() {
    let ranked = rank(&member(), &[mission(1, "yaounde", "sante")], today(), 10);
    assert!(ranked.is_empty());
}

#[test]
fn a_stay_over_before_today_does_not_count() {
    let mut m = member();
    m.stays[0].from = d("2027-06-01");
    m.stays[0].to = d("2027-06-30");
    let mut c = mission(1, "douala", "sante");
    c.terms.starts_on = d("2027-06-01");
    c.terms.ends_on = d("2027-12-31");
    assert!(rank(&m, &[c.clone()], today(), 10).is_empty());
    // The same stay ending today still counts.
    m.stays[0].to = today();
    assert_eq!(ids(&rank(&m, &[c], today(), 10)), [1]);
}

#[test]
fn a_window_outside_the_stay_never_fits() {
    let mut c = mission(1, "douala", "sante");
    c.terms.starts_on = d("2027-08-10");
    c.terms.ends_on = d("2027-08-20");
    assert!(rank(&member(), &[c.clone()], today(), 10).is_empty());
    // The stay's last day counts.
    c.terms.starts_on = d("2027-08-09");
    assert_eq!(ids(&rank(&member(), &[c], today(), 10)), [1]);
}

#[test]
fn remote_fits_only_when_the_member_accepts_remote() {
    let mut c = mission(1, "yaounde", "sante");
    c.terms.remote = true;
    let mut m = member();
    assert!(rank(&m, &[c.clone()], today(), 10).is_empty());
    m.remote_ok = true;
    let ranked = rank(&m, &[c.clone()], today(), 10);
    assert_eq!(ranked[0].reasons[0], Reason::Remote);
    // Remote with no stay at all.
    m.stays.clear();
    assert_eq!(ids(&rank(&m, &[c], today(), 10)), [1]);
}

#[test]
fn an_ended_mission_never_fits_remote_or_flexible() {
    let mut m = member();
    m.remote_ok = true;
    let mut c = mission(1, "douala", "sante");
    c.terms.remote = true;
    c.terms.flexible = true;
    c.terms.starts_on = d("2026-06-01");
    c.terms.ends_on = d("2027-06-30");
    assert!(rank(&m, &[c], today(), 10).is_empty());
}

#[test]
fn a_flexible_mission_fits_any_stay_in_its_city() {
    let mut c = mission(1, "douala", "sante");
    c.terms.flexible = true;
    c.terms.starts_on = d("2027-09-01");
    c.terms.ends_on = d("2028-09-01");
    assert_eq!(ids(&rank(&member(), &[c.clone()], today(), 10)), [1]);
    c.city = "yaounde".to_owned();
    assert!(rank(&member(), &[c], today(), 10).is_empty());
}

#[test]
fn interests_come_first_then_contribution_types() {
    let mut m = member();
    m.interests_domains = vec!["sante".to_owned()];
    m.contribution_types = vec!["don-financier".to_owned()];
    let plain = mission(1, "douala", "culture-patrimoine");
    let mut giving = mission(2, "douala", "culture-patrimoine");
    giving.terms.contribution_types = vec!["don-financier".to_owned()];
    let health = mission(3, "douala", "sante");
    let ranked = rank(&m, &[plain, giving, health], today(), 10);
    assert_eq!(ids(&ranked), [3, 2, 1]);
    assert_eq!(ranked[0].reasons[1], Reason::Interest("sante".to_owned()));
    assert_eq!(
        ranked[1].reasons[1],
        Reason::Contribution("don-financier".to_owned())
    );
    assert_eq!(ranked[2].reasons.len(), 1, "nothing else to say");
}

#[test]
fn skills_match_whatever_the_accents_case_and_gender() {
    let mut m = member();
    m.skills = vec!["Infirmière".to_owned(), "comptabilité".to_owned()];
    let mut nurse = mission(1, "douala", "sante");
    nurse.skills = vec!["infirmier".to_owned(), "logistique".to_owned()];
    let other = mission(2, "douala", "sante");
    let ranked = rank(&m, &[other, nurse], today(), 10);
    assert_eq!(ids(&ranked), [1, 2]);
    assert_eq!(
        ranked[0].reasons[1],
        Reason::Skills(vec!["Infirmière".to_owned()])
    );
}

#[test]
fn urgency_language_freshness_and_home_city_order_what_fits() {
    let mut m = member();
    m.home_city = Some("douala".to_owned());
    m.languages = vec!["English".to_owned()];
    m.stays[0].cities.push("kribi".to_owned());
    let base = mission(1, "kribi", "sante");
    let mut urgent = mission(2, "kribi", "sante");
    urgent.terms.urgent = true;
    let mut english = mission(3, "kribi", "sante");
    english.languages = vec![Locale::Fr, Locale::En];
    let mut fresh = mission(4, "kribi", "sante");
    fresh.published_on = Some(today());
    let home = mission(5, "douala", "sante");
    let mut all = [base, urgent, english, fresh, home];
    for c in &mut all {
        if c.id != 4 {
            c.published_on = None;
        }
    }
    let ranked = rank(&m, &all, today(), 10);
    // Fresh (10) > urgent (8) > English (6) > home city (5) > nothing.
    assert_eq!(ids(&ranked), [4, 2, 3, 5, 1]);
    assert_eq!(ranked[1].reasons.last(), Some(&Reason::Urgent));
    assert_eq!(
        ranked[3].reasons.last(),
        Some(&Reason::HomeCity("douala".to_owned()))
    );
}

#[test]
fn ties_are_broken_by_publication_then_id_whatever_the_input_order() {
    let mut a = mission(7, "douala", "sante");
    let b = mission(3, "douala", "sante");
    let c = mission(5, "douala", "sante");
    a.published_on = Some(d("2027-06-02"));
    let forward = rank(&member(), &[a.clone(), b.clone(), c.clone()], today(), 10);
    let backward = rank(&member(), &[c, b, a], today(), 10);
    assert_eq!(ids(&forward), [7, 3, 5]);
    assert_eq!(ids(&forward), ids(&backward));
}

#[test]
fn the_limit_cuts_the_list_and_scores_stay_between_zero_and_one() {
    let candidates: Vec<Candidate> = (1..=20).map(|i| mission(i, "douala", "sante")).collect();
    let ranked = rank(&member(), &candidates, today(), 5);
    assert_eq!(ranked.len(), 5);
    assert!(
        ranked
            .iter()
            .all(|r| (0.0..=1.0).contains(&score_of(r.points)))
    );
    assert_eq!(score_of(MAX_POINTS), 1.0);
}

#[test]
fn languages_are_read_from_codes_and_names() {
    let written = ["Français", "english", " ar ", "wolof", "fr"].map(str::to_owned);
    assert_eq!(
        spoken_locales(&written),
        [Locale::Fr, Locale::En, Locale::Ar]
    );
}

#[test]
fn the_profile_json_reads_the_documented_fields_and_refuses_others() {
    let json = r#"{"residence_country":"FR","home_city":"douala","skills":["compta"],
        "languages":["fr"],"interests_domains":["sante"],"contribution_types":["benevolat"],
        "stays":[{"from":"2027-08-02","to":"2027-08-09","cities":["douala"]}],"remote_ok":true}"#;
    let m: Member = serde_json::from_str(json).expect("a profile");
    assert_eq!(m.stays[0].cities, ["douala"]);
    assert!(m.remote_ok);
    assert!(serde_json::from_str::<Member>(r#"{"interest":["sante"]}"#).is_err());
}

#[test]
fn missions_left_out_are_never_ranked_and_the_next_ones_take_their_place() {
    let missions = [
        mission(1, "douala", "sante"),
        mission(2, "douala", "sante"),
        mission(3, "douala", "sante"),
    ];
    let mut m = member();
    assert_eq!(ids(&rank(&m, &missions, today(), 2)), [1, 2]);
    m.leave_out = vec![1, 3];
    assert_eq!(ids(&rank(&m, &missions, today(), 2)), [2]);
    m.leave_out = vec![1, 2, 3];
    assert!(rank(&m, &missions, today(), 2).is_empty());
    // The profile JSON cannot set it.
    assert!(serde_json::from_str::<Member>(r#"{"leave_out":[1]}"#).is_err());
}

#[path = "score_property.rs"]
mod property;
