//! News posts of one tenant ("actualités"): written by its country operators, each in one
//! locale, public once published. Nothing here reads the mission catalogue.

use crate::StoreError;
use crate::entities::news_post;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

/// Posts per page of the public list.
pub const NEWS_PER_PAGE: u64 = 10;

tenant_repository! {
    /// The news posts of one tenant.
    NewsPosts
}

/// A post as pages and use cases read it.
#[derive(Debug, Clone, Serialize)]
pub struct NewsPost {
    pub id: i64,
    pub slug: String,
    /// The locale it is written in (`fr`, `en`, `ar`).
    pub locale: String,
    pub title: String,
    pub body_markdown: String,
    /// The photo, when it has one.
    pub photo: Option<NewsPhoto>,
    pub author_user_id: i64,
    /// `None`: a draft.
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A post's photo: its two variants' blob keys, the page variant's size and its text.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NewsPhoto {
    /// The page variant (and the shared image of the post).
    pub key: String,
    /// The card variant (lists, home page).
    pub card_key: String,
    pub alt: String,
    pub width: u32,
    pub height: u32,
}

/// What a new post is made of (already checked by the use case).
#[derive(Debug, Clone)]
pub struct NewNewsPost<'a> {
    pub slug: &'a str,
    pub locale: &'a str,
    pub title: &'a str,
    pub body_markdown: &'a str,
    pub author_user_id: i64,
    pub published_at: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// One page of published posts and how many there are in all.
#[derive(Debug, Clone, Serialize)]
pub struct NewsPage {
    pub posts: Vec<NewsPost>,
    pub total: u64,
}

