use super::Scope;
use super::catalogue::bump_version;
use crate::StoreError;
use crate::entities::organisation;
use jsap_tenancy::Tenant;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub city_id: i64,
    pub slug: String,
    pub kind: String,
    pub name: String,
    pub description: String,
    pub verified: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrganisationRecord {
    pub id: i64,
    pub city_id: i64,
    pub slug: String,
    pub kind: String,
    pub name: String,
    pub description: String,
    pub verified: bool,
}

impl From<organisation::Model> for OrganisationRecord {
    fn from(m: organisation::Model) -> Self {
        Self {
            id: m.id,
            city_id: m.city_id,
            slug: m.slug,
            kind: m.kind,
            name: m.name,
            description: m.description,
            verified: m.verified,
        }
    }
}

/// Organisations (city halls, NGOs, companies...) of one tenant.
pub struct Organisations<'a, C> {
    conn: &'a C,
    scope: Scope,
}

impl<'a, C: ConnectionTrait> Organisations<'a, C> {
    pub fn for_tenant(conn: &'a C, tenant: &Tenant) -> Self {
        Self {
            conn,
            scope: Scope::of(tenant),
        }
    }

    pub async fn insert(&self, new: NewOrganisation) -> Result<i64, StoreError> {
        let inserted = organisation::Entity::insert(organisation::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            city_id: Set(new.city_id),
            slug: Set(new.slug),
            kind: Set(new.kind),
            name: Set(new.name),
            description: Set(new.description),
            verified: Set(new.verified),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        })
        .exec(self.conn)
        .await?;
        bump_version(self.conn, self.scope.id()).await?;
        Ok(inserted.last_insert_id)
    }

    pub async fn list(&self) -> Result<Vec<OrganisationRecord>, StoreError> {
        Ok(self
            .scope
            .all::<organisation::Entity>()
            .order_by_asc(organisation::Column::Name)
            .all(self.conn)
            .await?
            .into_iter()
            .map(OrganisationRecord::from)
            .collect())
    }

    pub async fn by_id(&self, id: i64) -> Result<Option<OrganisationRecord>, StoreError> {
        Ok(self
            .scope
            .all::<organisation::Entity>()
            .filter(organisation::Column::Id.eq(id))
            .one(self.conn)
            .await?
            .map(OrganisationRecord::from))
    }

    pub async fn by_slug(&self, slug: &str) -> Result<Option<OrganisationRecord>, StoreError> {
        Ok(self
            .scope
            .all::<organisation::Entity>()
            .filter(organisation::Column::Slug.eq(slug))
            .one(self.conn)
            .await?
            .map(OrganisationRecord::from))
    }
}
