//! View types: what templates receive. Built from repository records, never entities.

use jsap_domain::{Locale, Taxonomy};
use jsap_store::{CityRecord, MissionHit, OrganisationRecord};
use serde::Serialize;
use std::collections::HashMap;

pub use jsap_adapters::dates::format_date;

pub fn mission_path(locale: Locale, id: i64, slug: &str) -> String {
    format!("/{locale}/missions/{id}-{slug}")
}

/// The cities and organisations of a tenant, to name what missions point to.
pub struct Lookup {
    pub cities: HashMap<i64, CityRecord>,
    pub organisations: HashMap<i64, OrganisationRecord>,
    /// Where they came from, to search the same version of the data.
    pub catalogue: std::sync::Arc<jsap_store::Catalogue>,
}

impl Lookup {
    /// The cities and organisations of `catalogue`, by id.
    pub fn of(catalogue: std::sync::Arc<jsap_store::Catalogue>) -> Self {
        Self {
            cities: catalogue
                .cities()
                .iter()
                .map(|c| (c.id, c.clone()))
                .collect(),
            organisations: catalogue
                .organisations()
                .iter()
                .map(|o| (o.id, o.clone()))
                .collect(),
            catalogue,
        }
    }
}

/// An option of a form's list or checkboxes, checked or not.
#[derive(Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Serialize)]
pub struct Label {
    pub slug: String,
    pub label: String,
}

/// Inserts the taxonomy's domains and contribution types, labelled in `locale`, as the search
/// forms' choices (`domains`, `contribution_types`).
pub fn insert_search_choices(
    ctx: &mut tera::Context,
    taxonomy: &jsap_domain::Taxonomy,
    locale: Locale,
) {
    let labels = |items: &mut dyn Iterator<Item = (&String, &jsap_domain::taxonomy::Labels)>| {
        items
            .map(|(slug, labels)| Label {
                slug: slug.clone(),
                label: labels.get(locale).to_owned(),
            })
            .collect::<Vec<_>>()
    };
    ctx.insert(
        "domains",
        &labels(&mut taxonomy.domains.iter().map(|d| (&d.slug, &d.labels))),
    );
    ctx.insert(
        "contribution_types",
        &labels(
            &mut taxonomy
                .contribution_types
                .iter()
                .map(|c| (&c.slug, &c.labels)),
        ),
    );
}

/// The mission id of a `{id}-{slug}` path segment; anything else is a 404.
pub fn mission_id(id_slug: &str) -> Result<i64, crate::AppError> {
    id_slug
        .split('-')
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or(crate::AppError::NotFound)
}

#[derive(Serialize)]
pub struct MissionCard {
    pub id: i64,
    pub url: String,
    pub title: String,
    pub summary: String,
    /// Set when the title and summary are in another language than the page: its code and
    /// direction, for the `lang` and `dir` attributes and the "(en français)" note.
    pub other_lang: Option<OtherLang>,
    pub city: String,
    pub city_slug: String,
    pub organisation: String,
    pub domain: Label,
    pub mission_type: Label,
    pub contributions: Vec<Label>,
    pub remote: bool,
    pub urgent: bool,
    pub featured: bool,
    pub flexible: bool,
    pub starts_on: String,
    pub ends_on: String,
    /// The card's translated lines, worked out once here rather than by a `t()` call per
    /// card in the template: "Sur place" or "À distance"; when (its dates, or flexible); and
    /// "Par {organisation}" (empty without one).
    pub mode: String,
    pub when: String,
    pub by: String,
    /// The "Urgent" and "Prioritaire" badges' texts, empty when the mission is neither.
    pub urgent_label: String,
    pub featured_label: String,
    /// Shows its heart (the page is a signed-in member's), saved or not.
    pub heart: bool,
    pub saved: bool,
}

pub fn domain_label(taxonomy: &Taxonomy, slug: &str, locale: Locale) -> Label {
    Label {
        slug: slug.to_owned(),
        label: taxonomy
            .domain(slug)
            .map_or(slug, |d| d.labels.get(locale))
            .to_owned(),
    }
}

pub fn mission_type_label(taxonomy: &Taxonomy, slug: &str, locale: Locale) -> Label {
    Label {
        slug: slug.to_owned(),
        label: taxonomy
            .mission_type(slug)
            .map_or(slug, |d| d.labels.get(locale))
            .to_owned(),
    }
}

pub fn contribution_label(taxonomy: &Taxonomy, slug: &str, locale: Locale) -> Label {
    Label {
        slug: slug.to_owned(),
        label: taxonomy
            .contribution_type(slug)
            .map_or(slug, |d| d.labels.get(locale))
            .to_owned(),
    }
}

/// A text shown in another language than the page's.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct OtherLang {
    pub code: String,
    pub dir: &'static str,
    /// "(en anglais)": the language's name in the page's language.
    pub note: String,
}

impl OtherLang {
    /// `Some` when `text_locale` is a known locale other than `page`.
    pub fn of(text_locale: &str, page: Locale) -> Option<Self> {
        let text: Locale = text_locale.parse().ok()?;
        (text != page).then(|| Self {
            code: text.as_str().to_owned(),
            dir: text.dir(),
            note: jsap_adapters::translate(page.as_str(), &format!("card.in_{}", text.as_str())),
        })
    }
}

