use super::Scope;
use super::catalogue::bump_version;
use crate::StoreError;
use crate::entities::city;
use jsap_domain::Locale;
use sea_orm::sea_query::{Expr, IntoCondition};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct CityRecord {
    pub id: i64,
    pub slug: String,
    /// Flattened in JSON (`name`, `name_en`, `name_ar`), as the templates read them.
    #[serde(flatten)]
    pub names: CityNames,
    pub region: String,
    pub latitude: f64,
    pub longitude: f64,
    /// `config` (from the tenant file) or `console` (added later, kept across syncs).
    pub source: String,
    /// The operator's words about the city (empty for the tenant file's cities).
    pub description: String,
    /// The photo's page and card variants (empty: none).
    pub photo_key: String,
    pub photo_card_key: String,
    /// Edited from the console: the tenant file sync no longer changes it.
    pub edited: bool,
    /// When it was retired from the site (`None`: on the site).
    pub retired_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What an operator changes of a city from the console (its address stays).
#[derive(Debug, Clone)]
pub struct CityEdit {
    pub name: String,
    pub region: String,
    pub latitude: f64,
    pub longitude: f64,
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

/// A city's name in the languages a site shows: French always, English and Arabic where the
/// tenant file gives them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CityNames {
    pub name: String,
    pub name_en: Option<String>,
    pub name_ar: Option<String>,
}

impl CityNames {
    /// The name in `locale`, the French one when it has none.
    pub fn name_in(&self, locale: Locale) -> &str {
        match locale {
            Locale::En => self.name_en.as_deref().unwrap_or(&self.name),
            Locale::Ar => self.name_ar.as_deref().unwrap_or(&self.name),
            Locale::Fr => &self.name,
        }
    }
}

impl CityRecord {
    pub fn name_in(&self, locale: Locale) -> &str {
        self.names.name_in(locale)
    }
}

impl From<city::Model> for CityRecord {
    fn from(m: city::Model) -> Self {
        Self {
            id: m.id,
            slug: m.slug,
            names: CityNames {
                name: m.name,
                name_en: m.name_en,
                name_ar: m.name_ar,
            },
            region: m.region,
            latitude: m.latitude,
            longitude: m.longitude,
            source: m.source,
            description: m.description,
            photo_key: m.photo_key,
            photo_card_key: m.photo_card_key,
            edited: m.edited_at.is_some(),
            retired_at: m.retired_at,
        }
    }
}

tenant_repository! {
    /// The cities of one tenant.
    Cities
}

impl<'a, C: crate::Connection> Cities<'a, C> {
    /// The cities on the site (retired ones left out), in the tenant's order.
    pub async fn list(&self) -> Result<Vec<CityRecord>, StoreError> {
        let on_site = self.cities().filter(city::Column::RetiredAt.is_null());
        self.in_order(on_site).await
    }

    /// Every city, retired ones included (the country console).
    pub async fn list_all(&self) -> Result<Vec<CityRecord>, StoreError> {
        self.in_order(self.cities()).await
    }

    fn cities(&self) -> sea_orm::Select<city::Entity> {
        self.scope.all::<city::Entity>()
    }

    /// The cities `query` selects, in the tenant's order.
    async fn in_order(
        &self,
        query: sea_orm::Select<city::Entity>,
    ) -> Result<Vec<CityRecord>, StoreError> {
        Ok(query
            .order_by_asc(city::Column::Position)
            .order_by_asc(city::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(CityRecord::from)
            .collect())
    }

    /// The cities of the tenant a repository is already bound to.
    pub(crate) fn in_scope(conn: &crate::rls::Scoped<'a, C>, scope: Scope) -> Self {
        Self {
            conn: conn.clone(),
            scope,
        }
    }

    /// The city of address `slug` on the site (a retired one is not).
    pub async fn by_slug(&self, slug: &str) -> Result<Option<CityRecord>, StoreError> {
        Ok(self
            .by_slug_any(slug)
            .await?
            .filter(|c| c.retired_at.is_none()))
    }

    /// The city of address `slug`, retired or not (the console; an address is never reused).
    pub async fn by_slug_any(&self, slug: &str) -> Result<Option<CityRecord>, StoreError> {
        self.one(city::Column::Slug.eq(slug)).await
    }

    pub async fn by_id(&self, id: i64) -> Result<Option<CityRecord>, StoreError> {
        self.one(city::Column::Id.eq(id)).await
    }

    /// The city `condition` finds.
    async fn one(&self, condition: impl IntoCondition) -> Result<Option<CityRecord>, StoreError> {
        Ok(self
            .cities()
            .filter(condition)
            .one(&self.conn)
            .await?
            .map(CityRecord::from))
    }

    /// Adds a city outside the tenant file (from the country console); such cities are kept
    /// when the config is synced again, and every replica's catalogue sees it at once.
    pub async fn add(&self, new: &NewCity) -> Result<CityRecord, StoreError> {
        let position = self.list_all().await?.len() as i32;
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
            .exec_with_returning(&self.conn)
            .await?;
        bump_version(&self.conn, self.scope.id()).await?;
        Ok(inserted.into())
    }

    /// Changes a city's fields and marks it edited (the tenant file sync keeps the change);
    /// `false` when the tenant has no such city.
    pub async fn edit(&self, id: i64, edit: &CityEdit) -> Result<bool, StoreError> {
        let done = self
            .scope
            .update::<city::Entity>()
            .col_expr(city::Column::Name, Expr::value(edit.name.clone()))
            .col_expr(city::Column::Region, Expr::value(edit.region.clone()))
            .col_expr(city::Column::Latitude, Expr::value(edit.latitude))
            .col_expr(city::Column::Longitude, Expr::value(edit.longitude))
            .col_expr(
                city::Column::Description,
                Expr::value(edit.description.clone()),
            )
            .col_expr(
                city::Column::EditedAt,
                Expr::value(Some(chrono::Utc::now())),
            )
            .filter(city::Column::Id.eq(id))
            .exec(&self.conn)
            .await?;
        bump_version(&self.conn, self.scope.id()).await?;
        Ok(done.rows_affected > 0)
    }

    /// Retires the city from the site (`at`) or brings it back (`None`); `false` when the
    /// tenant has no such city or it already was in that state.
    pub async fn set_retired(
        &self,
        id: i64,
        at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<bool, StoreError> {
        let update = self
            .scope
            .update::<city::Entity>()
            .col_expr(city::Column::RetiredAt, Expr::value(at))
            .filter(city::Column::Id.eq(id));
        let update = match at {
            Some(_) => update.filter(city::Column::RetiredAt.is_null()),
            None => update.filter(city::Column::RetiredAt.is_not_null()),
        };
        let done = update.exec(&self.conn).await?;
        if done.rows_affected > 0 {
            bump_version(&self.conn, self.scope.id()).await?;
        }
        Ok(done.rows_affected > 0)
    }

    /// Records the city's new photo; returns the previous one's keys (page, card; empty when
    /// it had none) for their files to be removed.
    pub async fn set_photo(
        &self,
        id: i64,
        page_key: &str,
        card_key: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        let Some(found) = self.by_id(id).await? else {
            return Ok(None);
        };
        self.scope
            .update::<city::Entity>()
            .col_expr(city::Column::PhotoKey, Expr::value(page_key))
            .col_expr(city::Column::PhotoCardKey, Expr::value(card_key))
            .filter(city::Column::Id.eq(id))
            .exec(&self.conn)
            .await?;
        bump_version(&self.conn, self.scope.id()).await?;
        Ok(Some((found.photo_key, found.photo_card_key)))
    }

    /// Whether `key` is one of the tenant's city photos (page or card variant).
    pub async fn has_photo(&self, key: &str) -> Result<bool, StoreError> {
        Ok(self
            .scope
            .all::<city::Entity>()
            .filter(
                sea_orm::Condition::any()
                    .add(city::Column::PhotoKey.eq(key))
                    .add(city::Column::PhotoCardKey.eq(key)),
            )
            .count(&self.conn)
            .await?
            > 0)
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
        .filter(city::Column::RetiredAt.is_null())
        .count(conn)
        .await?;
    if known == 0 {
        return Err(StoreError::UnknownCity(city_id.to_string()));
    }
    Ok(())
}
