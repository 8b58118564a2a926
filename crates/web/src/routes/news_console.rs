//! The country operators' news console (`/{locale}/espace/pays/actualites`): every post with
//! its state, a form to write one (title, language among the site's, Markdown body,
//! published or draft), the same form to edit it, its photo, and deletion after a
//! confirmation page. Every write goes through `jsap_app::news`.

use crate::AppError;
use crate::kit::PathId;
use crate::kit::{Checked, Ctx, Done, Errors, FormView, Pairs, one, see_other};
use crate::kit::{field_error, text_field, too_long_error};
use crate::roles::{Console, ConsoleRow, PathRow};
use crate::routes::media::photo_path;
use crate::routes::news::post_path;
use crate::views::{Choice, format_date};
use jsap_adapters::images::ImageError;
use jsap_app::news::{self, NewsDraft, NewsRefusal};
use jsap_domain::Locale;
use jsap_domain::NewsPostId;
use jsap_store::{NewsPost, NewsPosts};
use poem::http::StatusCode;
use poem::web::Query;
use poem::{Request, Response, handler};
use serde::Serialize;
use std::collections::BTreeMap;

pub const NEWS_TITLE_MAX: usize = 150;
pub const NEWS_BODY_MAX: usize = 20_000;
pub const PHOTO_ALT_MAX: usize = 200;
const FIELDS: [&str; 4] = ["title", "locale", "body", "published"];
const CONSOLE: &str = "/espace/pays/actualites";

/// The confirmation of each `?done=` code.
const NOTICES: [(&str, &str); 6] = [
    ("created", "news.done_created"),
    ("published", "news.done_published"),
    ("unpublished", "news.done_unpublished"),
    ("saved", "news.done_saved"),
    ("photo", "news.done_photo"),
    ("deleted", "news.done_deleted"),
];

/// A post as a row of the console's list.
#[derive(Serialize)]
struct Row {
    id: i64,
    title: String,
    locale: String,
    published: bool,
    /// The publication day, or the day of the last change of a draft.
    date: String,
    url: String,
}

/// The home page is cached for a short time: a change of the news shows at once.
fn forget_home(ctx: &Ctx) {
    crate::routes::public::forget_home_pages(&ctx.state, &ctx.tenant);
}

/// The post `id` of the tenant, drafts included (404 when it has none).
async fn find(ctx: &Ctx, id: NewsPostId) -> Result<NewsPost, AppError> {
    NewsPosts::for_tenant(ctx.state.store.conn(), &ctx.tenant)
        .by_id(id.get())
        .await?
        .ok_or(AppError::NotFound)
}

/// The post of the path's `:id`. The forms' handlers read it after the CSRF check instead
/// (a refused form says so first, whatever its address).
impl PathRow for NewsPost {
    async fn read(ctx: &Ctx, req: &Request) -> Result<Self, AppError> {
        let id: NewsPostId = req
            .raw_path_param("id")
            .and_then(|raw| raw.parse().ok())
            .ok_or(AppError::NotFound)?;
        find(ctx, id).await
    }
}

/// The console and the post of the path.
type OperatorPost = ConsoleRow<NewsPost>;

/// `GET /{locale}/espace/pays/actualites`: every post, drafts included.
#[handler]
pub async fn list(
    req: &Request,
    Console(ctx, _operator): Console,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let posts = NewsPosts::for_tenant(ctx.state.store.conn(), &ctx.tenant)
        .all()
        .await?;
    let rows: Vec<Row> = posts
        .iter()
        .map(|p| Row {
            id: p.id,
            title: p.title.clone(),
            locale: p.locale.clone(),
            published: p.published_at.is_some(),
            date: format_date(
                ctx.tenant
                    .local_date(p.published_at.unwrap_or(p.updated_at)),
                ctx.locale,
            ),
            url: post_path(&p.locale, &p.slug),
        })
        .collect();
    let notice = done.notice(&ctx, &NOTICES);
    ctx.page(req, CONSOLE, "spaces/news.html", StatusCode::OK, |c| {
        c.insert("rows", &rows);
        c.insert("notice", &notice);
    })
}

