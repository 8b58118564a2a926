//! Search parameters from a query string, shared by the search page and the JSON API:
//! `q`, `city`, `domain`, `mission_type`, `contribution` (each repeatable), `tab`
//! (`sinvestir|investir|distance`), `from`, `to` (ISO dates), `urgent`, `sort`, `page`,
//! `per_page`. Every bad value is refused with the name of its parameter.

use chrono::NaiveDate;
use jsap_domain::Taxonomy;
use jsap_store::{SearchTab, SortOrder};

pub const MAX_PER_PAGE: u64 = 50;
pub const DEFAULT_PER_PAGE: u64 = 12;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    pub param: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct SearchParams {
    pub q: String,
    pub cities: Vec<String>,
    pub domains: Vec<String>,
    pub mission_types: Vec<String>,
    pub contributions: Vec<String>,
    pub tab: Option<SearchTab>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub urgent: bool,
    pub sort: SortOrder,
    pub page: u64,
    pub per_page: u64,
    /// Other parameters the caller handles itself (`locale` for the API).
    pub extra: Vec<(String, String)>,
}

fn bad(param: &'static str, message: impl Into<String>) -> ParamError {
    ParamError {
        param,
        message: message.into(),
    }
}

/// At most this many distinct values of one repeated parameter (`city`, `domain`...).
pub const MAX_REPEATED: usize = 50;
/// At most this many parameters in one query string.
pub const MAX_PARAMS: usize = 300;

/// Adds `value` once; more than `MAX_REPEATED` distinct values is an error (the check over
/// the list is then bounded too).
fn push_unique(list: &mut Vec<String>, value: &str, param: &'static str) -> Result<(), ParamError> {
    if list.iter().any(|v| v == value) {
        return Ok(());
    }
    if list.len() == MAX_REPEATED {
        return Err(bad(param, format!("at most {MAX_REPEATED} values")));
    }
    list.push(value.to_owned());
    Ok(())
}

pub fn tab_name(tab: SearchTab) -> &'static str {
    match tab {
        SearchTab::Sinvestir => "sinvestir",
        SearchTab::Investir => "investir",
        SearchTab::Distance => "distance",
    }
}

/// The tab name of a contribution type's group.
pub fn tab_label(tab: jsap_domain::taxonomy::Tab) -> &'static str {
    match tab {
        jsap_domain::taxonomy::Tab::Sinvestir => "sinvestir",
        jsap_domain::taxonomy::Tab::Investir => "investir",
    }
}

pub fn sort_name(sort: SortOrder) -> &'static str {
    match sort {
        SortOrder::Relevance => "relevance",
        SortOrder::Soonest => "soonest",
        SortOrder::Newest => "newest",
    }
}

