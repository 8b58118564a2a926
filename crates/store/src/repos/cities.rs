use super::Scope;
use super::catalogue::bump_version;
use crate::StoreError;
use crate::entities::city;
use jsap_domain::Locale;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct CityRecord {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub name_en: Option<String>,
    pub name_ar: Option<String>,
    pub region: String,
    pub latitude: f64,
    pub longitude: f64,
    /// `config` (from the tenant file) or `console` (added later, kept across syncs).
    pub source: String,
    /// The operator's words about the city (empty for the tenant file's cities).
    pub description: String,
}

/// A city a country operator adds from the console.
#[derive(Debug, Clone)]
pub struct NewCity {
    pub slug: jsap_domain::Slug,
    pub name: String,
    pub region: String,
    pub latitude: f64,
    pub longitude: f64,
    pub description: String,
}

impl CityRecord {
    pub fn name_in(&self, locale: Locale) -> &str {
        match locale {
            Locale::En => self.name_en.as_deref().unwrap_or(&self.name),
            Locale::Ar => self.name_ar.as_deref().unwrap_or(&self.name),
            Locale::Fr => &self.name,
        }
    }
}

impl From<city::Model> for CityRecord {
    fn from(m: city::Model) -> Self {
        Self {
            id: m.id,
            slug: m.slug,
            name: m.name,
            name_en: m.name_en,
            name_ar: m.name_ar,
            region: m.region,
            latitude: m.latitude,
            longitude: m.longitude,
            source: m.source,
            description: m.description,
        }
    }
}

tenant_repository! {
    /// The cities of one tenant.
    Cities
}

impl<'a, C: ConnectionTrait> Cities<'a, C> {
    pub async fn list(&self) -> Result<Vec<CityRecord>, StoreError> {
        Ok(self
            .scope
            .all::<city::Entity>()
            .order_by_asc(city::Column::Position)
            .order_by_asc(city::Column::Id)
            .all(self.conn)
            .await?
            .into_iter()
            .map(CityRecord::from)
            .collect())
    }

    /// The cities of the tenant a repository is already bound to.
    pub(crate) fn in_scope(conn: &'a C, scope: Scope) -> Self {
        Self { conn, scope }
    }

    pub async fn by_slug(&self, slug: &str) -> Result<Option<CityRecord>, StoreError> {
        Ok(self
            .scope
            .all::<city::Entity>()
            .filter(city::Column::Slug.eq(slug))
            .one(self.conn)
            .await?
            .map(CityRecord::from))
    }

    pub async fn by_id(&self, id: i64) -> Result<Option<CityRecord>, StoreError> {
        Ok(self
            .scope
            .all::<city::Entity>()
            .filter(city::Column::Id.eq(id))
            .one(self.conn)
            .await?
            .map(CityRecord::from))
    }

    /// Adds a city outside the tenant file (from the country console); such cities are kept
    /// when the config is synced again, and every replica's catalogue sees it at once.
    pub async fn add(&self, new: &NewCity) -> Result<CityRecord, StoreError> {
        let position = self.list().await?.len() as i32;
        let model = city::ActiveModel {
            tenant_id: sea_orm::Set(self.scope.id().to_owned()),
            slug: sea_orm::Set(new.slug.to_string()),
            name: sea_orm::Set(new.name.clone()),
            name_en: sea_orm::Set(None),
            name_ar: sea_orm::Set(None),
            region: sea_orm::Set(new.region.clone()),
            latitude: sea_orm::Set(new.latitude),
            longitude: sea_orm::Set(new.longitude),
            position: sea_orm::Set(position),
            source: sea_orm::Set("console".to_owned()),
            description: sea_orm::Set(new.description.clone()),
            created_at: sea_orm::Set(chrono::Utc::now()),
            ..Default::default()
        };
        let inserted = city::Entity::insert(model)
            .exec_with_returning(self.conn)
            .await?;
        bump_version(self.conn, self.scope.id()).await?;
        Ok(inserted.into())
    }
}

/// `UnknownCity` unless `city_id` is a city of `scope`'s tenant.
pub(crate) async fn check_city<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    city_id: i64,
) -> Result<(), StoreError> {
    let known = scope
        .all::<city::Entity>()
        .filter(city::Column::Id.eq(city_id))
        .count(conn)
        .await?;
    if known == 0 {
        return Err(StoreError::UnknownCity(city_id.to_string()));
    }
    Ok(())
}
