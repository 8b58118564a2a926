//! The mission taxonomy (domains, mission types, contribution types) is data: it ships as
//! `data/taxonomy.json` and its counts can change without code.

use crate::Locale;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Labels {
    pub label_fr: String,
    pub label_en: String,
    pub label_ar: String,
}

impl Labels {
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::Fr => &self.label_fr,
            Locale::En => &self.label_en,
            Locale::Ar => &self.label_ar,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Domain {
    pub slug: String,
    #[serde(flatten)]
    pub labels: Labels,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MissionType {
    pub slug: String,
    pub domain: String,
    #[serde(flatten)]
    pub labels: Labels,
    pub default_contributions: Vec<String>,
    /// `oui`, `partiel` or `non`: whether the mission can be done from abroad.
    pub remote: String,
}

/// Which home-page tab a contribution type belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tab {
    /// S'investir: time, skills, donations.
    Sinvestir,
    /// Investir: investment and savings.
    Investir,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContributionType {
    pub slug: String,
    #[serde(flatten)]
    pub labels: Labels,
    pub tab: Tab,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Taxonomy {
    pub version: String,
    pub domains: Vec<Domain>,
    pub mission_types: Vec<MissionType>,
    pub contribution_types: Vec<ContributionType>,
}

impl Taxonomy {
    /// The taxonomy shipped with the platform, parsed once.
    pub fn builtin() -> &'static Taxonomy {
        static BUILTIN: OnceLock<Taxonomy> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            #[allow(clippy::expect_used)]
            serde_json::from_str(include_str!("../data/taxonomy.json"))
                .expect("the embedded taxonomy is valid JSON (checked by a unit test)")
        })
    }

    pub fn domain(&self, slug: &str) -> Option<&Domain> {
        self.domains.iter().find(|d| d.slug == slug)
    }

    pub fn mission_type(&self, slug: &str) -> Option<&MissionType> {
        self.mission_types.iter().find(|m| m.slug == slug)
    }

    pub fn contribution_type(&self, slug: &str) -> Option<&ContributionType> {
        self.contribution_types.iter().find(|c| c.slug == slug)
    }

    /// A copy keeping only the listed domains (and their mission types) and contribution types.
    /// An empty list keeps everything of that kind.
    pub fn restricted(&self, domains: &[String], contribution_types: &[String]) -> Taxonomy {
        let keep_domain = |slug: &str| domains.is_empty() || domains.iter().any(|d| d == slug);
        let keep_contrib = |slug: &str| {
            contribution_types.is_empty() || contribution_types.iter().any(|c| c == slug)
        };
        Taxonomy {
            version: self.version.clone(),
            domains: self
                .domains
                .iter()
                .filter(|d| keep_domain(&d.slug))
                .cloned()
                .collect(),
            mission_types: self
                .mission_types
                .iter()
                .filter(|m| keep_domain(&m.domain))
                .cloned()
                .collect(),
            contribution_types: self
                .contribution_types
                .iter()
                .filter(|c| keep_contrib(&c.slug))
                .cloned()
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_taxonomy_has_15_domains_30_mission_types_8_contributions() {
        let t = Taxonomy::builtin();
        assert_eq!(t.domains.len(), 15);
        assert_eq!(t.mission_types.len(), 30);
        assert_eq!(t.contribution_types.len(), 8);
    }

    #[test]
    fn every_mission_type_points_to_existing_domain_and_contributions() {
        let t = Taxonomy::builtin();
        for m in &t.mission_types {
            assert!(t.domain(&m.domain).is_some(), "{} -> {}", m.slug, m.domain);
            for c in &m.default_contributions {
                assert!(t.contribution_type(c).is_some(), "{} -> {c}", m.slug);
            }
        }
        for d in &t.domains {
            assert!(!d.labels.label_ar.is_empty() && !d.labels.label_en.is_empty());
        }
    }

    #[test]
    fn restriction_keeps_only_listed_domains_and_their_types() {
        let t = Taxonomy::builtin();
        let r = t.restricted(&["sante".into()], &[]);
        assert_eq!(r.domains.len(), 1);
        assert!(r.mission_types.iter().all(|m| m.domain == "sante"));
        assert!(!r.mission_types.is_empty());
        assert_eq!(r.contribution_types.len(), 8);
    }
}