impl SearchParams {
    /// Parses a raw query string against the tenant's taxonomy. City slugs are checked by
    /// the caller (they live in the database).
    pub fn parse(query: &str, taxonomy: &Taxonomy) -> Result<Self, ParamError> {
        // Counted on the raw string, before any decoding work.
        if query.bytes().filter(|b| *b == b'&').count() >= MAX_PARAMS {
            return Err(bad("query", format!("at most {MAX_PARAMS} parameters")));
        }
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|_| bad("query", "the query string is malformed"))?;
        let mut p = SearchParams {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            ..Default::default()
        };
        for (key, value) in pairs {
            let value = value.trim();
            match key.as_str() {
                "q" => {
                    if value.chars().count() > 200 {
                        return Err(bad("q", "must be at most 200 characters"));
                    }
                    p.q = value.to_owned();
                }
                "city" if !value.is_empty() => push_unique(&mut p.cities, value, "city")?,
                "domain" if !value.is_empty() => {
                    if taxonomy.domain(value).is_none() {
                        return Err(bad("domain", format!("unknown domain \"{value}\"")));
                    }
                    push_unique(&mut p.domains, value, "domain")?;
                }
                "mission_type" if !value.is_empty() => {
                    if taxonomy.mission_type(value).is_none() {
                        return Err(bad(
                            "mission_type",
                            format!("unknown mission type \"{value}\""),
                        ));
                    }
                    push_unique(&mut p.mission_types, value, "mission_type")?;
                }
                "contribution" if !value.is_empty() => {
                    if taxonomy.contribution_type(value).is_none() {
                        return Err(bad(
                            "contribution",
                            format!("unknown contribution type \"{value}\""),
                        ));
                    }
                    push_unique(&mut p.contributions, value, "contribution")?;
                }
                "tab" if !value.is_empty() => {
                    p.tab = Some(match value {
                        "sinvestir" => SearchTab::Sinvestir,
                        "investir" => SearchTab::Investir,
                        "distance" => SearchTab::Distance,
                        _ => return Err(bad("tab", "must be sinvestir, investir or distance")),
                    });
                }
                "from" if !value.is_empty() => {
                    p.from = Some(
                        value
                            .parse()
                            .map_err(|_| bad("from", "must be a date such as 2026-12-20"))?,
                    );
                }
                "to" if !value.is_empty() => {
                    p.to = Some(
                        value
                            .parse()
                            .map_err(|_| bad("to", "must be a date such as 2027-01-10"))?,
                    );
                }
                "urgent" if !value.is_empty() => {
                    p.urgent = match value {
                        "1" | "true" | "on" => true,
                        "0" | "false" | "off" => false,
                        _ => return Err(bad("urgent", "must be true or false")),
                    };
                }
                "sort" if !value.is_empty() => {
                    p.sort = match value {
                        "relevance" => SortOrder::Relevance,
                        "soonest" => SortOrder::Soonest,
                        "newest" => SortOrder::Newest,
                        _ => return Err(bad("sort", "must be relevance, soonest or newest")),
                    };
                }
                "page" if !value.is_empty() => {
                    p.page = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=10_000).contains(n))
                        .ok_or_else(|| bad("page", "must be a number from 1 to 10000"))?;
                }
                "per_page" if !value.is_empty() => {
                    p.per_page = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_PER_PAGE).contains(n))
                        .ok_or_else(|| {
                            bad(
                                "per_page",
                                format!("must be a number from 1 to {MAX_PER_PAGE}"),
                            )
                        })?;
                }
                _ => p.extra.push((key, value.to_owned())),
            }
        }
        if let (Some(from), Some(to)) = (p.from, p.to)
            && to < from
        {
            return Err(bad("to", "must not be before `from`"));
        }
        Ok(p)
    }

    /// The stay window: both ends, or one end standing for a one-day stay.
    pub fn stay(&self) -> Option<(NaiveDate, NaiveDate)> {
        match (self.from, self.to) {
            (Some(from), Some(to)) => Some((from, to)),
            (Some(day), None) | (None, Some(day)) => Some((day, day)),
            (None, None) => None,
        }
    }

    /// The query string of these parameters (without `page`), for links that change one thing.
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if !self.q.is_empty() {
            out.push(("q", self.q.clone()));
        }
        for c in &self.cities {
            out.push(("city", c.clone()));
        }
        for d in &self.domains {
            out.push(("domain", d.clone()));
        }
        for t in &self.mission_types {
            out.push(("mission_type", t.clone()));
        }
        for c in &self.contributions {
            out.push(("contribution", c.clone()));
        }
        if let Some(tab) = self.tab {
            out.push(("tab", tab_name(tab).to_owned()));
        }
        if let Some(from) = self.from {
            out.push(("from", from.to_string()));
        }
        if let Some(to) = self.to {
            out.push(("to", to.to_string()));
        }
        if self.urgent {
            out.push(("urgent", "true".to_owned()));
        }
        if self.sort != SortOrder::Relevance {
            out.push(("sort", sort_name(self.sort).to_owned()));
        }
        out
    }

    /// The store query for these parameters. City slugs the tenant does not have are checked
    /// by the caller (they get a 400); here they simply match nothing.
    pub fn mission_query(
        &self,
        locale: jsap_domain::Locale,
        today: NaiveDate,
        cities: &std::collections::HashMap<i64, jsap_store::CityRecord>,
    ) -> jsap_store::MissionQuery {
        let mut q = jsap_store::MissionQuery::new(locale, today);
        q.text = self.q.clone();
        q.city_ids = cities
            .values()
            .filter(|c| self.cities.contains(&c.slug))
            .map(|c| c.id)
            .collect();
        q.domains = self.domains.clone();
        q.mission_types = self.mission_types.clone();
        q.contributions = self.contributions.clone();
        q.tab = self.tab;
        q.stay = self.stay();
        q.urgent_only = self.urgent;
        q.sort = self.sort;
        q.page = self.page;
        q.per_page = self.per_page;
        q
    }

    pub fn has_filters(&self) -> bool {
        !self.q.is_empty()
            || !self.cities.is_empty()
            || !self.domains.is_empty()
            || !self.mission_types.is_empty()
            || !self.contributions.is_empty()
            || self.tab.is_some()
            || self.from.is_some()
            || self.to.is_some()
            || self.urgent
    }
}

