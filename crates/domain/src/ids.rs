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
