//! What a member consents to, the version of the text they consented to, and the rule for
//! accounts nobody uses any more.

use chrono::{DateTime, Duration, Utc};

/// The version of the terms of use a member accepts today: raise it when the text of
/// `pages/*/conditions.md` changes in substance, so later consents name the new text.
pub const TERMS_VERSION: &str = "2026-12-03";

/// The version of the email choices offered on the email preferences page.
pub const EMAILS_VERSION: &str = "2026-12-03";
/// The version of the profile's "focal points may propose missions to me" text.
pub const FINDABLE_VERSION: &str = "2026-12-03";

/// An account nobody has signed in to for this long is warned, then deleted.
pub const INACTIVE_AFTER: Duration = Duration::days(730);

/// How long a warned account has to sign in before it is deleted.
pub const DELETION_NOTICE: Duration = Duration::days(30);

/// What a consent is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentKind {
    /// The terms of use, accepted when the account is created.
    Terms,
    /// News and campaigns of the site by email.
    EmailCampaigns,
    /// Reminders about the member's own requests and stays.
    EmailReminders,
    /// The weekly selection of missions for the member.
    EmailMissions,
    /// Focal points may find the member's profile and propose missions to them.
    Findable,
}

impl ConsentKind {
    pub const ALL: [ConsentKind; 5] = [
        ConsentKind::Terms,
        ConsentKind::EmailCampaigns,
        ConsentKind::EmailReminders,
        ConsentKind::EmailMissions,
        ConsentKind::Findable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentKind::Terms => "terms",
            ConsentKind::EmailCampaigns => "email_campaigns",
            ConsentKind::EmailReminders => "email_reminders",
            ConsentKind::EmailMissions => "email_missions",
            ConsentKind::Findable => "findable",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }

    /// The version of the text this kind of consent is given to today.
    pub fn current_version(self) -> &'static str {
        match self {
            ConsentKind::Terms => TERMS_VERSION,
            ConsentKind::EmailCampaigns
            | ConsentKind::EmailReminders
            | ConsentKind::EmailMissions => EMAILS_VERSION,
            ConsentKind::Findable => FINDABLE_VERSION,
        }
    }
}

/// Where an account stands against the inactivity rule at `now`, given when it was last seen
/// (or created, if never seen since) and when it was warned, if it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inactivity {
    /// Used recently enough: nothing to do.
    Active,
    /// Unused for [`INACTIVE_AFTER`] and not warned yet: warn it, deletion on the given day.
    Warn { deleted_after: DateTime<Utc> },
    /// Warned, still unused, and the notice is over: delete it.
    Delete,
    /// Warned, the notice still running.
    Waiting,
}

/// The inactivity rule: warned after [`INACTIVE_AFTER`] without a sign-in, deleted
/// [`DELETION_NOTICE`] after the warning unless the member signs in (which clears it).
pub fn inactivity(
    last_seen: DateTime<Utc>,
    warned: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Inactivity {
    match warned {
        // A sign-in after the warning clears it; the store does so, but a stale warning
        // older than the last visit never deletes.
        Some(at) if at >= last_seen => {
            if now >= at + DELETION_NOTICE {
                Inactivity::Delete
            } else {
                Inactivity::Waiting
            }
        }
        _ if now >= last_seen + INACTIVE_AFTER => Inactivity::Warn {
            deleted_after: now + DELETION_NOTICE,
        },
        _ => Inactivity::Active,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn warned_after_two_years_then_deleted_a_month_later() {
        let seen = day(2024, 1, 10);
        assert_eq!(inactivity(seen, None, day(2026, 1, 8)), Inactivity::Active);
        assert_eq!(
            inactivity(seen, None, day(2026, 1, 10)),
            Inactivity::Warn {
                deleted_after: day(2026, 2, 9)
            }
        );
        let warned = Some(day(2026, 1, 10));
        assert_eq!(
            inactivity(seen, warned, day(2026, 2, 8)),
            Inactivity::Waiting
        );
        assert_eq!(
            inactivity(seen, warned, day(2026, 2, 9)),
            Inactivity::Delete
        );
    }

    #[test]
    fn a_visit_after_the_warning_voids_it() {
        let warned = Some(day(2026, 1, 10));
        let seen_again = day(2026, 1, 20);
        assert_eq!(
            inactivity(seen_again, warned, day(2026, 3, 1)),
            Inactivity::Active
        );
    }

    #[test]
    fn kinds_read_back() {
        for kind in ConsentKind::ALL {
            assert_eq!(ConsentKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ConsentKind::parse("marketing"), None);
    }
}