/// The form page: a new post (`post` is `None`) or an existing one, with its photo form.
async fn form_page(
    ctx: &Ctx,
    req: &Request,
    status: StatusCode,
    post: Option<&NewsPost>,
    form: &FormView,
    photo_form: &FormView,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let chosen = form
        .values
        .get("locale")
        .cloned()
        .unwrap_or_else(|| ctx.locale.as_str().to_owned());
    let locales: Vec<Choice> = ctx
        .tenant
        .locales
        .iter()
        .map(|l| Choice {
            value: l.as_str().to_owned(),
            label: ctx.t(&format!("lang.{l}")),
            checked: l.as_str() == chosen,
        })
        .collect();
    let rest = match post {
        Some(p) => format!("{CONSOLE}/{}", p.id),
        None => format!("{CONSOLE}/nouvelle"),
    };
    let photo = post
        .and_then(|p| p.photo.as_ref())
        .map(|p| serde_json::json!({ "url": photo_path(&p.card_key), "alt": p.alt }));
    let public_url = post
        .filter(|p| p.published_at.is_some())
        .map(|p| post_path(&p.locale, &p.slug));
    let published_on = post
        .and_then(|p| p.published_at)
        .map(|at| format_date(ctx.tenant.local_date(at), ctx.locale));
    ctx.page(req, &rest, "spaces/news_edit.html", status, |c| {
        c.insert("post_id", &post.map(|p| p.id));
        c.insert("post_title", &post.map(|p| p.title.clone()));
        c.insert("form", form);
        c.insert("photo_form", photo_form);
        c.insert("locales", &locales);
        c.insert("photo", &photo);
        c.insert("public_url", &public_url);
        c.insert("published_on", &published_on);
        c.insert("notice", &notice);
        c.insert("news_title_max", &NEWS_TITLE_MAX);
        c.insert("news_body_max", &NEWS_BODY_MAX);
        c.insert("photo_alt_max", &PHOTO_ALT_MAX);
    })
}

/// The form filled with `post` as it is.
fn filled(post: &NewsPost) -> FormView {
    let mut values = BTreeMap::new();
    values.insert("title", post.title.clone());
    values.insert("locale", post.locale.clone());
    values.insert("body", post.body_markdown.clone());
    if post.published_at.is_some() {
        values.insert("published", "yes".to_owned());
    }
    FormView {
        values,
        errors: Errors::new(),
    }
}

/// Checks the form: the draft, or the field errors (in the form's order).
fn check(ctx: &Ctx, pairs: &Pairs) -> Result<NewsDraft, Errors> {
    let mut errors = Errors::new();
    let title = text_field(
        ctx,
        pairs,
        &mut errors,
        "title",
        NEWS_TITLE_MAX,
        true,
        "news",
    );
    let locale = one(pairs, "locale")
        .parse::<Locale>()
        .ok()
        .filter(|l| ctx.tenant.offers(*l));
    if locale.is_none() {
        errors.insert("locale", ctx.t("news.err_locale"));
    }
    let body_markdown = text_field(ctx, pairs, &mut errors, "body", NEWS_BODY_MAX, true, "news");
    let published = one(pairs, "published") == "yes";
    match locale {
        Some(locale) if errors.is_empty() => Ok(NewsDraft {
            title,
            locale,
            body_markdown,
            published,
        }),
        _ => Err(errors),
    }
}

/// What the form shows back: the operator's input and the errors, in the form's order.
fn shown_back(pairs: &Pairs, mut errors: Errors) -> FormView {
    errors.sort_by_cached_key(|field, _| FIELDS.iter().position(|f| f == field));
    FormView {
        values: FIELDS
            .iter()
            .map(|f| (*f, one(pairs, f).trim().to_owned()))
            .filter(|(_, v)| !v.is_empty())
            .collect(),
        errors,
    }
}

/// `GET /{locale}/espace/pays/actualites/nouvelle`.
#[handler]
pub async fn new_form(
    req: &Request,
    Console(ctx, _operator): Console,
) -> Result<Response, AppError> {
    let empty = FormView::default();
    form_page(&ctx, req, StatusCode::OK, None, &empty, &empty, None).await
}

/// The post's form again, with what was typed and the `errors` found in it (422).
async fn refused(
    ctx: &Ctx,
    req: &Request,
    post: Option<&NewsPost>,
    pairs: &Pairs,
    errors: Errors,
) -> Result<Response, AppError> {
    let view = shown_back(pairs, errors);
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let empty = FormView::default();
    form_page(ctx, req, status, post, &view, &empty, None).await
}

/// `POST /{locale}/espace/pays/actualites/nouvelle`: writes the post, then its page in the
/// console (where its photo is added).
#[handler]
pub async fn create(
    req: &Request,
    Console(ctx, operator): Console,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let draft = match check(&ctx, &pairs) {
        Ok(draft) => draft,
        Err(errors) => return refused(&ctx, req, None, &pairs, errors).await,
    };
    let published = draft.published;
    match news::create(&ctx.scope(), operator.user.account(), draft).await? {
        Ok(post) => {
            forget_home(&ctx);
            let done = if published { "published" } else { "created" };
            Ok(see_other(format!(
                "/{}{CONSOLE}/{}?done={done}",
                ctx.locale, post.id
            )))
        }
        Err(_) => Err(AppError::Forbidden),
    }
}

/// `GET /{locale}/espace/pays/actualites/{id}`: the post's form.
#[handler]
pub async fn edit_form(
    req: &Request,
    at: OperatorPost,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let ConsoleRow { ctx, row: post, .. } = at;
    let notice = done.notice(&ctx, &NOTICES);
    let empty = FormView::default();
    let form = filled(&post);
    form_page(
        &ctx,
        req,
        StatusCode::OK,
        Some(&post),
        &form,
        &empty,
        notice,
    )
    .await
}

