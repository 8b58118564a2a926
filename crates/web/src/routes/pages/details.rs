//! The pages of one mission, one city and one organisation.

use super::*;

#[derive(Serialize)]
pub(super) struct FocalPointView {
    name: String,
    email: String,
}

pub(super) fn focal_points(
    tenant: &Tenant,
    city_slug: &str,
    locale: Locale,
) -> Vec<FocalPointView> {
    tenant
        .focal_points
        .iter()
        .filter(|f| f.city.as_str() == city_slug)
        .map(|f| FocalPointView {
            name: f.name_in(locale).to_owned(),
            email: f.email.to_string(),
        })
        .collect()
}

pub(super) fn json_ld(value: &serde_json::Value) -> String {
    // Inside <script>, "</" could close the element: escape it.
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace("</", "<\\/")
}

#[derive(Serialize)]
pub(super) struct PhotoView {
    url: String,
    width: u32,
    height: u32,
    alt: String,
}

/// The mission's heart: saved by the signed-in member or not (a visitor gets a link to the
/// log-in page that brings them back to it), and the form's address.
#[derive(Serialize)]
pub(super) struct FavouriteView {
    signed_in: bool,
    saved: bool,
    action: String,
    login: String,
}

/// How long a rendered mission page is shared by anonymous visitors.
const MISSION_PAGE_TTL: std::time::Duration = std::time::Duration::from_secs(30);

