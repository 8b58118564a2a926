use super::Scope;
use super::accounts::random_token;
use crate::StoreError;
use crate::entities::{city, focal_point_invitation as inv};
use chrono::{DateTime, Duration, Utc};
use jsap_domain::EmailAddress;
use jsap_tenancy::Tenant;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use sha2::{Digest, Sha256};

/// How long an invitation link stays valid.
pub const INVITATION_TTL_DAYS: i64 = 14;

/// A freshly created invitation. `token` is shown once (in the email) and stored only hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvitation {
    pub id: i64,
    pub city_slug: String,
    pub name: String,
    pub email: String,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRecord {
    pub id: i64,
    pub city_id: i64,
    pub name: String,
    pub email: String,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

impl From<inv::Model> for InvitationRecord {
    fn from(m: inv::Model) -> Self {
        Self {
            id: m.id,
            city_id: m.city_id,
            name: m.name,
            email: m.email,
            expires_at: m.expires_at,
            accepted_at: m.accepted_at,
        }
    }
}

/// Focal-point invitations of one tenant.
pub struct FocalPointInvitations<'a, C> {
    conn: &'a C,
    scope: Scope,
}

pub(crate) fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl<'a, C: ConnectionTrait> FocalPointInvitations<'a, C> {
    pub fn for_tenant(conn: &'a C, tenant: &Tenant) -> Self {
        Self {
            conn,
            scope: Scope::of(tenant),
        }
    }

    /// Creates an invitation unless this email was already invited for this city.
    pub async fn invite_if_new(
        &self,
        city_slug: &str,
        name: &str,
        email: &EmailAddress,
    ) -> Result<Option<NewInvitation>, StoreError> {
        let city = city::Entity::find()
            .filter(city::Column::TenantId.eq(self.scope.id()))
            .filter(city::Column::Slug.eq(city_slug))
            .one(self.conn)
            .await?
            .ok_or_else(|| StoreError::Invalid(format!("unknown city {city_slug}")))?;
        let already = inv::Entity::find()
            .filter(inv::Column::TenantId.eq(self.scope.id()))
            .filter(inv::Column::CityId.eq(city.id))
            .filter(inv::Column::Email.eq(email.as_str()))
            .one(self.conn)
            .await?;
        if already.is_some() {
            return Ok(None);
        }
        let token = random_token();
        let now = Utc::now();
        let expires_at = now + Duration::days(INVITATION_TTL_DAYS);
        let inserted = inv::Entity::insert(inv::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            city_id: Set(city.id),
            name: Set(name.to_owned()),
            email: Set(email.to_string()),
            token_hash: Set(hash_token(&token)),
            expires_at: Set(expires_at),
            accepted_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        })
        .exec(self.conn)
        .await?;
        Ok(Some(NewInvitation {
            id: inserted.last_insert_id,
            city_slug: city_slug.to_owned(),
            name: name.to_owned(),
            email: email.to_string(),
            token,
            expires_at,
        }))
    }

    pub async fn list(&self) -> Result<Vec<InvitationRecord>, StoreError> {
        Ok(inv::Entity::find()
            .filter(inv::Column::TenantId.eq(self.scope.id()))
            .order_by_asc(inv::Column::Id)
            .all(self.conn)
            .await?
            .into_iter()
            .map(InvitationRecord::from)
            .collect())
    }

    /// Finds a still-valid, unused invitation of this tenant by its raw token.
    pub async fn find_valid(&self, token: &str) -> Result<Option<InvitationRecord>, StoreError> {
        let found = inv::Entity::find()
            .filter(inv::Column::TenantId.eq(self.scope.id()))
            .filter(inv::Column::TokenHash.eq(hash_token(token)))
            .filter(inv::Column::AcceptedAt.is_null())
            .filter(inv::Column::ExpiresAt.gt(Utc::now()))
            .one(self.conn)
            .await?;
        Ok(found.map(InvitationRecord::from))
    }

    /// The invitation of this tenant with this raw token, whatever its state (to tell an
    /// unknown link from an expired or used one).
    pub async fn find_by_token(&self, token: &str) -> Result<Option<InvitationRecord>, StoreError> {
        Ok(inv::Entity::find()
            .filter(inv::Column::TenantId.eq(self.scope.id()))
            .filter(inv::Column::TokenHash.eq(hash_token(token)))
            .one(self.conn)
            .await?
            .map(InvitationRecord::from))
    }

    /// Marks a valid invitation accepted, in one conditional update: `None` when the token is
    /// unknown here, expired or already used (so two concurrent accepts cannot both succeed).
    pub async fn accept(&self, token: &str) -> Result<Option<InvitationRecord>, StoreError> {
        let Some(found) = self.find_valid(token).await? else {
            return Ok(None);
        };
        let now = Utc::now();
        let updated = inv::Entity::update_many()
            .col_expr(inv::Column::AcceptedAt, Expr::value(now))
            .filter(inv::Column::TenantId.eq(self.scope.id()))
            .filter(inv::Column::Id.eq(found.id))
            .filter(inv::Column::AcceptedAt.is_null())
            .exec(self.conn)
            .await?;
        if updated.rows_affected != 1 {
            return Ok(None);
        }
        Ok(Some(InvitationRecord {
            accepted_at: Some(now),
            ..found
        }))
    }

    /// Creates an invitation, or gives the existing one for this (city, email) a fresh token
    /// and expiry (the previous link stops working). Used to re-send an invitation.
    pub async fn reissue(
        &self,
        city_slug: &str,
        name: &str,
        email: &EmailAddress,
    ) -> Result<NewInvitation, StoreError> {
        let city = city::Entity::find()
            .filter(city::Column::TenantId.eq(self.scope.id()))
            .filter(city::Column::Slug.eq(city_slug))
            .one(self.conn)
            .await?
            .ok_or_else(|| StoreError::Invalid(format!("unknown city {city_slug}")))?;
        let existing = inv::Entity::find()
            .filter(inv::Column::TenantId.eq(self.scope.id()))
            .filter(inv::Column::CityId.eq(city.id))
            .filter(inv::Column::Email.eq(email.as_str()))
            .one(self.conn)
            .await?;
        let Some(existing) = existing else {
            return self
                .invite_if_new(city_slug, name, email)
                .await?
                .ok_or_else(|| StoreError::Invalid("invitation race".to_owned()));
        };
        let token = random_token();
        let expires_at = Utc::now() + Duration::days(INVITATION_TTL_DAYS);
        let id = existing.id;
        let mut active: inv::ActiveModel = existing.into();
        active.name = Set(name.to_owned());
        active.token_hash = Set(hash_token(&token));
        active.expires_at = Set(expires_at);
        active.accepted_at = Set(None);
        active.update(self.conn).await?;
        Ok(NewInvitation {
            id,
            city_slug: city_slug.to_owned(),
            name: name.to_owned(),
            email: email.to_string(),
            token,
            expires_at,
        })
    }
}

