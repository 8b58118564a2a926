//! Dates written in French or English, relative to a given today: ranges ("du 2 au 9 août
//! 2027", "from 28 July to 3 August", "August 2-9", "du 02/08 au 09/08"), single days
//! ("samedi 24 juillet", "le 15/08"), parts of a month ("début janvier" 1–10, "mi-août" 11–20,
//! "fin décembre" 21–end), whole months ("en août", "in August", "juillet-août"), seasons and
//! holidays ("pendant les grandes vacances" and "cet été": 1 July – 31 August; "à Noël":
//! 25 December; "les fêtes de fin d'année": 20 December – 5 January) and relative phrases
//! ("demain", "ce week-end", "la semaine prochaine" Monday–Sunday, "next month" the whole
//! month). A date without a year is its next occurrence on or after today.

use crate::normalize::normalize;
use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use regex::{Captures, Regex};
use std::sync::OnceLock;

const MONTH: &str = "(janvier|janv|fevrier|fevr|fev|mars|avril|avr|mai|juin|juillet|juil|aout|septembre|sept|octobre|novembre|decembre|january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)";
const MONTH_FULL: &str = "(janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|january|february|march|april|may|june|july|august|september|october|november|december)";
const DAY: &str = r"(\d{1,2})(?:er|eme|e|st|nd|rd|th)?";
const YEAR: &str = r"(?:,?\s*(\d{4}))?";
const WEEKDAY: &str = r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun)\s+)?";
const TO: &str =
    r"\s*(?:-|au|a|to|until|till|through|and|et|jusqu au|jusqu'au)\s*(?:le\s+|the\s+)?";

/// A month number from its French or English name or abbreviation (folded).
fn month_number(word: &str) -> Option<u32> {
    let m = match word {
        "janvier" | "janv" | "january" | "jan" => 1,
        "fevrier" | "fevr" | "fev" | "february" | "feb" => 2,
        "mars" | "march" | "mar" => 3,
        "avril" | "avr" | "april" | "apr" => 4,
        "mai" | "may" => 5,
        "juin" | "june" | "jun" => 6,
        "juillet" | "juil" | "july" | "jul" => 7,
        "aout" | "august" | "aug" => 8,
        "septembre" | "sept" | "september" | "sep" => 9,
        "octobre" | "october" | "oct" => 10,
        "novembre" | "november" | "nov" => 11,
        "decembre" | "december" | "dec" => 12,
        _ => return None,
    };
    Some(m)
}

fn last_day(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)?
        .checked_add_months(Months::new(1))?
        .pred_opt()
}

/// The next occurrence of day/month on or after `today`.
fn next_occurrence(today: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let this = NaiveDate::from_ymd_opt(today.year(), month, day);
    match this {
        Some(d) if d >= today => Some(d),
        _ => NaiveDate::from_ymd_opt(today.year() + 1, month, day),
    }
}

/// A span within a month (or across months) without a year: the first occurrence that has
/// not ended yet.
fn upcoming_span(
    today: NaiveDate,
    from: (u32, u32),
    to: (u32, u32),
) -> Option<(NaiveDate, NaiveDate)> {
    let wraps = to < from;
    for year in [today.year() - 1, today.year(), today.year() + 1] {
        let start = NaiveDate::from_ymd_opt(year, from.0, from.1)?;
        let end_year = if wraps { year + 1 } else { year };
        let end =
            NaiveDate::from_ymd_opt(end_year, to.0, to.1).or_else(|| last_day(end_year, to.0))?;
        if end >= today {
            return Some((start, end));
        }
    }
    None
}

fn year_of(c: &Captures<'_>, i: usize) -> Option<i32> {
    c.get(i)
        .and_then(|m| m.as_str().parse().ok())
        .map(|y: i32| if y < 100 { 2000 + y } else { y })
}

fn num(c: &Captures<'_>, i: usize) -> Option<u32> {
    c.get(i)?.as_str().parse().ok()
}

fn month_of(c: &Captures<'_>, i: usize) -> Option<u32> {
    month_number(c.get(i)?.as_str())
}

/// A range from day/month(/year) to day/month(/year); missing years are inferred.
fn range(
    today: NaiveDate,
    (d1, m1, y1): (u32, u32, Option<i32>),
    (d2, m2, y2): (u32, u32, Option<i32>),
) -> Option<(NaiveDate, NaiveDate)> {
    let (start, end) = match (y1, y2) {
        (Some(y1), Some(y2)) => (
            NaiveDate::from_ymd_opt(y1, m1, d1)?,
            NaiveDate::from_ymd_opt(y2, m2, d2)?,
        ),
        (None, Some(y2)) => {
            let end = NaiveDate::from_ymd_opt(y2, m2, d2)?;
            let start = NaiveDate::from_ymd_opt(y2, m1, d1)?;
            let start = if start > end {
                NaiveDate::from_ymd_opt(y2 - 1, m1, d1)?
            } else {
                start
            };
            (start, end)
        }
        (Some(y1), None) => {
            let start = NaiveDate::from_ymd_opt(y1, m1, d1)?;
            let end = NaiveDate::from_ymd_opt(y1, m2, d2)?;
            let end = if end < start {
                NaiveDate::from_ymd_opt(y1 + 1, m2, d2)?
            } else {
                end
            };
            (start, end)
        }
        (None, None) => upcoming_span(today, (m1, d1), (m2, d2))?,
    };
    (start <= end && (end - start).num_days() <= 366).then_some((start, end))
}

