//! News posts ("actualités") written by a country operator: one locale each, a Markdown body,
//! an optional photo (two blob keys: the page and the card variant), a draft until
//! `published_at` is set. Listed newest published first per tenant and locale.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE TABLE news_posts (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    slug VARCHAR(120) NOT NULL,
    locale VARCHAR(5) NOT NULL,
    title VARCHAR(200) NOT NULL,
    body_markdown TEXT NOT NULL,
    photo_key VARCHAR(200),
    photo_card_key VARCHAR(200),
    photo_alt VARCHAR(200) NOT NULL DEFAULT '',
    photo_width INTEGER NOT NULL DEFAULT 0,
    photo_height INTEGER NOT NULL DEFAULT 0,
    author_user_id BIGINT NOT NULL,
    published_at {ts},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE UNIQUE INDEX news_posts_slug ON news_posts (tenant_id, slug);
CREATE INDEX news_posts_listing ON news_posts (tenant_id, locale, published_at, id);
CREATE INDEX news_posts_photo ON news_posts (tenant_id, photo_key)
"#;

const DOWN: &str = r#"
DROP INDEX news_posts_photo;
DROP INDEX news_posts_listing;
DROP INDEX news_posts_slug;
DROP TABLE news_posts
"#;

scripted!();
