//! `robots.txt` and `sitemap.xml` per tenant, with canonical-domain URLs only.

use crate::extract::CurrentTenant;
use crate::views::mission_path;
use crate::{AppError, AppState};
use jsap_store::{Cities, Missions, NewsPosts, Organisations};
use poem::http::header;
use poem::web::Data;
use poem::{Response, handler};
use std::fmt::Write;
use std::sync::Arc;

#[handler]
pub fn robots(CurrentTenant(tenant): CurrentTenant) -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(format!(
            "User-agent: *\nAllow: /\nDisallow: /api/\nSitemap: {}/sitemap.xml\n",
            tenant.canonical_url()
        ))
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[handler]
pub async fn sitemap(
    state: Data<&Arc<AppState>>,
    CurrentTenant(tenant): CurrentTenant,
) -> Result<Response, AppError> {
    let base = tenant.canonical_url();
    let mut paths: Vec<String> = vec!["/".to_owned()];
    if !tenant.is_portal() {
        let conn = state.store.conn();
        paths.push("/missions".to_owned());
        for city in Cities::for_tenant(conn, &tenant).list().await? {
            paths.push(format!("/villes/{}", city.slug));
        }
        for organisation in Organisations::for_tenant(conn, &tenant).list().await? {
            paths.push(format!("/organisations/{}", organisation.slug));
        }
        for (id, slug) in Missions::for_tenant(conn, &tenant)
            .open_slugs(tenant.today())
            .await?
        {
            // mission_path starts with the locale; keep only what follows it.
            let full = mission_path(tenant.default_locale, id, &slug);
            paths.push(full[3..].to_owned());
        }
    }
    // A news post exists in its own locale only: one entry, without alternates.
    let news = if tenant.is_portal() {
        Vec::new()
    } else {
        NewsPosts::for_tenant(state.store.conn(), &tenant)
            .published_slugs()
            .await?
    };
    if !tenant.is_portal() {
        paths.push("/actualites".to_owned());
    }
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for path in &paths {
        for locale in &tenant.locales {
            let _ = write!(
                xml,
                "<url><loc>{}</loc>",
                xml_escape(&format!("{base}/{locale}{path}"))
            );
            for alt in &tenant.locales {
                let _ = write!(
                    xml,
                    "<xhtml:link rel=\"alternate\" hreflang=\"{alt}\" href=\"{}\"/>",
                    xml_escape(&format!("{base}/{alt}{path}"))
                );
            }
            xml.push_str("</url>\n");
        }
    }
    for (locale, slug) in &news {
        let _ = writeln!(
            xml,
            "<url><loc>{}</loc></url>",
            xml_escape(&format!("{base}/{locale}/actualites/{slug}"))
        );
    }
    xml.push_str("</urlset>\n");
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, "application/xml; charset=utf-8")
        .body(xml))
}
