//! News posts ("actualités") written by the country operators: created as a draft or
//! published at once, edited, published and unpublished, deleted, given a photo. Each write
//! owns its transaction and leaves its entry in the journal. Nothing here touches the
//! mission catalogue.

use crate::audit::{self, Done};
use crate::media;
use crate::organisations::operator_or;
use crate::{Failure, Scope};
use jsap_adapters::BlobStore;
use jsap_adapters::images::{self, ImageError};
use jsap_domain::NewsPostId;
use jsap_domain::{Locale, slugify};
use jsap_store::{Account, NewNewsPost, NewsPhoto, NewsPost, NewsPosts, StoreError};

/// What the operator writes (already checked by the page: lengths, a locale of the tenant).
#[derive(Debug, Clone)]
pub struct NewsDraft {
    pub title: String,
    pub locale: Locale,
    pub body_markdown: String,
    /// Public (published) or a draft.
    pub published: bool,
}

/// Why a write was refused (nothing written then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewsRefusal {
    /// Only a country operator of the tenant writes news.
    NotOperator,
    /// No post of this tenant has this id.
    NotFound,
    /// The photo is not an image we take, or is too large.
    Image(ImageError),
}

type Outcome<T> = Result<Result<T, NewsRefusal>, Failure>;

async fn operator(scope: &Scope<'_>, who: &Account) -> Result<Result<(), NewsRefusal>, Failure> {
    operator_or(scope, who, NewsRefusal::NotOperator).await
}

fn done<'a>(action: &'a str, post: &'a NewsPost) -> Done<'a> {
    Done {
        action,
        kind: "news",
        id: Some(post.id),
        target: &post.title,
        detail: &post.slug,
    }
}

/// A free slug made from `title` (`-2`, `-3`... when taken on this tenant).
async fn free_slug<C: jsap_store::Connection>(
    posts: &NewsPosts<'_, C>,
    title: &str,
) -> Result<String, StoreError> {
    let base = match slugify(title) {
        s if s.is_empty() => "actualite".to_owned(),
        s => s,
    };
    let mut slug = base.clone();
    let mut n = 1;
    // `nouvelle` is the console's form, kept clear of post addresses to avoid confusion.
    while slug == "nouvelle" || posts.by_slug(&slug).await?.is_some() {
        n += 1;
        slug = format!("{base}-{n}");
    }
    Ok(slug)
}