fn single(today: NaiveDate, d: u32, m: u32, y: Option<i32>) -> Option<(NaiveDate, NaiveDate)> {
    let date = match y {
        Some(y) => NaiveDate::from_ymd_opt(y, m, d)?,
        None => next_occurrence(today, m, d)?,
    };
    Some((date, date))
}

fn month_part(
    today: NaiveDate,
    part: &str,
    m: u32,
    y: Option<i32>,
) -> Option<(NaiveDate, NaiveDate)> {
    let (from, to) = match part {
        "debut" | "early" | "beginning" | "start" | "premiere quinzaine" => (1, 10),
        "mi" | "mid" | "middle" | "milieu" => (11, 20),
        "fin" | "late" | "end" | "seconde quinzaine" => (21, 31),
        _ => (1, 31),
    };
    match y {
        Some(y) => {
            let start = NaiveDate::from_ymd_opt(y, m, from)?;
            let end = NaiveDate::from_ymd_opt(y, m, to).or_else(|| last_day(y, m))?;
            Some((start, end))
        }
        None => upcoming_span(today, (m, from), (m, to)),
    }
}

fn next_weekday(today: NaiveDate, weekday: Weekday, strictly_after: bool) -> NaiveDate {
    let mut d = today;
    if strictly_after {
        d = d.succ_opt().unwrap_or(d);
    }
    while d.weekday() != weekday {
        d = d.succ_opt().unwrap_or(d);
    }
    d
}

fn weekday_of(word: &str) -> Option<Weekday> {
    Some(match word {
        "lundi" | "monday" => Weekday::Mon,
        "mardi" | "tuesday" => Weekday::Tue,
        "mercredi" | "wednesday" => Weekday::Wed,
        "jeudi" | "thursday" => Weekday::Thu,
        "vendredi" | "friday" => Weekday::Fri,
        "samedi" | "saturday" => Weekday::Sat,
        "dimanche" | "sunday" => Weekday::Sun,
        _ => return None,
    })
}