/// When a mission takes place, as its card and its page say it: any time (remote and
/// flexible), flexible dates, or from `starts_on` to `ends_on` (already formatted).
pub fn when_line(
    terms: &jsap_store::MissionTerms,
    starts_on: &str,
    ends_on: &str,
    locale: Locale,
) -> String {
    let key = match (terms.flexible, terms.remote) {
        (true, true) => "card.remote_anytime",
        (true, false) => "editor.flexible_dates",
        _ => "card.dates",
    };
    jsap_adapters::translate_with(
        locale.as_str(),
        key,
        &[("from", starts_on), ("to", ends_on)],
    )
}

impl MissionCard {
    pub fn new(hit: &MissionHit, locale: Locale, lookup: &Lookup, taxonomy: &Taxonomy) -> Self {
        let city = lookup.cities.get(&hit.city_id);
        let organisation = lookup
            .organisations
            .get(&hit.organisation_id)
            .map_or_else(String::new, |o| o.profile.name.clone());
        let (starts_on, ends_on) = (
            format_date(hit.terms.starts_on, locale),
            format_date(hit.terms.ends_on, locale),
        );
        let tr = |key: &str, args: &[(&str, &str)]| {
            jsap_adapters::translate_with(locale.as_str(), key, args)
        };
        let when = when_line(&hit.terms, &starts_on, &ends_on, locale);
        Self {
            id: hit.id,
            url: mission_path(locale, hit.id, &hit.slug),
            title: hit.title.clone(),
            summary: hit.summary.clone(),
            other_lang: OtherLang::of(&hit.lang, locale),
            city: city.map_or_else(String::new, |c| c.name_in(locale).to_owned()),
            city_slug: city.map_or_else(String::new, |c| c.slug.clone()),
            by: if organisation.is_empty() {
                String::new()
            } else {
                tr("card.by", &[("org", &organisation)])
            },
            organisation,
            domain: domain_label(taxonomy, &hit.terms.domain, locale),
            mission_type: mission_type_label(taxonomy, &hit.terms.mission_type, locale),
            contributions: hit
                .terms
                .contribution_types
                .iter()
                .map(|c| contribution_label(taxonomy, c, locale))
                .collect(),
            remote: hit.terms.remote,
            urgent: hit.terms.urgent,
            featured: hit.featured,
            flexible: hit.terms.flexible,
            mode: tr(
                if hit.terms.remote {
                    "card.remote"
                } else {
                    "card.onsite"
                },
                &[],
            ),
            when,
            urgent_label: if hit.terms.urgent {
                tr("card.urgent", &[])
            } else {
                String::new()
            },
            featured_label: if hit.featured {
                tr("card.featured", &[])
            } else {
                String::new()
            },
            starts_on,
            ends_on,
            heart: false,
            saved: false,
        }
    }
}

/// Where a paged list stands: its `page` of `pages` (at least one), as every paged template
/// reads it, with the links to the pages before and after (absent at either end).
pub struct Pager {
    pub page: u64,
    pub pages: u64,
}

impl Pager {
    pub fn new(page: u64, total: u64, per_page: u64) -> Self {
        Self {
            page,
            pages: total.div_ceil(per_page.max(1)).max(1),
        }
    }

    /// Puts `page`, `pages`, `previous` and `next` in `c`; `link` makes a page's address.
    pub fn insert(&self, c: &mut tera::Context, link: impl Fn(u64) -> String) {
        c.insert("page", &self.page);
        c.insert("pages", &self.pages);
        c.insert("previous", &(self.page > 1).then(|| link(self.page - 1)));
        c.insert(
            "next",
            &(self.page < self.pages).then(|| link(self.page + 1)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::Pager;

    /// Every domain of the taxonomy has its illustration in the base theme's sprite (cards and
    /// mission pages point to `domains.svg#<slug>`), each one small, and no other is there.
    #[test]
    fn each_domain_has_one_small_illustration() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../themes/base/static/domains.svg");
        let sprite = std::fs::read_to_string(path).expect("domains.svg");
        // A "--" inside an XML comment makes the whole sprite unreadable: nothing is drawn.
        for comment in sprite.split("<!--").skip(1) {
            let body = comment.split_once("-->").expect("a closed comment").0;
            assert!(!body.contains("--"), "'--' in a comment of domains.svg");
        }
        let mut ids = Vec::new();
        for symbol in sprite.split("<symbol ").skip(1) {
            let id = symbol
                .split_once("id=\"")
                .and_then(|(_, rest)| rest.split_once('"'))
                .map(|(id, _)| id.to_owned())
                .expect("a symbol id");
            let body = symbol.split_once("</symbol>").expect("closed").0;
            assert!(body.len() < 3_000, "{id}: {} bytes", body.len());
            ids.push(id);
        }
        let mut domains: Vec<String> = jsap_domain::Taxonomy::builtin()
            .domains
            .iter()
            .map(|d| d.slug.clone())
            .collect();
        ids.sort();
        domains.sort();
        assert_eq!(ids, domains);
    }

    #[test]
    fn a_pager_links_the_pages_around_and_counts_at_least_one() {
        let mut c = tera::Context::new();
        Pager::new(2, 45, 20).insert(&mut c, |n| format!("?page={n}"));
        assert_eq!(c.get("pages").and_then(|v| v.as_u64()), Some(3));
        assert_eq!(c.get("previous").and_then(|v| v.as_str()), Some("?page=1"));
        assert_eq!(c.get("next").and_then(|v| v.as_str()), Some("?page=3"));
        let mut c = tera::Context::new();
        Pager::new(1, 0, 20).insert(&mut c, |n| format!("?page={n}"));
        assert_eq!(c.get("pages").and_then(|v| v.as_u64()), Some(1));
        assert!(c.get("previous").is_some_and(|v| v.is_null()));
        assert!(c.get("next").is_some_and(|v| v.is_null()));
    }
}
