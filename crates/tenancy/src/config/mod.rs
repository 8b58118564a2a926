use jsap_domain::{EmailAddress, Locale, Slug, Taxonomy, TenantCode};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

mod load;
pub use load::*;

/// A problem in one tenant file, precise enough to fix without reading code.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ConfigError {
    pub file: PathBuf,
    pub field: String,
    pub reason: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}",
            self.file.display(),
            self.field,
            self.reason
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TenantKind {
    /// A country site (jesuisaucameroun.com).
    Country,
    /// The umbrella portal (jesuisaupays.com) that lists the country sites.
    Portal,
}

/// A text given per locale; falls back to French, then to any value.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
pub struct Localized(BTreeMap<Locale, String>);

impl Localized {
    pub fn get(&self, locale: Locale) -> &str {
        self.0
            .get(&locale)
            .or_else(|| self.0.get(&Locale::Fr))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn has(&self, locale: Locale) -> bool {
        self.0.get(&locale).is_some_and(|s| !s.trim().is_empty())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    pub from_name: String,
    pub from_address: EmailAddress,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyConfig {
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub contribution_types: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CityConfig {
    pub slug: Slug,
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    #[serde(default)]
    pub name_ar: Option<String>,
    pub region: String,
    pub latitude: f64,
    pub longitude: f64,
}

impl CityConfig {
    pub fn name_in(&self, locale: Locale) -> &str {
        name_in(&self.name, &self.name_en, &self.name_ar, locale)
    }
}

/// A name given as `name` with optional `name_en` / `name_ar`: the one for `locale`, else
/// `name`.
fn name_in<'a>(
    name: &'a str,
    en: &'a Option<String>,
    ar: &'a Option<String>,
    locale: Locale,
) -> &'a str {
    match locale {
        Locale::En => en.as_deref().unwrap_or(name),
        Locale::Ar => ar.as_deref().unwrap_or(name),
        Locale::Fr => name,
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FocalPointConfig {
    /// Slug of one of this tenant's cities.
    pub city: Slug,
    /// The name shown for the focal point, in the tenant's default locale (a person's name,
    /// or a role such as "Point focal diaspora — Douala").
    pub name: String,
    /// The same name on the site's other languages, when it is a role to translate.
    #[serde(default)]
    pub name_en: Option<String>,
    #[serde(default)]
    pub name_ar: Option<String>,
    /// A role address; the focal point is invited by email, never given a password here.
    pub email: EmailAddress,
}

impl FocalPointConfig {
    /// The name on a page in `locale`: its translation when the file gives one.
    pub fn name_in(&self, locale: Locale) -> &str {
        name_in(&self.name, &self.name_en, &self.name_ar, locale)
    }
}

/// One tenant as read from `tenants/<code>.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tenant {
    pub code: TenantCode,
    pub kind: TenantKind,
    pub site_name: Localized,
    pub country_code: String,
    pub country_name: Localized,
    pub canonical_domain: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub dev_hosts: Vec<String>,
    pub locales: Vec<Locale>,
    pub default_locale: Locale,
    pub time_zone: String,
    pub currency: String,
    pub theme: String,
    /// Days within which visitors are promised an answer.
    pub response_delay_days: u32,
    #[serde(default)]
    pub main_city: Option<Slug>,
    pub email: EmailConfig,
    #[serde(default)]
    pub taxonomy: TaxonomyConfig,
    #[serde(default)]
    pub cities: Vec<CityConfig>,
    #[serde(default)]
    pub focal_points: Vec<FocalPointConfig>,
    /// `taxonomy()`, worked out at its first call (pages ask for it on every request).
    #[serde(skip)]
    enabled_taxonomy: std::sync::OnceLock<std::sync::Arc<Taxonomy>>,
}

impl Tenant {
    pub fn offers(&self, locale: Locale) -> bool {
        self.locales.contains(&locale)
    }

    pub fn is_portal(&self) -> bool {
        self.kind == TenantKind::Portal
    }

    /// The taxonomy this tenant enabled (the whole one when its lists are empty).
    pub fn taxonomy(&self) -> std::sync::Arc<Taxonomy> {
        self.enabled_taxonomy
            .get_or_init(|| {
                std::sync::Arc::new(
                    Taxonomy::builtin()
                        .restricted(&self.taxonomy.domains, &self.taxonomy.contribution_types),
                )
            })
            .clone()
    }

    /// The tenant's time zone (validated when the file was loaded; UTC otherwise).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::UTC)
    }

    /// The date where the tenant is at `at`: what pages and emails show of an instant.
    pub fn local_date(&self, at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        at.with_timezone(&self.tz()).date_naive()
    }

    /// Today's date where the tenant is: what "open missions" are counted against.
    pub fn today(&self) -> chrono::NaiveDate {
        chrono::Utc::now().with_timezone(&self.tz()).date_naive()
    }

    pub fn canonical_url(&self) -> String {
        format!("https://{}", self.canonical_domain)
    }

    fn validate(&self, file: &Path) -> Result<(), ConfigError> {
        let err = |field: &str, reason: String| ConfigError {
            file: file.to_owned(),
            field: field.to_owned(),
            reason,
        };
        if let Some(stem) = file.file_stem().and_then(|s| s.to_str())
            && stem != self.code.as_str()
        {
            return Err(err(
                "code",
                format!("is \"{}\" but the file is named {stem}.toml", self.code),
            ));
        }
        if self.locales.is_empty() {
            return Err(err("locales", "must list at least one locale".into()));
        }
        let unique: HashSet<_> = self.locales.iter().collect();
        if unique.len() != self.locales.len() {
            return Err(err("locales", "lists a locale twice".into()));
        }
        if !self.offers(self.default_locale) {
            return Err(err(
                "default_locale",
                format!("\"{}\" is not one of `locales`", self.default_locale),
            ));
        }
        for locale in &self.locales {
            if !self.site_name.has(*locale) {
                return Err(err(
                    &format!("site_name.{locale}"),
                    "is missing: every offered locale needs a site name".into(),
                ));
            }
        }
        if !self.country_name.has(Locale::Fr) {
            return Err(err("country_name.fr", "is missing".into()));
        }
        if self.country_code.len() != 2
            || !self.country_code.bytes().all(|b| b.is_ascii_uppercase())
        {
            return Err(err(
                "country_code",
                "must be an ISO 3166 alpha-2 code such as CM".into(),
            ));
        }
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(err(
                "currency",
                "must be an ISO 4217 code such as XAF".into(),
            ));
        }
        if self.time_zone.parse::<chrono_tz::Tz>().is_err() {
            return Err(err(
                "time_zone",
                format!(
                    "\"{}\" is not an IANA time zone such as Africa/Douala",
                    self.time_zone
                ),
            ));
        }
        if self.theme.is_empty()
            || !self
                .theme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(err(
                "theme",
                "must be a theme folder name such as base or cm".into(),
            ));
        }
        if !(1..=90).contains(&self.response_delay_days) {
            return Err(err(
                "response_delay_days",
                "must be between 1 and 90".into(),
            ));
        }
        if !is_host_name(&self.canonical_domain) {
            return Err(err(
                "canonical_domain",
                format!("\"{}\" is not a lowercase host name", self.canonical_domain),
            ));
        }
        for (i, host) in self.aliases.iter().enumerate() {
            if !is_host_name(host) {
                return Err(err(
                    &format!("aliases[{i}]"),
                    format!("\"{host}\" is not a lowercase host name"),
                ));
            }
        }
        for (i, host) in self.dev_hosts.iter().enumerate() {
            if !is_host_name(host) {
                return Err(err(
                    &format!("dev_hosts[{i}]"),
                    format!("\"{host}\" is not a lowercase host name"),
                ));
            }
        }
        if self.email.from_name.trim().is_empty() {
            return Err(err("email.from_name", "must not be empty".into()));
        }
        let builtin = Taxonomy::builtin();
        for (i, d) in self.taxonomy.domains.iter().enumerate() {
            if builtin.domain(d).is_none() {
                return Err(err(
                    &format!("taxonomy.domains[{i}]"),
                    format!("\"{d}\" is not a domain of the taxonomy"),
                ));
            }
        }
        for (i, c) in self.taxonomy.contribution_types.iter().enumerate() {
            if builtin.contribution_type(c).is_none() {
                return Err(err(
                    &format!("taxonomy.contribution_types[{i}]"),
                    format!("\"{c}\" is not a contribution type of the taxonomy"),
                ));
            }
        }
        if self.kind == TenantKind::Country && self.cities.is_empty() {
            return Err(err(
                "cities",
                "a country site needs at least one city".into(),
            ));
        }
        let mut slugs = HashSet::new();
        for (i, city) in self.cities.iter().enumerate() {
            if !slugs.insert(city.slug.as_str()) {
                return Err(err(
                    &format!("cities[{i}].slug"),
                    format!("\"{}\" appears twice", city.slug),
                ));
            }
            if city.name.trim().is_empty() {
                return Err(err(
                    &format!("cities[{i}].name"),
                    "must not be empty".into(),
                ));
            }
            if !(-90.0..=90.0).contains(&city.latitude) {
                return Err(err(
                    &format!("cities[{i}].latitude"),
                    "must be between -90 and 90".into(),
                ));
            }
            if !(-180.0..=180.0).contains(&city.longitude) {
                return Err(err(
                    &format!("cities[{i}].longitude"),
                    "must be between -180 and 180".into(),
                ));
            }
        }
        if let Some(main) = &self.main_city
            && !slugs.contains(main.as_str())
        {
            return Err(err(
                "main_city",
                format!("\"{main}\" is not one of `cities`"),
            ));
        }
        let mut emails = HashSet::new();
        for (i, fp) in self.focal_points.iter().enumerate() {
            if !slugs.contains(fp.city.as_str()) {
                return Err(err(
                    &format!("focal_points[{i}].city"),
                    format!("\"{}\" is not one of `cities`", fp.city),
                ));
            }
            if !emails.insert((fp.city.as_str(), fp.email.as_str())) {
                return Err(err(
                    &format!("focal_points[{i}].email"),
                    "appears twice for the same city".into(),
                ));
            }
        }
        Ok(())
    }