type Rule = (
    Regex,
    fn(&Captures<'_>, NaiveDate) -> Option<(NaiveDate, NaiveDate)>,
);

#[allow(clippy::expect_used)]
fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let re = |s: String| Regex::new(&s).expect("the date patterns compile (unit tests)");
        let v: Vec<Rule> = vec![
            // du 28 juillet au 3 aout (2027) / from 28 July to 3 August
            (
                re(format!(r"\b{WEEKDAY}{DAY}\s+{MONTH}\.?{YEAR}{TO}{WEEKDAY}{DAY}\s+{MONTH}\.?{YEAR}\b")),
                |c, t| range(t, (num(c, 1)?, month_of(c, 2)?, year_of(c, 3)), (num(c, 4)?, month_of(c, 5)?, year_of(c, 6))),
            ),
            // du 2 au 9 aout 2027 / 2-9 august / between 2 and 9 august
            (
                re(format!(r"\b{WEEKDAY}{DAY}{TO}{WEEKDAY}{DAY}\s+{MONTH}\.?{YEAR}\b")),
                |c, t| {
                    let m = month_of(c, 3)?;
                    let y = year_of(c, 4);
                    range(t, (num(c, 1)?, m, y), (num(c, 2)?, m, y))
                },
            ),
            // july 28 to august 3
            (
                re(format!(r"\b{MONTH}\.?\s+{DAY}{TO}{MONTH}\.?\s+{DAY}{YEAR}\b")),
                |c, t| {
                    let y = year_of(c, 5);
                    range(t, (num(c, 2)?, month_of(c, 1)?, y), (num(c, 4)?, month_of(c, 3)?, y))
                },
            ),
            // august 2-9(, 2027)
            (
                re(format!(r"\b{MONTH}\.?\s+{DAY}{TO}{DAY}{YEAR}\b")),
                |c, t| {
                    let m = month_of(c, 1)?;
                    let y = year_of(c, 4);
                    range(t, (num(c, 2)?, m, y), (num(c, 3)?, m, y))
                },
            ),
            // du 02/08(/2027) au 09/08/2027, du 2 au 9/08
            (
                re(format!(r"\b(\d{{1,2}})(?:/(\d{{1,2}}))?(?:/(\d{{2,4}}))?{TO}(\d{{1,2}})/(\d{{1,2}})(?:/(\d{{2,4}}))?\b")),
                |c, t| {
                    let m2 = num(c, 5)?;
                    let m1 = num(c, 2).unwrap_or(m2);
                    range(t, (num(c, 1)?, m1, year_of(c, 3)), (num(c, 4)?, m2, year_of(c, 6)))
                },
            ),
            // 2027-08-02
            (re(r"\b(\d{4})-(\d{2})-(\d{2})\b".to_string()), |c, _| {
                let d = NaiveDate::from_ymd_opt(year_of(c, 1)?, num(c, 2)?, num(c, 3)?)?;
                Some((d, d))
            }),
            // la semaine du 12 juillet / the week of 12 July: seven days
            (
                re(format!(r"\b(?:semaine du|week of)\s+(?:le\s+|the\s+)?{WEEKDAY}{DAY}\s+(?:of\s+)?{MONTH}\.?{YEAR}\b")),
                |c, t| {
                    let (start, _) = single(t, num(c, 1)?, month_of(c, 2)?, year_of(c, 3))?;
                    Some((start, start.checked_add_days(Days::new(6))?))
                },
            ),
            // le week-end du 24 juillet: two days
            (
                re(format!(r"\b(?:week-end du|weekend du|week-end of|weekend of)\s+(?:le\s+|the\s+)?{WEEKDAY}{DAY}\s+(?:of\s+)?{MONTH}\.?{YEAR}\b")),
                |c, t| {
                    let (start, _) = single(t, num(c, 1)?, month_of(c, 2)?, year_of(c, 3))?;
                    Some((start, start.succ_opt()?))
                },
            ),
            // samedi 24 juillet (2027) / 24th of July
            (
                re(format!(r"\b{WEEKDAY}{DAY}\s+(?:of\s+)?{MONTH}\.?{YEAR}\b")),
                |c, t| single(t, num(c, 1)?, month_of(c, 2)?, year_of(c, 3)),
            ),
            // July 24th(, 2027)
            (
                re(format!(r"\b{MONTH}\.?\s+{DAY}{YEAR}\b")),
                |c, t| single(t, num(c, 2)?, month_of(c, 1)?, year_of(c, 3)),
            ),
            // le 15/08, 15/08/2027, 15-08-2027
            (
                re(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b|\b(\d{1,2})[-.](\d{1,2})[-.](\d{4})\b".to_string()),
                |c, t| match c.get(1) {
                    Some(_) if &c[0] == "24/7" => None,
                    Some(_) => single(t, num(c, 1)?, num(c, 2)?, year_of(c, 3)),
                    None => single(t, num(c, 4)?, num(c, 5)?, year_of(c, 6)),
                },
            ),
            // debut janvier, mi-aout, fin decembre 2027, end of December, mid-August
            (
                re(format!(r"\b(debut|mi|fin|early|mid|middle|late|end|beginning|start|milieu)(?:\s+|-)(?:of\s+|du mois d\s+|du mois de\s+|de\s+|d\s+)?{MONTH}{YEAR}\b")),
                |c, t| month_part(t, c.get(1)?.as_str(), month_of(c, 2)?, year_of(c, 3)),
            ),
            // juillet-aout, juillet et aout
            (
                re(format!(r"\b{MONTH}\s*(?:-|et|and|to|a)\s*(?:en\s+|in\s+)?{MONTH}{YEAR}\b")),
                |c, t| {
                    let (m1, m2) = (month_of(c, 1)?, month_of(c, 2)?);
                    let y = year_of(c, 3);
                    let end = last_day(y.unwrap_or(2001), m2)?.day();
                    range(t, (1, m1, y), (end, m2, y))
                },
            ),
            // en aout, au mois d aout, in August, aout 2027
            (
                re(format!(r"\b(?:en|au mois d|au mois de|mois d|mois de|courant|durant|pendant|in|during|throughout|this|next)\s+{MONTH_FULL}{YEAR}\b|\b{MONTH}\s+(\d{{4}})\b")),
                |c, t| match c.get(1) {
                    Some(_) => month_part(t, "", month_of(c, 1)?, year_of(c, 2)),
                    None => month_part(t, "", month_of(c, 3)?, year_of(c, 4)),
                },
            ),
            (
                re(r"\b(?:grandes vacances|vacances d ete|vacances scolaires d ete|cet ete|l ete prochain|pendant l ete|summer holidays|summer holiday|summer break|long holidays|long vacation|long holiday|this summer|during the summer|in the summer|next summer|vacances d'ete)\b".to_string()),
                |_, t| upcoming_span(t, (7, 1), (8, 31)),
            ),
            (
                re(r"\b(?:fetes de fin d ?annee|fetes de fin d'annee|end of year holidays|end-of-year holidays|holiday season|festive season|christmas holidays|vacances de noel)\b".to_string()),
                |_, t| upcoming_span(t, (12, 20), (1, 5)),
            ),
            (re(r"\b(?:noel|christmas)\b".to_string()), |_, t| single(t, 25, 12, None)),
            (re(r"\b(?:apres-demain|apres demain|day after tomorrow)\b".to_string()), |_, t| {
                let d = t.checked_add_days(Days::new(2))?;
                Some((d, d))
            }),
            (re(r"\b(?:demain|tomorrow)\b".to_string()), |_, t| {
                let d = t.succ_opt()?;
                Some((d, d))
            }),
            (re(r"\b(?:ce week-end|ce weekend|ce we|this weekend|this week-end|le week-end prochain|next weekend|ce week end)\b".to_string()), |_, t| {
                let sat = if t.weekday() == Weekday::Sun { t.pred_opt()? } else { next_weekday(t, Weekday::Sat, false) };
                let start = sat.max(t);
                Some((start, sat.succ_opt()?))
            }),
            (re(r"\b(?:la semaine prochaine|semaine prochaine|next week)\b".to_string()), |_, t| {
                let mon = next_weekday(t, Weekday::Mon, true);
                Some((mon, mon.checked_add_days(Days::new(6))?))
            }),
            (re(r"\b(?:cette semaine|this week)\b".to_string()), |_, t| {
                let sun = next_weekday(t, Weekday::Sun, false);
                Some((t, sun))
            }),
            (re(r"\b(?:le mois prochain|mois prochain|next month|the coming month)\b".to_string()), |_, t| {
                let first = NaiveDate::from_ymd_opt(t.year(), t.month(), 1)?.checked_add_months(Months::new(1))?;
                Some((first, last_day(first.year(), first.month())?))
            }),
            (re(r"\b(?:ce mois-ci|ce mois ci|this month)\b".to_string()), |_, t| {
                Some((t, last_day(t.year(), t.month())?))
            }),
            // ce samedi, samedi prochain, this Saturday, next Saturday, on Saturday
            (
                re(r"\b(?:(ce|this|next|on)\s+(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+prochain)\b".to_string()),
                |c, t| {
                    let word = c.get(2).or_else(|| c.get(3))?.as_str();
                    let strictly = c.get(1).is_none_or(|m| m.as_str() == "next");
                    let d = next_weekday(t, weekday_of(word)?, strictly);
                    Some((d, d))
                },
            ),
        ];
        v
    })
}

