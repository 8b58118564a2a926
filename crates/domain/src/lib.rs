//! Pure types and rules shared by every layer: locales, validated identifiers, the taxonomy.
//! Nothing here does I/O or knows a framework.

pub mod consents;
mod ids;
mod locale;
pub mod missions;
pub mod moderation;
pub mod organisations;
pub mod password;
pub mod requests;
pub mod roles;
pub mod search;
pub mod spelling;
pub mod stays;
pub mod taxonomy;
pub mod triage;

pub use ids::{
    AccountId, CityId, EmailAddress, MissionId, NewsPostId, OrganisationId, PageVersionId,
    ParseError, PhotoId, ReportId, Slug, TenantCode, TokenId, slugify,
};
pub use locale::Locale;
pub use taxonomy::Taxonomy;
