//! Adapters with an embedded default and a production implementation, chosen by configuration:
//! cache (in process / Redis), blob storage (local folder / S3-compatible), mail (`.eml` files /
//! SMTP), the theme templates with their translations, and the HTTP clients of third-party
//! APIs (weather, the assistant's OpenAI-compatible LLM).

pub mod blob;
pub mod cache;
pub mod dates;
pub mod health;
pub mod images;
pub mod llm;
pub mod mail;
pub mod markdown;
pub mod templates;
pub mod weather;

rust_i18n::i18n!("../../locales", fallback = "fr");

pub use blob::BlobStore;
pub use cache::Cache;
pub use health::JobHealth;
pub use llm::{LlmConfig, LlmEngine, RETRY_AFTER_MAX};
pub use mail::{EmailTemplates, Mailer};
pub use templates::{Themes, translate, translate_with};
pub use weather::WeatherProvider;