#[handler]
pub async fn mission_page(
    req: &Request,
    page: Ctx,
    Path((_, id_slug)): Path<(String, String)>,
    Query(done): Query<crate::kit::Done>,
) -> Result<Response, AppError> {
    let (state, tenant, locale) = (&page.state, &page.tenant, page.locale);
    let id = crate::views::mission_id(&id_slug)?;
    // Anonymous visitors asking with no query (no notice to show) share rendered pages: the
    // page depends only on this key (every write to a mission, its photos, its organisation
    // or its city bumps the catalogue version; the day moves the similar open missions).
    let memo_key = match crate::session::viewer() {
        None if req.uri().query().is_none_or(str::is_empty) => Some(format!(
            "{}:{locale}:{}:{}:{id_slug}",
            tenant.code,
            state.store.catalogue(tenant).await?.version(),
            tenant.today()
        )),
        _ => None,
    };
    if let Some(key) = &memo_key
        && let Some(hit) = state.mission_pages.get(key)
    {
        return Ok(hit.response(req.headers()));
    }
    let jsap_app::missions::PublicMission { detail, photos } =
        jsap_app::missions::public_mission(&page.scope(), id, locale)
            .await?
            .ok_or(AppError::NotFound)?;
    let canonical_path = mission_path(locale, detail.mission.id, &detail.mission.slug);
    if format!("{}-{}", detail.mission.id, detail.mission.slug) != id_slug {
        return Ok(Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header(header::LOCATION, canonical_path)
            .finish());
    }
    let taxonomy = tenant.taxonomy();
    // The similar missions' catalogue also names the mission's city and organisation.
    let mut similar_query = MissionQuery::new(locale, tenant.today());
    similar_query.domains = vec![detail.mission.terms.domain.clone()];
    similar_query.per_page = 4;
    let (_, similar, lookup) = listing(state, tenant, similar_query).await?;
    let city = lookup
        .cities
        .get(&detail.mission.city_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let organisation = lookup
        .organisations
        .get(&detail.mission.organisation_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let photos: Vec<PhotoView> = photos
        .into_iter()
        .map(|p| PhotoView {
            url: crate::routes::media::photo_path(&p.blob_key),
            width: p.width,
            height: p.height,
            alt: p.alt_or(&detail.mission.title),
        })
        .collect();
    let similar: Vec<MissionCard> = similar
        .into_iter()
        .filter(|c| c.id != detail.mission.id)
        .take(3)
        .collect();

    let action = format!("{canonical_path}/favori");
    let favourite = FavouriteView {
        signed_in: page.member.is_some(),
        saved: match page.member {
            Some(member) => {
                jsap_store::Favourites::for_tenant(state.store.conn(), tenant)
                    .holds(member, detail.mission.id)
                    .await?
            }
            None => false,
        },
        login: format!(
            "/{locale}/compte/connexion?{}",
            encode(&[("next", action.clone())])
        ),
        action,
    };
    let notice = done.notice(&page, &crate::routes::favourites::NOTICES);

    let rest = format!("/missions/{id_slug}");
    let mut ctx = page_context(state, tenant, locale, &rest);
    put!(ctx, favourite, notice);
    let page_url = format!("{}{}", tenant.canonical_url(), canonical_path);
    let site_name = tenant.site_name.get(locale);
    let share_text = format!("{} — {} {}", detail.mission.title, site_name, page_url);
    let whatsapp = format!("https://wa.me/?{}", encode(&[("text", share_text)]));
    let paragraphs: Vec<&str> = detail
        .description
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let json_ld = json_ld(&serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Event",
        "name": detail.mission.title,
        "description": detail.mission.summary,
        "url": page_url,
        "startDate": detail.mission.terms.starts_on.to_string(),
        "endDate": detail.mission.terms.ends_on.to_string(),
        "eventAttendanceMode": if detail.mission.terms.remote { "https://schema.org/OnlineEventAttendanceMode" } else { "https://schema.org/OfflineEventAttendanceMode" },
        "location": {
            "@type": "Place",
            "name": city.name_in(locale),
            "address": { "@type": "PostalAddress", "addressLocality": city.name_in(locale), "addressRegion": city.region, "addressCountry": tenant.country_code },
        },
        "organizer": { "@type": "Organization", "name": organisation.profile.name },
    }));
    ctx.insert("mission", &detail);
    ctx.insert("paragraphs", &paragraphs);
    ctx.insert(
        "domain",
        &domain_label(&taxonomy, &detail.mission.terms.domain, locale),
    );
    ctx.insert(
        "mission_type",
        &mission_type_label(&taxonomy, &detail.mission.terms.mission_type, locale),
    );
    let contributions: Vec<Label> = detail
        .mission
        .terms
        .contribution_types
        .iter()
        .map(|c| contribution_label(&taxonomy, c, locale))
        .collect();
    let starts_on = format_date(detail.mission.terms.starts_on, locale);
    let ends_on = format_date(detail.mission.terms.ends_on, locale);
    ctx.insert(
        "when",
        &crate::views::when_line(&detail.mission.terms, &starts_on, &ends_on, locale),
    );
    ctx.insert("starts_on", &starts_on);
    ctx.insert("ends_on", &ends_on);
    ctx.insert("city_name", city.name_in(locale));
    ctx.insert("city_slug", &city.slug);
    ctx.insert("organisation", &organisation);
    let focal_points = focal_points(tenant, &city.slug, locale);
    // The call to action: answer the mission (a request to its organisation).
    ctx.insert("contact_url", &format!("{canonical_path}/repondre"));
    ctx.insert(
        "share_image",
        &photos
            .first()
            .map(|p| format!("{}{}", tenant.canonical_url(), p.url)),
    );
    put!(
        ctx,
        contributions,
        focal_points,
        similar,
        photos,
        page_url,
        json_ld
    );
    ctx.insert("whatsapp_url", &whatsapp);
    ctx.insert(
        "other_lang",
        &crate::views::OtherLang::of(&detail.locale, locale),
    );
    let body = state.themes.render(&tenant.theme, "mission.html", &ctx)?;
    Ok(match memo_key {
        Some(key) => state
            .mission_pages
            .put(key, &body, MISSION_PAGE_TTL)
            .response(req.headers()),
        None => html_body(body),
    })
}

/// A page's missions as cards (hearts marked for a signed-in member), how many in all, and
/// the page a card's heart comes back to.
struct Listed {
    total: u64,
    missions: Vec<MissionCard>,
    back: String,
}

