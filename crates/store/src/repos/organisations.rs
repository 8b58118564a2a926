use super::catalogue::bump_version;
use crate::StoreError;
use crate::entities::organisation;
use crate::repos::cities::check_city;
use jsap_domain::organisations::OrganisationStatus;
use sea_orm::sea_query::IntoCondition;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

/// What an organisation tells of itself: what its member registers, then what its page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OrganisationProfile {
    pub city_id: i64,
    pub kind: String,
    pub name: String,
    pub description: String,
    pub website: String,
    pub public_email: String,
    pub phone: String,
    pub facilities: Vec<String>,
}

/// An organisation written straight in (seed data, tests), verified or pending.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub slug: String,
    pub verified: bool,
    pub profile: OrganisationProfile,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrganisationRecord {
    pub id: i64,
    pub slug: String,
    /// What it tells of itself (serialised as the record's own fields).
    #[serde(flatten)]
    pub profile: OrganisationProfile,
    /// `status == Verified`, for the readers that only show the badge.
    pub verified: bool,
    pub status: OrganisationStatus,
    /// Why it was refused or suspended (shown to its admins).
    pub status_reason: String,
    /// The blob key of its logo ('' for none).
    pub logo_key: String,
    pub created_by: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Hidden by moderation until reviewed.
    pub hidden: bool,
}

impl OrganisationRecord {
    /// Whether its page and its missions show on the site: verified and not hidden.
    pub fn is_public(&self) -> bool {
        self.verified && !self.hidden
    }
}

impl From<organisation::Model> for OrganisationRecord {
    fn from(m: organisation::Model) -> Self {
        Self {
            id: m.id,
            slug: m.slug,
            profile: OrganisationProfile {
                city_id: m.city_id,
                kind: m.kind,
                name: m.name,
                description: m.description,
                website: m.website,
                public_email: m.public_email,
                phone: m.phone,
                facilities: m
                    .facilities
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
            verified: m.verified,
            status: OrganisationStatus::parse(&m.status).unwrap_or(OrganisationStatus::Pending),
            status_reason: m.status_reason,
            logo_key: m.logo_key,
            created_by: m.created_by,
            created_at: m.created_at,
            hidden: m.hidden_at.is_some(),
        }
    }
}

tenant_repository! {
    /// Organisations (city halls, NGOs, companies...) of one tenant.
    Organisations
}

impl<'a, C: crate::Connection> Organisations<'a, C> {
    /// The organisation of this tenant `condition` selects, if any.
    async fn one(
        &self,
        condition: impl IntoCondition,
    ) -> Result<Option<OrganisationRecord>, StoreError> {
        Ok(self
            .scope
            .all::<organisation::Entity>()
            .filter(condition)
            .one(&self.conn)
            .await?
            .map(OrganisationRecord::from))
    }

    /// The row of `new`, verified or pending as it says, created now.
    fn row(&self, new: NewOrganisation) -> organisation::ActiveModel {
        organisation::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            city_id: Set(new.profile.city_id),
            slug: Set(new.slug),
            kind: Set(new.profile.kind),
            name: Set(new.profile.name),
            description: Set(new.profile.description),
            website: Set(new.profile.website),
            public_email: Set(new.profile.public_email),
            phone: Set(new.profile.phone),
            facilities: Set(new.profile.facilities.join(",")),
            verified: Set(new.verified),
            status: Set(if new.verified {
                OrganisationStatus::Verified
            } else {
                OrganisationStatus::Pending
            }
            .as_str()
            .to_owned()),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
    }

    pub async fn insert(&self, new: NewOrganisation) -> Result<i64, StoreError> {
        let inserted = organisation::Entity::insert(self.row(new))
            .exec(&self.conn)
            .await?;
        bump_version(&self.conn, self.scope.id()).await?;
        Ok(inserted.last_insert_id)
    }

    pub async fn list(&self) -> Result<Vec<OrganisationRecord>, StoreError> {
        Ok(self
            .scope
            .all::<organisation::Entity>()
            .order_by_asc(organisation::Column::Name)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(OrganisationRecord::from)
            .collect())
    }

    pub async fn by_id(&self, id: i64) -> Result<Option<OrganisationRecord>, StoreError> {
        self.one(organisation::Column::Id.eq(id)).await
    }

    pub async fn by_slug(&self, slug: &str) -> Result<Option<OrganisationRecord>, StoreError> {
        self.one(organisation::Column::Slug.eq(slug)).await
    }