impl From<news_post::Model> for NewsPost {
    fn from(m: news_post::Model) -> Self {
        let photo = match (m.photo_key, m.photo_card_key) {
            (Some(key), Some(card_key)) => Some(NewsPhoto {
                key,
                card_key,
                alt: m.photo_alt,
                width: u32::try_from(m.photo_width).unwrap_or(0),
                height: u32::try_from(m.photo_height).unwrap_or(0),
            }),
            _ => None,
        };
        Self {
            id: m.id,
            slug: m.slug,
            locale: m.locale,
            title: m.title,
            body_markdown: m.body_markdown,
            photo,
            author_user_id: m.author_user_id,
            published_at: m.published_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

impl<'a, C: crate::Connection> NewsPosts<'a, C> {
    /// Page `page` (from 1) of the posts published in `locale`, newest first.
    pub async fn published(
        &self,
        locale: &str,
        page: u64,
        per_page: u64,
    ) -> Result<NewsPage, StoreError> {
        let query = self
            .scope
            .all::<news_post::Entity>()
            .filter(news_post::Column::Locale.eq(locale))
            .filter(news_post::Column::PublishedAt.is_not_null());
        let total = query.clone().count(&self.conn).await?;
        let posts = query
            .order_by_desc(news_post::Column::PublishedAt)
            .order_by_desc(news_post::Column::Id)
            .offset(page.saturating_sub(1).saturating_mul(per_page))
            .limit(per_page)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(NewsPost::from)
            .collect();
        Ok(NewsPage { posts, total })
    }

    /// Every post, drafts included, for the console: the most recently changed first.
    pub async fn all(&self) -> Result<Vec<NewsPost>, StoreError> {
        Ok(self
            .scope
            .all::<news_post::Entity>()
            .order_by_desc(news_post::Column::UpdatedAt)
            .order_by_desc(news_post::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(NewsPost::from)
            .collect())
    }

    pub async fn by_id(&self, id: i64) -> Result<Option<NewsPost>, StoreError> {
        Ok(self
            .scope
            .all::<news_post::Entity>()
            .filter(news_post::Column::Id.eq(id))
            .one(&self.conn)
            .await?
            .map(NewsPost::from))
    }

    /// The post of `slug`, draft or published.
    pub async fn by_slug(&self, slug: &str) -> Result<Option<NewsPost>, StoreError> {
        Ok(self
            .scope
            .all::<news_post::Entity>()
            .filter(news_post::Column::Slug.eq(slug))
            .one(&self.conn)
            .await?
            .map(NewsPost::from))
    }

    /// The published post of `slug` (a draft is not there).
    pub async fn published_by_slug(&self, slug: &str) -> Result<Option<NewsPost>, StoreError> {
        Ok(self
            .by_slug(slug)
            .await?
            .filter(|p| p.published_at.is_some()))
    }

    /// `(locale, slug)` of every published post (the sitemap).
    pub async fn published_slugs(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(self
            .scope
            .all::<news_post::Entity>()
            .filter(news_post::Column::PublishedAt.is_not_null())
            .order_by_desc(news_post::Column::PublishedAt)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|m| (m.locale, m.slug))
            .collect())
    }

    /// Writes a new post.
    pub async fn create(&self, new: &NewNewsPost<'_>) -> Result<NewsPost, StoreError> {
        let model = news_post::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            slug: Set(new.slug.to_owned()),
            locale: Set(new.locale.to_owned()),
            title: Set(new.title.to_owned()),
            body_markdown: Set(new.body_markdown.to_owned()),
            photo_key: Set(None),
            photo_card_key: Set(None),
            photo_alt: Set(String::new()),
            photo_width: Set(0),
            photo_height: Set(0),
            author_user_id: Set(new.author_user_id),
            published_at: Set(new.published_at),
            created_at: Set(new.now),
            updated_at: Set(new.now),
            ..Default::default()
        };
        Ok(news_post::Entity::insert(model)
            .exec_with_returning(&self.conn)
            .await?
            .into())
    }

    /// Replaces the texts of post `id`: `false` when there is no such post.
    pub async fn update(
        &self,
        id: i64,
        locale: &str,
        title: &str,
        body_markdown: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let updated = self
            .scope
            .update::<news_post::Entity>()
            .col_expr(news_post::Column::Locale, Expr::value(locale))
            .col_expr(news_post::Column::Title, Expr::value(title))
            .col_expr(news_post::Column::BodyMarkdown, Expr::value(body_markdown))
            .col_expr(news_post::Column::UpdatedAt, Expr::value(now))
            .filter(news_post::Column::Id.eq(id))
            .exec(&self.conn)
            .await?;
        Ok(updated.rows_affected == 1)
    }

    /// Publishes post `id` at `at` (when a draft) or makes it a draft again (`None`, when
    /// published), in one conditional update: `true` when this call changed it.
    pub async fn set_published(
        &self,
        id: i64,
        at: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        let unchanged = match at {
            Some(_) => news_post::Column::PublishedAt.is_null(),
            None => news_post::Column::PublishedAt.is_not_null(),
        };
        let updated = self
            .scope
            .update::<news_post::Entity>()
            .col_expr(news_post::Column::PublishedAt, Expr::value(at))
            .filter(news_post::Column::Id.eq(id))
            .filter(unchanged)
            .exec(&self.conn)
            .await?;
        Ok(updated.rows_affected == 1)
    }

    /// Sets the photo of post `id`; returns the photo it replaces (`NotFound` without the
    /// post).
    pub async fn set_photo(
        &self,
        id: i64,
        photo: &NewsPhoto,
    ) -> Result<Option<NewsPhoto>, StoreError> {
        let previous = self.by_id(id).await?.ok_or(StoreError::NotFound)?.photo;
        let width = i32::try_from(photo.width).unwrap_or(0);
        let height = i32::try_from(photo.height).unwrap_or(0);
        self.scope
            .update::<news_post::Entity>()
            .col_expr(news_post::Column::PhotoKey, Expr::value(&photo.key))
            .col_expr(
                news_post::Column::PhotoCardKey,
                Expr::value(&photo.card_key),
            )
            .col_expr(news_post::Column::PhotoAlt, Expr::value(&photo.alt))
            .col_expr(news_post::Column::PhotoWidth, Expr::value(width))
            .col_expr(news_post::Column::PhotoHeight, Expr::value(height))
            .filter(news_post::Column::Id.eq(id))
            .exec(&self.conn)
            .await?;
        Ok(previous)
    }

    /// Deletes post `id`: the post as it was, `None` when there was none.
    pub async fn delete(&self, id: i64) -> Result<Option<NewsPost>, StoreError> {
        let Some(post) = self.by_id(id).await? else {
            return Ok(None);
        };
        self.scope
            .delete::<news_post::Entity>()
            .filter(news_post::Column::Id.eq(id))
            .exec(&self.conn)
            .await?;
        Ok(Some(post))
    }

    /// Whether `key` is the blob key of one of this tenant's post photos (either variant).
    pub async fn has_photo_key(&self, key: &str) -> Result<bool, StoreError> {
        Ok(self
            .scope
            .all::<news_post::Entity>()
            .filter(
                Condition::any()
                    .add(news_post::Column::PhotoKey.eq(key))
                    .add(news_post::Column::PhotoCardKey.eq(key)),
            )
            .count(&self.conn)
            .await?
            > 0)
    }
}
