//! The assistant: a mission drafted from a pasted message (WhatsApp, email, meeting notes)
//! and incoming requests triaged, behind one [`Engine`] interface.
//!
//! [`OfflineEngine`] is built in and the default: no network, no model download, no file read
//! at run time (its data is embedded). A classifier trained at first use from the shipped
//! corpus, plus extractors for the city, dates, remote or on site and amounts. An
//! OpenAI-compatible engine (`jsap_adapters::llm`, configured by `LLM_URL`, `LLM_MODEL` and
//! `LLM_API_KEY`) can be the [`Assistant`]'s primary engine, with the offline engine as its
//! fallback. [`Engine`] is async so that such an engine's HTTP call never blocks a worker.

pub mod amounts;
pub mod classify;
pub mod cues;
pub mod dates;
pub mod draft;
pub mod eval;
pub mod normalize;
pub mod places;
pub mod signals;
mod stopwords;
pub mod triage;

use chrono::NaiveDate;
use jsap_domain::Locale;
use serde::{Deserialize, Serialize};

pub use amounts::Amount;
pub use signals::{Language, Urgency};

/// One of the tenant's cities, as the caller knows them (tenant config).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct City {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub name_ar: Option<String>,
}

impl City {
    pub fn new(slug: &str, name: &str) -> City {
        City {
            slug: slug.into(),
            name: name.into(),
            name_ar: None,
        }
    }
}

/// A slug and how confident the engine is in it (0..1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    pub slug: String,
    pub confidence: f64,
}

impl Scored {
    pub fn new(slug: &str, confidence: f64) -> Scored {
        Scored {
            slug: slug.into(),
            confidence,
        }
    }
}

/// A message the assistant reads, and what it is read against.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    pub text: &'a str,
    /// Tenant code (`cm`, `sn`…): which neighbourhood list applies.
    pub tenant: &'a str,
    pub cities: &'a [City],
    /// Dates without a year are the next occurrence on or after this day.
    pub today: NaiveDate,
}

/// What a draft is made from: the message, and the language of generated text.
#[derive(Debug, Clone)]
pub struct DraftInput<'a> {
    pub message: Message<'a>,
    /// Language of generated text (a fallback title).
    pub locale: Locale,
}

/// A mission drafted from a message, for a human to review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub title: String,
    pub summary: String,
    pub domains: Vec<Scored>,
    /// At least three, best first.
    pub mission_types: Vec<Scored>,
    pub contribution_types: Vec<String>,
    pub city: Option<String>,
    pub remote: bool,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub amounts: Vec<Amount>,
}

/// What triage is made from: the message alone.
pub type TriageInput<'a> = Message<'a>;

/// An incoming request, triaged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Triage {
    /// A domain slug.
    pub topic: String,
    pub urgency: Urgency,
    pub language: Language,
    /// In the request's language (French for `other`).
    pub suggested_reply: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("engine unavailable: {0}")]
    Unavailable(String),
    #[error("engine answer rejected: {0}")]
    Invalid(String),
}

/// A mission's text in one language, to be written in another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TranslateInput<'a> {
    pub from: Locale,
    pub to: Locale,
    pub title: &'a str,
    pub summary: &'a str,
    pub description: &'a str,
}

/// A mission's text drafted in another language, for a person to review before it shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translation {
    pub title: String,
    pub summary: String,
    pub description: String,
}

/// A way to draft missions, triage requests and (for some engines) translate missions.
#[async_trait::async_trait]
pub trait Engine: Send + Sync {
    fn name(&self) -> &'static str;
    async fn draft(&self, input: &DraftInput<'_>) -> Result<Draft, EngineError>;
    async fn triage(&self, input: &TriageInput<'_>) -> Result<Triage, EngineError>;
    /// The offline engine does not translate: by default, `Unavailable`.
    async fn translate(&self, _input: &TranslateInput<'_>) -> Result<Translation, EngineError> {
        Err(EngineError::Unavailable(format!(
            "the {} engine does not translate",
            self.name()
        )))
    }
}

/// The built-in engine: pure, deterministic, offline.
#[derive(Debug, Default, Clone, Copy)]
pub struct OfflineEngine;

#[async_trait::async_trait]
impl Engine for OfflineEngine {
    fn name(&self) -> &'static str {
        "offline"
    }

    async fn draft(&self, input: &DraftInput<'_>) -> Result<Draft, EngineError> {
        Ok(draft::draft(input))
    }

    async fn triage(&self, input: &TriageInput<'_>) -> Result<Triage, EngineError> {
        Ok(triage::triage(input))
    }
}

/// The assistant: an optional primary engine (e.g. an LLM), and the offline engine whenever
/// there is none or it fails.
#[derive(Default)]
pub struct Assistant {
    primary: Option<Box<dyn Engine>>,
    offline: OfflineEngine,
}

impl Assistant {
    /// Offline only.
    pub fn offline() -> Assistant {
        Assistant::default()
    }

    /// `primary` first, the offline engine when it fails.
    pub fn with_primary(primary: Box<dyn Engine>) -> Assistant {
        Assistant {
            primary: Some(primary),
            offline: OfflineEngine,
        }
    }

    /// The primary engine's name (`offline` when there is none).
    pub fn engine_name(&self) -> &'static str {
        self.primary.as_ref().map_or("offline", |e| e.name())
    }

