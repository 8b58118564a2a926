//! A mission drafted from a pasted message: the classifier's domains and mission types, the
//! contribution types they imply plus what the text says (an amount → a financial donation,
//! books or equipment → an in-kind donation), the city, the dates, remote or on site, and a
//! title and summary taken from the text.

use crate::amounts::find_amounts;
use crate::classify::Model;
use crate::dates::find_window;
use crate::normalize::normalize;
use crate::places::find_city;
use crate::signals::{contains_phrase, remote_stated};
use crate::{Draft, DraftInput};
use jsap_domain::Taxonomy;

const TITLE_MAX: usize = 90;
const SUMMARY_MAX: usize = 300;

/// Words that say the mission asks for goods.
const IN_KIND: &[&str] = &[
    "materiel",
    "don de",
    "dons de",
    "dons en nature",
    "don en nature",
    "livres",
    "medicaments",
    "vetements",
    "couvertures",
    "vivres",
    "fournitures",
    "cahiers",
    "equipements",
    "equipment",
    "supplies",
    "books",
    "clothes",
    "blankets",
    "drugs",
    "medicines",
    "in-kind",
    "in kind",
    "wheelchairs",
    "beds",
    "food",
];
/// Words that say the mission asks for money.
const MONEY: &[&str] = &[
    "don financier",
    "dons financiers",
    "participation financiere",
    "contribution financiere",
    "soutien financier",
    "financement",
    "financer",
    "financez",
    "cofinancer",
    "parrainez",
    "parrainer",
    "sponsor",
    "sponsors",
    "donate money",
    "donations",
    "fund",
    "funding",
    "raise",
    "mecenes",
    "mecene",
    "cagnotte",
];
const VOLUNTEER: &[&str] = &[
    "benevoles",
    "benevole",
    "volontaires",
    "volunteers",
    "volunteer",
    "bras",
];

fn any_phrase(normalized: &str, list: &[&str]) -> bool {
    list.iter().any(|p| contains_phrase(normalized, p))
}

/// Contribution types: the best mission type's defaults, those most of the probability mass
/// agrees on, and what the text asks for explicitly.
fn contribution_types(
    normalized: &str,
    mission_types: &[crate::Scored],
    has_amount: bool,
) -> Vec<String> {
    let taxonomy = Taxonomy::builtin();
    let mut out: Vec<String> = Vec::new();
    let push = |slug: &str, out: &mut Vec<String>| {
        if !out.iter().any(|s| s == slug) {
            out.push(slug.to_string());
        }
    };
    if let Some(best) = mission_types
        .first()
        .and_then(|s| taxonomy.mission_type(&s.slug))
    {
        for c in &best.default_contributions {
            push(c, &mut out);
        }
    }
    for c in &taxonomy.contribution_types {
        let mass: f64 = mission_types
            .iter()
            .filter(|s| {
                taxonomy
                    .mission_type(&s.slug)
                    .is_some_and(|m| m.default_contributions.contains(&c.slug))
            })
            .map(|s| s.confidence)
            .sum();
        if mass >= 0.6 {
            push(&c.slug, &mut out);
        }
    }
    let investing = out.iter().any(|c| c == "investissement" || c == "epargne");
    if (has_amount || any_phrase(normalized, MONEY)) && !investing {
        push("don-financier", &mut out);
    }
    if any_phrase(normalized, IN_KIND) && out.iter().any(|c| c.starts_with("don")) {
        push("don-en-nature", &mut out);
    }
    if any_phrase(normalized, VOLUNTEER) && !out.iter().any(|c| c == "competences") {
        push("benevolat", &mut out);
    }
    out
}

const GREETINGS: &[&str] = &[
    "bonjour",
    "bonsoir",
    "salut",
    "coucou",
    "hello",
    "hi",
    "dear",
    "chers",
    "cher",
    "chères",
    "salam",
    "urgent",
    "important",
    "cc",
    "slt",
    "bjr",
    "a tous",
    "à tous",
    "all",
    "les amis",
    "la team",
    "les gars",
    "la diaspo",
    "la diaspora",
    "everyone",
    "good morning",
];

/// Drops a leading greeting ("Bonjour à tous,", "slt la team!") from a sentence.
fn strip_greeting(sentence: &str) -> &str {
    let mut s = sentence.trim();
    loop {
        let Some(g) = GREETINGS.iter().find(|g| {
            s.get(..g.len())
                .is_some_and(|head| head.to_lowercase() == **g)
                && !s[g.len()..].starts_with(char::is_alphanumeric)
        }) else {
            return s;
        };
        s = s[g.len()..].trim_start_matches(|c: char| !c.is_alphanumeric());
    }
}

