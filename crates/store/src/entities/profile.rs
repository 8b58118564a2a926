use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "profiles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: String,
    pub user_id: i64,
    pub country_of_residence: String,
    pub home_city_id: Option<i64>,
    pub home_city_other: String,
    pub skills: String,
    pub languages: String,
    pub domains: String,
    pub contributions: String,
    pub phone: String,
    pub email_campaigns: bool,
    pub email_reminders: bool,
    pub updated_at: DateTimeUtc,
    pub remote_ok: bool,
    pub email_missions: bool,
    pub email_locale: Option<String>,
    pub findable: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