/// `who` (a country operator) writes a new post, a draft or published at once.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = who.id))]
pub async fn create(scope: &Scope<'_>, who: &Account, draft: NewsDraft) -> Outcome<NewsPost> {
    or_refuse!(operator(scope, who).await?);
    let now = scope.clock.now();
    let tx = scope.store.begin().await?;
    let posts = NewsPosts::for_tenant(&tx, scope.tenant);
    let slug = free_slug(&posts, &draft.title).await?;
    let post = posts
        .create(&NewNewsPost {
            slug: &slug,
            locale: draft.locale.as_str(),
            title: &draft.title,
            body_markdown: &draft.body_markdown,
            author_user_id: who.id,
            published_at: draft.published.then_some(now),
            now,
        })
        .await?;
    audit::record(&tx, scope, Some(who), done("news_created", &post)).await?;
    if draft.published {
        audit::record(&tx, scope, Some(who), done("news_published", &post)).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(
        news.id = post.id,
        published = draft.published,
        "news post created"
    );
    Ok(Ok(post))
}

/// `who` edits post `id`: its texts, and publishes or unpublishes it as the draft says.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = who.id, news.id = %id))]
pub async fn update(
    scope: &Scope<'_>,
    who: &Account,
    id: NewsPostId,
    draft: NewsDraft,
) -> Outcome<NewsPost> {
    let id = id.get();
    or_refuse!(operator(scope, who).await?);
    let now = scope.clock.now();
    let tx = scope.store.begin().await?;
    let posts = NewsPosts::for_tenant(&tx, scope.tenant);
    let Some(before) = posts.by_id(id).await? else {
        return Ok(Err(NewsRefusal::NotFound));
    };
    let edited = before.title != draft.title
        || before.locale != draft.locale.as_str()
        || before.body_markdown != draft.body_markdown;
    if edited {
        posts
            .update(
                id,
                draft.locale.as_str(),
                &draft.title,
                &draft.body_markdown,
                now,
            )
            .await?;
    }
    let step = match (before.published_at.is_some(), draft.published) {
        (false, true) => Some(("news_published", Some(now))),
        (true, false) => Some(("news_unpublished", None)),
        _ => None,
    };
    let changed = match step {
        Some((_, at)) => posts.set_published(id, at).await?,
        None => false,
    };
    let post = posts.by_id(id).await?.ok_or(StoreError::NotFound)?;
    if edited {
        audit::record(&tx, scope, Some(who), done("news_edited", &post)).await?;
    }
    if let (Some((action, _)), true) = (step, changed) {
        audit::record(&tx, scope, Some(who), done(action, &post)).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(post))
}

/// `who` deletes post `id`; its photo's files go after the commit.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = who.id, news.id = %id))]
pub async fn delete(
    scope: &Scope<'_>,
    blobs: &BlobStore,
    who: &Account,
    id: NewsPostId,
) -> Outcome<NewsPost> {
    let id = id.get();
    or_refuse!(operator(scope, who).await?);
    let tx = scope.store.begin().await?;
    let Some(post) = NewsPosts::for_tenant(&tx, scope.tenant).delete(id).await? else {
        return Ok(Err(NewsRefusal::NotFound));
    };
    audit::record(&tx, scope, Some(who), done("news_deleted", &post)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    if let Some(photo) = &post.photo {
        remove_files(scope, blobs, photo).await;
    }
    Ok(Ok(post))
}

async fn remove_files(scope: &Scope<'_>, blobs: &BlobStore, photo: &NewsPhoto) {
    media::remove(
        blobs,
        scope.tenant.code.as_str(),
        &[&photo.key, &photo.card_key],
    )
    .await;
}

/// `who` gives post `id` a photo (with its alternative text) from the uploaded `bytes`,
/// through the same checks as every upload (`jsap_adapters::images`): two JPEG variants
/// written under fresh random keys before the row; a failed row removes them, the previous
/// photo's files go after the commit.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = who.id, news.id = %id))]
pub async fn set_photo(
    scope: &Scope<'_>,
    blobs: &BlobStore,
    who: &Account,
    id: NewsPostId,
    bytes: Vec<u8>,
    alt: &str,
) -> Outcome<NewsPhoto> {
    let id = id.get();
    or_refuse!(operator(scope, who).await?);
    let tenant = scope.tenant;
    if NewsPosts::for_tenant(scope.store.conn(), tenant)
        .by_id(id)
        .await?
        .is_none()
    {
        return Ok(Err(NewsRefusal::NotFound));
    }
    let variants = or_refuse!(
        media::processed(move || images::photo(&bytes))
            .await?
            .map_err(NewsRefusal::Image)
    );
    let digest = jsap_store::token_digest(&jsap_store::random_token());
    let photo = NewsPhoto {
        key: format!("news/{}.jpg", &digest[..32]),
        card_key: format!("news/{}-card.jpg", &digest[..32]),
        alt: alt.to_owned(),
        width: variants.page.width,
        height: variants.page.height,
    };
    let code = tenant.code.as_str();
    media::put_variants(blobs, code, &photo.key, &photo.card_key, variants).await?;
    let recorded = async {
        let tx = scope.store.begin().await?;
        let posts = NewsPosts::for_tenant(&tx, tenant);
        let previous = posts.set_photo(id, &photo).await?;
        let post = posts.by_id(id).await?.ok_or(StoreError::NotFound)?;
        audit::record(&tx, scope, Some(who), done("news_photo_set", &post)).await?;
        tx.commit().await?;
        Ok::<Option<NewsPhoto>, StoreError>(previous)
    }
    .await;
    match recorded {
        Ok(previous) => {
            if let Some(previous) = previous {
                remove_files(scope, blobs, &previous).await;
            }
            Ok(Ok(photo))
        }
        Err(e) => {
            remove_files(scope, blobs, &photo).await;
            Err(e.into())
        }
    }
}
