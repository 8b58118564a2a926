//! The country operator's statistics (`/{locale}/espace/pays/statistiques`): this tenant's
//! missions, requests and response times, survey scores and members over a period (the last
//! 12 months unless asked otherwise), each as an inline SVG chart with its table.

use crate::AppError;
use crate::charts::{Bar, Column, bar_chart, column_chart};
use crate::kit::{Ctx, Errors, FormView};
use crate::roles::Console;
use crate::views::{domain_label, format_date};
use chrono::{Duration, Months, NaiveDate};
use jsap_domain::Locale;
use jsap_store::{Delays, Figures, Statistics, StatsPeriod, Tally};
use poem::http::StatusCode;
use poem::web::Query;
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const PATH: &str = "/espace/pays/statistiques";
/// How far from today a date may be, in years: weeks are drawn one by one.
const YEARS_MAX: u32 = 10;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatsParams {
    from: String,
    to: String,
    /// `30d`, `12m` (the default) or `all`, when no dates are given.
    period: String,
}

/// The presets, as (value, locale key).
const PRESETS: [(&str, &str); 3] = [
    ("30d", "stats.preset_30d"),
    ("12m", "stats.preset_12m"),
    ("all", "stats.preset_all"),
];

/// The period asked for and the preset it is (if one), or the form with its errors.
fn parse(
    ctx: &Ctx,
    params: &StatsParams,
    today: NaiveDate,
) -> Result<(StatsPeriod, Option<&'static str>), Errors> {
    let (from, to) = (params.from.trim(), params.to.trim());
    if from.is_empty() && to.is_empty() {
        let preset = match params.period.trim() {
            "" | "12m" => "12m",
            "30d" => "30d",
            "all" => "all",
            _ => {
                let mut errors = Errors::new();
                errors.insert("from", ctx.t("stats.err_period"));
                return Err(errors);
            }
        };
        let since = match preset {
            "30d" => Some(today - Duration::days(29)),
            "12m" => (today - Months::new(12)).succ_opt(),
            _ => None,
        };
        let period = StatsPeriod {
            from: since,
            to: since.map(|_| today),
        };
        return Ok((period, Some(preset)));
    }
    let (earliest, latest) = (
        today - Months::new(12 * YEARS_MAX),
        today + Months::new(12 * YEARS_MAX),
    );
    let mut errors = Errors::new();
    let mut date = |name: &'static str, raw: &str| {
        if raw.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(d) if (earliest..=latest).contains(&d) => Some(d),
            Ok(_) => {
                let text = ctx
                    .t("stats.err_range")
                    .replace("%{min}", &format_date(earliest, ctx.locale))
                    .replace("%{max}", &format_date(latest, ctx.locale));
                errors.insert(name, text);
                None
            }
            Err(_) => {
                errors.insert(name, ctx.t(&format!("stats.err_{name}")));
                None
            }
        }
    };
    let period = StatsPeriod {
        from: date("from", from),
        to: date("to", to),
    };
    if let (Some(from), Some(to)) = (period.from, period.to)
        && from > to
    {
        errors.insert("to", ctx.t("stats.err_order"));
    }
    if errors.is_empty() {
        Ok((period, None))
    } else {
        Err(errors)
    }
}

