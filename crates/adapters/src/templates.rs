//! Themes: `themes/base/` holds every template and asset; `themes/<name>/` overrides any of
//! them. Each theme becomes one Tera instance (tenant override first, then base) and a set of
//! static assets served under content-hashed names.

use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("cannot read {0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("template error: {0}")]
    Tera(#[from] tera::Error),
    #[error("unknown theme {0}")]
    Unknown(String),
}

/// A static file ready to serve.
#[derive(Debug, Clone)]
pub struct Asset {
    pub body: bytes::Bytes,
    pub content_type: &'static str,
}

#[derive(Debug)]
struct Theme {
    /// Shared by the themes that override no template (most change only colours and logo).
    tera: std::sync::Arc<tera::Tera>,
    /// hashed file name -> asset
    assets: HashMap<String, Asset>,
    /// logical name (`app.css`, `logo.svg`) -> URL
    urls: BTreeMap<String, String>,
    /// `{locale}/{slug}` -> the Markdown of a site page as the repository writes it
    /// (`pages/{locale}/{slug}.md`): the default an edit from the console overrides.
    pages: HashMap<String, String>,
}

#[derive(Debug)]
pub struct Themes {
    themes: HashMap<String, Theme>,
}

/// Translates `key` for `locale` from `locales/*.yml`; a missing key falls back to French.
pub fn translate(locale: &str, key: &str) -> String {
    rust_i18n::t!(key, locale = locale).into_owned()
}

fn read_tree(
    root: &Path,
    dir: &Path,
    out: &mut BTreeMap<String, Vec<u8>>,
) -> Result<(), ThemeError> {
    let entries = std::fs::read_dir(dir).map_err(|e| ThemeError::Io(dir.to_owned(), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| ThemeError::Io(dir.to_owned(), e))?;
        let path = entry.path();
        if path.is_dir() {
            read_tree(root, &path, out)?;
        } else {
            let name = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let body = std::fs::read(&path).map_err(|e| ThemeError::Io(path.clone(), e))?;
            out.insert(name, body);
        }
    }
    Ok(())
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// The `t(key=..., lang=...)` template function; other arguments fill `%{name}` placeholders.
fn tera_translate(args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let key = args
        .get("key")
        .and_then(|v| v.as_str())
        .ok_or_else(|| tera::Error::msg("t() needs key=\"...\""))?;
    let lang = args.get("lang").and_then(|v| v.as_str()).unwrap_or("fr");
    let text = rust_i18n::t!(key, locale = lang);
    Ok(tera::Value::String(fill(&text, |name| {
        args.get(name)
            .filter(|_| name != "key" && name != "lang")
            .map(value_text)
    })))
}

/// A template value as placeholder text: a string as it is, anything else as JSON writes it.
fn value_text(value: &tera::Value) -> Cow<'_, str> {
    match value {
        tera::Value::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_string()),
    }
}

/// Translates `key` for `locale` and fills its `%{name}` placeholders from `args`, as the
/// templates' `t(key=..., lang=..., name=value)` does: for labels a handler works out once
/// instead of each template call doing it again.
pub fn translate_with(locale: &str, key: &str, args: &[(&str, &str)]) -> String {
    let text = rust_i18n::t!(key, locale = locale);
    fill(&text, |name| {
        args.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| Cow::Borrowed(*v))
    })
}

