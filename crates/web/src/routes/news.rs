//! The public news of a country site: `/{locale}/actualites` (the posts published in that
//! locale, newest first, paginated) and `/{locale}/actualites/{slug}` (one post, with its
//! OpenGraph tags and a JSON-LD `NewsArticle`). The home page shows the latest three.

use crate::AppError;
use crate::kit::{CountrySite, Ctx};
use crate::render::{html, page_context};
use crate::routes::media::photo_path;
use crate::views::{Pager, format_date};
use jsap_adapters::images::CARD_BOX;
use jsap_adapters::markdown;
use jsap_store::{NEWS_PER_PAGE, NewsPost, NewsPosts};
use jsap_tenancy::Tenant;
use poem::web::{Path, Query};
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};

/// The longest excerpt of a card, in characters.
const EXCERPT_MAX: usize = 220;

/// A post as a card of a list (public list, home page).
#[derive(Serialize)]
pub(crate) struct NewsCard {
    title: String,
    url: String,
    date: String,
    /// `YYYY-MM-DD`, for `<time datetime>`.
    iso_date: String,
    excerpt: String,
    photo: Option<PhotoView>,
}

#[derive(Serialize)]
struct PhotoView {
    url: String,
    alt: String,
    width: u32,
    height: u32,
}

/// The size of the card variant, as `images::photo` made it from the page variant.
fn card_size(width: u32, height: u32) -> (u32, u32) {
    if width <= CARD_BOX.0 && height <= CARD_BOX.1 || width == 0 || height == 0 {
        return (width, height);
    }
    let scale = f64::min(
        f64::from(CARD_BOX.0) / f64::from(width),
        f64::from(CARD_BOX.1) / f64::from(height),
    );
    (
        (f64::from(width) * scale).round() as u32,
        (f64::from(height) * scale).round() as u32,
    )
}

pub(crate) fn post_path(locale: &str, slug: &str) -> String {
    format!("/{locale}/actualites/{slug}")
}

fn published_date(tenant: &Tenant, post: &NewsPost) -> chrono::NaiveDate {
    tenant.local_date(post.published_at.unwrap_or(post.created_at))
}

pub(crate) fn card(ctx: &Ctx, post: &NewsPost) -> NewsCard {
    let day = published_date(&ctx.tenant, post);
    NewsCard {
        title: post.title.clone(),
        url: post_path(&post.locale, &post.slug),
        date: format_date(day, ctx.locale),
        iso_date: day.to_string(),
        excerpt: markdown::excerpt(&post.body_markdown, EXCERPT_MAX),
        photo: post.photo.as_ref().map(|p| {
            let (width, height) = card_size(p.width, p.height);
            PhotoView {
                url: photo_path(&p.card_key),
                alt: p.alt.clone(),
                width,
                height,
            }
        }),
    }
}

/// The latest `n` posts published in the page's locale, as cards (the home page).
pub(crate) async fn latest(ctx: &Ctx, n: u64) -> Result<Vec<NewsCard>, AppError> {
    let found = NewsPosts::for_tenant(ctx.state.store.conn(), &ctx.tenant)
        .published(ctx.locale.as_str(), 1, n)
        .await?;
    Ok(found.posts.iter().map(|p| card(ctx, p)).collect())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    page: Option<String>,
}

/// `GET /{locale}/actualites`: the posts published in this locale, newest first.
#[handler]
pub async fn list(
    req: &Request,
    _site: CountrySite,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    let page = match params.page.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some(raw) => match raw.parse::<u64>() {
            Ok(n) if (1..=10_000).contains(&n) => n,
            _ => return ctx.bad_request(req, &ctx.t("request.err_page")),
        },
    };
    let found = NewsPosts::for_tenant(ctx.state.store.conn(), &ctx.tenant)
        .published(ctx.locale.as_str(), page, NEWS_PER_PAGE)
        .await?;
    let cards: Vec<NewsCard> = found.posts.iter().map(|p| card(&ctx, p)).collect();
    let link = |n: u64| format!("/{}/actualites?page={n}", ctx.locale);
    let rest = if page > 1 {
        format!("/actualites?page={page}")
    } else {
        "/actualites".to_owned()
    };
    let mut c = page_context(&ctx.state, &ctx.tenant, ctx.locale, &rest);
    c.insert("posts", &cards);
    Pager::new(page, found.total, NEWS_PER_PAGE).insert(&mut c, link);
    html(&ctx.state, &ctx.tenant, "news/list.html", &c)
}

