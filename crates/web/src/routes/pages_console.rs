//! The country operators' console of the site pages (`/{locale}/espace/pays/pages`): every
//! page in every locale of the site with its last edit, an editor per page and locale
//! (Markdown, a preview that writes nothing, saving), and the history of its versions with
//! who wrote each and when, any older one restorable. Every write goes through
//! `jsap_app::pages`.

use crate::AppError;
use crate::kit::{
    Checked, Ctx, Errors, FormView, Pairs, field_error, one, see_other, too_long_error,
};
use crate::roles::Console;
use crate::routes::site_pages::{page_path, rendered};
use crate::views::{Pager, format_date};
use jsap_app::pages::{self, BODY_MAX, HISTORY_PAGE, PageRefusal};
use jsap_domain::Locale;
use jsap_domain::PageVersionId;
use jsap_store::PageVersions;
use poem::http::StatusCode;
use poem::web::{Path, Query};
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const CONSOLE: &str = "/espace/pays/pages";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: Option<String>,
    /// The page of the history (from 1).
    page: Option<String>,
}

/// The confirmation of each `?done=` code.
const NOTICES: [(&str, &str); 5] = [
    ("saved", "pages.done_saved"),
    ("unchanged", "pages.done_unchanged"),
    ("restored", "pages.done_restored"),
    ("reset", "pages.done_reset"),
    ("already_default", "pages.done_already_default"),
];

/// "le 3 mars 2026 à 14:05" where the tenant is.
fn when(ctx: &Ctx, at: chrono::DateTime<chrono::Utc>) -> String {
    let local = at.with_timezone(&ctx.tenant.tz());
    ctx.t("pages.when")
        .replace("%{date}", &format_date(local.date_naive(), ctx.locale))
        .replace("%{time}", &local.format("%H:%M").to_string())
}

/// One page in one locale, as a row of the console.
#[derive(Serialize)]
struct Row {
    name: String,
    locale: String,
    edit_url: String,
    public_url: String,
    /// "modifié le … par …", or `None` for the default text.
    changed: Option<String>,
}

/// `GET /{locale}/espace/pays/pages`.
#[handler]
pub async fn list(
    req: &Request,
    Console(ctx, _operator): Console,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let versions = PageVersions::for_tenant(ctx.state.store.conn(), &ctx.tenant);
    let mut rows = Vec::new();
    for slug in pages::SLUGS {
        for l in &ctx.tenant.locales {
            let current = versions.current(slug, l.as_str()).await?;
            rows.push(Row {
                name: ctx.t(&format!("pages.name_{slug}")),
                locale: l.as_str().to_owned(),
                edit_url: format!("/{}{CONSOLE}/{slug}/{l}", ctx.locale),
                public_url: page_path(l.as_str(), slug),
                changed: current.filter(|v| !v.is_default()).map(|v| {
                    ctx.t("pages.changed")
                        .replace("%{when}", &when(&ctx, v.created_at))
                        .replace("%{author}", &v.author_label)
                }),
            });
        }
    }
    let notice = crate::kit::notice(&ctx, done.done.as_deref(), &NOTICES);
    ctx.page(req, CONSOLE, "spaces/pages.html", StatusCode::OK, |c| {
        put!(c, rows, notice);
    })
}

/// A version as a row of the history.
#[derive(Serialize)]
struct VersionRow {
    id: i64,
    when: String,
    author: String,
    restored_from: Option<i64>,
    current: bool,
    /// This version put the page back to the default text.
    default: bool,
}

/// The page `slug` in `page_locale` when the site has it.
fn known(ctx: &Ctx, slug: &str, page_locale: &str) -> Result<(&'static str, Locale), AppError> {
    pages::known(&ctx.scope(), slug, page_locale).ok_or(AppError::NotFound)
}

/// The editor page: the form, the preview when asked, page `history_page` of the history.
#[allow(clippy::too_many_arguments)]
async fn editor(
    ctx: &Ctx,
    req: &Request,
    status: StatusCode,
    slug: &'static str,
    page_locale: Locale,
    form: &FormView,
    preview: Option<(String, String)>,
    notice: Option<String>,
    history_page: u64,
) -> Result<Response, AppError> {
    let offset = (history_page - 1) * HISTORY_PAGE;
    let (history, total) = PageVersions::for_tenant(ctx.state.store.conn(), &ctx.tenant)
        .history_page(slug, page_locale.as_str(), offset, HISTORY_PAGE)
        .await?;
    let pager = Pager::new(history_page, total, HISTORY_PAGE);
    if history_page > pager.pages {
        return Err(AppError::NotFound);
    }
    let rows: Vec<VersionRow> = history
        .iter()
        .enumerate()
        .map(|(i, v)| VersionRow {
            id: v.id,
            when: when(ctx, v.created_at),
            author: v.author_label.clone(),
            restored_from: v.restored_from,
            current: offset == 0 && i == 0,
            default: v.is_default(),
        })
        .collect();
    // Edited when the newest version is not a return to the default.
    let edited = offset == 0 && history.first().is_some_and(|v| !v.is_default())
        || offset > 0
            && pages::current(&ctx.scope(), slug, page_locale)
                .await?
                .version
                .is_some();
    let rest = format!("{CONSOLE}/{slug}/{page_locale}");
    let action = format!("/{}{rest}", ctx.locale);
    let link = |n: u64| format!("{action}?page={n}#history-title");
    let name = ctx.t(&format!("pages.name_{slug}"));
    ctx.page(req, &rest, "spaces/page_edit.html", status, |c| {
        put!(c, action, preview, edited, notice);
        c.insert("page_name", &name);
        c.insert("page_locale", page_locale.as_str());
        c.insert("page_dir", page_locale.dir());
        c.insert("public_url", &page_path(page_locale.as_str(), slug));
        c.insert("form", form);
        c.insert("versions", &rows);
        c.insert("page_body_max", &BODY_MAX);
        pager.insert(c, link);
    })
}