/// `text` with each `%{name}` replaced by the value `arg` gives for `name`, in one pass: a
/// value is not searched for names in turn. A name without a value stays as written.
fn fill<'a>(text: &str, arg: impl Fn(&str) -> Option<Cow<'a, str>>) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(at) = rest.find("%{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let value = after
            .find('}')
            .and_then(|end| arg(&after[..end]).map(|v| (end, v)));
        match value {
            Some((end, v)) => {
                out.push_str(&v);
                rest = &after[end + 1..];
            }
            None => {
                out.push_str("%{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// HTML escaping for text and attribute values. Unlike Tera's default it leaves `/` alone, so
/// URLs stay readable; quotes are escaped, so attribute values cannot be broken out of. The
/// characters escaped are ASCII: the text between them is copied a run at a time.
fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    let mut start = 0;
    for (i, b) in input.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            _ => continue,
        };
        out.push_str(&input[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&input[start..]);
    out
}

impl Themes {
    /// Loads `dir/base` and every other folder of `dir` as an override of it.
    pub fn load(dir: &Path) -> Result<Self, ThemeError> {
        let base_dir = dir.join("base");
        let mut base = BTreeMap::new();
        read_tree(&base_dir, &base_dir, &mut base)?;
        let mut names = vec!["base".to_owned()];
        let entries = std::fs::read_dir(dir).map_err(|e| ThemeError::Io(dir.to_owned(), e))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.path().is_dir() && name != "base" && !name.starts_with('.') {
                names.push(name);
            }
        }
        let mut themes = HashMap::new();
        let base_theme = Self::build("base", base.clone(), None)?;
        let base_tera = base_theme.tera.clone();
        themes.insert("base".to_owned(), base_theme);
        for name in names.into_iter().filter(|n| n != "base") {
            let own_dir = dir.join(&name);
            let mut own = BTreeMap::new();
            read_tree(&own_dir, &own_dir, &mut own)?;
            // Parsed templates take memory and start-up time: a theme that overrides none
            // shares the base's.
            let overrides_templates = own
                .keys()
                .any(|p| p.starts_with("templates/") || p.starts_with("emails/"));
            let mut files = base.clone();
            files.extend(own);
            let shared = (!overrides_templates).then(|| base_tera.clone());
            themes.insert(name.clone(), Self::build(&name, files, shared)?);
        }
        Ok(Self { themes })
    }

    fn build(
        name: &str,
        files: BTreeMap<String, Vec<u8>>,
        shared: Option<std::sync::Arc<tera::Tera>>,
    ) -> Result<Theme, ThemeError> {
        let mut templates = Vec::new();
        let mut assets = HashMap::new();
        let mut urls = BTreeMap::new();
        let mut pages = HashMap::new();
        // The theme's `theme.css` is appended to the base `app.css`: one stylesheet per page.
        let mut css = files.get("static/app.css").cloned().unwrap_or_default();
        if let Some(extra) = files.get("static/theme.css") {
            css.push(b'\n');
            css.extend_from_slice(extra);
        }
        for (path, body) in &files {
            if let Some(template) = path.strip_prefix("templates/") {
                templates.push((
                    template.to_owned(),
                    String::from_utf8_lossy(body).into_owned(),
                ));
            } else if let Some(page) = path
                .strip_prefix("pages/")
                .and_then(|p| p.strip_suffix(".md"))
            {
                pages.insert(page.to_owned(), String::from_utf8_lossy(body).into_owned());
            } else if path.starts_with("emails/") {
                templates.push((path.clone(), String::from_utf8_lossy(body).into_owned()));
            } else if let Some(file) = path.strip_prefix("static/") {
                if file == "theme.css" {
                    continue;
                }
                let body = if file == "app.css" {
                    css.clone()
                } else {
                    body.clone()
                };
                let hash = &hex::encode(Sha256::digest(&body))[..10];
                let hashed = match file.rsplit_once('.') {
                    Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
                    None => format!("{file}.{hash}"),
                };
                urls.insert(file.to_owned(), format!("/assets/{name}/{hashed}"));
                assets.insert(
                    hashed,
                    Asset {
                        body: bytes::Bytes::from(body),
                        content_type: content_type(file),
                    },
                );
            }
        }
        let tera = match shared {
            Some(tera) => tera,
            None => {
                let mut tera = tera::Tera::default();
                tera.autoescape_on(vec![".html", ".xml"]);
                tera.set_escape_fn(escape_html);
                tera.add_raw_templates(templates)?;
                tera.register_function("t", tera_translate);
                std::sync::Arc::new(tera)
            }
        };
        Ok(Theme {
            tera,
            assets,
            urls,
            pages,
        })
    }

    fn theme(&self, name: &str) -> Result<&Theme, ThemeError> {
        self.themes
            .get(name)
            .or_else(|| self.themes.get("base"))
            .ok_or_else(|| ThemeError::Unknown(name.to_owned()))
    }

    pub fn has(&self, name: &str) -> bool {
        self.themes.contains_key(name)
    }

    pub fn render(
        &self,
        theme: &str,
        template: &str,
        context: &tera::Context,
    ) -> Result<String, ThemeError> {
        Ok(self.theme(theme)?.tera.render(template, context)?)
    }

    /// Logical asset name -> hashed URL, for templates.
    pub fn asset_urls(&self, theme: &str) -> BTreeMap<String, String> {
        self.theme(theme)
            .map(|t| t.urls.clone())
            .unwrap_or_default()
    }

    /// The repository's Markdown of site page `slug` in `locale` (`pages/{locale}/{slug}.md`
    /// of the theme, else of base), `None` when there is no such file.
    pub fn page(&self, theme: &str, locale: &str, slug: &str) -> Option<&str> {
        self.theme(theme)
            .ok()?
            .pages
            .get(&format!("{locale}/{slug}"))
            .map(String::as_str)
    }

    pub fn asset(&self, theme: &str, hashed_name: &str) -> Option<Asset> {
        self.themes.get(theme)?.assets.get(hashed_name).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locales_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../locales")
    }

    fn flatten(prefix: &str, value: &serde_yaml::Value, out: &mut Vec<String>) {
        if let serde_yaml::Value::Mapping(map) = value {
            for (k, v) in map {
                let key = k.as_str().unwrap_or_default();
                if key.starts_with('_') {
                    continue;
                }
                let full = if prefix.is_empty() {
                    key.to_owned()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&full, v, out);
            }
        } else {
            out.push(prefix.to_owned());
        }
    }

    fn keys(locale: &str) -> Vec<String> {
        let text = std::fs::read_to_string(locales_dir().join(format!("{locale}.yml")))
            .expect("locale file");
        let value: serde_yaml::Value = serde_yaml::from_str(&text).expect("valid yaml");
        let mut out = Vec::new();
        flatten("", &value, &mut out);
        out.sort();
        out
    }

    #[test]
    fn every_key_exists_in_every_locale_file() {
        let fr = keys("fr");
        assert!(fr.len() > 10, "fr.yml looks empty");
        for other in ["en", "ar"] {
            let theirs = keys(other);
            let missing: Vec<_> = fr.iter().filter(|k| !theirs.contains(k)).collect();
            let extra: Vec<_> = theirs.iter().filter(|k| !fr.contains(k)).collect();
            assert!(missing.is_empty(), "{other}.yml lacks {missing:?}");
            assert!(
                extra.is_empty(),
                "{other}.yml has keys fr.yml lacks: {extra:?}"
            );
        }
    }

    #[test]
    fn translation_is_per_call_not_global() {
        assert_eq!(translate("fr", "nav.home"), "Accueil");
        assert_eq!(translate("en", "nav.home"), "Home");
        assert_eq!(translate("fr", "nav.home"), "Accueil");
    }

    #[test]
    fn project_themes_load_and_tenant_overrides_win() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../themes");
        let themes = Themes::load(&dir).expect("themes load");
        let base_css = themes.asset_urls("base")["app.css"].clone();
        let cm_css = themes.asset_urls("cm")["app.css"].clone();
        assert_ne!(base_css, cm_css, "cm adds its colours to the stylesheet");
        let cm_logo = themes.asset_urls("cm")["logo.svg"].clone();
        let base_logo = themes.asset_urls("base")["logo.svg"].clone();
        assert_ne!(cm_logo, base_logo, "cm has its own logo");
        let hashed = cm_css.rsplit('/').next().expect("file name");
        let css = themes.asset("cm", hashed).expect("served");
        assert!(
            std::str::from_utf8(&css.body)
                .expect("utf8")
                .contains("--brand")
        );
        // The site pages' defaults are read with the templates.
        let about = themes
            .page("cm", "fr", "a-propos")
            .expect("a-propos in French");
        assert!(about.starts_with("# "), "a title first");
        assert!(themes.page("base", "ar", "conditions").is_some());
        assert!(themes.page("base", "fr", "nope").is_none());
        // An unknown theme name falls back to base rather than failing the page.
        assert_eq!(themes.asset_urls("nope")["app.css"], base_css);
    }

    #[test]
    fn a_theme_overrides_any_template_and_inherits_the_rest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |path: &str, text: &str| {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(full, text).expect("write");
        };
        write("base/templates/page.html", "base page {{ x }}");
        write("base/templates/other.html", "base other");
        write("base/static/app.css", "body{}");
        write("xx/templates/page.html", "xx page {{ x }}");
        let themes = Themes::load(dir.path()).expect("load");
        let mut ctx = tera::Context::new();
        ctx.insert("x", "<b>");
        assert_eq!(
            themes.render("xx", "page.html", &ctx).expect("render"),
            "xx page &lt;b&gt;"
        );
        assert_eq!(
            themes.render("xx", "other.html", &ctx).expect("render"),
            "base other"
        );
        assert_eq!(
            themes.render("base", "page.html", &ctx).expect("render"),
            "base page &lt;b&gt;"
        );
        assert!(themes.render("xx", "missing.html", &ctx).is_err());
    }

    #[test]
    fn escaping_neutralises_markup_and_quotes_but_keeps_urls() {
        assert_eq!(
            escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"
        );
        assert_eq!(
            escape_html("https://jesuisaucameroun.com/fr/"),
            "https://jesuisaucameroun.com/fr/"
        );
        assert_eq!(
            escape_html("École « d'été » — مدرسة & <b>"),
            "École « d&#x27;été » — مدرسة &amp; &lt;b&gt;"
        );
        assert_eq!(escape_html(""), "");
        assert_eq!(escape_html("\"\""), "&quot;&quot;");
    }

    #[test]
    fn placeholders_are_filled_once_each_from_their_own_value() {
        let args: HashMap<String, tera::Value> = HashMap::from([
            ("from".to_owned(), tera::Value::from("2 déc. %{to}")),
            ("to".to_owned(), tera::Value::from("5 déc.")),
            ("count".to_owned(), tera::Value::from(14)),
        ]);
        let arg = |name: &str| args.get(name).map(value_text);
        assert_eq!(
            fill("Du %{from} au %{to}, %{count} missions", arg),
            "Du 2 déc. %{to} au 5 déc., 14 missions",
            "a value is not searched for names"
        );
        assert_eq!(
            fill("%{absent} et %{to}%{to} %{ 100 % {", arg),
            "%{absent} et 5 déc.5 déc. %{ 100 % {"
        );
        assert_eq!(fill("", arg), "");
    }

    #[test]
    fn templates_translate_with_arguments() {
        let mut tera = tera::Tera::default();
        tera.register_function("t", tera_translate);
        tera.add_raw_template("x", "{{ t(key='home.cities_count', lang='fr', count=14) }}")
            .expect("template");
        let out = tera.render("x", &tera::Context::new()).expect("render");
        assert!(out.contains("14"), "{out}");
    }

    /// A handler's label is the template's: same text, same placeholders filled, and a
    /// missing key falls back to French.
    #[test]
    fn handlers_translate_like_templates() {
        let mut tera = tera::Tera::default();
        tera.register_function("t", tera_translate);
        tera.add_raw_template(
            "x",
            "{{ t(key='card.dates', lang='en', from='2 Dec', to='5 Dec') }}",
        )
        .expect("template");
        let templated = tera.render("x", &tera::Context::new()).expect("render");
        let handled = translate_with("en", "card.dates", &[("from", "2 Dec"), ("to", "5 Dec")]);
        assert_eq!(handled, templated);
        assert_eq!(handled, "From 2 Dec to 5 Dec");
        assert_eq!(
            translate_with("fr", "card.by", &[("org", "Mairie de Douala")]),
            "Par Mairie de Douala"
        );
        assert_eq!(
            translate_with("ar", "card.remote", &[]),
            translate("ar", "card.remote")
        );
    }
}
