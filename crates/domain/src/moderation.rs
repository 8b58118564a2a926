//! Moderation rules: what may be reported and why, what an operator decides, when reported
//! content hides itself, and the spam limits on new accounts.

use serde::Serialize;

/// Content hides itself until reviewed once this many different members report it.
pub const HIDE_AFTER_REPORTS: u64 = 3;

/// A report's optional comment, at most this many characters.
pub const COMMENT_MAX: usize = 1000;

/// What a member may report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Mission,
    Organisation,
    Message,
}

impl TargetKind {
    pub const ALL: [TargetKind; 3] = [Self::Mission, Self::Organisation, Self::Message];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mission => "mission",
            Self::Organisation => "organisation",
            Self::Message => "message",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Why a member reports something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportReason {
    Spam,
    Scam,
    Inappropriate,
    WrongInformation,
    Other,
}

impl ReportReason {
    pub const ALL: [ReportReason; 5] = [
        Self::Spam,
        Self::Scam,
        Self::Inappropriate,
        Self::WrongInformation,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spam => "spam",
            Self::Scam => "scam",
            Self::Inappropriate => "inappropriate",
            Self::WrongInformation => "wrong_information",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// What an operator decides on reported content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Nothing wrong: the reports are closed and the content shows again.
    Dismiss,
    /// Kept out of sight (its owner still sees it).
    Hide,
    /// Taken down: a mission closed, an organisation suspended, a message erased.
    Remove,
}

impl Decision {
    pub const ALL: [Decision; 3] = [Self::Dismiss, Self::Hide, Self::Remove];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dismiss => "dismiss",
            Self::Hide => "hide",
            Self::Remove => "remove",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// An account this young is "new": its requests and messages are limited per day.
pub const NEW_ACCOUNT_DAYS: i64 = 7;
/// Requests a new account may send per day.
pub const NEW_ACCOUNT_REQUESTS_PER_DAY: u64 = 3;
/// Messages a new account may post per day.
pub const NEW_ACCOUNT_MESSAGES_PER_DAY: u64 = 20;
/// Links a new account may put in one free text.
pub const NEW_ACCOUNT_LINKS: usize = 2;

/// How many links a free text holds (`http://`, `https://`, `www.`), the measure of the
/// spam rule on new accounts.
pub fn count_links(text: &str) -> usize {
    let lower = text.to_lowercase();
    lower
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '<' | '>' | '"' | '\''))
        .filter(|w| w.starts_with("http://") || w.starts_with("https://") || w.starts_with("www."))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_kinds_and_decisions_read_back() {
        for r in ReportReason::ALL {
            assert_eq!(ReportReason::parse(r.as_str()), Some(r));
        }
        for k in TargetKind::ALL {
            assert_eq!(TargetKind::parse(k.as_str()), Some(k));
        }
        for d in Decision::ALL {
            assert_eq!(Decision::parse(d.as_str()), Some(d));
        }
        assert_eq!(ReportReason::parse("bad"), None);
        assert_eq!(TargetKind::parse("user"), None);
    }

    #[test]
    fn links_are_counted_in_free_text() {
        assert_eq!(count_links("Bonjour, je peux aider."), 0);
        assert_eq!(
            count_links("Voir https://a.example et (http://b.example), ou WWW.c.example"),
            3
        );
        assert_eq!(count_links("mon site: https://x.example/https://y"), 1);
    }
}
