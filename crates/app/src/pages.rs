//! The site pages (FAQ, à propos, legal notices, contact...) as the country operators and the
//! platform staff edit them: per locale, in Markdown. The repository's text (the theme's
//! `pages/{locale}/{slug}.md`) is the default; every edit appends a version, kept with who
//! wrote it and when, and any version can be restored (a new version copying it). Each write
//! owns its transaction and leaves its entry in the journal.

use crate::audit::{self, Done};
use crate::organisations::operator_or;
use crate::{Failure, Scope};
use jsap_domain::Locale;
use jsap_domain::PageVersionId;
use jsap_store::{Account, NewPageVersion, PageVersion, PageVersions, StoreError};

/// The pages of every site, in the order the console lists them.
pub const SLUGS: [&str; 8] = [
    "a-propos",
    "comment-ca-marche",
    "faq",
    "charte",
    "conditions",
    "confidentialite",
    "mentions-legales",
    "contact",
];

/// The longest page, in characters.
pub const BODY_MAX: usize = 50_000;

/// Versions per page of the history.
pub const HISTORY_PAGE: u64 = 20;

/// Why a write was refused (nothing written then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRefusal {
    /// Only a country operator of the tenant or the platform staff edit pages.
    NotAllowed,
    /// Not one of [`SLUGS`], or a locale the tenant does not offer.
    UnknownPage,
    /// The text is empty.
    Empty,
    /// The text is longer than [`BODY_MAX`].
    TooLong,
    /// No version of this page on this tenant has this id.
    NotFound,
}

type Outcome<T> = Result<Result<T, PageRefusal>, Failure>;

/// A page as it reads now: its Markdown and the version it comes from (`None`: the default).
#[derive(Debug, Clone)]
pub struct CurrentPage {
    pub markdown: String,
    pub version: Option<PageVersion>,
}

/// The slug and locale when the page exists on the scope's tenant.
pub fn known(scope: &Scope<'_>, slug: &str, locale: &str) -> Option<(&'static str, Locale)> {
    let slug = SLUGS.iter().find(|s| **s == slug)?;
    let locale = locale
        .parse::<Locale>()
        .ok()
        .filter(|l| scope.tenant.offers(*l))?;
    Some((slug, locale))
}

/// The repository's text of a page: the tenant's theme in `locale`, else in French.
pub fn default_text(scope: &Scope<'_>, slug: &str, locale: Locale) -> String {
    let theme = &scope.tenant.theme;
    scope
        .themes
        .page(theme, locale.as_str(), slug)
        .or_else(|| scope.themes.page(theme, "fr", slug))
        .unwrap_or_default()
        .to_owned()
}

/// The page `slug` in `locale` as it reads now (slug and locale already known).
pub async fn current(
    scope: &Scope<'_>,
    slug: &str,
    locale: Locale,
) -> Result<CurrentPage, Failure> {
    let version = PageVersions::for_tenant(scope.store.conn(), scope.tenant)
        .current(slug, locale.as_str())
        .await?;
    Ok(match version.filter(|v| !v.is_default()) {
        Some(v) => CurrentPage {
            markdown: v.body_markdown.clone(),
            version: Some(v),
        },
        None => CurrentPage {
            markdown: default_text(scope, slug, locale),
            version: None,
        },
    })
}

async fn allowed(scope: &Scope<'_>, who: &Account) -> Result<Result<(), PageRefusal>, Failure> {
    if who.is_staff {
        return Ok(Ok(()));
    }
    operator_or(scope, who, PageRefusal::NotAllowed).await
}

/// The text as it is kept: Windows line ends made plain, outer blank space dropped.
pub fn normalise(body: &str) -> String {
    body.replace("\r\n", "\n").trim().to_owned()
}

/// Checks a text: [`PageRefusal::Empty`] or [`PageRefusal::TooLong`].
pub fn check_body(body: &str) -> Result<(), PageRefusal> {
    if body.is_empty() {
        Err(PageRefusal::Empty)
    } else if body.chars().count() > BODY_MAX {
        Err(PageRefusal::TooLong)
    } else {
        Ok(())
    }
}

