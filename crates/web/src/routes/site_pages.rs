//! The site pages of a country site (`/{locale}/pages/{slug}`: FAQ, à propos, legal notices,
//! contact...): the current text of the page in the page's locale (the latest edit from the
//! console, else the repository's default), Markdown rendered without raw HTML. The portal
//! has none (404).

use crate::AppError;
use crate::kit::{CountrySite, Ctx};
use crate::render::{html, page_context};
use jsap_adapters::markdown;
use jsap_app::pages;
use poem::web::Path;
use poem::{Response, handler};

pub(crate) fn page_path(locale: &str, slug: &str) -> String {
    format!("/{locale}/pages/{slug}")
}

/// The title (the first line when it is a `# ` heading) and the rest of a page's Markdown.
pub(crate) fn split_title(markdown: &str) -> (String, &str) {
    let text = markdown.trim_start();
    match text.strip_prefix("# ") {
        Some(rest) => {
            let (line, body) = rest.split_once('\n').unwrap_or((rest, ""));
            (line.trim().to_owned(), body)
        }
        None => (String::new(), text),
    }
}

/// The title and the HTML of a page's Markdown; `fallback` is the title without a heading.
pub(crate) fn rendered(markdown: &str, fallback: String) -> (String, String) {
    let (title, body) = split_title(markdown);
    let title = if title.is_empty() { fallback } else { title };
    (title, markdown::to_html(body))
}

/// `GET /{locale}/pages/{slug}`.
#[handler]
pub async fn page(
    _site: CountrySite,
    ctx: Ctx,
    Path((_, slug)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let scope = ctx.scope();
    let (slug, locale) =
        pages::known(&scope, &slug, ctx.locale.as_str()).ok_or(AppError::NotFound)?;
    let current = pages::current(&scope, slug, locale).await?;
    let (title, body_html) = rendered(&current.markdown, ctx.t(&format!("pages.name_{slug}")));
    let description = markdown::excerpt(split_title(&current.markdown).1, 200);
    let rest = format!("/pages/{slug}");
    let mut c = page_context(&ctx.state, &ctx.tenant, ctx.locale, &rest);
    c.insert("title", &title);
    c.insert("body_html", &body_html);
    c.insert("description", &description);
    html(&ctx.state, &ctx.tenant, "site_page.html", &c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_heading_is_the_title() {
        let (title, body) = split_title("\n# À propos\n\nNous **sommes**.");
        assert_eq!(title, "À propos");
        assert_eq!(body.trim(), "Nous **sommes**.");
        let (title, body) = split_title("Pas de titre.");
        assert_eq!((title.as_str(), body), ("", "Pas de titre."));
        let (title, html) = rendered("Texte", "Secours".to_owned());
        assert_eq!(title, "Secours");
        assert!(html.contains("<p>Texte</p>"));
    }
}