    /// Every host this tenant answers on (canonical first).
    pub fn hosts(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.canonical_domain.as_str())
            .chain(self.aliases.iter().map(String::as_str))
            .chain(self.dev_hosts.iter().map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"
code = "xx"
kind = "country"
site_name = { fr = "Je suis au Testland", en = "I am in Testland" }
country_code = "XX"
country_name = { fr = "Testland" }
canonical_domain = "jesuisautestland.com"
aliases = ["www.jesuisautestland.com"]
dev_hosts = ["xx.localhost"]
locales = ["fr", "en"]
default_locale = "fr"
time_zone = "Africa/Douala"
currency = "XAF"
theme = "base"
response_delay_days = 14
main_city = "alpha"

[email]
from_name = "Je suis au Testland"
from_address = "contact@jesuisautestland.com"

[[cities]]
slug = "alpha"
name = "Alpha"
region = "Nord"
latitude = 4.0
longitude = 9.7

[[focal_points]]
city = "alpha"
name = "Point focal"
email = "pf.alpha@jesuisautestland.com"
"#;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write tenant file");
        path
    }

    fn check(text: &str) -> Result<Tenant, ConfigError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(dir.path(), "xx.toml", text);
        load_file(&path)
    }

    #[test]
    fn a_valid_file_loads() {
        let t = check(VALID).expect("valid tenant");
        assert_eq!(t.code.as_str(), "xx");
        assert_eq!(t.cities.len(), 1);
        assert_eq!(t.hosts().collect::<Vec<_>>().len(), 3);
    }

    #[test]
    fn a_missing_field_names_the_field() {
        let e = check(&VALID.replace("currency = \"XAF\"\n", "")).expect_err("must fail");
        assert!(e.reason.contains("currency"), "{e}");
        assert!(e.file.ends_with("xx.toml"));
    }

    #[test]
    fn a_wrong_type_names_the_field() {
        let e = check(&VALID.replace(
            "response_delay_days = 14",
            "response_delay_days = \"two weeks\"",
        ))
        .expect_err("must fail");
        assert_eq!(e.field, "response_delay_days", "{e}");
    }

    #[test]
    fn semantic_errors_name_field_and_reason() {
        let cases = [
            (
                VALID.replace("default_locale = \"fr\"", "default_locale = \"ar\""),
                "default_locale",
            ),
            (
                VALID.replace(
                    "[[focal_points]]\ncity = \"alpha\"",
                    "[[focal_points]]\ncity = \"beta\"",
                ),
                "focal_points[0].city",
            ),
            (
                VALID.replace("latitude = 4.0", "latitude = 94.0"),
                "cities[0].latitude",
            ),
            (
                VALID.replace("main_city = \"alpha\"", "main_city = \"zeta\""),
                "main_city",
            ),
            (VALID.replace("code = \"xx\"", "code = \"yy\""), "code"),
            (
                VALID.replace(
                    "aliases = [\"www.jesuisautestland.com\"]",
                    "aliases = [\"WWW.Bad\"]",
                ),
                "aliases[0]",
            ),
            (
                VALID.replace(", en = \"I am in Testland\"", ""),
                "site_name.en",
            ),
            (
                VALID.replace(
                    "[email]",
                    "[taxonomy]\ndomains = [\"astrologie\"]\n\n[email]",
                ),
                "taxonomy.domains[0]",
            ),
        ];
        for (text, field) in cases {
            let e = check(&text).expect_err(field);
            assert_eq!(e.field, field, "{e}");
            assert!(!e.reason.is_empty());
        }
    }

    #[test]
    fn unknown_keys_are_refused() {
        let e = check(&VALID.replace("theme = \"base\"", "theme = \"base\"\ncolour = \"red\""))
            .expect_err("must fail");
        assert!(e.reason.contains("colour"), "{e}");
    }

    #[test]
    fn a_folder_reports_every_broken_file_and_host_clashes() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "xx.toml", VALID);
        write(
            dir.path(),
            "yy.toml",
            &VALID.replace("code = \"xx\"", "code = \"yy\""),
        );
        write(dir.path(), "zz.toml", "code = ");
        let errors = load_dir(dir.path()).expect_err("must fail");
        assert!(
            errors.iter().any(|e| e.file.ends_with("zz.toml")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.file.ends_with("yy.toml") && e.reason.contains("already used")),
            "{errors:?}"
        );
    }

    #[test]
    fn the_project_tenants_are_valid() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tenants");
        let tenants = load_dir(&dir).unwrap_or_else(|e| panic!("{e:?}"));
        let cm = tenants
            .iter()
            .find(|t| t.code.as_str() == "cm")
            .expect("cm");
        assert_eq!(cm.cities.len(), 14);
        assert_eq!(cm.focal_points.len(), 14);
        assert!(tenants.iter().any(|t| t.is_portal()));
        let gm = tenants
            .iter()
            .find(|t| t.code.as_str() == "gm")
            .expect("gm");
        assert_eq!(gm.locales, vec![Locale::En]);
    }

    /// A focal point's name is written in each language its site offers: in the default one
    /// as `name`, in the others as `name_en` / `name_ar` (a French role label on the English
    /// or Arabic page was a defect).
    #[test]
    fn each_focal_point_is_named_in_every_language_of_its_site() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tenants");
        let mut missing = Vec::new();
        for tenant in load_dir(&dir).unwrap_or_else(|e| panic!("{e:?}")) {
            for fp in &tenant.focal_points {
                for locale in &tenant.locales {
                    let given = match locale {
                        _ if *locale == tenant.default_locale => true,
                        Locale::En => fp.name_en.is_some(),
                        Locale::Ar => fp.name_ar.is_some(),
                        Locale::Fr => false,
                    };
                    if !given {
                        missing.push(format!(
                            "{} {} {locale:?}",
                            tenant.code.as_str(),
                            fp.city.as_str()
                        ));
                    }
                }
            }
        }
        assert_eq!(missing, Vec::<String>::new());
    }
}
