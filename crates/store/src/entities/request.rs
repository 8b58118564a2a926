use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: String,
    pub kind: String,
    pub member_user_id: i64,
    pub mission_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub city_id: i64,
    pub state: String,
    pub locale: String,
    pub title: String,
    pub body: String,
    pub offer: String,
    pub contribution: Option<String>,
    pub available_from: Option<Date>,
    pub available_to: Option<Date>,
    pub domain: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub due_at: DateTimeUtc,
    pub reminded_at: Option<DateTimeUtc>,
    pub escalated_at: Option<DateTimeUtc>,
    pub survey_sent_at: Option<DateTimeUtc>,
    pub topic: Option<String>,
    pub urgency: Option<i32>,
    pub language: Option<String>,
    pub suggested_reply: Option<String>,
    pub triaged_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