/// `POST /{locale}/espace/pays/actualites/{id}`: saves the texts and the state.
#[handler]
pub async fn save(
    req: &Request,
    Console(ctx, operator): Console,
    PathId(id): PathId<NewsPostId>,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let before = find(&ctx, id).await?;
    let draft = match check(&ctx, &pairs) {
        Ok(draft) => draft,
        Err(errors) => return refused(&ctx, req, Some(&before), &pairs, errors).await,
    };
    let done = match (before.published_at.is_some(), draft.published) {
        (false, true) => "published",
        (true, false) => "unpublished",
        _ => "saved",
    };
    match news::update(
        &ctx.scope(),
        operator.user.account(),
        NewsPostId(before.id),
        draft,
    )
    .await?
    {
        Ok(post) => {
            forget_home(&ctx);
            Ok(see_other(format!(
                "/{}{CONSOLE}/{}?done={done}",
                ctx.locale, post.id
            )))
        }
        Err(NewsRefusal::NotFound) => Err(AppError::NotFound),
        Err(_) => Err(AppError::Forbidden),
    }
}

/// `POST /{locale}/espace/pays/actualites/{id}/photo` (multipart `photo`, `alt`).
#[handler]
pub async fn upload_photo(
    req: &Request,
    Console(ctx, operator): Console,
    PathId(id): PathId<NewsPostId>,
    multipart: poem::web::Multipart,
) -> Result<Response, AppError> {
    let post = find(&ctx, id).await?;
    let Some(upload) = ctx.upload(req, multipart, "photo").await? else {
        return ctx.forbidden(req);
    };
    let alt = upload.text("alt").trim().to_owned();
    let mut errors = Errors::new();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let bytes = upload.file.filter(|b| !b.is_empty());
    if bytes.is_none() {
        errors.insert("photo", ctx.t("news.err_photo_missing"));
    }
    if alt.is_empty() {
        errors.insert(
            "alt",
            field_error(&ctx, "form.err_required", "news.alt_label"),
        );
    } else if alt.chars().count() > PHOTO_ALT_MAX {
        errors.insert("alt", too_long_error(&ctx, "news.alt_label", PHOTO_ALT_MAX));
    }
    if let (Some(bytes), true) = (bytes, errors.is_empty()) {
        let account = operator.user.account();
        let blobs = &ctx.state.blobs;
        match news::set_photo(
            &ctx.scope(),
            blobs,
            account,
            NewsPostId(post.id),
            bytes,
            &alt,
        )
        .await?
        {
            Ok(_) => {
                forget_home(&ctx);
                let location = format!("/{}{CONSOLE}/{}?done=photo", ctx.locale, post.id);
                return Ok(see_other(location));
            }
            Err(NewsRefusal::Image(ImageError::TooLarge)) => {
                status = StatusCode::PAYLOAD_TOO_LARGE;
                errors.insert("photo", ctx.t("news.err_photo_large"));
            }
            Err(NewsRefusal::Image(_)) => {
                status = StatusCode::UNSUPPORTED_MEDIA_TYPE;
                errors.insert("photo", ctx.t("news.err_photo_type"));
            }
            Err(NewsRefusal::NotFound) => return Err(AppError::NotFound),
            Err(NewsRefusal::NotOperator) => return Err(AppError::Forbidden),
        }
    }
    let mut values = BTreeMap::new();
    values.insert("alt", alt);
    let photo_form = FormView { values, errors };
    let form = filled(&post);
    form_page(&ctx, req, status, Some(&post), &form, &photo_form, None).await
}

/// `GET /{locale}/espace/pays/actualites/{id}/supprimer`: asks to confirm.
#[handler]
pub async fn confirm_delete(req: &Request, at: OperatorPost) -> Result<Response, AppError> {
    let ConsoleRow { ctx, row: post, .. } = at;
    let rest = format!("{CONSOLE}/{}/supprimer", post.id);
    ctx.page(req, &rest, "spaces/news_delete.html", StatusCode::OK, |c| {
        c.insert("post_id", &post.id);
        c.insert("post_title", &post.title);
    })
}

/// `POST /{locale}/espace/pays/actualites/{id}/supprimer`: deletes the post.
#[handler]
pub async fn delete(
    Console(ctx, operator): Console,
    PathId(id): PathId<NewsPostId>,
    Checked(_pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let account = operator.user.account();
    match news::delete(&ctx.scope(), &ctx.state.blobs, account, id).await? {
        Ok(_) => {
            forget_home(&ctx);
            Ok(see_other(format!("/{}{CONSOLE}?done=deleted", ctx.locale)))
        }
        Err(NewsRefusal::NotFound) => Err(AppError::NotFound),
        Err(_) => Err(AppError::Forbidden),
    }
}