impl Listed {
    async fn of(page: &Ctx, lookup: &Lookup, q: MissionQuery) -> Result<Self, AppError> {
        let (total, mut missions) = listing_in(&page.tenant, lookup, q);
        crate::routes::favourites::mark_cards(page, &mut missions).await?;
        Ok(Self {
            total,
            missions,
            back: page.here.clone(),
        })
    }

    fn put(self, ctx: &mut tera::Context) {
        let Self {
            total,
            missions,
            back,
        } = self;
        put!(ctx, total, missions, back);
    }
}

#[handler]
pub async fn city_page(
    page: Ctx,
    Path((_, slug)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (state, tenant, locale) = (&page.state, &page.tenant, page.locale);
    let lookup = lookup(state, tenant).await?;
    let city = lookup
        .cities
        .values()
        .find(|c| c.slug == slug)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let mut q = MissionQuery::new(locale, tenant.today());
    q.city_ids = vec![city.id];
    q.per_page = 12;
    let listed = Listed::of(&page, &lookup, q).await?;
    let organisations: Vec<_> = lookup
        .organisations
        .values()
        .filter(|o| o.profile.city_id == city.id && o.is_public())
        .cloned()
        .collect();
    let mut ctx = page_context(state, tenant, locale, &format!("/villes/{slug}"));
    ctx.insert("city_name", city.name_in(locale));
    ctx.insert("city", &city);
    // The operator writes the description in the site's language.
    ctx.insert("default_locale", tenant.default_locale.as_str());
    ctx.insert(
        "map_url",
        &format!(
            "https://www.openstreetmap.org/?mlat={lat:.5}&mlon={lon:.5}#map=12/{lat:.5}/{lon:.5}",
            lat = city.latitude,
            lon = city.longitude
        ),
    );
    ctx.insert("focal_points", &focal_points(tenant, &city.slug, locale));
    listed.put(&mut ctx);
    // A verified city hall is the city's own organisation: linked from the top of its page.
    let city_hall = organisations
        .iter()
        .find(|o| o.profile.kind == "mairie")
        .cloned();
    ctx.insert("city_hall", &city_hall);
    ctx.insert("organisations", &organisations);
    ctx.insert(
        "all_url",
        &search_url(locale, &[("city", city.slug.clone())]),
    );
    html(state, tenant, "city.html", &ctx)
}

#[handler]
pub async fn organisation_page(
    page: Ctx,
    Path((_, slug)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (state, tenant, locale) = (&page.state, &page.tenant, page.locale);
    let lookup = lookup(state, tenant).await?;
    let organisation = lookup
        .organisations
        .values()
        .find(|o| o.slug == slug && o.is_public())
        .cloned()
        .ok_or(AppError::NotFound)?;
    let mut q = MissionQuery::new(locale, tenant.today());
    q.organisation_ids = vec![organisation.id];
    q.per_page = 24;
    let listed = Listed::of(&page, &lookup, q).await?;
    let city = lookup.cities.get(&organisation.profile.city_id);
    let mut ctx = page_context(state, tenant, locale, &format!("/organisations/{slug}"));
    ctx.insert("organisation", &organisation);
    ctx.insert(
        "kind_label",
        &jsap_adapters::translate(
            locale.as_str(),
            &format!("org_kind.{}", organisation.profile.kind),
        ),
    );
    ctx.insert("city_name", &city.map(|c| c.name_in(locale).to_owned()));
    ctx.insert("city_slug", &city.map(|c| c.slug.clone()));
    listed.put(&mut ctx);
    let satisfaction = jsap_store::Requests::for_tenant(state.store.conn(), tenant)
        .organisation_score(organisation.id)
        .await?
        .map(|(average, count)| (format!("{average:.1}"), count));
    ctx.insert("satisfaction", &satisfaction);
    html(state, tenant, "organisation.html", &ctx)
}
