//! The portal's search over every country site.

use super::*;

#[derive(Serialize)]
struct CountryResults {
    site: String,
    country: String,
    locale: &'static str,
    total: u64,
    missions: Vec<MissionCard>,
    all_url: String,
}

/// The portal's search: the same text and filters (stay dates, domain, contribution type,
/// remote only) over every country site, each searched on its own (tenant-scoped) and linked
/// on its canonical domain with the same filters.
pub(super) async fn portal_search(
    state: &AppState,
    portal: &Tenant,
    locale: Locale,
    query: &str,
) -> Result<Response, AppError> {
    let taxonomy = Taxonomy::builtin();
    let (params, error) = match SearchParams::parse(query, taxonomy) {
        Ok(p) => (p, None),
        Err(e) => (
            SearchParams {
                page: 1,
                per_page: crate::params::DEFAULT_PER_PAGE,
                ..Default::default()
            },
            Some((e.param, e.message)),
        ),
    };
    // The filters to carry to each country's own search page.
    let mut carried: Vec<(&str, String)> = Vec::new();
    if !params.q.is_empty() {
        carried.push(("q", params.q.clone()));
    }
    for (name, date) in [("from", params.from), ("to", params.to)] {
        if let Some(d) = date {
            carried.push((name, d.to_string()));
        }
    }
    carried.extend(params.cities.iter().map(|c| ("city", c.clone())));
    carried.extend(params.domains.iter().map(|d| ("domain", d.clone())));
    carried.extend(
        params
            .contributions
            .iter()
            .map(|c| ("contribution", c.clone())),
    );
    if let Some(tab) = params.tab {
        carried.push(("tab", tab_name(tab).to_owned()));
    }
    let mut countries = Vec::new();
    let mut total = 0;
    for tenant in state.registry.countries() {
        let site_locale = if tenant.offers(locale) {
            locale
        } else {
            tenant.default_locale
        };
        let lookup = lookup(state, tenant).await?;
        // A city filter names cities of some countries only: the others have no result.
        if !params.cities.is_empty()
            && !lookup
                .cities
                .values()
                .any(|c| params.cities.contains(&c.slug))
        {
            continue;
        }
        let mut q = params.mission_query(site_locale, tenant.today(), &lookup.cities);
        q.page = 1;
        q.per_page = 3;
        q.with_facets = false;
        let results = search(&lookup, &q);
        if results.total == 0 {
            continue;
        }
        total += results.total;
        let mut missions = cards(&results, site_locale, &lookup, &tenant.taxonomy());
        for card in &mut missions {
            card.url = format!("{}{}", tenant.canonical_url(), card.url);
        }
        let search = if carried.is_empty() {
            String::new()
        } else {
            format!("?{}", encode(&carried))
        };
        countries.push(CountryResults {
            site: tenant.site_name.get(site_locale).to_owned(),
            country: tenant.country_name.get(locale).to_owned(),
            locale: site_locale.as_str(),
            total: results.total,
            missions,
            all_url: format!("{}/{site_locale}/missions{search}", tenant.canonical_url()),
        });
    }
    countries.sort_by_key(|c| std::cmp::Reverse(c.total));
    let rest = if query.is_empty() {
        "/missions".to_owned()
    } else {
        format!("/missions?{query}")
    };
    let mut ctx = page_context(state, portal, locale, &rest);
    ctx.insert("q", &params.q);
    ctx.insert("from", &params.from.map(|d| d.to_string()));
    ctx.insert("to", &params.to.map(|d| d.to_string()));
    ctx.insert(
        "remote_only",
        &(params.tab == Some(jsap_store::SearchTab::Distance)),
    );
    crate::views::insert_search_choices(&mut ctx, taxonomy, locale);
    ctx.insert("selected_domain", &params.domains.first());
    ctx.insert("selected_contribution", &params.contributions.first());
    ctx.insert("total", &total);
    ctx.insert("countries", &countries);
    ctx.insert("error_param", &error.as_ref().map(|e| e.0));
    ctx.insert("error_message", &error.as_ref().map(|e| e.1.clone()));
    let mut response = html(state, portal, "portal_search.html", &ctx)?;
    if error.is_some() {
        response.set_status(StatusCode::BAD_REQUEST);
    }
    Ok(response)
}
