//! Missions: their lifecycle, who may move them along it, and the checks of what an editor
//! (a page or the API) fills in.
//!
//! ```text
//! draft ──submit──▶ submitted ──publish──▶ published ──close──▶ closed
//!   ▲                  │   │                  │  │
//!   │                  │   └─refuse──▶ refused │  └─expire (end of window)──▶ expired
//!   │            request changes               │
//!   │                  ▼                       │ city, dates or contribution types edited
//! changes_requested ──submit──▶ submitted ◀────┘
//! ```

use crate::Locale;
use crate::taxonomy::Taxonomy;
use chrono::NaiveDate;

/// Where a mission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissionStatus {
    Draft,
    Submitted,
    Published,
    ChangesRequested,
    Refused,
    Closed,
    Expired,
}

impl MissionStatus {
    pub const ALL: [MissionStatus; 7] = [
        Self::Draft,
        Self::Submitted,
        Self::Published,
        Self::ChangesRequested,
        Self::Refused,
        Self::Closed,
        Self::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Published => "published",
            Self::ChangesRequested => "changes_requested",
            Self::Refused => "refused",
            Self::Closed => "closed",
            Self::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether its editors may still change it: not once refused, closed or expired.
    pub fn editable(self) -> bool {
        matches!(
            self,
            Self::Draft | Self::Submitted | Self::Published | Self::ChangesRequested
        )
    }
}

/// A step of the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissionStep {
    /// Its editors send it to review.
    Submit,
    /// A reviewer publishes it.
    Publish,
    /// A reviewer sends it back to its editors, with a comment.
    RequestChanges,
    /// A reviewer refuses it, with a comment.
    Refuse,
    /// Its editors close it (filled or cancelled).
    Close,
    /// The daily job, at the end of its window.
    Expire,
    /// An edit of its city, dates or contribution types sends a published mission back.
    Resubmit,
}

/// Who takes a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A member of its organisation, or a focal point writing for their city.
    Editor,
    /// A focal point of its city or a country operator.
    Reviewer,
    /// A scheduled job.
    System,
}

impl MissionStep {
    /// The states it starts from and the one it leads to.
    pub fn transition(self) -> (&'static [MissionStatus], MissionStatus) {
        use MissionStatus::*;
        match self {
            Self::Submit => (&[Draft, ChangesRequested], Submitted),
            Self::Publish => (&[Submitted], Published),
            Self::RequestChanges => (&[Submitted], ChangesRequested),
            Self::Refuse => (&[Submitted], Refused),
            Self::Close => (&[Published], Closed),
            Self::Expire => (&[Published], Expired),
            Self::Resubmit => (&[Published], Submitted),
        }
    }

    /// Who may take this step.
    pub fn taken_by(self) -> Actor {
        match self {
            Self::Submit | Self::Close | Self::Resubmit => Actor::Editor,
            Self::Publish | Self::RequestChanges | Self::Refuse => Actor::Reviewer,
            Self::Expire => Actor::System,
        }
    }

    /// Whether a mission in `from` can take this step.
    pub fn applies_to(self, from: MissionStatus) -> bool {
        self.transition().0.contains(&from)
    }

    /// The step's name in the history and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Publish => "publish",
            Self::RequestChanges => "changes",
            Self::Refuse => "refuse",
            Self::Close => "close",
            Self::Expire => "expire",
            Self::Resubmit => "resubmit",
        }
    }

    /// A reviewer's decision by its API name (`publish`, `changes`, `refuse`).
    pub fn decision(s: &str) -> Option<Self> {
        [Self::Publish, Self::RequestChanges, Self::Refuse]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// Why a mission was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    Filled,
    Cancelled,
}

impl CloseReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Filled => "filled",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Filled, Self::Cancelled]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

pub const TITLE_MAX: usize = 120;
pub const SUMMARY_MAX: usize = 240;
pub const DESCRIPTION_MAX: usize = 8000;
pub const SKILLS_MAX: usize = 12;
pub const SKILL_MAX: usize = 60;
pub const CONTACT_MAX: usize = 120;
pub const CAPACITY_MAX: i32 = 10_000;
/// How long a mission with flexible dates stays open.
pub const FLEXIBLE_DAYS: i64 = 365;
/// How far ahead a window may end.
pub const WINDOW_MAX_DAYS: i64 = 3 * 366;