/// A country-operator invitation (no city), as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorInvitationRecord {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

impl From<op::Model> for OperatorInvitationRecord {
    fn from(m: op::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            email: m.email,
            expires_at: m.expires_at,
            accepted_at: m.accepted_at,
        }
    }
}

use crate::entities::operator_invitation as op;

/// Country-operator invitations of one tenant: the same life as focal-point invitations
/// (14-day link stored hashed, accepted once), one per (tenant, email).
pub struct OperatorInvitations<'a, C> {
    conn: &'a C,
    scope: Scope,
}

impl<'a, C: ConnectionTrait> OperatorInvitations<'a, C> {
    pub fn for_tenant(conn: &'a C, tenant: &Tenant) -> Self {
        Self {
            conn,
            scope: Scope::of(tenant),
        }
    }

    /// Creates the invitation of this email, or gives the existing one a fresh token and
    /// expiry (the previous link stops working). The raw token is in the answer only.
    pub async fn reissue(
        &self,
        name: &str,
        email: &EmailAddress,
    ) -> Result<(OperatorInvitationRecord, String), StoreError> {
        let token = random_token();
        let now = Utc::now();
        let expires_at = now + Duration::days(INVITATION_TTL_DAYS);
        let existing = op::Entity::find()
            .filter(op::Column::TenantId.eq(self.scope.id()))
            .filter(op::Column::Email.eq(email.as_str()))
            .one(self.conn)
            .await?;
        let model = match existing {
            Some(found) => {
                let mut active: op::ActiveModel = found.into();
                active.name = Set(name.to_owned());
                active.token_hash = Set(hash_token(&token));
                active.expires_at = Set(expires_at);
                active.accepted_at = Set(None);
                active.update(self.conn).await?
            }
            None => {
                op::Entity::insert(op::ActiveModel {
                    tenant_id: Set(self.scope.id().to_owned()),
                    name: Set(name.to_owned()),
                    email: Set(email.to_string()),
                    token_hash: Set(hash_token(&token)),
                    expires_at: Set(expires_at),
                    accepted_at: Set(None),
                    created_at: Set(now),
                    ..Default::default()
                })
                .exec_with_returning(self.conn)
                .await?
            }
        };
        Ok((model.into(), token))
    }

    pub async fn list(&self) -> Result<Vec<OperatorInvitationRecord>, StoreError> {
        Ok(op::Entity::find()
            .filter(op::Column::TenantId.eq(self.scope.id()))
            .order_by_asc(op::Column::Id)
            .all(self.conn)
            .await?
            .into_iter()
            .map(OperatorInvitationRecord::from)
            .collect())
    }

    /// The invitation of this tenant with this raw token, whatever its state.
    pub async fn find_by_token(
        &self,
        token: &str,
    ) -> Result<Option<OperatorInvitationRecord>, StoreError> {
        Ok(op::Entity::find()
            .filter(op::Column::TenantId.eq(self.scope.id()))
            .filter(op::Column::TokenHash.eq(hash_token(token)))
            .one(self.conn)
            .await?
            .map(OperatorInvitationRecord::from))
    }

    /// Marks a valid invitation accepted in one conditional update: `None` when unknown here,
    /// expired or already used.
    pub async fn accept(
        &self,
        token: &str,
    ) -> Result<Option<OperatorInvitationRecord>, StoreError> {
        let now = Utc::now();
        let Some(found) = op::Entity::find()
            .filter(op::Column::TenantId.eq(self.scope.id()))
            .filter(op::Column::TokenHash.eq(hash_token(token)))
            .filter(op::Column::AcceptedAt.is_null())
            .filter(op::Column::ExpiresAt.gt(now))
            .one(self.conn)
            .await?
        else {
            return Ok(None);
        };
        let updated = op::Entity::update_many()
            .col_expr(op::Column::AcceptedAt, Expr::value(now))
            .filter(op::Column::TenantId.eq(self.scope.id()))
            .filter(op::Column::Id.eq(found.id))
            .filter(op::Column::AcceptedAt.is_null())
            .exec(self.conn)
            .await?;
        if updated.rows_affected != 1 {
            return Ok(None);
        }
        Ok(Some(OperatorInvitationRecord {
            accepted_at: Some(now),
            ..found.into()
        }))
    }
}
