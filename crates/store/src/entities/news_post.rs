use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "news_posts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: String,
    pub slug: String,
    pub locale: String,
    pub title: String,
    pub body_markdown: String,
    pub photo_key: Option<String>,
    pub photo_card_key: Option<String>,
    pub photo_alt: String,
    pub photo_width: i32,
    pub photo_height: i32,
    pub author_user_id: i64,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