pub fn encode(pairs: &[(&str, String)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn repeated_parameters_are_bounded() {
        let fifty: Vec<String> = (0..50).map(|i| format!("city=c{i}")).collect();
        let parsed = SearchParams::parse(&fifty.join("&"), Taxonomy::builtin()).expect("fifty");
        assert_eq!(parsed.cities.len(), 50);
        let same: Vec<&str> = vec!["city=douala"; 250];
        let parsed = SearchParams::parse(&same.join("&"), Taxonomy::builtin()).expect("same");
        assert_eq!(parsed.cities, vec!["douala".to_owned()]);
        let many: Vec<String> = (0..51).map(|i| format!("city=c{i}")).collect();
        let error = SearchParams::parse(&many.join("&"), Taxonomy::builtin()).expect_err("51");
        assert_eq!(error.param, "city");
        let six_thousand: Vec<String> = (0..6000).map(|i| format!("city=c{i}")).collect();
        let error =
            SearchParams::parse(&six_thousand.join("&"), Taxonomy::builtin()).expect_err("6000");
        assert_eq!(error.param, "query");
    }

    use super::*;

    fn parse(q: &str) -> Result<SearchParams, ParamError> {
        SearchParams::parse(q, Taxonomy::builtin())
    }

    #[test]
    fn repeated_filters_and_dates_are_read() {
        let p = parse("q=%C3%A9cole&city=douala&city=kribi&domain=sante&from=2026-12-20&to=2027-01-05&urgent=1&page=2")
            .expect("valid");
        assert_eq!(p.q, "école");
        assert_eq!(p.cities, vec!["douala", "kribi"]);
        assert_eq!(p.domains, vec!["sante"]);
        assert!(p.urgent);
        assert_eq!(p.page, 2);
        assert_eq!(
            p.stay().map(|s| s.0.to_string()),
            Some("2026-12-20".to_owned())
        );
        let again = parse(&encode(&p.to_query())).expect("round trip");
        assert_eq!(again.cities, p.cities);
        assert_eq!(again.from, p.from);
    }

    #[test]
    fn bad_values_name_their_parameter() {
        for (query, param) in [
            ("domain=astrologie", "domain"),
            ("mission_type=x", "mission_type"),
            ("contribution=x", "contribution"),
            ("tab=tout", "tab"),
            ("from=20-12-2026", "from"),
            ("to=tomorrow", "to"),
            ("from=2027-01-10&to=2027-01-01", "to"),
            ("urgent=maybe", "urgent"),
            ("page=0", "page"),
            ("page=abc", "page"),
            ("per_page=500", "per_page"),
            ("sort=random", "sort"),
        ] {
            assert_eq!(
                parse(query).map(|_| ()).expect_err(query).param,
                param,
                "{query}"
            );
        }
    }

    #[test]
    fn empty_values_mean_no_filter() {
        let p = parse("q=&city=&domain=&from=&to=&tab=").expect("valid");
        assert!(!p.has_filters());
    }
}