/// The dates `text` states, `(from, to)` (equal for a single day), or `None`.
pub fn find_dates(text: &str, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    find(text, today).map(|(span, _)| span)
}

/// The mission's window: like [`find_dates`], except that a single day introduced by "à partir
/// du", "dès le", "from", "starting" or "as of" opens a window with no end (`None`).
pub fn find_window(text: &str, today: NaiveDate) -> Option<(NaiveDate, Option<NaiveDate>)> {
    find(text, today)
        .map(|((from, to), open)| (from, if open && from == to { None } else { Some(to) }))
}

/// Words before a date that make it a deadline, not the mission's dates ("d'ici fin
/// septembre", a collection running until then, stays the span itself).
const DEADLINE: &[&str] = &[
    "avant",
    "avant le",
    "before",
    "no later than",
    "au plus tard le",
];
/// Words before a single day that open a window with no end.
const OPEN_START: &[&str] = &[
    "a partir du",
    "a partir de",
    "des le",
    "from",
    "starting",
    "starting on",
    "starting from",
    "as of",
    "as from",
];

fn ends_with_phrase(before: &str, phrases: &[&str]) -> bool {
    phrases.iter().any(|p| {
        before.ends_with(p)
            && before[..before.len() - p.len()]
                .chars()
                .last()
                .is_none_or(|c| !c.is_alphanumeric())
    })
}

fn find(text: &str, today: NaiveDate) -> Option<((NaiveDate, NaiveDate), bool)> {
    let normalized = normalize(text).replace(" .", ".");
    for (regex, build) in rules() {
        for c in regex.captures_iter(&normalized) {
            // "en mars dernier", "last August": a past reference, not the mission's dates.
            let after = normalized[c.get(0).map_or(0, |m| m.end())..].trim_start();
            let before = normalized[..c.get(0).map_or(0, |m| m.start())].trim_end();
            if after.starts_with("dernier")
                || after.starts_with("derniere")
                || before.ends_with("last")
                || ends_with_phrase(before, DEADLINE)
            {
                continue;
            }
            if let Some(found) = build(&c, today) {
                return Some((found, ends_with_phrase(before, OPEN_START)));
            }
        }
    }
    None
}

#[cfg(test)]
#[path = "dates_tests.rs"]
mod tests;
