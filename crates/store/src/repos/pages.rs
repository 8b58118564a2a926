//! The edited site pages of one tenant (FAQ, à propos, legal notices...): one row per
//! version, appended and never changed; the newest of a slug and locale is the page. A version
//! with an empty text puts the page back to the repository's default (edits are never empty).

use crate::StoreError;
use crate::entities::page_version;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

tenant_repository! {
    /// The page versions of one tenant.
    PageVersions
}

/// One version of a page.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PageVersion {
    pub id: i64,
    pub slug: String,
    pub locale: String,
    pub body_markdown: String,
    pub author_user_id: i64,
    /// Who wrote it as they were known then (their email address).
    pub author_label: String,
    pub created_at: DateTime<Utc>,
    /// The version this one copies, when it is a restore.
    pub restored_from: Option<i64>,
}

impl PageVersion {
    /// Whether this version puts the page back to the repository's default text.
    pub fn is_default(&self) -> bool {
        self.body_markdown.is_empty()
    }
}

/// A version to append (already checked by the use case).
#[derive(Debug, Clone)]
pub struct NewPageVersion<'a> {
    pub slug: &'a str,
    pub locale: &'a str,
    pub body_markdown: &'a str,
    pub author_user_id: i64,
    pub author_label: &'a str,
    pub restored_from: Option<i64>,
    pub now: DateTime<Utc>,
}

impl From<page_version::Model> for PageVersion {
    fn from(m: page_version::Model) -> Self {
        Self {
            id: m.id,
            slug: m.slug,
            locale: m.locale,
            body_markdown: m.body_markdown,
            author_user_id: m.author_user_id,
            author_label: m.author_label,
            created_at: m.created_at,
            restored_from: m.restored_from,
        }
    }
}

impl<'a, C: crate::Connection> PageVersions<'a, C> {
    /// The newest `limit` versions of page `slug` in `locale`, newest first.
    pub async fn history(
        &self,
        slug: &str,
        locale: &str,
        limit: u64,
    ) -> Result<Vec<PageVersion>, StoreError> {
        Ok(self
            .scope
            .all::<page_version::Entity>()
            .filter(page_version::Column::Slug.eq(slug))
            .filter(page_version::Column::Locale.eq(locale))
            .order_by_desc(page_version::Column::CreatedAt)
            .order_by_desc(page_version::Column::Id)
            .limit(limit)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(PageVersion::from)
            .collect())
    }

    /// Versions `offset..offset + limit` of page `slug` in `locale`, newest first, and how many
    /// it has in all.
    pub async fn history_page(
        &self,
        slug: &str,
        locale: &str,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<PageVersion>, u64), StoreError> {
        let of_page = || {
            self.scope
                .all::<page_version::Entity>()
                .filter(page_version::Column::Slug.eq(slug))
                .filter(page_version::Column::Locale.eq(locale))
        };
        let total = of_page().count(&self.conn).await?;
        let rows = of_page()
            .order_by_desc(page_version::Column::CreatedAt)
            .order_by_desc(page_version::Column::Id)
            .offset(offset)
            .limit(limit)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(PageVersion::from)
            .collect();
        Ok((rows, total))
    }

    /// The newest version of page `slug` in `locale`: `None` while it has never been edited.
    pub async fn current(
        &self,
        slug: &str,
        locale: &str,
    ) -> Result<Option<PageVersion>, StoreError> {
        Ok(self.history(slug, locale, 1).await?.into_iter().next())
    }

    /// Version `id`, whatever its page.
    pub async fn by_id(&self, id: i64) -> Result<Option<PageVersion>, StoreError> {
        Ok(self
            .scope
            .all::<page_version::Entity>()
            .filter(page_version::Column::Id.eq(id))
            .one(&self.conn)
            .await?
            .map(PageVersion::from))
    }

    /// Appends a version: it becomes the page.
    pub async fn append(&self, new: &NewPageVersion<'_>) -> Result<PageVersion, StoreError> {
        let model = page_version::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            slug: Set(new.slug.to_owned()),
            locale: Set(new.locale.to_owned()),
            body_markdown: Set(new.body_markdown.to_owned()),
            author_user_id: Set(new.author_user_id),
            author_label: Set(new.author_label.to_owned()),
            created_at: Set(new.now),
            restored_from: Set(new.restored_from),
            ..Default::default()
        };
        Ok(page_version::Entity::insert(model)
            .exec_with_returning(&self.conn)
            .await?
            .into())
    }
}