/// A chart, then its figures as a table.
#[derive(Serialize)]
struct Figure {
    id: &'static str,
    title: String,
    chart: String,
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

#[derive(Serialize)]
struct Section {
    id: &'static str,
    title: String,
    summary: String,
    figures: Vec<Figure>,
}

/// `x` with one decimal at most, written the locale's way ("3,5", "3.5").
fn decimal(x: f64, locale: Locale) -> String {
    let s = format!("{:.1}", x);
    let s = s.strip_suffix(".0").unwrap_or(&s).to_owned();
    match locale {
        Locale::En => s,
        _ => s.replace('.', ","),
    }
}

/// "5 h" under two days, "2,5 j" beyond.
fn duration(ctx: &Ctx, d: Duration) -> String {
    let hours = d.num_minutes() as f64 / 60.0;
    let (n, key) = if hours < 48.0 {
        (hours, "stats.hours")
    } else {
        (hours / 24.0, "stats.days")
    };
    ctx.t(key).replace("%{n}", &decimal(n, ctx.locale))
}

/// "3 mars" (a week's date under its column).
fn day_month(date: NaiveDate, locale: Locale) -> String {
    let full = format_date(date, locale);
    full.rsplit_once(' ')
        .map_or_else(|| full.clone(), |(dm, _)| dm.to_owned())
}

fn tally_figure(
    ctx: &Ctx,
    id: &'static str,
    what: &str,
    tallies: &[Tally],
    label: impl Fn(&str) -> String,
) -> Figure {
    let title = ctx.t(&format!("stats.{id}"));
    let labelled: Vec<(String, u64)> = tallies.iter().map(|t| (label(&t.key), t.count)).collect();
    let bars: Vec<Bar> = labelled
        .iter()
        .map(|(label, count)| Bar {
            label: label.clone(),
            value: *count as f64,
            shown: count.to_string(),
        })
        .collect();
    let chart = bar_chart(id, &title, &bars, &ctx.t("stats.empty"));
    figure(ctx, id, title, chart, what, labelled)
}

fn series_figure(ctx: &Ctx, id: &'static str, what: &str, columns: Vec<Column>) -> Figure {
    let title = ctx.t(&format!("stats.{id}"));
    let chart = column_chart(id, &title, &columns, &ctx.t("stats.empty"));
    let counts = columns.into_iter().map(|c| (c.name, c.count)).collect();
    figure(ctx, id, title, chart, what, counts)
}

/// A figure: its chart, and the table of its `(label, count)` rows under the `what` and
/// "count" headings.
fn figure(
    ctx: &Ctx,
    id: &'static str,
    title: String,
    chart: String,
    what: &str,
    counts: Vec<(String, u64)>,
) -> Figure {
    Figure {
        id,
        chart,
        title,
        head: vec![ctx.t(what), ctx.t("stats.count")],
        rows: counts
            .into_iter()
            .map(|(label, count)| vec![label, count.to_string()])
            .collect(),
    }
}

fn delays_figure(ctx: &Ctx, id: &'static str, what: &str, delays: &[Delays]) -> Figure {
    let title = ctx.t(&format!("stats.{id}"));
    let name = |d: &Delays| match &d.name {
        None => ctx.t("stats.no_organisation"),
        Some(n) if n.is_empty() => "—".to_owned(),
        Some(n) => n.clone(),
    };
    let bars: Vec<Bar> = delays
        .iter()
        .filter_map(|d| {
            d.first_response.map(|t| Bar {
                label: name(d),
                value: t.num_minutes() as f64,
                shown: duration(ctx, t),
            })
        })
        .collect();
    let median = |t: Option<Duration>| t.map_or_else(|| "—".to_owned(), |t| duration(ctx, t));
    Figure {
        id,
        chart: bar_chart(id, &title, &bars, &ctx.t("stats.empty_answers")),
        title,
        head: [
            what,
            "stats.requests_col",
            "stats.answered_col",
            "stats.first_response_col",
            "stats.resolved_col",
            "stats.resolution_col",
        ]
        .iter()
        .map(|k| ctx.t(k))
        .collect(),
        rows: delays
            .iter()
            .map(|d| {
                vec![
                    name(d),
                    d.requests.to_string(),
                    d.answered.to_string(),
                    median(d.first_response),
                    d.resolved.to_string(),
                    median(d.resolution),
                ]
            })
            .collect(),
    }
}

fn sections(ctx: &Ctx, f: &Figures) -> Vec<Section> {
    let locale = ctx.locale;
    let count = |key: &str, n: u64| ctx.t(key).replace("%{count}", &n.to_string());
    let taxonomy = ctx.tenant.taxonomy();
    let weeks = f
        .requests_by_week
        .iter()
        .map(|w| Column {
            tick: day_month(w.monday, locale),
            name: ctx
                .t("stats.week_of")
                .replace("%{date}", &format_date(w.monday, locale)),
            count: w.count,
        })
        .collect();
    let months = f
        .stays_by_month
        .iter()
        .map(|m| {
            let full = format_date(m.first, locale);
            let month = full.split_once(' ').map_or(full.as_str(), |(_, my)| my);
            Column {
                tick: month.to_owned(),
                name: month.to_owned(),
                count: m.count,
            }
        })
        .collect();
    let scores: Vec<Tally> = (1..=5)
        .rev()
        .map(|score: usize| Tally {
            key: score.to_string(),
            count: f.surveys.by_score[score - 1],
        })
        .collect();
    let survey_summary = match f.surveys.mean {
        Some(mean) => ctx
            .t("stats.survey_summary")
            .replace("%{mean}", &decimal(mean, locale))
            .replace("%{count}", &f.surveys.answers.to_string()),
        None => ctx.t("stats.survey_none"),
    };
    let scores_figure = if f.surveys.answers == 0 {
        Vec::new()
    } else {
        vec![tally_figure(
            ctx,
            "surveys_by_score",
            "stats.score_col",
            &scores,
            |k| ctx.t("stats.score").replace("%{score}", k),
        )]
    };
    vec![
        Section {
            id: "missions",
            title: ctx.t("stats.missions_title"),
            summary: count("stats.missions_summary", f.missions),
            figures: vec![
                tally_figure(
                    ctx,
                    "missions_by_domain",
                    "stats.domain_col",
                    &f.missions_by_domain,
                    |k| domain_label(&taxonomy, k, locale).label,
                ),
                tally_figure(
                    ctx,
                    "missions_by_city",
                    "stats.city_col",
                    &f.missions_by_city,
                    str::to_owned,
                ),
                tally_figure(
                    ctx,
                    "missions_by_state",
                    "stats.state_col",
                    &f.missions_by_state,
                    |k| {
                        let key = format!("editor.status_{k}");
                        let label = ctx.t(&key);
                        if label == key { k.to_owned() } else { label }
                    },
                ),
            ],
        },
        Section {
            id: "requests",
            title: ctx.t("stats.requests_title"),
            summary: count("stats.requests_summary", f.requests),
            figures: vec![
                series_figure(ctx, "requests_by_week", "stats.week_col", weeks),
                delays_figure(
                    ctx,
                    "delays_by_organisation",
                    "stats.organisation_col",
                    &f.delays_by_organisation,
                ),
                delays_figure(ctx, "delays_by_city", "stats.city_col", &f.delays_by_city),
            ],
        },
        Section {
            id: "surveys",
            title: ctx.t("stats.surveys_title"),
            summary: survey_summary,
            figures: scores_figure,
        },
        Section {
            id: "members",
            title: ctx.t("stats.members_title"),
            summary: count("stats.members_summary", f.members),
            figures: vec![
                tally_figure(
                    ctx,
                    "members_by_country",
                    "stats.country_col",
                    &f.members_by_country,
                    |k| {
                        if k.is_empty() {
                            ctx.t("stats.country_unknown")
                        } else {
                            k.to_owned()
                        }
                    },
                ),
                series_figure(ctx, "stays_by_month", "stats.month_col", months),
            ],
        },
    ]
}

/// "Du 12 mars 2025 au 11 mars 2026", "Depuis le début"...
fn period_label(ctx: &Ctx, period: StatsPeriod) -> String {
    let date = |d: NaiveDate| format_date(d, ctx.locale);
    match (period.from, period.to) {
        (Some(from), Some(to)) => ctx
            .t("stats.period_between")
            .replace("%{from}", &date(from))
            .replace("%{to}", &date(to)),
        (Some(from), None) => ctx.t("stats.period_since").replace("%{from}", &date(from)),
        (None, Some(to)) => ctx.t("stats.period_until").replace("%{to}", &date(to)),
        (None, None) => ctx.t("stats.period_all"),
    }
}

/// `GET /{locale}/espace/pays/statistiques`: this tenant's figures over a period.
#[handler]
pub async fn country_statistics(
    req: &Request,
    Console(ctx, _operator): Console,
    Query(params): Query<StatsParams>,
) -> Result<Response, AppError> {
    let today = ctx.tenant.today();
    let parsed = parse(&ctx, &params, today);
    let shown = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    let (status, form, preset, label, found) = match parsed {
        Err(errors) => {
            let values = BTreeMap::from([
                ("from", params.from.trim().to_owned()),
                ("to", params.to.trim().to_owned()),
            ]);
            let form = FormView { values, errors };
            (
                StatusCode::BAD_REQUEST,
                form,
                None,
                String::new(),
                Vec::new(),
            )
        }
        Ok((period, preset)) => {
            let figures = Statistics::for_tenant(ctx.state.store.conn(), &ctx.tenant)
                .figures(period, ctx.locale.as_str())
                .await?;
            let values = BTreeMap::from([
                ("from", shown(period.from).unwrap_or_default()),
                ("to", shown(period.to).unwrap_or_default()),
            ]);
            let form = FormView {
                values,
                errors: Errors::new(),
            };
            let label = period_label(&ctx, period);
            (
                StatusCode::OK,
                form,
                preset,
                label,
                sections(&ctx, &figures),
            )
        }
    };
    let presets: Vec<[String; 3]> = PRESETS
        .iter()
        .map(|(value, key)| {
            let current = if preset == Some(*value) { "page" } else { "" };
            [
                format!("/{}{PATH}?period={value}", ctx.locale),
                ctx.t(key),
                current.to_owned(),
            ]
        })
        .collect();
    ctx.page(req, PATH, "spaces/statistics.html", status, |c| {
        c.insert("form", &form);
        c.insert("presets", &presets);
        c.insert("period_label", &label);
        c.insert("sections", &found);
        c.insert("action_path", &format!("/{}{PATH}", ctx.locale));
    })
}
