use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "mission_photos")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: String,
    pub mission_id: i64,
    pub position: i32,
    pub blob_key: String,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub alt: String,
    pub created_at: DateTimeUtc,
    pub card_key: String,
    pub card_width: i32,
    pub card_height: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