/// A mission's text in one locale, as filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextInput {
    pub locale: Locale,
    pub title: String,
    pub summary: String,
    pub description: String,
}

impl Default for TextInput {
    fn default() -> Self {
        Self {
            locale: Locale::Fr,
            title: String::new(),
            summary: String::new(),
            description: String::new(),
        }
    }
}

/// A mission's fields, its dates of type `Date`: as an editor fills them in
/// ([`MissionInput`], dates optional) or once checked ([`CheckedMission`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mission<Date> {
    pub texts: Vec<TextInput>,
    pub city_id: Option<i64>,
    pub remote: bool,
    pub domain: String,
    pub mission_type: String,
    pub contribution_types: Vec<String>,
    /// No dates window: open for `FLEXIBLE_DAYS` from the day it is saved.
    pub flexible: bool,
    pub starts_on: Date,
    pub ends_on: Date,
    pub skills: Vec<String>,
    pub capacity: Option<i32>,
    pub contact_name: String,
}

/// Everything an editor fills in, as received (strings trimmed by the checks).
pub type MissionInput = Mission<Option<NaiveDate>>;

/// What is wrong with one field. The field names are the form's and the API's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooLong,
    Unknown,
    /// A mission type of another domain.
    WrongDomain,
    /// Ends before it starts, or ends in the past.
    BadDates,
    /// A window longer than `WINDOW_MAX_DAYS`.
    TooFar,
    TooMany,
    OutOfRange,
    /// A text in a locale the tenant does not offer.
    Locale,
}

impl Problem {
    pub fn code(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::TooLong => "too_long",
            Self::Unknown => "unknown",
            Self::WrongDomain => "wrong_domain",
            Self::BadDates => "bad_dates",
            Self::TooFar => "too_far",
            Self::TooMany => "too_many",
            Self::OutOfRange => "out_of_range",
            Self::Locale => "locale",
        }
    }
}

/// A checked mission: texts of offered locales (the default one first), a known taxonomy,
/// a window that ends after it starts.
pub type CheckedMission = Mission<NaiveDate>;

fn too_long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

impl TextInput {
    /// The problems of this text (trimmed already), by field name (`title_en`…): a title and
    /// a description are required, and no field may be over its limit.
    pub fn problems(&self) -> Vec<(String, Problem)> {
        let l = self.locale.as_str();
        let mut found = Vec::new();
        if self.title.is_empty() {
            found.push((format!("title_{l}"), Problem::Required));
        } else if too_long(&self.title, TITLE_MAX) {
            found.push((format!("title_{l}"), Problem::TooLong));
        }
        if too_long(&self.summary, SUMMARY_MAX) {
            found.push((format!("summary_{l}"), Problem::TooLong));
        }
        if self.description.is_empty() {
            found.push((format!("description_{l}"), Problem::Required));
        } else if too_long(&self.description, DESCRIPTION_MAX) {
            found.push((format!("description_{l}"), Problem::TooLong));
        }
        found
    }
}