    /// Registers `profile` as pending, created by `created_by`, under a slug made from its
    /// name (with `-2`, `-3`... when taken on this tenant). `UnknownCity` when the city is not
    /// one of this tenant's.
    pub async fn register(
        &self,
        profile: OrganisationProfile,
        created_by: i64,
    ) -> Result<OrganisationRecord, StoreError> {
        check_city(&self.conn, &self.scope, profile.city_id).await?;
        let base = jsap_domain::slugify(&profile.name);
        let base = if base.is_empty() {
            "organisation".to_owned()
        } else {
            base
        };
        let mut slug = base.clone();
        let mut n = 1;
        // `nouvelle` is the registration page's path segment.
        while slug == "nouvelle" || self.by_slug(&slug).await?.is_some() {
            n += 1;
            slug = format!("{base}-{n}");
        }
        let model = organisation::Entity::insert(organisation::ActiveModel {
            status_reason: Set(String::new()),
            reviewed_by: Set(None),
            reviewed_at: Set(None),
            created_by: Set(Some(created_by)),
            logo_key: Set(String::new()),
            ..self.row(NewOrganisation {
                slug,
                verified: false,
                profile,
            })
        })
        .exec_with_returning(&self.conn)
        .await?;
        bump_version(&self.conn, self.scope.id()).await?;
        Ok(model.into())
    }

    /// Moves organisation `id` from `from` to `to` (with the reviewer and the reason), in one
    /// conditional update: `false` when it was no longer `from` (another reviewer was first).
    pub async fn set_status(
        &self,
        id: i64,
        from: OrganisationStatus,
        to: OrganisationStatus,
        reason: &str,
        reviewer: i64,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, StoreError> {
        use sea_orm::sea_query::Expr;
        let updated = self
            .scope
            .update::<organisation::Entity>()
            .col_expr(organisation::Column::Status, Expr::value(to.as_str()))
            .col_expr(
                organisation::Column::Verified,
                Expr::value(to == OrganisationStatus::Verified),
            )
            .col_expr(organisation::Column::StatusReason, Expr::value(reason))
            .col_expr(organisation::Column::ReviewedBy, Expr::value(reviewer))
            .col_expr(organisation::Column::ReviewedAt, Expr::value(now))
            .filter(organisation::Column::Id.eq(id))
            .filter(organisation::Column::Status.eq(from.as_str()))
            .exec(&self.conn)
            .await?;
        if updated.rows_affected == 1 {
            bump_version(&self.conn, self.scope.id()).await?;
        }
        Ok(updated.rows_affected == 1)
    }

    /// Sets the logo's blob key of organisation `id`; returns the key it replaces ('' for
    /// none). `NotFound` when there is no such organisation here.
    pub async fn set_logo(&self, id: i64, key: &str) -> Result<String, StoreError> {
        use sea_orm::sea_query::Expr;
        let previous = self.by_id(id).await?.ok_or(StoreError::NotFound)?.logo_key;
        self.scope
            .update::<organisation::Entity>()
            .col_expr(organisation::Column::LogoKey, Expr::value(key))
            .filter(organisation::Column::Id.eq(id))
            .exec(&self.conn)
            .await?;
        bump_version(&self.conn, self.scope.id()).await?;
        Ok(previous)
    }

    /// The organisation whose logo is `key`, if any.
    pub async fn by_logo_key(&self, key: &str) -> Result<Option<OrganisationRecord>, StoreError> {
        if key.is_empty() {
            return Ok(None);
        }
        self.one(organisation::Column::LogoKey.eq(key)).await
    }

    /// The organisations waiting for review, oldest first; of `city_ids` only when given.
    pub async fn pending(
        &self,
        city_ids: Option<&[i64]>,
    ) -> Result<Vec<OrganisationRecord>, StoreError> {
        self.in_status(OrganisationStatus::Pending, city_ids).await
    }

    /// The organisations in `status`, oldest first; of `city_ids` only when given.
    pub async fn in_status(
        &self,
        status: OrganisationStatus,
        city_ids: Option<&[i64]>,
    ) -> Result<Vec<OrganisationRecord>, StoreError> {
        let mut query = self
            .scope
            .all::<organisation::Entity>()
            .filter(organisation::Column::Status.eq(status.as_str()));
        if let Some(ids) = city_ids {
            query = query.filter(organisation::Column::CityId.is_in(ids.to_vec()));
        }
        Ok(query
            .order_by_asc(organisation::Column::CreatedAt)
            .order_by_asc(organisation::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(OrganisationRecord::from)
            .collect())
    }
}
