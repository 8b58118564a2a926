//! Missions as their editors and reviewers see them, whatever their status: create a draft,
//! save it, move it along its lifecycle (a conditional update: two reviewers deciding at once
//! cannot both win), list them for a space or a review queue, and keep their history.

use super::Scope;
use crate::repos::missions::{MissionDetail, MissionText};
use crate::repos::search::MissionHit;
use chrono::{DateTime, NaiveDate, Utc};
use jsap_domain::missions::MissionStatus;
use sea_orm::ConnectionTrait;
use serde::Serialize;

mod read;
mod write;

pub(crate) use read::record_of;

/// What a mission asks and when: what the catalogue shows and filters on, and what the
/// recommendation weighs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissionTerms {
    pub domain: String,
    pub mission_type: String,
    pub contribution_types: Vec<String>,
    pub remote: bool,
    pub urgent: bool,
    /// No dates window: fits any stay (open a year from when it was saved, still closed
    /// after `ends_on`).
    pub flexible: bool,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Every field an editor sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissionFields {
    pub organisation_id: i64,
    pub city_id: i64,
    /// Shown first (focal points and operators set it).
    pub featured: bool,
    /// Its kind and window (serialised as the fields' own).
    #[serde(flatten)]
    pub terms: MissionTerms,
    pub skills: Vec<String>,
    pub capacity: Option<i32>,
    pub contact_name: String,
    /// The default locale's first.
    pub texts: Vec<MissionText>,
}

/// A mission with all it holds, for its editor and its reviewers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissionRecord {
    pub id: i64,
    pub slug: String,
    pub status: MissionStatus,
    /// What its editor set (serialised as the record's own fields).
    #[serde(flatten)]
    pub fields: MissionFields,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTime<Utc>>,
    /// The last reviewer's comment (changes requested, refused).
    pub review_comment: String,
    /// Published after a review ("Validé par <site>").
    pub validated: bool,
    /// `filled` or `cancelled` once closed.
    pub closed_reason: String,
    /// Hidden by moderation until reviewed (not part of the editor's view).
    #[serde(skip)]
    pub hidden: bool,
}

impl MissionRecord {
    /// The text in `locale`, or the first one (the default locale's).
    pub fn text(&self, locale: &str) -> Option<&MissionText> {
        self.fields
            .texts
            .iter()
            .find(|t| t.locale == locale)
            .or(self.fields.texts.first())
    }

    /// The mission as its page shows it, with its text in `locale` (or the first one
    /// written; an empty one in `locale` when it has none).
    pub fn detail(&self, locale: &str) -> MissionDetail {
        let text = self.text(locale).cloned().unwrap_or_else(|| MissionText {
            locale: locale.to_owned(),
            ..MissionText::default()
        });
        let f = &self.fields;
        MissionDetail {
            mission: MissionHit {
                id: self.id,
                slug: self.slug.clone(),
                title: text.title,
                summary: text.summary,
                lang: text.locale.clone(),
                city_id: f.city_id,
                organisation_id: f.organisation_id,
                featured: f.featured,
                terms: f.terms.clone(),
            },
            description: text.description,
            skills: f.skills.clone(),
            locale: text.locale,
            capacity: f.capacity,
            contact_name: f.contact_name.clone(),
            validated: self.validated,
        }
    }
}

/// One line of a list of missions.
#[derive(Debug, Clone, Serialize)]
pub struct MissionRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub status: MissionStatus,
    pub organisation_id: i64,
    pub city_id: i64,
    pub remote: bool,
    pub flexible: bool,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// Which missions a list holds: those of `organisations` or in `cities` (`None`: every one
/// of the tenant), in `statuses` (empty: all).
#[derive(Debug, Clone, Default)]
pub struct MissionFilter {
    pub organisations: Option<Vec<i64>>,
    pub cities: Option<Vec<i64>>,
    pub statuses: Vec<MissionStatus>,
}

/// What a lifecycle step writes besides the status.
#[derive(Debug, Clone, Default)]
pub struct StepWrite {
    /// The reviewer of a review step, with their comment.
    pub reviewer: Option<i64>,
    pub comment: String,
    /// `filled` or `cancelled` when closing.
    pub closed_reason: String,
}

/// One entry of a mission's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub account_id: Option<i64>,
    pub action: String,
    pub detail: String,
}

tenant_repository! {
    /// Missions of one tenant, for their editors and reviewers.
    MissionEdits
}

fn split_skills(s: &str) -> Vec<String> {
    s.split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}
