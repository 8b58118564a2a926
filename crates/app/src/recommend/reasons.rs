//! The reasons of a recommendation in the member's language (`recommend.*` in `locales/`).

use super::score::Reason;
use chrono::{Datelike, NaiveDate};
use jsap_adapters::translate;
use jsap_domain::{Locale, Taxonomy};
use jsap_store::CityRecord;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month(date: NaiveDate, locale: Locale) -> String {
    let index = usize::try_from(date.month0()).unwrap_or(0);
    translate(locale.as_str(), &format!("month.{}", MONTHS[index]))
}

/// A stay's dates, short: "2–9 août", "28 juil. – 3 août", "28 déc. 2027 – 3 janv. 2028".
pub fn short_dates(from: NaiveDate, to: NaiveDate, locale: Locale) -> String {
    if from.year() != to.year() {
        return format!(
            "{} {} {} – {} {} {}",
            from.day(),
            month(from, locale),
            from.year(),
            to.day(),
            month(to, locale),
            to.year()
        );
    }
    if from.month() == to.month() {
        return format!("{}–{} {}", from.day(), to.day(), month(to, locale));
    }
    format!(
        "{} {} – {} {}",
        from.day(),
        month(from, locale),
        to.day(),
        month(to, locale)
    )
}

/// Puts reasons into words.
pub struct Words<'a> {
    /// Whose viewpoint: `recommend` speaks to the member ("votre séjour"), `fit` to a focal
    /// point about the member ("son séjour"); the locale section of the keys.
    pub section: &'static str,
    pub locale: Locale,
    pub taxonomy: &'a Taxonomy,
    pub cities: &'a [CityRecord],
}

impl Words<'_> {
    fn t(&self, key: &str, args: &[(&str, &str)]) -> String {
        let key = key.replacen("recommend.", &format!("{}.", self.section), 1);
        let mut text = translate(self.locale.as_str(), &key);
        for (name, value) in args {
            text = text.replace(&format!("%{{{name}}}"), value);
        }
        text
    }

    fn city(&self, slug: &str) -> String {
        self.cities
            .iter()
            .find(|c| c.slug == slug)
            .map_or_else(|| slug.to_owned(), |c| c.name_in(self.locale).to_owned())
    }

    pub fn reason(&self, reason: &Reason) -> String {
        match reason {
            Reason::Stay { city, from, to } => self.t(
                "recommend.reason_stay",
                &[
                    ("city", &self.city(city)),
                    ("dates", &short_dates(*from, *to, self.locale)),
                ],
            ),
            Reason::Remote => self.t("recommend.reason_remote", &[]),
            Reason::Interest(slug) => {
                let label = self
                    .taxonomy
                    .domain(slug)
                    .map_or(slug.as_str(), |d| d.labels.get(self.locale));
                self.t("recommend.reason_interest", &[("domain", label)])
            }
            Reason::Contribution(slug) => {
                let label = self
                    .taxonomy
                    .contribution_type(slug)
                    .map_or(slug.as_str(), |c| c.labels.get(self.locale));
                self.t("recommend.reason_contribution", &[("contribution", label)])
            }
            Reason::Skills(skills) => {
                self.t("recommend.reason_skills", &[("skills", &skills.join(", "))])
            }
            Reason::Urgent => self.t("recommend.reason_urgent", &[]),
            Reason::HomeCity(slug) => {
                self.t("recommend.reason_home_city", &[("city", &self.city(slug))])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn douala() -> CityRecord {
        CityRecord {
            id: 1,
            slug: "douala".to_owned(),
            names: jsap_store::CityNames {
                name: "Douala".to_owned(),
                name_en: None,
                name_ar: Some("دوالا".to_owned()),
            },
            region: String::new(),
            latitude: 0.0,
            longitude: 0.0,
            source: "config".to_owned(),
            description: String::new(),
            photo_key: String::new(),
            photo_card_key: String::new(),
            edited: false,
            retired_at: None,
        }
    }

    #[test]
    fn dates_are_short_and_in_the_member_language() {
        assert_eq!(
            short_dates(d("2027-08-02"), d("2027-08-09"), Locale::Fr),
            "2–9 août"
        );
        assert_eq!(
            short_dates(d("2027-07-28"), d("2027-08-03"), Locale::En),
            "28 Jul – 3 Aug"
        );
        assert_eq!(
            short_dates(d("2027-12-28"), d("2028-01-03"), Locale::Fr),
            "28 déc. 2027 – 3 janv. 2028"
        );
    }

    #[test]
    fn reasons_are_written_in_the_member_language() {
        let cities = [douala()];
        let taxonomy = Taxonomy::builtin();
        let stay = Reason::Stay {
            city: "douala".to_owned(),
            from: d("2027-08-02"),
            to: d("2027-08-09"),
        };
        let words = |locale| Words {
            section: "recommend",
            locale,
            taxonomy,
            cities: &cities,
        };
        let fr = words(Locale::Fr);
        assert_eq!(fr.reason(&stay), "Pendant votre séjour à Douala (2–9 août)");
        assert_eq!(
            fr.reason(&Reason::Interest("sante".to_owned())),
            "Correspond à votre intérêt : Santé"
        );
        assert_eq!(fr.reason(&Reason::Remote), "À distance");
        let en = words(Locale::En);
        assert_eq!(en.reason(&stay), "During your stay in Douala (2–9 Aug)");
        assert_eq!(
            en.reason(&Reason::Interest("sante".to_owned())),
            "Matches your interest: Health"
        );
        let ar = words(Locale::Ar);
        assert!(ar.reason(&stay).contains("دوالا"), "{}", ar.reason(&stay));
        assert_eq!(ar.reason(&Reason::Urgent), "عاجل");
        for reason in [
            stay,
            Reason::Remote,
            Reason::Contribution("benevolat".to_owned()),
            Reason::Skills(vec!["logistique".to_owned()]),
            Reason::Urgent,
            Reason::HomeCity("douala".to_owned()),
        ] {
            for locale in Locale::ALL {
                let text = words(locale).reason(&reason);
                assert!(
                    !text.contains("recommend.") && !text.contains("%{"),
                    "{locale}: {text}"
                );
            }
        }
    }
}
