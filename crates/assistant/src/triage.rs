//! Triage of an incoming request: its topic (a domain), its urgency, its language and a
//! suggested reply in that language, from templates (`data/replies.json`) filled with what
//! was read from the request.

use crate::classify::Model;
use crate::dates::find_dates;
use crate::places::find_city;
use crate::signals::{Language, Urgency, language, urgency};
use crate::{Triage, TriageInput};
use chrono::{Datelike, NaiveDate};
use jsap_domain::{Locale, Taxonomy};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
struct Templates {
    greeting: String,
    body: String,
    city: String,
    dates: String,
    range: String,
    day: String,
    urgent: String,
    low: String,
    closing: String,
    months: Vec<String>,
}

fn templates(locale: Locale) -> &'static Templates {
    static ALL: OnceLock<HashMap<String, Templates>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        let mut value: serde_json::Value =
            serde_json::from_str(include_str!("../data/replies.json")).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.remove("_comment");
        }
        #[allow(clippy::expect_used)]
        serde_json::from_value(value).expect("the embedded reply templates are valid (unit test)")
    });
    let key = match locale {
        Locale::Fr => "fr",
        Locale::En => "en",
        Locale::Ar => "ar",
    };
    #[allow(clippy::expect_used)]
    all.get(key)
        .expect("templates exist for fr, en and ar (unit test)")
}

fn format_day(t: &Templates, d: NaiveDate) -> String {
    let month = t.months.get(d.month0() as usize).map_or("", String::as_str);
    format!("{} {month} {}", d.day(), d.year())
}

/// The suggested reply to a request about `topic` (a domain slug).
pub fn reply(
    locale: Locale,
    topic: &str,
    city: Option<&str>,
    dates: Option<(NaiveDate, NaiveDate)>,
    level: Urgency,
) -> String {
    let t = templates(locale);
    let taxonomy = Taxonomy::builtin();
    let topic_label = taxonomy
        .domain(topic)
        .map_or(topic, |d| d.labels.get(locale));
    let city_part = city.map_or(String::new(), |c| t.city.replace("{city}", c));
    let dates_part = dates.map_or(String::new(), |(from, to)| {
        let text = if from == to {
            t.day.replace("{day}", &format_day(t, from))
        } else {
            t.range
                .replace("{from}", &format_day(t, from))
                .replace("{to}", &format_day(t, to))
        };
        t.dates.replace("{dates}", &text)
    });
    let body = t
        .body
        .replace("{topic}", topic_label)
        .replace("{city}", &city_part)
        .replace("{dates}", &dates_part);
    let extra = match level {
        Urgency::High => format!("\n\n{}", t.urgent),
        Urgency::Low => format!("\n\n{}", t.low),
        Urgency::Normal => String::new(),
    };
    format!("{}\n\n{body}{extra}\n\n{}", t.greeting, t.closing)
}

/// Triages `input.text`.
pub fn triage(input: &TriageInput<'_>) -> Triage {
    triage_on(input, None)
}

/// Triages `input.text` whose topic may be known already (the domain of the mission it
/// answers, the one its member chose): that topic is kept rather than read from the text.
pub fn triage_on(input: &TriageInput<'_>, known_topic: Option<&str>) -> Triage {
    let topic = match known_topic {
        Some(topic) => topic.to_owned(),
        None => Model::get()
            .classify(input.text)
            .domains
            .first()
            .map_or_else(|| "societe-civile".to_string(), |d| d.slug.clone()),
    };
    let dates = find_dates(input.text, input.today);
    let soon = dates.is_some_and(|(from, _)| (from - input.today).num_days() <= 7);
    let level = urgency(input.text, soon);
    let lang = language(input.text);
    let locale = match lang {
        Language::En => Locale::En,
        Language::Ar => Locale::Ar,
        Language::Fr | Language::Other => Locale::Fr,
    };
    let city_slug = find_city(input.text, input.tenant, input.cities);
    let city_name = city_slug
        .as_ref()
        .and_then(|slug| input.cities.iter().find(|c| c.slug == *slug))
        .map(|c| match (locale, &c.name_ar) {
            (Locale::Ar, Some(ar)) => ar.as_str(),
            _ => c.name.as_str(),
        });
    Triage {
        suggested_reply: reply(locale, &topic, city_name, dates, level),
        topic,
        urgency: level,
        language: lang,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::City;

    fn run(text: &str) -> Triage {
        let cities = [City::new("douala", "Douala")];
        triage(&TriageInput {
            text,
            tenant: "cm",
            cities: &cities,
            today: NaiveDate::from_ymd_opt(2027, 6, 1).expect("date"),
        })
    }

    #[test]
    fn templates_exist_for_every_locale() {
        for locale in [Locale::Fr, Locale::En, Locale::Ar] {
            assert!(!templates(locale).body.is_empty());
            assert_eq!(templates(locale).months.len(), 12);
        }
    }

    #[test]
    fn replies_in_the_request_language_with_what_was_read() {
        let t = run("URGENT !!! Inondations à Bonabéri, comment envoyer des dons du 2 au 9 août ?");
        assert_eq!(t.topic, "urgences-humanitaires");
        assert_eq!(t.urgency, Urgency::High);
        assert_eq!(t.language, Language::Fr);
        assert!(
            t.suggested_reply.contains("à Douala"),
            "{}",
            t.suggested_reply
        );
        assert!(t.suggested_reply.contains("du 2 août 2027 au 9 août 2027"));
        let t = run("Hello, no rush, I would like to give English lessons to pupils");
        assert_eq!(t.language, Language::En);
        assert_eq!(t.urgency, Urgency::Low);
        assert!(t.suggested_reply.starts_with("Hello,"));
        let t = run("مرحبا، أريد التبرع بالأدوية للمستشفى");
        assert_eq!(t.language, Language::Ar);
        assert!(t.suggested_reply.starts_with("مرحبا"));
    }

    #[test]
    fn a_known_topic_is_kept_and_named_in_the_reply() {
        let cities = [City::new("douala", "Douala")];
        let input = TriageInput {
            text: "Bonjour, je voudrais aider l'école de mon quartier",
            tenant: "cm",
            cities: &cities,
            today: NaiveDate::from_ymd_opt(2027, 6, 1).expect("date"),
        };
        assert_eq!(triage(&input).topic, "education-enfance");
        let t = triage_on(&input, Some("sante"));
        assert_eq!(t.topic, "sante");
        assert!(t.suggested_reply.contains("Santé"), "{}", t.suggested_reply);
        assert_eq!(t.language, Language::Fr);
    }
}