fn truncate_words(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for word in text.split_whitespace() {
        if out.chars().count() + word.chars().count() + 2 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    let trimmed = out.trim_end_matches([',', ';', ':', '-', ' ']);
    format!("{trimmed}…")
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The text's first meaningful sentence (four words or more once a greeting is dropped).
fn title_from(text: &str) -> Option<String> {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed
        .split(['.', '!', '?', '\n', ':'])
        .map(strip_greeting)
        .map(|s| s.trim_matches(|c: char| !c.is_alphanumeric() && c != ')' && c != '»'))
        .find(|s| s.split_whitespace().count() >= 4)
        .map(|s| capitalise(&truncate_words(s, TITLE_MAX)))
}

fn summary_from(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    truncate_words(strip_greeting(&collapsed), SUMMARY_MAX)
}

/// How many alternatives a draft offers per field.
const ALTERNATIVES: usize = 5;

/// The best few, confidences rounded to three decimals.
fn shortlist(mut list: Vec<crate::Scored>) -> Vec<crate::Scored> {
    list.truncate(ALTERNATIVES);
    for s in &mut list {
        s.confidence = (s.confidence * 1000.0).round() / 1000.0;
    }
    list
}

/// Drafts a mission from `input.message`.
pub fn draft(input: &DraftInput<'_>) -> Draft {
    let message = &input.message;
    let taxonomy = Taxonomy::builtin();
    let classification = Model::get().classify(message.text);
    let normalized = normalize(message.text);
    let amounts = find_amounts(message.text);
    let contribution_types = contribution_types(
        &normalized,
        &classification.mission_types,
        !amounts.is_empty(),
    );
    let city = find_city(message.text, message.tenant, message.cities);
    let dates = find_window(message.text, message.today);
    let best = classification
        .mission_types
        .first()
        .and_then(|s| taxonomy.mission_type(&s.slug));
    let remote = match remote_stated(message.text) {
        Some(stated) => stated,
        None => {
            let gives_time = best.is_some_and(|m| {
                m.default_contributions
                    .iter()
                    .any(|c| c == "competences" || c == "benevolat")
            });
            match best.map(|m| m.remote.as_str()) {
                // A time-giving mission with dates in a city happens there.
                Some("oui") => !(gives_time && city.is_some() && dates.is_some()),
                _ => false,
            }
        }
    };
    let title = title_from(message.text).unwrap_or_else(|| {
        let label = best.map_or("Mission", |m| m.labels.get(input.locale));
        let city_name = city
            .as_ref()
            .and_then(|slug| message.cities.iter().find(|c| c.slug == *slug))
            .map(|c| c.name.as_str());
        match city_name {
            Some(name) => format!("{label} – {name}"),
            None => label.to_string(),
        }
    });
    Draft {
        title,
        summary: summary_from(message.text),
        domains: shortlist(classification.domains),
        mission_types: shortlist(classification.mission_types),
        contribution_types,
        city,
        remote,
        starts_on: dates.map(|d| d.0),
        ends_on: dates.and_then(|d| d.1),
        amounts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{City, Message};
    use chrono::NaiveDate;
    use jsap_domain::Locale;

    fn run(text: &str) -> Draft {
        let cities = [
            City::new("douala", "Douala"),
            City::new("yaounde", "Yaoundé"),
        ];
        draft(&DraftInput {
            message: Message {
                text,
                tenant: "cm",
                cities: &cities,
                today: NaiveDate::from_ymd_opt(2027, 6, 1).expect("date"),
            },
            locale: Locale::Fr,
        })
    }

    #[test]
    fn a_whatsapp_message_becomes_a_full_draft() {
        let d = run(
            "slt la team! Nettoyage du quartier Bépanda samedi 24 juillet, venez avec gants et balais. Budget 200 000 FCFA",
        );
        assert_eq!(d.mission_types[0].slug, "operation-proprete-dechets");
        assert_eq!(d.domains[0].slug, "environnement-proprete");
        assert!(d.mission_types.len() >= 3);
        assert_eq!(d.city.as_deref(), Some("douala"));
        assert!(!d.remote);
        assert_eq!(d.starts_on, NaiveDate::from_ymd_opt(2027, 7, 24));
        assert_eq!(d.ends_on, d.starts_on);
        assert!(d.contribution_types.contains(&"don-financier".to_string()));
        assert_eq!(d.amounts.len(), 1);
        assert!(d.title.starts_with("Nettoyage du quartier"), "{}", d.title);
    }

    #[test]
    fn in_kind_donations_and_summary_length() {
        let long = "L'école a besoin de livres et de cahiers. ".repeat(20);
        let d = run(&long);
        assert!(d.contribution_types.contains(&"don-en-nature".to_string()));
        assert!(d.summary.chars().count() <= SUMMARY_MAX);
        assert!(d.title.chars().count() <= TITLE_MAX);
        assert_eq!(d.city, None);
        assert_eq!(d.starts_on, None);
    }

    #[test]
    fn greetings_are_not_titles() {
        assert_eq!(
            title_from("Bonjour à tous,\nLa mairie cherche des bénévoles pour la fête").as_deref(),
            Some("La mairie cherche des bénévoles pour la fête")
        );
    }
}
