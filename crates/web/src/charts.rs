//! Charts drawn on the server as inline SVG: no script, nothing fetched. Each is one image to
//! assistive technology (`role="img"` named by its `<title>`) and the page puts the same
//! figures in a table after it. Sizes are viewBox units, so a chart scales to its column, from
//! a 360 px phone to a desktop; colours come from the stylesheet (`.chart-bar`, and
//! `currentColor` for text), so each tenant's theme recolours them.

use std::fmt::Write;
use tera::escape_html;

/// The width of every chart, in viewBox units.
const WIDTH: f64 = 360.0;
/// A bar chart's row: its label above its bar.
const ROW: f64 = 44.0;
/// Room kept right of the longest bar for its value.
const VALUE_ROOM: f64 = 72.0;
const LABEL_MAX: usize = 40;
/// A column chart's height and margins.
const HEIGHT: f64 = 180.0;
const LEFT: f64 = 36.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 24.0;
/// Axis labels under a column chart, at most.
const TICKS: usize = 4;

/// One bar: its label, its value, and the value as written on the page ("12", "3,5 h").
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub shown: String,
}

/// One column of a series: a count, its short axis label ("3 mars") and its full name, shown
/// on hover ("Semaine du 3 mars 2026 : 4").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub tick: String,
    pub name: String,
    pub count: u64,
}

/// `<p class="empty">`: what a chart without data shows instead.
fn empty_state(empty: &str) -> String {
    format!(r#"<p class="empty">{}</p>"#, escape_html(empty))
}

fn open_svg(out: &mut String, id: &str, title: &str, height: f64) {
    let _ = write!(
        out,
        r#"<svg class="chart" role="img" aria-labelledby="{id}-title" viewBox="0 0 {WIDTH} {height}" direction="ltr" font-size="15"><title id="{id}-title">{}</title>"#,
        escape_html(title)
    );
}

/// `label` cut to `LABEL_MAX` characters (the table gives it whole).
fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_MAX {
        return label.to_owned();
    }
    let cut: String = label.chars().take(LABEL_MAX - 1).collect();
    format!("{}…", cut.trim_end())
}

