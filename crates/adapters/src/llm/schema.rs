//! What the LLM is asked: a system prompt naming the tenant's allowed slugs and today's date,
//! and a strict JSON schema (`response_format: json_schema`) whose `enum`s are those slugs, so
//! a compliant provider cannot answer outside them (the answer is validated anyway).

use jsap_assistant::{City, DraftInput, TriageInput};
use jsap_domain::{Locale, Taxonomy};
use serde_json::{Value, json};

/// Longest title and summary asked for (the offline engine's limits too).
pub const TITLE_MAX: usize = 90;
pub const SUMMARY_MAX: usize = 300;
/// Longest suggested reply accepted.
pub const REPLY_MAX: usize = 2000;

fn scored(slugs: Vec<&str>, description: &str) -> Value {
    json!({
        "type": "array",
        "description": description,
        "items": {
            "type": "object",
            "additionalProperties": false,
            "required": ["slug", "confidence"],
            "properties": {
                "slug": { "type": "string", "enum": slugs },
                "confidence": { "type": "number", "minimum": 0, "maximum": 1 }
            }
        }
    })
}

fn nullable_date(description: &str) -> Value {
    json!({
        "type": ["string", "null"],
        "description": description,
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    })
}

/// The city field: one of the tenant's city slugs, or null.
fn city(cities: &[City]) -> Value {
    if cities.is_empty() {
        return json!({ "type": "null" });
    }
    let mut allowed: Vec<Value> = cities.iter().map(|c| json!(c.slug)).collect();
    allowed.push(Value::Null);
    json!({ "type": ["string", "null"], "enum": allowed })
}

/// The `response_format` of a draft: every field required, no other field, slugs as enums.
pub fn draft_format(cities: &[City]) -> Value {
    let t = Taxonomy::builtin();
    let schema = json!({
        "type": "object",
        "additionalProperties": false,
        "required": [
            "title", "summary", "domains", "mission_types", "contribution_types",
            "city", "remote", "starts_on", "ends_on"
        ],
        "properties": {
            "title": { "type": "string", "maxLength": TITLE_MAX },
            "summary": { "type": "string", "maxLength": SUMMARY_MAX },
            "domains": scored(t.domains.iter().map(|d| d.slug.as_str()).collect(), "best first"),
            "mission_types": scored(
                t.mission_types.iter().map(|m| m.slug.as_str()).collect(),
                "three to five, best first"
            ),
            "contribution_types": {
                "type": "array",
                "items": {
                    "type": "string",
                    "enum": t.contribution_types.iter().map(|c| c.slug.as_str()).collect::<Vec<_>>()
                }
            },
            "city": city(cities),
            "remote": { "type": "boolean" },
            "starts_on": nullable_date("YYYY-MM-DD, or null when the message states no date"),
            "ends_on": nullable_date("YYYY-MM-DD, or null")
        }
    });
    json!({
        "type": "json_schema",
        "json_schema": { "name": "mission_draft", "strict": true, "schema": schema }
    })
}

/// The `response_format` of a triage.
pub fn triage_format() -> Value {
    let t = Taxonomy::builtin();
    let schema = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["topic", "urgency", "language", "suggested_reply"],
        "properties": {
            "topic": {
                "type": "string",
                "enum": t.domains.iter().map(|d| d.slug.as_str()).collect::<Vec<_>>()
            },
            "urgency": { "type": "string", "enum": ["low", "normal", "high"] },
            "language": { "type": "string", "enum": ["fr", "en", "ar", "other"] },
            "suggested_reply": { "type": "string", "maxLength": REPLY_MAX }
        }
    });
    json!({
        "type": "json_schema",
        "json_schema": { "name": "request_triage", "strict": true, "schema": schema }
    })
}

fn language_name(locale: Locale) -> &'static str {
    match locale {
        Locale::Fr => "French",
        Locale::En => "English",
        Locale::Ar => "Arabic",
    }
}

fn domains_list(t: &Taxonomy) -> String {
    t.domains
        .iter()
        .map(|d| format!("- {}: {}", d.slug, d.labels.label_en))
        .collect::<Vec<_>>()
        .join("\n")
}

fn cities_list(cities: &[City]) -> String {
    if cities.is_empty() {
        return "(none: city is always null)".to_owned();
    }
    cities
        .iter()
        .map(|c| format!("- {}: {}", c.slug, c.name))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The system message of a draft; the pasted message is the user message, alone.
pub fn draft_prompt(input: &DraftInput<'_>) -> String {
    let t = Taxonomy::builtin();
    let types = t
        .mission_types
        .iter()
        .map(|m| {
            format!(
                "- {} (domain {}, remote: {}): {}",
                m.slug, m.domain, m.remote, m.labels.label_en
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let contributions = t
        .contribution_types
        .iter()
        .map(|c| format!("- {}: {}", c.slug, c.labels.label_en))
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "You help a diaspora platform (site \"{tenant}\") turn a pasted message (WhatsApp, \
         email, meeting notes) into a draft volunteering mission that a human will review. \
         Answer with JSON that follows the schema, nothing else.\n\
         Today is {today}. Resolve relative or partial dates (\"samedi\", \"next week\", \
         \"le 2 août\") to YYYY-MM-DD on or after today; null when the message states none. \
         ends_on is the last day (equal to starts_on for a single day).\n\
         Write the title (at most {TITLE_MAX} characters) and the summary (at most \
         {SUMMARY_MAX} characters) in {language}, from what the message says only.\n\
         domains: one to five, best first; mission_types: three to five, best first; each \
         with a confidence from 0 to 1; the first mission type belongs to the first domain. \
         contribution_types: what the mission asks for.\n\
         city: the slug of the site's city where the mission happens (a neighbourhood counts \
         for its city), or null. remote: true when it can be done from abroad.\n\n\
         Domains:\n{domains}\n\nMission types:\n{types}\n\nContribution types:\n\
         {contributions}\n\nThe site's cities (no other city is allowed):\n{cities}",
        tenant = input.message.tenant,
        today = input.message.today,
        language = language_name(input.locale),
        domains = domains_list(t),
        cities = cities_list(input.message.cities),
    )
}

/// The system message of a triage; the request is the user message, alone.
pub fn triage_prompt(input: &TriageInput<'_>) -> String {
    format!(
        "You triage a request sent to a diaspora platform (site \"{tenant}\"). Answer with \
         JSON that follows the schema, nothing else.\n\
         topic: the domain slug the request is about. urgency: high for an emergency or a \
         date within a week, low when the sender says there is no rush, normal otherwise. \
         language: the request's language (fr, en, ar, or other).\n\
         suggested_reply: a short, warm reply for the team to send, in the request's language \
         (French for other), at most {REPLY_MAX} characters: thank the sender, restate what \
         was understood (topic, city, dates) and say the team will come back to them. Promise \
         nothing else.\nToday is {today}.\n\nDomains:\n{domains}\n\nThe site's cities:\n{cities}",
        tenant = input.tenant,
        today = input.today,
        domains = domains_list(Taxonomy::builtin()),
        cities = cities_list(input.cities),
    )
}
