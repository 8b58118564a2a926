use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("must be 2 to 12 lowercase ASCII letters or digits")]
    TenantCode,
    #[error("must be lowercase ASCII letters, digits and single hyphens")]
    Slug,
    #[error("is not a valid email address")]
    Email,
}

/// Short code of a tenant (`cm`, `sn`, `portal`): the key every tenant-owned row carries.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TenantCode(String);

impl TenantCode {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let ok = (2..=12).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ParseError::TenantCode)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TenantCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        TenantCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// URL-safe identifier: `douala`, `creation-entreprise-locale`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Slug(String);

impl Slug {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let ok = !s.is_empty()
            && s.len() <= 120
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--")
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ParseError::Slug)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Slug::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Turns any title into a slug: accents folded, other characters become single hyphens.
pub fn slugify(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        // Ligatures keep the one letter slugs always had (stored slugs stay valid).
        let folded = match c {
            'œ' | 'Œ' => 'o',
            'æ' | 'Æ' => 'a',
            other => crate::search::fold(other),
        }
        .to_ascii_lowercase();
        if folded.is_ascii_alphanumeric() {
            out.push(folded);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out.truncate(80);
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// An email address checked for shape at the boundary; stored lowercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let s = s.trim();
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(ParseError::Email);
        };
        let ok = !local.is_empty()
            && local.len() <= 64
            && s.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c == ',' || c == '<' || c == '>')
            && !domain.contains('@');
        if ok {
            Ok(Self(s.to_lowercase()))
        } else {
            Err(ParseError::Email)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EmailAddress {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        EmailAddress::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_codes_are_short_lowercase_alphanumerics() {
        assert!(TenantCode::parse("cm").is_ok());
        assert!(TenantCode::parse("portal").is_ok());
        assert_eq!(TenantCode::parse("CM"), Err(ParseError::TenantCode));
        assert_eq!(TenantCode::parse("c"), Err(ParseError::TenantCode));
        assert_eq!(TenantCode::parse("c-m"), Err(ParseError::TenantCode));
    }

    #[test]
    fn slugs_reject_uppercase_spaces_and_double_hyphens() {
        assert!(Slug::parse("abomey-calavi").is_ok());
        assert!(Slug::parse("Douala").is_err());
        assert!(Slug::parse("a b").is_err());
        assert!(Slug::parse("a--b").is_err());
        assert!(Slug::parse("-a").is_err());
        assert!(Slug::parse("").is_err());
    }

    #[test]
    fn slugify_folds_accents_and_punctuation() {
        assert_eq!(
            slugify("Équiper l'école de Yaoundé !"),
            "equiper-l-ecole-de-yaounde"
        );
        assert_eq!(slugify("  Fès  "), "fes");
    }

    #[test]
    fn email_addresses_are_checked_and_lowercased() {
        assert_eq!(
            EmailAddress::parse(" PF.Douala@JesuisauCameroun.com ").map(|e| e.0),
            Ok("pf.douala@jesuisaucameroun.com".to_owned())
        );
        for bad in ["", "a", "a@b", "@b.com", "a@.com", "a b@c.com", "a@b.com."] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}

/// Typed row ids for the ids that cross crates (a route's path, a use case's arguments, the
/// store): `remove_member(scope, who, OrganisationId, AccountId)` cannot take its two ids the
/// wrong way round. The number is the row's primary key; serialised as the bare number.
macro_rules! row_ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The row's primary key.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            /// A path's or a form's id: decimal digits.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    )*};
}

row_ids! {
    /// A member's account (`accounts.id`).
    AccountId,
    /// An organisation (`organisations.id`).
    OrganisationId,
    /// A mission (`missions.id`).
    MissionId,
    /// One of a mission's photos (`mission_photos.id`).
    PhotoId,
    /// A city of a tenant (`cities.id`).
    CityId,
    /// A news post (`news_posts.id`).
    NewsPostId,
    /// A report of content (`reports.id`).
    ReportId,
    /// A personal access token (`access_tokens.id`).
    TokenId,
    /// A version of an editable page (`page_versions.id`).
    PageVersionId,
}

#[cfg(test)]
mod row_id_tests {
    use super::*;

    #[test]
    fn a_row_id_parses_digits_only_and_serialises_as_the_bare_number() {
        assert_eq!("42".parse::<MissionId>(), Ok(MissionId(42)));
        assert!("42x".parse::<MissionId>().is_err());
        assert!("".parse::<CityId>().is_err());
        assert_eq!(
            serde_json::to_string(&AccountId(7)).ok().as_deref(),
            Some("7")
        );
        assert_eq!(OrganisationId(3).to_string(), "3");
        assert_eq!(OrganisationId(3).get(), 3);
    }
}
