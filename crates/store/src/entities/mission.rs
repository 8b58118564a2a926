use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "missions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: String,
    pub organisation_id: i64,
    pub city_id: i64,
    pub slug: String,
    pub domain: String,
    pub mission_type: String,
    pub remote: bool,
    pub urgent: bool,
    pub featured: bool,
    pub status: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub skills: String,
    pub created_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
    pub flexible: bool,
    pub capacity: Option<i32>,
    pub contact_name: String,
    pub created_by: Option<i64>,
    pub updated_at: Option<DateTimeUtc>,
    pub submitted_at: Option<DateTimeUtc>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub review_comment: String,
    pub validated: bool,
    pub closed_reason: String,
    pub hidden_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
