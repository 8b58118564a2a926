//! The eval harness: runs the offline engine over a labelled JSONL file and scores it per
//! field. A line with `expected_domain` is a need (scored through `draft`), a line with
//! `expected_topic` is a request (scored through `triage`). A line's `today` (ISO date) is
//! used when present, else [`DEFAULT_TODAY`].

use crate::{City, DraftInput, Message, TriageInput, draft, triage};
use chrono::NaiveDate;
use jsap_domain::Locale;
use serde::Deserialize;
use std::fmt::Write as _;

/// The day relative dates are read against when a line has no `today`: 1 June 2027.
pub const DEFAULT_TODAY: (i32, u32, u32) = (2027, 6, 1);

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("line {line}: {reason}")]
    Line { line: usize, reason: String },
    #[error("no labelled line (needs have `expected_domain`, requests `expected_topic`)")]
    Empty,
}

#[derive(Deserialize)]
struct NeedLine {
    text: String,
    tenant: String,
    expected_domain: String,
    expected_mission_type: String,
    expected_contribution_types: Vec<String>,
    expected_city: Option<String>,
    expected_remote: bool,
    expected_dates: Option<[Option<NaiveDate>; 2]>,
    #[serde(default)]
    today: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct RequestLine {
    text: String,
    tenant: String,
    expected_topic: String,
    expected_urgency: String,
    expected_language: String,
    #[serde(default)]
    today: Option<NaiveDate>,
}

/// Right answers out of lines scored.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub right: usize,
    pub total: usize,
}

impl Tally {
    fn add(&mut self, right: bool) {
        self.total += 1;
        self.right += usize::from(right);
    }

    /// Share right, 0..1 (1 when nothing was scored).
    pub fn rate(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.right as f64 / self.total as f64
        }
    }
}

#[derive(Debug, Default)]
pub struct Report {
    pub domain_top1: Tally,
    pub mission_type_top3: Tally,
    pub mission_type_top1: Tally,
    pub contributions_exact: Tally,
    pub contributions_all_present: Tally,
    pub city: Tally,
    pub remote: Tally,
    /// Every need: both ends exact, or null expected and none found.
    pub dates: Tally,
    /// Needs whose expected dates are stated (not null).
    pub dates_stated: Tally,
    pub topic: Tally,
    pub urgency: Tally,
    pub language: Tally,
    /// `line N field: expected X, got Y`.
    pub misses: Vec<String>,
}

impl Report {
    pub fn needs(&self) -> usize {
        self.domain_top1.total
    }

    pub fn requests(&self) -> usize {
        self.topic.total
    }

    /// The per-field table (and the misses when `verbose`).
    pub fn render(&self, verbose: bool) -> String {
        let mut out = String::new();
        let row = |out: &mut String, name: &str, t: &Tally| {
            let _ = writeln!(
                out,
                "  {name:<42} {:>4}/{:<4} {:>5.1} %",
                t.right,
                t.total,
                t.rate() * 100.0
            );
        };
        if self.needs() > 0 {
            let _ = writeln!(out, "needs (draft): {} line(s)", self.needs());
            row(&mut out, "domain (top 1)", &self.domain_top1);
            row(&mut out, "mission type (top 3)", &self.mission_type_top3);
            row(&mut out, "mission type (top 1)", &self.mission_type_top1);
            row(
                &mut out,
                "contribution types (exact set)",
                &self.contributions_exact,
            );
            row(
                &mut out,
                "contribution types (all expected present)",
                &self.contributions_all_present,
            );
            row(&mut out, "city", &self.city);
            row(&mut out, "remote", &self.remote);
            row(
                &mut out,
                "dates (all lines, null expects null)",
                &self.dates,
            );
            row(
                &mut out,
                "dates (stated dates, both ends exact)",
                &self.dates_stated,
            );
        }
        if self.requests() > 0 {
            let _ = writeln!(out, "requests (triage): {} line(s)", self.requests());
            row(&mut out, "topic", &self.topic);
            row(&mut out, "urgency", &self.urgency);
            row(&mut out, "language", &self.language);
        }
        if verbose && !self.misses.is_empty() {
            let _ = writeln!(out, "misses:");
            for m in &self.misses {
                let _ = writeln!(out, "  {m}");
            }
        }
        out
    }
}

fn miss<T: std::fmt::Debug>(
    report: &mut Report,
    line: usize,
    field: &str,
    expected: T,
    got: T,
    text: &str,
) {
    let excerpt: String = text.chars().take(70).collect();
    report.misses.push(format!(
        "line {line} {field}: expected {expected:?}, got {got:?} | {excerpt}"
    ));
}

/// Counts one field in the tally `of` picks, right when `expected` is `got`; a miss otherwise.
fn check<T: PartialEq + std::fmt::Debug>(
    report: &mut Report,
    of: fn(&mut Report) -> &mut Tally,
    line: usize,
    field: &str,
    (expected, got): (T, T),
    text: &str,
) {
    let right = expected == got;
    of(report).add(right);
    if !right {
        miss(report, line, field, expected, got, text);
    }
}