/// Checks `input` against the tenant's `taxonomy` and `locales` (`default` required) on
/// `today`. Errors are (field, problem) in the order of the form; text fields are named
/// `title_<locale>`, `summary_<locale>`, `description_<locale>`.
pub fn check(
    input: MissionInput,
    taxonomy: &Taxonomy,
    locales: &[Locale],
    default: Locale,
    today: NaiveDate,
) -> Result<CheckedMission, Vec<(String, Problem)>> {
    let mut errors: Vec<(String, Problem)> = Vec::new();
    let mut err = |field: &str, p: Problem| errors.push((field.to_owned(), p));
    let mut texts: Vec<TextInput> = Vec::new();
    for t in input.texts {
        let t = TextInput {
            locale: t.locale,
            title: t.title.trim().to_owned(),
            summary: t.summary.trim().to_owned(),
            description: t.description.trim().to_owned(),
        };
        let l = t.locale.as_str();
        if !locales.contains(&t.locale) {
            err(&format!("title_{l}"), Problem::Locale);
            continue;
        }
        let blank = t.title.is_empty() && t.summary.is_empty() && t.description.is_empty();
        if blank && t.locale != default {
            continue;
        }
        for (field, problem) in t.problems() {
            err(&field, problem);
        }
        if !texts.iter().any(|k| k.locale == t.locale) {
            texts.push(t);
        }
    }
    if !texts.iter().any(|t| t.locale == default) {
        err(&format!("title_{}", default.as_str()), Problem::Required);
    }
    texts.sort_by_key(|t| t.locale != default);
    if input.city_id.is_none() {
        err("city", Problem::Required);
    }
    let domain = input.domain.trim().to_owned();
    if domain.is_empty() {
        err("domain", Problem::Required);
    } else if taxonomy.domain(&domain).is_none() {
        err("domain", Problem::Unknown);
    }
    let mission_type = input.mission_type.trim().to_owned();
    match taxonomy.mission_type(&mission_type) {
        _ if mission_type.is_empty() => err("mission_type", Problem::Required),
        None => err("mission_type", Problem::Unknown),
        Some(t) if taxonomy.domain(&domain).is_some() && t.domain != domain => {
            err("mission_type", Problem::WrongDomain)
        }
        Some(_) => {}
    }
    let mut contribution_types: Vec<String> = Vec::new();
    let mut unknown = false;
    for c in input.contribution_types {
        let c = c.trim().to_owned();
        if taxonomy.contribution_type(&c).is_none() {
            unknown = true;
        } else if !contribution_types.contains(&c) {
            contribution_types.push(c);
        }
    }
    if unknown {
        err("contribution_types", Problem::Unknown);
    } else if contribution_types.is_empty() {
        err("contribution_types", Problem::Required);
    }
    let (starts_on, ends_on) = if input.flexible {
        (today, today + chrono::Duration::days(FLEXIBLE_DAYS))
    } else {
        match (input.starts_on, input.ends_on) {
            (None, _) => {
                err("starts_on", Problem::Required);
                (today, today)
            }
            (Some(_), None) => {
                err("ends_on", Problem::Required);
                (today, today)
            }
            (Some(s), Some(e)) => {
                if e < s || e < today {
                    err("ends_on", Problem::BadDates);
                } else if (e - s).num_days() > WINDOW_MAX_DAYS
                    || (e - today).num_days() > WINDOW_MAX_DAYS
                {
                    err("ends_on", Problem::TooFar);
                }
                (s, e)
            }
        }
    };
    let mut skills: Vec<String> = Vec::new();
    for s in input.skills {
        let s = s.trim().to_owned();
        if s.is_empty() || skills.iter().any(|k| k.eq_ignore_ascii_case(&s)) {
            continue;
        }
        if too_long(&s, SKILL_MAX) {
            err("skills", Problem::TooLong);
        }
        skills.push(s);
    }
    if skills.len() > SKILLS_MAX {
        err("skills", Problem::TooMany);
    }
    if let Some(c) = input.capacity
        && !(1..=CAPACITY_MAX).contains(&c)
    {
        err("capacity", Problem::OutOfRange);
    }
    let contact_name = input.contact_name.trim().to_owned();
    if too_long(&contact_name, CONTACT_MAX) {
        err("contact_name", Problem::TooLong);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CheckedMission {
        texts,
        city_id: input.city_id,
        remote: input.remote,
        domain,
        mission_type,
        contribution_types,
        flexible: input.flexible,
        starts_on,
        ends_on,
        skills,
        capacity: input.capacity,
        contact_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 6, 1).expect("date")
    }

    fn input() -> MissionInput {
        MissionInput {
            texts: vec![TextInput {
                locale: Locale::Fr,
                title: " Soutien scolaire ".into(),
                summary: String::new(),
                description: "Aider les élèves du quartier.".into(),
            }],
            city_id: Some(3),
            domain: "education-enfance".into(),
            mission_type: "soutien-scolaire-ateliers".into(),
            contribution_types: vec!["competences".into(), "competences".into()],
            starts_on: NaiveDate::from_ymd_opt(2027, 7, 1),
            ends_on: NaiveDate::from_ymd_opt(2027, 8, 31),
            skills: vec!["pédagogie".into(), " ".into(), "Pédagogie".into()],
            ..Default::default()
        }
    }

    fn fields(e: Vec<(String, Problem)>) -> Vec<(String, &'static str)> {
        e.into_iter().map(|(f, p)| (f, p.code())).collect()
    }

    #[test]
    fn every_step_starts_where_the_diagram_says_and_is_taken_by_its_actor() {
        use MissionStatus::*;
        assert!(MissionStep::Submit.applies_to(Draft));
        assert!(MissionStep::Submit.applies_to(ChangesRequested));
        assert!(!MissionStep::Submit.applies_to(Published));
        assert!(!MissionStep::Publish.applies_to(Draft), "never unreviewed");
        assert!(!MissionStep::Close.applies_to(Submitted));
        assert!(!MissionStep::Expire.applies_to(Closed));
        assert_eq!(MissionStep::Publish.taken_by(), Actor::Reviewer);
        assert_eq!(MissionStep::Close.taken_by(), Actor::Editor);
        assert_eq!(MissionStep::Expire.taken_by(), Actor::System);
        for s in MissionStatus::ALL {
            assert_eq!(MissionStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(
            MissionStep::decision("changes"),
            Some(MissionStep::RequestChanges)
        );
        assert_eq!(
            MissionStep::decision("close"),
            None,
            "not a review decision"
        );
        assert!(!Refused.editable() && !Expired.editable() && Published.editable());
    }

    #[test]
    fn a_complete_mission_is_accepted_trimmed_and_without_duplicates() {
        let t = Taxonomy::builtin();
        let m = check(input(), t, &[Locale::Fr, Locale::En], Locale::Fr, today())
            .expect("a valid mission");
        assert_eq!(m.texts[0].title, "Soutien scolaire");
        assert_eq!(m.contribution_types, ["competences"]);
        assert_eq!(m.skills, ["pédagogie"]);
    }

    #[test]
    fn each_bad_field_is_named_in_form_order() {
        let t = Taxonomy::builtin();
        let mut bad = input();
        bad.texts[0].title = String::new();
        bad.texts.push(TextInput {
            locale: Locale::En,
            title: "Tutoring".into(),
            ..Default::default()
        });
        bad.city_id = None;
        bad.mission_type = "reboisement-espaces-verts".into();
        bad.contribution_types = vec!["astrologie".into()];
        bad.ends_on = NaiveDate::from_ymd_opt(2027, 6, 30);
        bad.capacity = Some(0);
        let errors =
            check(bad, t, &[Locale::Fr, Locale::En], Locale::Fr, today()).expect_err("refused");
        assert_eq!(
            fields(errors),
            [
                ("title_fr".into(), "required"),
                ("description_en".into(), "required"),
                ("city".into(), "required"),
                ("mission_type".into(), "wrong_domain"),
                ("contribution_types".into(), "unknown"),
                ("ends_on".into(), "bad_dates"),
                ("capacity".into(), "out_of_range"),
            ]
        );
    }

    #[test]
    fn flexible_dates_open_a_year_from_today_and_ignore_the_window() {
        let t = Taxonomy::builtin();
        let mut m = input();
        m.flexible = true;
        m.starts_on = None;
        m.ends_on = None;
        let m = check(m, t, &[Locale::Fr], Locale::Fr, today()).expect("valid");
        assert_eq!(m.starts_on, today());
        assert_eq!((m.ends_on - m.starts_on).num_days(), FLEXIBLE_DAYS);
        let mut past = input();
        past.starts_on = NaiveDate::from_ymd_opt(2027, 1, 1);
        past.ends_on = NaiveDate::from_ymd_opt(2027, 2, 1);
        assert_eq!(
            fields(check(past, t, &[Locale::Fr], Locale::Fr, today()).expect_err("past")),
            [("ends_on".into(), "bad_dates")]
        );
        let mut arabic = input();
        arabic.texts[0].locale = Locale::Ar;
        assert_eq!(
            fields(check(arabic, t, &[Locale::Fr], Locale::Fr, today()).expect_err("ar")),
            [
                ("title_ar".into(), "locale"),
                ("title_fr".into(), "required")
            ]
        );
    }
}
