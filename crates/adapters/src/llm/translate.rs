//! A mission's text translated by the LLM: the prompt, the strict schema of the answer, and
//! its checks. An answer with an empty title or description (where the source has one), a
//! summary where the source has none, or a field over the editor's limit is rejected, never
//! cut: the draft is then simply not offered, and the editor still writes it by hand.

use super::validate::invalid;
use jsap_assistant::{EngineError, TranslateInput, Translation};
use jsap_domain::missions::{DESCRIPTION_MAX, SUMMARY_MAX, TITLE_MAX};
use serde::Deserialize;
use serde_json::{Value, json};

fn language_name(locale: jsap_domain::Locale) -> &'static str {
    match locale {
        jsap_domain::Locale::Fr => "French",
        jsap_domain::Locale::En => "English",
        jsap_domain::Locale::Ar => "Modern Standard Arabic",
    }
}

/// The system prompt: what to translate from and into, and what to keep.
pub fn prompt(input: &TranslateInput<'_>) -> String {
    format!(
        "You translate a mission published on a platform where the African diaspora helps \
         its home cities, from {from} into {to}. The user message is the mission as JSON \
         (title, summary, description). Answer with JSON that follows the schema, nothing \
         else: the same three fields, translated. Keep the meaning and the tone; keep names of \
         people, places and organisations, dates, amounts, phone numbers and addresses as \
         written; add nothing, leave nothing out. An empty field stays empty. At most \
         {TITLE_MAX} characters for the title, {SUMMARY_MAX} for the summary.",
        from = language_name(input.from),
        to = language_name(input.to),
    )
}

/// The user message: the source text as JSON, so that nothing in it reads as instructions.
pub fn message(input: &TranslateInput<'_>) -> String {
    json!({
        "title": input.title,
        "summary": input.summary,
        "description": input.description,
    })
    .to_string()
}

/// The `response_format` of a translation.
pub fn format() -> Value {
    let schema = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["title", "summary", "description"],
        "properties": {
            "title": { "type": "string", "maxLength": TITLE_MAX },
            "summary": { "type": "string", "maxLength": SUMMARY_MAX },
            "description": { "type": "string", "maxLength": DESCRIPTION_MAX }
        }
    });
    json!({
        "type": "json_schema",
        "json_schema": { "name": "mission_translation", "strict": true, "schema": schema }
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    title: String,
    summary: String,
    description: String,
}

/// The chat answer `content` as a translation of `input`, or why it is rejected.
pub fn validate(content: &str, input: &TranslateInput<'_>) -> Result<Translation, EngineError> {
    let answer: Answer =
        serde_json::from_str(content).map_err(|_| invalid("not the translation schema"))?;
    let (title, summary, description) = (
        answer.title.trim(),
        answer.summary.trim(),
        answer.description.trim(),
    );
    let over = |text: &str, max: usize| text.chars().count() > max;
    if title.is_empty() {
        return Err(invalid("title: empty"));
    }
    if over(title, TITLE_MAX) {
        return Err(invalid("title: too long"));
    }
    if input.summary.trim().is_empty() != summary.is_empty() {
        return Err(invalid("summary: present in one text only"));
    }
    if over(summary, SUMMARY_MAX) {
        return Err(invalid("summary: too long"));
    }
    if description.is_empty() && !input.description.trim().is_empty() {
        return Err(invalid("description: empty"));
    }
    if over(description, DESCRIPTION_MAX) {
        return Err(invalid("description: too long"));
    }
    Ok(Translation {
        title: title.to_owned(),
        summary: summary.to_owned(),
        description: description.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsap_domain::Locale;

    const INPUT: TranslateInput<'static> = TranslateInput {
        from: Locale::Fr,
        to: Locale::En,
        title: "Nettoyage du quartier Akwa",
        summary: "Une matinée pour nettoyer les rues.",
        description: "Rendez-vous samedi à 8 h devant la mairie.",
    };

    fn answer(title: &str, summary: &str, description: &str) -> String {
        json!({ "title": title, "summary": summary, "description": description }).to_string()
    }

    #[test]
    fn a_complete_answer_is_kept_trimmed() {
        let t = validate(
            &answer(" Akwa clean-up ", "A morning.", "Saturday 8 am."),
            &INPUT,
        )
        .expect("valid");
        assert_eq!(
            (t.title.as_str(), t.summary.as_str()),
            ("Akwa clean-up", "A morning.")
        );
    }

    #[test]
    fn incomplete_or_oversized_answers_are_rejected_not_cut() {
        let long_title = "x".repeat(TITLE_MAX + 1);
        let cases = [
            answer("", "A morning.", "Saturday."),
            answer("Clean-up", "", "Saturday."),
            answer("Clean-up", "A morning.", "  "),
            answer(&long_title, "A morning.", "Saturday."),
            r#"{"title":"a","summary":"b","description":"c","note":"d"}"#.to_owned(),
            "Here is the translation: Clean-up".to_owned(),
        ];
        for content in cases {
            assert!(
                matches!(validate(&content, &INPUT), Err(EngineError::Invalid(_))),
                "{content}"
            );
        }
        let no_summary = TranslateInput {
            summary: "",
            ..INPUT
        };
        assert!(validate(&answer("Clean-up", "Invented.", "Saturday."), &no_summary).is_err());
        assert!(validate(&answer("Clean-up", "", "Saturday."), &no_summary).is_ok());
    }

    #[test]
    fn the_source_goes_as_json_data_and_the_schema_is_strict() {
        let m: Value = serde_json::from_str(&message(&INPUT)).expect("json");
        assert_eq!(m["title"], INPUT.title);
        let f = format();
        assert_eq!(f["json_schema"]["strict"], true);
        assert_eq!(
            f["json_schema"]["schema"]["properties"]["title"]["maxLength"],
            TITLE_MAX
        );
        assert!(prompt(&INPUT).contains("from French into English"));
    }
}
