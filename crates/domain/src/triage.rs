//! What the triage of a request says: how urgent it is and what language it is written in.
//! The assistant decides them; the store keeps them with the request; the focal points'
//! inboxes sort and filter by them.

use serde::{Deserialize, Serialize};

/// How soon a request wants an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Urgency {
    Low,
    Normal,
    High,
}

impl Urgency {
    /// Least urgent first.
    pub const ALL: [Urgency; 3] = [Urgency::Low, Urgency::Normal, Urgency::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Urgency> {
        Urgency::ALL.into_iter().find(|u| u.as_str() == s)
    }

    /// Its stored number: the higher, the more urgent (an inbox sorts on it).
    pub fn rank(self) -> i32 {
        match self {
            Urgency::Low => 0,
            Urgency::Normal => 1,
            Urgency::High => 2,
        }
    }

    /// The urgency of a stored number (`None` for anything else).
    pub fn from_rank(rank: i32) -> Option<Urgency> {
        Urgency::ALL.into_iter().find(|u| u.rank() == rank)
    }
}

/// The language a request is written in: one of the platform's, or another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Fr,
    En,
    Ar,
    Other,
}

impl Language {
    pub const ALL: [Language; 4] = [Language::Fr, Language::En, Language::Ar, Language::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::En => "en",
            Language::Ar => "ar",
            Language::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urgencies_and_languages_read_back_what_they_write() {
        for u in Urgency::ALL {
            assert_eq!(Urgency::parse(u.as_str()), Some(u));
            assert_eq!(Urgency::from_rank(u.rank()), Some(u));
        }
        for l in Language::ALL {
            assert_eq!(Language::parse(l.as_str()), Some(l));
        }
        assert_eq!(Urgency::parse("urgent"), None);
        assert_eq!(Urgency::from_rank(3), None);
        assert_eq!(Language::parse("de"), None);
    }

    #[test]
    fn a_more_urgent_request_ranks_higher() {
        assert!(Urgency::High.rank() > Urgency::Normal.rank());
        assert!(Urgency::Normal.rank() > Urgency::Low.rank());
        assert!(Urgency::High > Urgency::Low);
    }
}