/// Two decimals are plenty for a coordinate.
fn n(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A horizontal bar chart, each label above its bar, bars as long as their value is large
/// (the largest spans the chart); `empty` when there is no value above zero.
pub fn bar_chart(id: &str, title: &str, bars: &[Bar], empty: &str) -> String {
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    if bars.is_empty() || max <= 0.0 || !max.is_finite() {
        return empty_state(empty);
    }
    let mut out = String::new();
    open_svg(&mut out, id, title, bars.len() as f64 * ROW + 8.0);
    let span = WIDTH - VALUE_ROOM;
    for (i, bar) in bars.iter().enumerate() {
        let y = i as f64 * ROW;
        let value = if bar.value.is_finite() {
            bar.value.max(0.0)
        } else {
            0.0
        };
        // A value above zero stays visible however small.
        let width = if value > 0.0 {
            (value / max * span).max(2.0)
        } else {
            0.0
        };
        let (label, shown) = (escape_html(&short(&bar.label)), escape_html(&bar.shown));
        let _ = write!(
            out,
            r#"<g><title>{}: {shown}</title><text x="0" y="{}" fill="currentColor">{label}</text><rect class="chart-bar" x="0" y="{}" width="{}" height="16" rx="2"/><text x="{}" y="{}" fill="currentColor">{shown}</text></g>"#,
            escape_html(&bar.label),
            n(y + 16.0),
            n(y + 22.0),
            n(width),
            n(width + 6.0),
            n(y + 36.0),
        );
    }
    out.push_str("</svg>");
    out
}

/// A column chart of counts over time (weeks, months): a column per period, as tall as its
/// count (the largest reaches the top line, labelled with it), a few dates underneath;
/// `empty` when every count is zero.
pub fn column_chart(id: &str, title: &str, columns: &[Column], empty: &str) -> String {
    let max = columns.iter().map(|c| c.count).max().unwrap_or(0);
    if max == 0 {
        return empty_state(empty);
    }
    let mut out = String::new();
    open_svg(&mut out, id, title, HEIGHT);
    let (plot_w, plot_h) = (WIDTH - LEFT, HEIGHT - TOP - BOTTOM);
    let base = TOP + plot_h;
    let _ = write!(
        out,
        r#"<g class="chart-axis" fill="currentColor"><text x="{}" y="{}" text-anchor="end">{max}</text><text x="{}" y="{}" text-anchor="end">0</text></g><line class="chart-grid" x1="{LEFT}" x2="{WIDTH}" y1="{TOP}" y2="{TOP}"/><line class="chart-grid" x1="{LEFT}" x2="{WIDTH}" y1="{base}" y2="{base}"/>"#,
        n(LEFT - 6.0),
        n(TOP + 5.0),
        n(LEFT - 6.0),
        n(base),
    );
    let slot = plot_w / columns.len() as f64;
    let width = (slot * 0.8).max(1.0);
    for (i, column) in columns.iter().enumerate() {
        let height = column.count as f64 / max as f64 * plot_h;
        let x = LEFT + i as f64 * slot + (slot - width) / 2.0;
        let _ = write!(
            out,
            r#"<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>"#,
            n(x),
            n(base - height),
            n(width),
            n(height),
            escape_html(&column.name),
            column.count,
        );
    }
    // A few dates under the columns: the first, the last and some evenly between.
    let last = columns.len() - 1;
    let step = last.div_ceil(TICKS - 1).max(1);
    // (none so close to the last that their labels would overlap)
    let mut ticks: Vec<usize> = (0..last)
        .step_by(step)
        .filter(|i| last - i > step / 2)
        .collect();
    ticks.push(last);
    for i in ticks {
        let centre = LEFT + (i as f64 + 0.5) * slot;
        let anchor = match i {
            0 => "start",
            _ if i == last => "end",
            _ => "middle",
        };
        let x = match anchor {
            "start" => LEFT + i as f64 * slot,
            "end" => WIDTH,
            _ => centre,
        };
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="{anchor}" fill="currentColor" font-size="13">{}</text>"#,
            n(x),
            n(HEIGHT - 4.0),
            escape_html(&columns[i].tick),
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: f64) -> Bar {
        Bar {
            label: label.to_owned(),
            value,
            shown: value.to_string(),
        }
    }

    /// The `width="..."` of each bar, in order.
    fn attributes(svg: &str, element: &str, name: &str) -> Vec<f64> {
        svg.split(&format!("<{element} class=\"chart-bar\""))
            .skip(1)
            .map(|rest| {
                let start = rest.find(&format!(" {name}=\"")).expect("attribute") + name.len() + 3;
                let end = rest[start..].find('"').expect("end") + start;
                rest[start..end].parse().expect("number")
            })
            .collect()
    }

    #[test]
    fn bars_are_as_long_as_their_values_and_the_largest_spans_the_chart() {
        let svg = bar_chart(
            "c",
            "Missions",
            &[bar("a", 10.0), bar("b", 5.0), bar("c", 2.5)],
            "-",
        );
        let widths = attributes(&svg, "rect", "width");
        assert_eq!(widths, [288.0, 144.0, 72.0]);
        assert!(svg.starts_with(r#"<svg class="chart" role="img" aria-labelledby="c-title""#));
        assert!(svg.contains(r#"<title id="c-title">Missions</title>"#));
        assert!(svg.contains(r#"viewBox="0 0 360 140""#), "{svg}");
        assert!(
            !svg.contains("fill=\"#"),
            "colours come from the stylesheet"
        );
    }

    #[test]
    fn a_tiny_value_stays_visible_and_zero_draws_nothing() {
        let svg = bar_chart(
            "c",
            "t",
            &[bar("a", 1000.0), bar("b", 1.0), bar("z", 0.0)],
            "-",
        );
        assert_eq!(attributes(&svg, "rect", "width"), [288.0, 2.0, 0.0]);
    }

    #[test]
    fn no_data_gives_the_empty_state_instead_of_a_chart() {
        let empty = "Pas encore de données pour cette période";
        for svg in [
            bar_chart("c", "t", &[], empty),
            bar_chart("c", "t", &[bar("a", 0.0)], empty),
            column_chart("c", "t", &[], empty),
        ] {
            assert_eq!(svg, format!(r#"<p class="empty">{empty}</p>"#));
        }
    }

    #[test]
    fn text_is_escaped_and_long_labels_are_cut() {
        let long = "x".repeat(60);
        let svg = bar_chart(
            "c",
            "<b>\"A & B\"</b>",
            &[bar("<script>alert(1)</script>", 1.0), bar(&long, 1.0)],
            "-",
        );
        assert!(!svg.contains("<script>") && !svg.contains("<b>"));
        assert!(svg.contains("&lt;script&gt;") && svg.contains("&amp;"));
        assert!(svg.contains(&format!(">{}…</text>", "x".repeat(39))));
    }

    #[test]
    fn columns_are_as_tall_as_their_counts_with_a_few_dates_under_them() {
        let columns: Vec<Column> = [4, 0, 2, 1, 0, 0, 0, 0, 0, 3]
            .into_iter()
            .enumerate()
            .map(|(i, count)| Column {
                tick: format!("w{i}"),
                name: format!("Week {i} & co"),
                count,
            })
            .collect();
        let svg = column_chart("w", "Requests", &columns, "-");
        let heights = attributes(&svg, "rect", "height");
        assert_eq!(
            heights,
            [140.0, 0.0, 70.0, 35.0, 0.0, 0.0, 0.0, 0.0, 0.0, 105.0]
        );
        assert!(
            svg.contains(">4</text>"),
            "the top line says the largest count"
        );
        assert!(svg.contains("<title>Week 0 &amp; co: 4</title>"));
        let ticks = svg.matches("font-size=\"13\"").count();
        assert!((2..=TICKS).contains(&ticks), "{ticks} dates");
        assert!(svg.contains(">w0</text>") && svg.contains(">w9</text>"));
    }

    #[test]
    fn one_column_gets_one_date() {
        let svg = column_chart(
            "w",
            "t",
            &[Column {
                tick: "3 mars".into(),
                name: "n".into(),
                count: 1,
            }],
            "-",
        );
        assert_eq!(svg.matches(">3 mars</text>").count(), 1);
    }
}