/// Scores the engine on `content` (JSONL). `cities_of` gives a tenant's cities (`None`: no
/// such tenant, an error naming the line).
pub fn evaluate(
    content: &str,
    cities_of: &dyn Fn(&str) -> Option<Vec<City>>,
) -> Result<Report, EvalError> {
    let default_today = NaiveDate::from_ymd_opt(DEFAULT_TODAY.0, DEFAULT_TODAY.1, DEFAULT_TODAY.2)
        .unwrap_or_default();
    let mut report = Report::default();
    for (i, raw) in content.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let err = |reason: String| EvalError::Line { line, reason };
        let value: serde_json::Value =
            serde_json::from_str(raw).map_err(|e| err(format!("invalid JSON: {e}")))?;
        if value.get("expected_domain").is_some() {
            let need: NeedLine = serde_json::from_value(value)
                .map_err(|e| err(format!("not a labelled need: {e}")))?;
            let cities = cities_of(&need.tenant)
                .ok_or_else(|| err(format!("unknown tenant \"{}\"", need.tenant)))?;
            score_need(
                &mut report,
                line,
                &need,
                &cities,
                need.today.unwrap_or(default_today),
            );
        } else if value.get("expected_topic").is_some() {
            let request: RequestLine = serde_json::from_value(value)
                .map_err(|e| err(format!("not a labelled request: {e}")))?;
            let cities = cities_of(&request.tenant)
                .ok_or_else(|| err(format!("unknown tenant \"{}\"", request.tenant)))?;
            score_request(
                &mut report,
                line,
                &request,
                &cities,
                request.today.unwrap_or(default_today),
            );
        } else {
            return Err(err(
                "neither a need (`expected_domain`) nor a request (`expected_topic`)".into(),
            ));
        }
    }
    if report.needs() == 0 && report.requests() == 0 {
        return Err(EvalError::Empty);
    }
    Ok(report)
}

fn score_need(
    report: &mut Report,
    line: usize,
    need: &NeedLine,
    cities: &[City],
    today: NaiveDate,
) {
    let d = draft::draft(&DraftInput {
        message: Message {
            text: &need.text,
            tenant: &need.tenant,
            cities,
            today,
        },
        locale: Locale::Fr,
    });
    let text = need.text.as_str();
    let top_domain = d
        .domains
        .first()
        .map(|s| s.slug.clone())
        .unwrap_or_default();
    let domain = (need.expected_domain.clone(), top_domain);
    check(report, |r| &mut r.domain_top1, line, "domain", domain, text);
    let types: Vec<String> = d
        .mission_types
        .iter()
        .take(3)
        .map(|s| s.slug.clone())
        .collect();
    let in_top3 = types.contains(&need.expected_mission_type);
    report.mission_type_top3.add(in_top3);
    report
        .mission_type_top1
        .add(types.first() == Some(&need.expected_mission_type));
    if types.first() != Some(&need.expected_mission_type) {
        let field = if in_top3 {
            "mission type (top 1 only)"
        } else {
            "mission type"
        };
        miss(
            report,
            line,
            field,
            vec![need.expected_mission_type.clone()],
            types,
            text,
        );
    }
    let mut expected = need.expected_contribution_types.clone();
    let mut got = d.contribution_types.clone();
    expected.sort();
    got.sort();
    report.contributions_exact.add(expected == got);
    let all = expected.iter().all(|c| got.contains(c));
    report.contributions_all_present.add(all);
    if !all {
        miss(report, line, "contribution types", expected, got, text);
    }
    let city = (need.expected_city.clone(), d.city.clone());
    check(report, |r| &mut r.city, line, "city", city, text);
    let remote = (need.expected_remote, d.remote);
    check(report, |r| &mut r.remote, line, "remote", remote, text);
    let expected_dates = need.expected_dates.map(|[a, b]| (a, b));
    let got_dates = d.starts_on.map(|s| (Some(s), d.ends_on));
    let right = expected_dates == got_dates;
    report.dates.add(right);
    if expected_dates.is_some() {
        report.dates_stated.add(right);
    }
    if !right {
        miss(report, line, "dates", expected_dates, got_dates, text);
    }
}

fn score_request(
    report: &mut Report,
    line: usize,
    request: &RequestLine,
    cities: &[City],
    today: NaiveDate,
) {
    let t = triage::triage(&TriageInput {
        text: &request.text,
        tenant: &request.tenant,
        cities,
        today,
    });
    let text = request.text.as_str();
    let topic = (request.expected_topic.as_str(), t.topic.as_str());
    check(report, |r| &mut r.topic, line, "topic", topic, text);
    let urgency = (request.expected_urgency.as_str(), t.urgency.as_str());
    check(report, |r| &mut r.urgency, line, "urgency", urgency, text);
    let language = (request.expected_language.as_str(), t.language.as_str());
    check(
        report,
        |r| &mut r.language,
        line,
        "language",
        language,
        text,
    );
}

#[cfg(test)]
#[path = "eval_tests.rs"]
mod tests;
