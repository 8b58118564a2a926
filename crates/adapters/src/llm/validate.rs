//! Every LLM answer is checked before it reaches anyone: an answer outside the schema is
//! rejected (the assistant then falls back to the offline engine), except for a few
//! documented repairs that cannot change its meaning.
//!
//! Rejected: JSON that does not parse or has other fields, an unknown slug, a city that is
//! not one of the tenant's, a date that is not `YYYY-MM-DD` or more than a year before today
//! or five years after, an end before the start or without a start, a confidence outside
//! 0..1, an empty title or reply, no domain or mission type, a best mission type that is not
//! of the best domain, a topic that is not a domain.
//!
//! Repaired: a slug listed twice keeps its first place; a title or summary over its limit is
//! cut at a word (with "…"); fewer than three mission types are topped up from the offline
//! engine's ranking, the LLM's first; more than five are cut to five; confidences are rounded
//! to three decimals; the amounts are those the offline extractor reads in the text.

use super::schema::{REPLY_MAX, SUMMARY_MAX, TITLE_MAX};
use chrono::{Datelike, NaiveDate};
use jsap_assistant::amounts::find_amounts;
use jsap_assistant::{
    Draft, DraftInput, EngineError, Language, Scored, Triage, TriageInput, Urgency,
};
use jsap_domain::Taxonomy;
use serde::Deserialize;

