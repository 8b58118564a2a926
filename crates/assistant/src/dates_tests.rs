use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

/// Tuesday 1 June 2027.
const TODAY: &str = "2027-06-01";

fn check(text: &str, from: &str, to: &str) {
    assert_eq!(find_dates(text, d(TODAY)), Some((d(from), d(to))), "{text}");
}

#[test]
fn ranges_in_french() {
    check("du 2 au 9 août 2027", "2027-08-02", "2027-08-09");
    check("Du 28 juillet au 3 août", "2027-07-28", "2027-08-03");
    check(
        "du samedi 2 au dimanche 10 octobre",
        "2027-10-02",
        "2027-10-10",
    );
    check("les 24 et 25 juillet", "2027-07-24", "2027-07-25");
    check("du 28 décembre au 3 janvier", "2027-12-28", "2028-01-03");
    check("du 02/08 au 09/08/2027", "2027-08-02", "2027-08-09");
    check("du 2 au 9/08", "2027-08-02", "2027-08-09");
    check("2–9 août", "2027-08-02", "2027-08-09");
}

#[test]
fn ranges_in_english() {
    check("from 2 to 9 August", "2027-08-02", "2027-08-09");
    check("August 2-9, 2028", "2028-08-02", "2028-08-09");
    check("between 12 and 16 July", "2027-07-12", "2027-07-16");
    check("from July 28 to August 3", "2027-07-28", "2027-08-03");
}

#[test]
fn single_days() {
    check("samedi 24 juillet", "2027-07-24", "2027-07-24");
    check("le 15/08", "2027-08-15", "2027-08-15");
    check("le 1er mai", "2028-05-01", "2028-05-01");
    check("on 10th July", "2027-07-10", "2027-07-10");
    check("on July 10th", "2027-07-10", "2027-07-10");
    check("le 15-08-2027", "2027-08-15", "2027-08-15");
    check("2027-09-03", "2027-09-03", "2027-09-03");
    check("la semaine du 12 juillet", "2027-07-12", "2027-07-18");
    check("le week-end du 24 juillet", "2027-07-24", "2027-07-25");
}

#[test]
fn a_date_without_a_year_is_the_next_occurrence() {
    check("le 31 mai", "2028-05-31", "2028-05-31");
    check("le 1er juin", "2027-06-01", "2027-06-01");
}

#[test]
fn parts_of_months_and_whole_months() {
    check("fin décembre", "2027-12-21", "2027-12-31");
    check("début janvier", "2028-01-01", "2028-01-10");
    check("mi-août", "2027-08-11", "2027-08-20");
    check("late December", "2027-12-21", "2027-12-31");
    check("mid August", "2027-08-11", "2027-08-20");
    check("end of June", "2027-06-21", "2027-06-30");
    check("en août", "2027-08-01", "2027-08-31");
    check("in September", "2027-09-01", "2027-09-30");
    check("courant juillet-août", "2027-07-01", "2027-08-31");
    check("fin février 2028", "2028-02-21", "2028-02-29");
    check("au mois d'août", "2027-08-01", "2027-08-31");
}

#[test]
fn seasons_holidays_and_relative_phrases() {
    check("pendant les grandes vacances", "2027-07-01", "2027-08-31");
    check("teach during the long holidays", "2027-07-01", "2027-08-31");
    check("départs en juillet et en août", "2027-07-01", "2027-08-31");
    check("this summer", "2027-07-01", "2027-08-31");
    check("à Noël", "2027-12-25", "2027-12-25");
    check("pour les fêtes de fin d'année", "2027-12-20", "2028-01-05");
    check("next month", "2027-07-01", "2027-07-31");
    check("le mois prochain", "2027-07-01", "2027-07-31");
    check("la semaine prochaine", "2027-06-07", "2027-06-13");
    check("demain", "2027-06-02", "2027-06-02");
    check("dmain", "2027-06-02", "2027-06-02");
    check("ce week-end", "2027-06-05", "2027-06-06");
    check("samedi prochain", "2027-06-05", "2027-06-05");
}

#[test]
fn no_dates_where_there_are_none() {
    for text in [
        "Nous cherchons 10 000 arbres et 150 000 FCFA",
        "pendant sept jours",
        "disponible 24/7",
        "Objectif 5 millions, 2 médecins",
        "vous pouvez aider",
        "les inondations de mars dernier",
        "since last August",
    ] {
        assert_eq!(find_dates(text, d(TODAY)), None, "{text}");
    }
}

#[test]
fn deadlines_are_not_mission_dates_and_open_starts_have_no_end() {
    let today = NaiveDate::from_ymd_opt(2027, 6, 1).expect("date");
    assert_eq!(find_dates("à rendre avant le 15 août", today), None);
    assert!(find_dates("d'ici fin septembre", today).is_some());
    assert_eq!(find_dates("before 1 September", today), None);
    let aug5 = NaiveDate::from_ymd_opt(2027, 8, 5);
    assert_eq!(
        find_window("à partir du 5 août, tous les samedis", today),
        Some((aug5.expect("date"), None))
    );
    assert_eq!(
        find_window("starting 5 August", today),
        Some((aug5.expect("date"), None))
    );
    let aug9 = NaiveDate::from_ymd_opt(2027, 8, 9);
    assert_eq!(
        find_window("from 5 to 9 August", today),
        Some((aug5.expect("date"), aug9))
    );
}