fn author(who: &Account) -> String {
    if who.is_staff {
        format!("{} (staff)", who.email)
    } else {
        who.email.clone()
    }
}

/// Appends `body` as the new version of the page, written by `who` (`restored_from`: the
/// version it copies), and journals `action` in the same transaction.
async fn written<C: jsap_store::Connection>(
    tx: &C,
    scope: &Scope<'_>,
    who: &Account,
    (slug, locale): (&str, Locale),
    body: &str,
    restored_from: Option<i64>,
    action: &str,
) -> Result<PageVersion, Failure> {
    let label = author(who);
    let version = PageVersions::for_tenant(tx, scope.tenant)
        .append(&NewPageVersion {
            slug,
            locale: locale.as_str(),
            body_markdown: body,
            author_user_id: who.id,
            author_label: &label,
            restored_from,
            now: scope.clock.now(),
        })
        .await?;
    let target = format!("{slug} ({locale})");
    let detail = restored_from.map(|id| format!("#{id}")).unwrap_or_default();
    let done = Done {
        action,
        kind: "page",
        id: Some(version.id),
        target: &target,
        detail: &detail,
    };
    audit::record(tx, scope, Some(who), done).await?;
    Ok(version)
}

/// `who` (a country operator or staff) writes `body` as page `slug` in `locale`: the new
/// version, or `None` when the text is the page's current one (nothing written then).
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = who.id, page.slug = slug))]
pub async fn edit(
    scope: &Scope<'_>,
    who: &Account,
    slug: &str,
    locale: &str,
    body: &str,
) -> Outcome<Option<PageVersion>> {
    or_refuse!(allowed(scope, who).await?);
    let Some((slug, locale)) = known(scope, slug, locale) else {
        return Ok(Err(PageRefusal::UnknownPage));
    };
    let body = normalise(body);
    or_refuse!(check_body(&body));
    if normalise(&current(scope, slug, locale).await?.markdown) == body {
        return Ok(Ok(None));
    }
    let tx = scope.store.begin().await?;
    let version = written(&tx, scope, who, (slug, locale), &body, None, "page_edited").await?;
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(page.version = version.id, "page edited");
    Ok(Ok(Some(version)))
}

/// `who` makes version `id` of page `slug` in `locale` the page again: a new version copying
/// it, naming it in `restored_from`.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = who.id, page.version = %id))]
pub async fn restore(
    scope: &Scope<'_>,
    who: &Account,
    slug: &str,
    locale: &str,
    id: PageVersionId,
) -> Outcome<PageVersion> {
    let id = id.get();
    or_refuse!(allowed(scope, who).await?);
    let Some((slug, locale)) = known(scope, slug, locale) else {
        return Ok(Err(PageRefusal::UnknownPage));
    };
    let tx = scope.store.begin().await?;
    let versions = PageVersions::for_tenant(&tx, scope.tenant);
    let Some(old) = versions
        .by_id(id)
        .await?
        .filter(|v| v.slug == slug && v.locale == locale.as_str())
    else {
        return Ok(Err(PageRefusal::NotFound));
    };
    let restored = Some(old.id);
    let version = written(
        &tx,
        scope,
        who,
        (slug, locale),
        &old.body_markdown,
        restored,
        "page_restored",
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(version))
}

/// `who` puts page `slug` in `locale` back to the repository's text: a version with no text
/// (the default from then on, following the repository's updates), or `None` when the page
/// already reads the default (nothing written then).
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = who.id, page.slug = slug))]
pub async fn reset_to_default(
    scope: &Scope<'_>,
    who: &Account,
    slug: &str,
    locale: &str,
) -> Outcome<Option<PageVersion>> {
    or_refuse!(allowed(scope, who).await?);
    let Some((slug, locale)) = known(scope, slug, locale) else {
        return Ok(Err(PageRefusal::UnknownPage));
    };
    let tx = scope.store.begin().await?;
    let versions = PageVersions::for_tenant(&tx, scope.tenant);
    let edited = versions
        .current(slug, locale.as_str())
        .await?
        .is_some_and(|v| !v.is_default());
    if !edited {
        return Ok(Ok(None));
    }
    let version = written(&tx, scope, who, (slug, locale), "", None, "page_reset").await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(Some(version)))
}
