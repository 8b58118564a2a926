use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: String,
    pub slug: String,
    pub name: String,
    pub name_en: Option<String>,
    pub name_ar: Option<String>,
    pub region: String,
    pub latitude: f64,
    pub longitude: f64,
    pub position: i32,
    pub source: String,
    pub description: String,
    pub created_at: DateTimeUtc,
    /// The city's photo, page variant (empty: none).
    pub photo_key: String,
    /// The city's photo, card variant (empty: none).
    pub photo_card_key: String,
    /// Last edited from the console: the tenant file sync leaves the city's fields alone.
    pub edited_at: Option<DateTimeUtc>,
    /// Retired from the site (kept for its history).
    pub retired_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The city's name in `locale` (a mission text's), the French one when it has none.
    pub(crate) fn name_in(&self, locale: &str) -> &str {
        match locale {
            "en" => self.name_en.as_deref().unwrap_or(&self.name),
            "ar" => self.name_ar.as_deref().unwrap_or(&self.name),
            _ => &self.name,
        }
    }
}