/// The page of the history asked for: 1 when absent, a 404 when not a positive number.
fn history_page(done: &Done) -> Result<u64, AppError> {
    match done.page.as_deref().map(str::trim) {
        None | Some("") => Ok(1),
        Some(n) => n
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=10_000).contains(n))
            .ok_or(AppError::NotFound),
    }
}

fn form_of(body: String, errors: Errors) -> FormView {
    let mut values = BTreeMap::new();
    values.insert("body", body);
    FormView { values, errors }
}

/// `GET /{locale}/espace/pays/pages/{slug}/{page_locale}`.
#[handler]
pub async fn edit_form(
    req: &Request,
    Console(ctx, _operator): Console,
    Path((_, slug, page_locale)): Path<(String, String, String)>,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let (slug, page_locale) = known(&ctx, &slug, &page_locale)?;
    let history_page = history_page(&done)?;
    let current = pages::current(&ctx.scope(), slug, page_locale).await?;
    let form = form_of(current.markdown, Errors::new());
    let notice = crate::kit::notice(&ctx, done.done.as_deref(), &NOTICES);
    editor(
        &ctx,
        req,
        StatusCode::OK,
        slug,
        page_locale,
        &form,
        None,
        notice,
        history_page,
    )
    .await
}

/// `POST /{locale}/espace/pays/pages/{slug}/{page_locale}`: `action=preview` shows the
/// rendered text under the form and writes nothing; otherwise the text is saved.
#[handler]
pub async fn save(
    req: &Request,
    Console(ctx, operator): Console,
    Path((_, slug, page_locale)): Path<(String, String, String)>,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let (slug, page_locale) = known(&ctx, &slug, &page_locale)?;
    let body = pages::normalise(one(&pairs, "body"));
    let mut errors = Errors::new();
    if let Err(refusal) = pages::check_body(&body) {
        errors.insert("body", body_error(&ctx, refusal));
    }
    if errors.is_empty() && one(&pairs, "action") != "preview" {
        let account = operator.user.account();
        let scope = ctx.scope();
        let done = match pages::edit(&scope, account, slug, page_locale.as_str(), &body).await? {
            Ok(Some(_)) => "saved",
            Ok(None) => "unchanged",
            Err(PageRefusal::NotAllowed) => return Err(AppError::Forbidden),
            Err(PageRefusal::UnknownPage | PageRefusal::NotFound) => {
                return Err(AppError::NotFound);
            }
            Err(refusal @ (PageRefusal::Empty | PageRefusal::TooLong)) => {
                errors.insert("body", body_error(&ctx, refusal));
                ""
            }
        };
        if errors.is_empty() {
            return Ok(see_other(format!(
                "/{}{CONSOLE}/{slug}/{page_locale}?done={done}",
                ctx.locale
            )));
        }
    }
    // Refused, or a preview: the form again, with the rendered text under it for a preview.
    let (status, preview) = if errors.is_empty() {
        let fallback = ctx.t(&format!("pages.name_{slug}"));
        (StatusCode::OK, Some(rendered(&body, fallback)))
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, None)
    };
    let form = form_of(body, errors);
    editor(
        &ctx,
        req,
        status,
        slug,
        page_locale,
        &form,
        preview,
        None,
        1,
    )
    .await
}

/// The message under the text box for a text the pages refuse.
fn body_error(ctx: &Ctx, refusal: PageRefusal) -> String {
    match refusal {
        PageRefusal::TooLong => too_long_error(ctx, "pages.body_label", BODY_MAX),
        _ => field_error(ctx, "form.err_required", "pages.body_label"),
    }
}

/// `POST /{locale}/espace/pays/pages/{slug}/{page_locale}/restaurer/{version_id}`.
#[handler]
pub async fn restore(
    Console(ctx, operator): Console,
    Path((_, slug, page_locale, id)): Path<(String, String, String, String)>,
    Checked(_pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let (slug, page_locale) = known(&ctx, &slug, &page_locale)?;
    let id: PageVersionId = id.parse().map_err(|_| AppError::NotFound)?;
    let account = operator.user.account();
    match pages::restore(&ctx.scope(), account, slug, page_locale.as_str(), id).await? {
        Ok(_) => Ok(see_other(format!(
            "/{}{CONSOLE}/{slug}/{page_locale}?done=restored",
            ctx.locale
        ))),
        Err(PageRefusal::NotAllowed) => Err(AppError::Forbidden),
        Err(_) => Err(AppError::NotFound),
    }
}

/// `POST /{locale}/espace/pays/pages/{slug}/{page_locale}/par-defaut`: the page reads the
/// repository's text again (the edited versions stay in the history).
#[handler]
pub async fn reset(
    Console(ctx, operator): Console,
    Path((_, slug, page_locale)): Path<(String, String, String)>,
    Checked(_pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let (slug, page_locale) = known(&ctx, &slug, &page_locale)?;
    let account = operator.user.account();
    let done =
        match pages::reset_to_default(&ctx.scope(), account, slug, page_locale.as_str()).await? {
            Ok(Some(_)) => "reset",
            Ok(None) => "already_default",
            Err(PageRefusal::NotAllowed) => return Err(AppError::Forbidden),
            Err(_) => return Err(AppError::NotFound),
        };
    Ok(see_other(format!(
        "/{}{CONSOLE}/{slug}/{page_locale}?done={done}",
        ctx.locale
    )))
}