    /// The primary engine's draft, or the offline one's when it fails (the primary engine
    /// logs why).
    pub async fn draft(&self, input: &DraftInput<'_>) -> Draft {
        if let Some(primary) = &self.primary
            && let Ok(draft) = primary.draft(input).await
        {
            return draft;
        }
        draft::draft(input)
    }

    /// The primary engine's triage, or the offline one's when it fails.
    pub async fn triage(&self, input: &TriageInput<'_>) -> Triage {
        if let Some(primary) = &self.primary
            && let Ok(triage) = primary.triage(input).await
        {
            return triage;
        }
        triage::triage(input)
    }

    /// The primary engine's triage of a request whose topic may be known, and its name; or
    /// `None` when there is no primary engine or it failed (the engine logs why).
    pub async fn primary_triage(
        &self,
        input: &TriageInput<'_>,
        known_topic: Option<&str>,
    ) -> Option<(Triage, &'static str)> {
        let primary = self.primary.as_ref()?;
        let mut triage = primary.triage(input).await.ok()?;
        if let Some(topic) = known_topic {
            topic.clone_into(&mut triage.topic);
        }
        Some((triage, primary.name()))
    }

    /// The primary engine's translation and its name. There is no offline translation: an
    /// error when there is no primary engine or it failed (the engine logs why).
    pub async fn translate(
        &self,
        input: &TranslateInput<'_>,
    ) -> Result<(Translation, &'static str), EngineError> {
        let primary = self
            .primary
            .as_ref()
            .ok_or_else(|| EngineError::Unavailable("no LLM configured".to_owned()))?;
        Ok((primary.translate(input).await?, primary.name()))
    }

    /// Whether an engine other than the offline one comes first.
    pub fn has_primary(&self) -> bool {
        self.primary.is_some()
    }

    /// The offline engine itself.
    pub fn offline_engine(&self) -> &OfflineEngine {
        &self.offline
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Failing;

    #[async_trait::async_trait]
    impl Engine for Failing {
        fn name(&self) -> &'static str {
            "failing"
        }
        async fn draft(&self, _: &DraftInput<'_>) -> Result<Draft, EngineError> {
            Err(EngineError::Unavailable("test".into()))
        }
        async fn triage(&self, _: &TriageInput<'_>) -> Result<Triage, EngineError> {
            Err(EngineError::Invalid("test".into()))
        }
    }

    #[tokio::test]
    async fn a_failing_primary_engine_falls_back_to_the_offline_one() {
        let assistant = Assistant::with_primary(Box::new(Failing));
        let cities = [City::new("douala", "Douala")];
        let today = NaiveDate::from_ymd_opt(2027, 6, 1).expect("date");
        let d = assistant
            .draft(&DraftInput {
                message: Message {
                    text: "Nettoyage du quartier Akwa samedi 5 juin",
                    tenant: "cm",
                    cities: &cities,
                    today,
                },
                locale: Locale::Fr,
            })
            .await;
        assert_eq!(d.city.as_deref(), Some("douala"));
        let t = assistant
            .triage(&TriageInput {
                text: "Hello, I want to help",
                tenant: "cm",
                cities: &cities,
                today,
            })
            .await;
        assert_eq!(t.language, Language::En);
    }

    /// An engine that always reads the same triage.
    struct Fixed;

    #[async_trait::async_trait]
    impl Engine for Fixed {
        fn name(&self) -> &'static str {
            "fixed"
        }
        async fn draft(&self, _: &DraftInput<'_>) -> Result<Draft, EngineError> {
            Err(EngineError::Unavailable("test".into()))
        }
        async fn triage(&self, _: &TriageInput<'_>) -> Result<Triage, EngineError> {
            Ok(Triage {
                topic: "education-enfance".into(),
                urgency: Urgency::High,
                language: Language::En,
                suggested_reply: "Hello".into(),
            })
        }
    }

    #[tokio::test]
    async fn the_primary_triage_names_its_engine_and_keeps_a_known_topic() {
        let cities = [City::new("douala", "Douala")];
        let input = TriageInput {
            text: "Hello, I want to help",
            tenant: "cm",
            cities: &cities,
            today: NaiveDate::from_ymd_opt(2027, 6, 1).expect("date"),
        };
        assert!(
            Assistant::offline()
                .primary_triage(&input, None)
                .await
                .is_none()
        );
        let failing = Assistant::with_primary(Box::new(Failing));
        assert!(failing.primary_triage(&input, None).await.is_none());
        let fixed = Assistant::with_primary(Box::new(Fixed));
        let (t, engine) = fixed.primary_triage(&input, None).await.expect("answer");
        assert_eq!((t.topic.as_str(), engine), ("education-enfance", "fixed"));
        let (t, _) = fixed
            .primary_triage(&input, Some("sante"))
            .await
            .expect("answer");
        assert_eq!((t.topic.as_str(), t.urgency), ("sante", Urgency::High));
    }

    #[tokio::test]
    async fn only_a_primary_engine_translates() {
        let input = TranslateInput {
            from: Locale::Fr,
            to: Locale::En,
            title: "Nettoyage du quartier",
            summary: "",
            description: "Venez nombreux samedi.",
        };
        for assistant in [
            Assistant::offline(),
            Assistant::with_primary(Box::new(Failing)),
        ] {
            let refused = assistant.translate(&input).await;
            assert!(
                matches!(refused, Err(EngineError::Unavailable(_))),
                "{refused:?}"
            );
        }
    }
}
