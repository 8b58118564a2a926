use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "organisations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: String,
    pub city_id: i64,
    pub slug: String,
    pub kind: String,
    pub name: String,
    pub description: String,
    pub verified: bool,
    pub created_at: DateTimeUtc,
    pub status: String,
    pub status_reason: String,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub created_by: Option<i64>,
    pub website: String,
    pub public_email: String,
    pub phone: String,
    pub facilities: String,
    pub logo_key: String,
    pub hidden_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
