//! Markdown written by people (news posts, later the editable pages) turned into HTML that is
//! safe to put in a page as it is:
//!
//! - raw HTML in the source (a block or inline) is shown as text, escaped, never passed on;
//! - links and images keep only `http`, `https`, `mailto` or relative URLs: any other scheme
//!   (`javascript:`, `data:`, `vbscript:`...) loses its link (the link's text stays, an
//!   image's alternative text stays as text);
//! - headings go one level down (`#` becomes `<h2>`), so the page's own title stays its only
//!   `<h1>`.
//!
//! CommonMark only (no tables, footnotes or heading attributes), plus ~~strikethrough~~.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// `source` as safe HTML (see the module's rules).
pub fn to_html(source: &str) -> String {
    let mut out = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut out, SafeEvents::new(parser(source)));
    out
}

/// The text of `source` without its markup, on one line, cut to `max` characters at a word
/// (with "…" when cut): the excerpt of a card or a page's description.
pub fn excerpt(source: &str, max: usize) -> String {
    let mut text = String::new();
    for event in parser(source) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                text.push_str(&t)
            }
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::HtmlBlock,
            ) => text.push(' '),
            _ => {}
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut cut = String::new();
    for word in words {
        let extra = usize::from(!cut.is_empty()) + word.chars().count();
        if cut.chars().count() + extra > max {
            cut.push('…');
            return cut;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(word);
    }
    cut
}

fn parser(source: &str) -> Parser<'_> {
    Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH)
}

/// Whether a link or image may point at `url`: `http`, `https`, `mailto` or relative (no
/// scheme). Whitespace and control characters, which browsers drop before reading a scheme
/// (`java\tscript:`), make any URL refused.
pub fn safe_url(url: &str) -> bool {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    match url.find([':', '/', '?', '#']) {
        Some(at) if url[at..].starts_with(':') => {
            let scheme = &url[..at];
            ["http", "https", "mailto"]
                .iter()
                .any(|s| s.eq_ignore_ascii_case(scheme))
        }
        // No scheme: a path, a query or a fragment of this site.
        _ => true,
    }
}

fn demoted(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        HeadingLevel::H5 | HeadingLevel::H6 => HeadingLevel::H6,
    }
}

/// The parser's events with the module's rules applied.
struct SafeEvents<I> {
    inner: I,
    /// For each open link or image: whether its start was kept (its end is kept likewise).
    links: Vec<bool>,
}

impl<'a, I: Iterator<Item = Event<'a>>> SafeEvents<I> {
    fn new(inner: I) -> Self {
        Self {
            inner,
            links: Vec::new(),
        }
    }

    /// The event to emit for `event`, or `None` to drop it.
    fn filter(&mut self, event: Event<'a>) -> Option<Event<'a>> {
        Some(match event {
            // Raw HTML is text: an HTML block becomes a paragraph of its escaped source.
            Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
            Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
            Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
            Event::Start(Tag::Heading { level, .. }) => Event::Start(Tag::Heading {
                level: demoted(level),
                id: None,
                classes: Vec::new(),
                attrs: Vec::new(),
            }),
            Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demoted(level))),
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                let keep = match &tag {
                    Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                        safe_url(dest_url.trim())
                    }
                    _ => false,
                };
                self.links.push(keep);
                if !keep {
                    return None;
                }
                Event::Start(tag)
            }
            Event::End(end @ (TagEnd::Link | TagEnd::Image)) => {
                if !self.links.pop().unwrap_or(false) {
                    return None;
                }
                Event::End(end)
            }
            other => other,
        })
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for SafeEvents<I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            let event = self.inner.next()?;
            if let Some(kept) = self.filter(event) {
                return Some(kept);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_markdown_renders() {
        let html = to_html("Un **grand** merci, *vraiment*.\n\n- un\n- deux\n");
        assert!(html.contains("<strong>grand</strong>"), "{html}");
        assert!(html.contains("<em>vraiment</em>"), "{html}");
        assert!(html.contains("<ul>\n<li>un</li>"), "{html}");
    }

    #[test]
    fn raw_html_is_escaped_not_passed_through() {
        let html = to_html(
            "<script>alert(1)</script>\n\nTexte <img src=x onerror=alert(2)> et <b>gras</b>.\n\n<div onclick=\"x()\">bloc</div>\n",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("&lt;b&gt;gras&lt;/b&gt;"), "{html}");
    }

    #[test]
    fn links_keep_only_safe_schemes() {
        let html = to_html(
            "[a](https://example.org/x) [b](http://example.org) [c](mailto:x@example.org) \
             [d](/fr/missions?q=ecole) [e](#haut) [f](page-voisine)",
        );
        for href in [
            "https://example.org/x",
            "http://example.org",
            "mailto:x@example.org",
            "/fr/missions?q=ecole",
            "#haut",
            "page-voisine",
        ] {
            assert!(html.contains(&format!("href=\"{href}\"")), "{href}: {html}");
        }
        let html = to_html(
            "[x](javascript:alert(1)) [y](JavaScript:alert(2)) [z](data:text/html,hi) \
             [w](java&#x09;script:alert(3)) [v](javascript&#58;alert(4)) <javascript:alert(5)> \
             [u](vbscript:msgbox)",
        );
        assert!(!html.contains("href"), "{html}");
        assert!(!html.to_lowercase().contains("href=\"javascript"), "{html}");
        assert!(
            html.contains('x') && html.contains('y'),
            "the text stays: {html}"
        );
    }

    #[test]
    fn images_keep_only_safe_sources() {
        let html = to_html("![Une école](https://example.org/ecole.jpg)");
        assert!(
            html.contains("<img src=\"https://example.org/ecole.jpg\" alt=\"Une école\""),
            "{html}"
        );
        let html = to_html("![piège](javascript:alert(1)) ![data](data:image/svg+xml,<svg>)");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("piège"), "the alternative text stays: {html}");
    }

    #[test]
    fn headings_are_demoted_below_the_page_title() {
        let html = to_html("# Titre\n\n## Partie\n\n###### Fin\n");
        assert!(!html.contains("<h1"), "{html}");
        assert!(html.contains("<h2>Titre</h2>"), "{html}");
        assert!(html.contains("<h3>Partie</h3>"), "{html}");
        assert!(html.contains("<h6>Fin</h6>"), "{html}");
        let setext = to_html("Titre\n=====\n");
        assert!(setext.contains("<h2>Titre</h2>"), "{setext}");
    }

    #[test]
    fn urls_are_judged_by_their_scheme() {
        assert!(safe_url("https://example.org"));
        assert!(safe_url("HTTP://example.org"));
        assert!(safe_url("mailto:a@b.c"));
        assert!(safe_url("/fr/actualites"));
        assert!(safe_url("?page=2"));
        assert!(safe_url("a/b:c"));
        assert!(!safe_url("javascript:alert(1)"));
        assert!(!safe_url("java\tscript:alert(1)"));
        assert!(!safe_url("data:text/html,x"));
        assert!(!safe_url("ftp://example.org"));
    }

    #[test]
    fn excerpts_are_plain_text_cut_at_a_word() {
        let text = excerpt(
            "# Titre\n\nUn **grand** merci à [tous](https://x.org).\n",
            200,
        );
        assert_eq!(text, "Titre Un grand merci à tous.");
        let cut = excerpt("un deux trois quatre", 10);
        assert_eq!(cut, "un deux…");
    }
}
