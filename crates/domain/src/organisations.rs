//! Organisations: their kinds, the facilities they may offer, and their review status.

/// The kinds an organisation may be (the current site's advertiser form): a city hall, a
/// central administration, an airport, a funder, an NGO, an association, a company, a bank.
pub const KINDS: &[&str] = &[
    "mairie",
    "administration",
    "aeroport",
    "bailleur",
    "ong",
    "association",
    "entreprise",
    "banque",
];

/// What an organisation may offer the people who come to help.
pub const FACILITIES: &[&str] = &[
    "interlocuteur",
    "distance",
    "assistance",
    "locaux",
    "prestataires",
];

/// Where an organisation stands. A registered one is `Pending` until the focal point of its
/// city or a country operator verifies or refuses it; a verified one may be suspended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationStatus {
    Pending,
    Verified,
    Refused,
    Suspended,
}

impl OrganisationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Verified => "verified",
            Self::Refused => "refused",
            Self::Suspended => "suspended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Verified,
            Self::Refused,
            Self::Suspended,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    /// Whether a reviewer may move an organisation from this status to `to`: a pending one is
    /// verified or refused, a verified one suspended, a refused or suspended one verified again.
    pub fn may_become(self, to: Self) -> bool {
        use OrganisationStatus::*;
        matches!(
            (self, to),
            (Pending, Verified)
                | (Pending, Refused)
                | (Verified, Suspended)
                | (Refused, Verified)
                | (Suspended, Verified)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::OrganisationStatus::{self, *};

    #[test]
    fn statuses_round_trip_and_move_only_along_the_review() {
        for s in [Pending, Verified, Refused, Suspended] {
            assert_eq!(OrganisationStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(OrganisationStatus::parse("deleted"), None);
        assert!(Pending.may_become(Verified) && Pending.may_become(Refused));
        assert!(Verified.may_become(Suspended) && Suspended.may_become(Verified));
        assert!(
            !Pending.may_become(Suspended),
            "suspend only what was verified"
        );
        assert!(!Verified.may_become(Refused) && !Refused.may_become(Suspended));
        assert!(!Verified.may_become(Verified) && !Pending.may_become(Pending));
    }
}