/// JSON for a `<script type="application/ld+json">`: `<`, `>` and `&` (only ever inside
/// strings) are written as `\u` escapes, so no text can close the element or open a comment
/// in it; the JSON means the same.
pub(crate) fn json_ld(value: &serde_json::Value) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// `GET /{locale}/actualites/{slug}`: one published post. Shown under any locale of the site
/// (the article keeps its own language); its canonical address is in its own locale.
#[handler]
pub async fn post_page(
    _site: CountrySite,
    ctx: Ctx,
    Path((_, slug)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let tenant = &ctx.tenant;
    let post = NewsPosts::for_tenant(ctx.state.store.conn(), tenant)
        .published_by_slug(&slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let base = tenant.canonical_url();
    let page_url = format!("{base}{}", post_path(&post.locale, &post.slug));
    let day = published_date(tenant, &post);
    let description = markdown::excerpt(&post.body_markdown, 200);
    let share_image = post
        .photo
        .as_ref()
        .map(|p| format!("{base}{}", photo_path(&p.key)));
    let site_name = tenant.site_name.get(ctx.locale);
    let published = post.published_at.unwrap_or(post.created_at).to_rfc3339();
    let mut article = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": post.title,
        "description": description,
        "inLanguage": post.locale,
        "datePublished": published,
        "dateModified": post.updated_at.to_rfc3339(),
        "url": page_url,
        "mainEntityOfPage": page_url,
        "publisher": { "@type": "Organization", "name": site_name, "url": base },
    });
    if let Some(image) = &share_image {
        article["image"] = serde_json::json!([image]);
    }
    let rest = format!("/actualites/{}", post.slug);
    let mut c = page_context(&ctx.state, tenant, ctx.locale, &rest);
    c.insert("canonical_url", &page_url);
    c.insert("post", &post);
    c.insert("body_html", &markdown::to_html(&post.body_markdown));
    c.insert("description", &description);
    c.insert("date", &format_date(day, ctx.locale));
    c.insert("iso_date", &day.to_string());
    c.insert("published_time", &published);
    c.insert("page_url", &page_url);
    c.insert("share_image", &share_image);
    c.insert(
        "photo",
        &post.photo.as_ref().map(|p| PhotoView {
            url: photo_path(&p.key),
            alt: p.alt.clone(),
            width: p.width,
            height: p.height,
        }),
    );
    c.insert(
        "other_lang",
        &(post.locale != ctx.locale.as_str()).then(|| {
            let dir = if post.locale == "ar" { "rtl" } else { "ltr" };
            [post.locale.clone(), dir.to_owned()]
        }),
    );
    c.insert("json_ld", &json_ld(&article));
    html(&ctx.state, tenant, "news/post.html", &c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_sizes_follow_the_card_box() {
        assert_eq!(card_size(600, 300), (600, 300));
        assert_eq!(card_size(1600, 1200), (640, 480));
        assert_eq!(card_size(1600, 400), (640, 160));
        assert_eq!(card_size(0, 0), (0, 0));
    }

    #[test]
    fn json_ld_cannot_close_its_script() {
        let text = json_ld(&serde_json::json!({ "headline": "</script><script>alert(1)" }));
        assert!(!text.contains('<') && !text.contains('>'), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back["headline"], "</script><script>alert(1)");
    }
}
