use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: String,
    pub email: String,
    pub password_hash: Option<String>,
    pub display_name: String,
    pub is_staff: bool,
    pub email_verified_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub terms_accepted_at: Option<DateTimeUtc>,
    pub session_generation: i32,
    pub blocked_at: Option<DateTimeUtc>,
    pub blocked_reason: String,
    pub last_seen_at: Option<DateTimeUtc>,
    pub inactivity_warned_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
