//! Amounts of money and their currency: "500 000 FCFA", "2M FCFA", "1,5 million", "5k€",
//! "€8,000", "$300", "40 000 MAD", "150 000 dinars", "2000 dalasis".

use crate::normalize::fold_text;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Amount {
    pub value: f64,
    /// ISO 4217 code: XAF, XOF, EUR, USD, MAD, TND, GMD; `CFA` when the franc's zone is
    /// unknown (the caller knows the tenant's currency).
    pub currency: String,
}

const CURRENCY: &str = r"(fcfa|f\s?cfa|cfa|xaf|xof|francs? cfa|francs?|f|€|eur|euros?|\$|usd|dollars?|mad|dh|dhs|dirhams?|tnd|dt|dinars?|gmd|dalasis?|d)";
const NUMBER: &str = r"(\d{1,3}(?:[ .,']\d{3})+|\d+(?:[.,]\d+)?)";
const SCALE: &str = r"\s*(k|m|mio|millions?|milliards?|mille|thousand|million|billion|bn)?";

fn currency_code(raw: &str) -> Option<&'static str> {
    let raw = raw.trim();
    Some(match raw {
        "fcfa" | "cfa" | "f cfa" | "fcfa." | "franc cfa" | "francs cfa" => "CFA",
        "f" | "franc" | "francs" => "CFA",
        "xaf" => "XAF",
        "xof" => "XOF",
        "€" | "eur" | "euro" | "euros" => "EUR",
        "$" | "usd" | "dollar" | "dollars" => "USD",
        "mad" | "dh" | "dhs" | "dirham" | "dirhams" => "MAD",
        "tnd" | "dt" | "dinar" | "dinars" => "TND",
        "gmd" | "dalasi" | "dalasis" | "d" => "GMD",
        _ => return None,
    })
}

fn parse_number(raw: &str) -> Option<f64> {
    let raw = raw.trim();
    // "500 000", "8,000", "8.000" group thousands; "1,5" and "1.5" are decimals.
    let grouped = Regex::new(r"^\d{1,3}(?:[ .,']\d{3})+$").ok()?;
    if grouped.is_match(raw) {
        return raw
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .ok();
    }
    raw.replace(',', ".").parse().ok()
}

fn scale(raw: Option<&str>) -> f64 {
    match raw.map(str::trim) {
        Some("k" | "mille" | "thousand") => 1e3,
        Some("m" | "mio" | "million" | "millions") => 1e6,
        Some("milliard" | "milliards" | "billion" | "bn") => 1e9,
        _ => 1.0,
    }
}

#[allow(clippy::expect_used)]
fn patterns() -> &'static (Regex, Regex) {
    static RE: OnceLock<(Regex, Regex)> = OnceLock::new();
    RE.get_or_init(|| {
        let after = Regex::new(&format!(
            r"(?:^|[^\w/])({NUMBER}){SCALE}\s*(?:de\s+|d\s*')?{CURRENCY}(?:$|[^\w])"
        ))
        .expect("the amount pattern compiles (unit tests)");
        let before = Regex::new(&format!(
            r"(€|\$|usd|eur|mad|tnd|gmd|xaf|xof)\s?{NUMBER}{SCALE}\b"
        ))
        .expect("the amount pattern compiles (unit tests)");
        (after, before)
    })
}

/// The amount whose number `num` of `value` in `code` a pattern matched, at the number's
/// position; times the scale word the pattern caught (group 3: "k", "million"...).
fn amount_at(c: &regex::Captures, num: regex::Match, code: &str, value: f64) -> (usize, Amount) {
    (
        num.start(),
        Amount {
            value: value * scale(c.get(3).map(|m| m.as_str())),
            currency: code.into(),
        },
    )
}

/// The amounts `text` states, in order.
pub fn find_amounts(text: &str) -> Vec<Amount> {
    let folded = fold_text(text);
    let (after, before) = patterns();
    let mut found: Vec<(usize, Amount)> = Vec::new();
    for c in after.captures_iter(&folded) {
        let (Some(num), Some(cur)) = (c.get(2), c.get(4)) else {
            continue;
        };
        let Some(code) = currency_code(cur.as_str()) else {
            continue;
        };
        let Some(value) = parse_number(num.as_str()) else {
            continue;
        };
        // A bare "f" or "d" only counts after a sizeable number ("2000 f", not "2 d").
        if matches!(cur.as_str(), "f" | "d") && value < 100.0 {
            continue;
        }
        found.push(amount_at(&c, num, code, value));
    }
    for c in before.captures_iter(&folded) {
        let (Some(cur), Some(num)) = (c.get(1), c.get(2)) else {
            continue;
        };
        if found.iter().any(|(pos, _)| *pos == num.start()) {
            continue;
        }
        let (Some(code), Some(value)) = (currency_code(cur.as_str()), parse_number(num.as_str()))
        else {
            continue;
        };
        found.push(amount_at(&c, num, code, value));
    }
    found.sort_by_key(|(pos, _)| *pos);
    found.into_iter().map(|(_, a)| a).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> (f64, String) {
        let a = find_amounts(text);
        assert_eq!(a.len(), 1, "{text}: {a:?}");
        (a[0].value, a[0].currency.clone())
    }

    #[test]
    fn reads_amounts_in_every_currency() {
        assert_eq!(one("objectif 500 000 FCFA"), (500_000.0, "CFA".into()));
        assert_eq!(one("à partir de 2M FCFA"), (2_000_000.0, "CFA".into()));
        assert_eq!(
            one("il faut 1,5 million de FCFA"),
            (1_500_000.0, "CFA".into())
        );
        assert_eq!(one("environ 5k€"), (5_000.0, "EUR".into()));
        assert_eq!(one("about 8,000 EUR"), (8_000.0, "EUR".into()));
        assert_eq!(one("about €8,000"), (8_000.0, "EUR".into()));
        assert_eq!(one("$300 each"), (300.0, "USD".into()));
        assert_eq!(one("40 000 MAD"), (40_000.0, "MAD".into()));
        assert_eq!(one("300 000 dirhams"), (300_000.0, "MAD".into()));
        assert_eq!(one("150 000 dinars"), (150_000.0, "TND".into()));
        assert_eq!(one("5000 dalasis"), (5_000.0, "GMD".into()));
        assert_eq!(one("25 millions FCFA"), (25_000_000.0, "CFA".into()));
        assert_eq!(one("150 000 f cfa"), (150_000.0, "CFA".into()));
        assert_eq!(one("20 000 XOF"), (20_000.0, "XOF".into()));
        assert_eq!(one("12 euros"), (12.0, "EUR".into()));
    }

    #[test]
    fn counts_are_not_amounts() {
        assert!(find_amounts("10 000 arbres, 60 jeunes filles, le 15/08").is_empty());
        assert!(find_amounts("2 d'entre eux, 3 familles").is_empty());
    }
}