/// How many alternatives a draft offers per field (as the offline engine).
const ALTERNATIVES: usize = 5;
/// The fewest mission types a draft offers.
const MIN_TYPES: usize = 3;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScoredAnswer {
    slug: String,
    confidence: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftAnswer {
    title: String,
    summary: String,
    domains: Vec<ScoredAnswer>,
    mission_types: Vec<ScoredAnswer>,
    contribution_types: Vec<String>,
    city: Option<String>,
    remote: bool,
    starts_on: Option<String>,
    ends_on: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TriageAnswer {
    topic: String,
    urgency: Urgency,
    language: Language,
    suggested_reply: String,
}

pub(super) fn invalid(reason: impl Into<String>) -> EngineError {
    EngineError::Invalid(reason.into())
}

/// `text` cut at a word to at most `max` characters, with "…" when cut.
fn clip(text: &str, max: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max {
        return collapsed;
    }
    let mut out = String::new();
    for word in collapsed.split_whitespace() {
        if out.chars().count() + word.chars().count() + 2 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out = collapsed.chars().take(max - 1).collect();
    }
    format!("{}…", out.trim_end_matches([',', ';', ':', '-', ' ']))
}

/// Known slugs with valid confidences, each once, in the answer's order.
fn scored(
    field: &str,
    list: Vec<ScoredAnswer>,
    known: impl Fn(&str) -> bool,
) -> Result<Vec<Scored>, EngineError> {
    let mut out: Vec<Scored> = Vec::new();
    for s in list {
        if !known(&s.slug) {
            return Err(invalid(format!("{field}: unknown slug")));
        }
        if !(s.confidence.is_finite() && (0.0..=1.0).contains(&s.confidence)) {
            return Err(invalid(format!("{field}: confidence outside 0..1")));
        }
        if !out.iter().any(|o| o.slug == s.slug) {
            out.push(Scored::new(
                &s.slug,
                (s.confidence * 1000.0).round() / 1000.0,
            ));
        }
    }
    Ok(out)
}

fn date(
    field: &str,
    value: Option<&str>,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, EngineError> {
    let Some(raw) = value else {
        return Ok(None);
    };
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| invalid(format!("{field}: not a date")))?;
    if (date - today).num_days() < -366 || date.year() > today.year() + 5 {
        return Err(invalid(format!("{field}: implausible date")));
    }
    Ok(Some(date))
}

/// The chat answer `content` as a draft of `input`, or why it is rejected.
pub fn draft(content: &str, input: &DraftInput<'_>) -> Result<Draft, EngineError> {
    let answer: DraftAnswer = serde_json::from_str(content)
        .map_err(|e| invalid(format!("not the draft schema ({})", e.classify_str())))?;
    let t = Taxonomy::builtin();
    let title = clip(&answer.title, TITLE_MAX);
    if title.is_empty() {
        return Err(invalid("empty title"));
    }
    let mut domains = scored("domains", answer.domains, |s| t.domain(s).is_some())?;
    if domains.is_empty() {
        return Err(invalid("domains: none"));
    }
    domains.truncate(ALTERNATIVES);
    let mut mission_types = scored("mission_types", answer.mission_types, |s| {
        t.mission_type(s).is_some()
    })?;
    // The form takes the first of each: the best type must be of the best domain.
    match mission_types.first().and_then(|m| t.mission_type(&m.slug)) {
        None => return Err(invalid("mission_types: none")),
        Some(best) if best.domain != domains[0].slug => {
            return Err(invalid("mission_types: the best is not of the best domain"));
        }
        Some(_) => {}
    }
    let mut contribution_types: Vec<String> = Vec::new();
    for c in answer.contribution_types {
        if t.contribution_type(&c).is_none() {
            return Err(invalid("contribution_types: unknown slug"));
        }
        if !contribution_types.contains(&c) {
            contribution_types.push(c);
        }
    }
    if let Some(city) = &answer.city
        && !input.message.cities.iter().any(|c| c.slug == *city)
    {
        return Err(invalid("city: not one of the tenant's"));
    }
    let today = input.message.today;
    let starts_on = date("starts_on", answer.starts_on.as_deref(), today)?;
    let ends_on = date("ends_on", answer.ends_on.as_deref(), today)?;
    match (starts_on, ends_on) {
        (None, Some(_)) => return Err(invalid("ends_on without starts_on")),
        (Some(from), Some(to)) if to < from => return Err(invalid("ends_on before starts_on")),
        _ => {}
    }
    if mission_types.len() < MIN_TYPES {
        // The offline engine's ranking, after the LLM's own choices.
        for s in jsap_assistant::draft::draft(input).mission_types {
            if mission_types.len() >= MIN_TYPES {
                break;
            }
            if !mission_types.iter().any(|m| m.slug == s.slug) {
                mission_types.push(s);
            }
        }
    }
    mission_types.truncate(ALTERNATIVES);
    Ok(Draft {
        title,
        summary: clip(&answer.summary, SUMMARY_MAX),
        domains,
        mission_types,
        contribution_types,
        city: answer.city,
        remote: answer.remote,
        starts_on,
        ends_on,
        amounts: find_amounts(input.message.text),
    })
}

/// The chat answer `content` as a triage, or why it is rejected.
pub fn triage(content: &str, _input: &TriageInput<'_>) -> Result<Triage, EngineError> {
    let answer: TriageAnswer = serde_json::from_str(content)
        .map_err(|e| invalid(format!("not the triage schema ({})", e.classify_str())))?;
    if Taxonomy::builtin().domain(&answer.topic).is_none() {
        return Err(invalid("topic: unknown domain"));
    }
    let reply = answer.suggested_reply.trim();
    if reply.is_empty() {
        return Err(invalid("suggested_reply: empty"));
    }
    if reply.chars().count() > REPLY_MAX {
        return Err(invalid("suggested_reply: too long"));
    }
    Ok(Triage {
        topic: answer.topic,
        urgency: answer.urgency,
        language: answer.language,
        suggested_reply: reply.to_owned(),
    })
}

/// A serde error's category only: its message may quote the answer, never logged whole.
trait Classify {
    fn classify_str(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    fn classify_str(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "io",
            serde_json::error::Category::Syntax => "malformed JSON",
            serde_json::error::Category::Data => "fields or types differ",
            serde_json::error::Category::Eof => "truncated JSON",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsap_assistant::{City, Message};
    use jsap_domain::Locale;
    use serde_json::json;

    fn with_input<T>(f: impl FnOnce(&DraftInput<'_>) -> T) -> T {
        let cities = [
            City::new("douala", "Douala"),
            City::new("yaounde", "Yaoundé"),
        ];
        f(&DraftInput {
            message: Message {
                text: "Consultations médicales gratuites à Bépanda du 2 au 9 août, budget 2M FCFA",
                tenant: "cm",
                cities: &cities,
                today: NaiveDate::from_ymd_opt(2027, 6, 1).expect("date"),
            },
            locale: Locale::Fr,
        })
    }

    fn answer() -> serde_json::Value {
        json!({
            "title": "Consultations gratuites à Bépanda",
            "summary": "Des médecins pour une semaine de consultations.",
            "domains": [{"slug": "sante", "confidence": 0.9}],
            "mission_types": [{"slug": "consultations-medicales", "confidence": 0.8}],
            "contribution_types": ["competences", "competences"],
            "city": "douala",
            "remote": false,
            "starts_on": "2027-08-02",
            "ends_on": "2027-08-09"
        })
    }

    #[test]
    fn a_valid_answer_is_kept_and_topped_up_to_three_types() {
        let d = with_input(|i| draft(&answer().to_string(), i)).expect("valid");
        assert_eq!(d.title, "Consultations gratuites à Bépanda");
        assert_eq!(d.mission_types[0].slug, "consultations-medicales");
        assert_eq!(d.mission_types.len(), 3);
        assert_eq!(d.contribution_types, vec!["competences".to_string()]);
        assert_eq!(d.starts_on, NaiveDate::from_ymd_opt(2027, 8, 2));
        assert_eq!(d.amounts.len(), 1, "amounts from the text");
    }

    #[test]
    fn answers_outside_the_schema_are_rejected() {
        let cases: Vec<(&str, serde_json::Value)> = vec![
            (
                "domains",
                json!([{"slug": "astrologie", "confidence": 0.5}]),
            ),
            ("domains", json!([{"slug": "sante", "confidence": 1.5}])),
            ("domains", json!([])),
            (
                "mission_types",
                json!([{"slug": "nope", "confidence": 0.5}]),
            ),
            ("contribution_types", json!(["bitcoin"])),
            ("city", json!("dakar")),
            ("starts_on", json!("2 août")),
            ("starts_on", json!("2019-08-02")),
            ("ends_on", json!("2027-07-01")),
            ("title", json!("   ")),
            ("extra", json!(1)),
        ];
        for (field, value) in cases {
            let mut a = answer();
            a[field] = value.clone();
            assert!(
                with_input(|i| draft(&a.to_string(), i)).is_err(),
                "{field} = {value}"
            );
        }
        assert!(with_input(|i| draft("{\"title\": ", i)).is_err());
        assert!(with_input(|i| draft("not json", i)).is_err());
    }

    #[test]
    fn long_texts_are_cut_at_a_word() {
        let mut a = answer();
        a["title"] = json!("mot ".repeat(60));
        let d = with_input(|i| draft(&a.to_string(), i)).expect("repaired");
        assert!(d.title.chars().count() <= TITLE_MAX && d.title.ends_with('…'));
    }

    #[test]
    fn triage_answers_are_checked() {
        let cities = [City::new("dakar", "Dakar")];
        let input = TriageInput {
            text: "Bonjour",
            tenant: "sn",
            cities: &cities,
            today: NaiveDate::from_ymd_opt(2027, 6, 1).expect("date"),
        };
        let ok = json!({"topic": "sante", "urgency": "high", "language": "fr", "suggested_reply": "Merci !"});
        let t = triage(&ok.to_string(), &input).expect("valid");
        assert_eq!((t.urgency, t.language), (Urgency::High, Language::Fr));
        for (field, value) in [
            ("topic", json!("nope")),
            ("urgency", json!("asap")),
            ("language", json!("de")),
            ("suggested_reply", json!(" ")),
        ] {
            let mut a = ok.clone();
            a[field] = value;
            assert!(triage(&a.to_string(), &input).is_err(), "{field}");
        }
    }
}
