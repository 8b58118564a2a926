use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A language the platform is translated into. Every page lives under `/{locale}/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    Fr,
    En,
    Ar,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::Fr, Locale::En, Locale::Ar];

    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
            Locale::Ar => "ar",
        }
    }

    /// Text direction for the `dir` attribute of `<html>`.
    pub fn dir(self) -> &'static str {
        match self {
            Locale::Ar => "rtl",
            _ => "ltr",
        }
    }

    /// Picks the best of `offered` for an `Accept-Language` header value, honouring q-values.
    /// Returns `None` when nothing matches (the caller falls back to the tenant default).
    pub fn negotiate(accept_language: &str, offered: &[Locale]) -> Option<Locale> {
        let mut ranked: Vec<(f32, usize, Locale)> = Vec::new();
        for (position, part) in accept_language.split(',').enumerate() {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .filter_map(|q| q.parse::<f32>().ok())
                .next()
                .unwrap_or(1.0);
            if quality <= 0.0 {
                continue;
            }
            let primary = tag.split('-').next().unwrap_or("");
            if let Ok(locale) = primary.parse::<Locale>()
                && offered.contains(&locale)
            {
                ranked.push((quality, position, locale));
            }
        }
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.first().map(|r| r.2)
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Locale {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "fr" => Ok(Locale::Fr),
            "en" => Ok(Locale::En),
            "ar" => Ok(Locale::Ar),
            _ => Err(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_prefers_highest_quality_offered_locale() {
        let offered = [Locale::Fr, Locale::Ar];
        assert_eq!(
            Locale::negotiate("en-US,en;q=0.9,ar;q=0.8,fr;q=0.5", &offered),
            Some(Locale::Ar)
        );
        assert_eq!(Locale::negotiate("fr-CA", &offered), Some(Locale::Fr));
    }

    #[test]
    fn negotiation_returns_none_when_nothing_offered_matches() {
        assert_eq!(Locale::negotiate("de,es;q=0.5", &[Locale::Fr]), None);
        assert_eq!(Locale::negotiate("", &[Locale::Fr]), None);
        assert_eq!(Locale::negotiate("fr;q=0", &[Locale::Fr]), None);
    }

    #[test]
    fn arabic_is_right_to_left() {
        assert_eq!(Locale::Ar.dir(), "rtl");
        assert_eq!(Locale::Fr.dir(), "ltr");
    }
}
