//! Invitations of one tenant, whatever role they grant (a focal point of a city, a country
//! operator, an organisation's admin or editor): one table, a 14-day link stored hashed,
//! accepted once, one invitation per (role, what it is held on, email).

use super::accounts::{Role, random_token};
use super::cities::Cities;
use crate::StoreError;
use crate::entities::invitation as inv;
use chrono::{DateTime, Duration, Utc};
use jsap_domain::EmailAddress;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use sha2::{Digest, Sha256};

/// How long an invitation link stays valid.
pub const INVITATION_TTL_DAYS: i64 = 14;

pub(crate) fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// What accepting an invitation grants, and on what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    FocalPoint { city_id: i64 },
    CountryOperator,
    OrganisationAdmin { organisation_id: i64 },
    OrganisationEditor { organisation_id: i64 },
}

impl Grant {
    pub fn role(self) -> Role {
        match self {
            Grant::FocalPoint { .. } => Role::FocalPoint,
            Grant::CountryOperator => Role::CountryOperator,
            Grant::OrganisationAdmin { .. } => Role::OrganisationAdmin,
            Grant::OrganisationEditor { .. } => Role::OrganisationEditor,
        }
    }

    pub fn city_id(self) -> Option<i64> {
        match self {
            Grant::FocalPoint { city_id } => Some(city_id),
            _ => None,
        }
    }

    pub fn organisation_id(self) -> Option<i64> {
        match self {
            Grant::OrganisationAdmin { organisation_id }
            | Grant::OrganisationEditor { organisation_id } => Some(organisation_id),
            _ => None,
        }
    }

    /// What the role is held on, as the unique index knows it.
    fn scope_key(self) -> String {
        match (self.city_id(), self.organisation_id()) {
            (Some(city), _) => format!("city:{city}"),
            (_, Some(organisation)) => format!("organisation:{organisation}"),
            _ => "country".to_owned(),
        }
    }

    /// The grant of `role` held on a city (focal point), an organisation (admin, editor) or
    /// the country (operator); `None` when the role's place is missing.
    pub fn new(role: Role, city_id: Option<i64>, organisation_id: Option<i64>) -> Option<Self> {
        Some(match role {
            Role::FocalPoint => Grant::FocalPoint { city_id: city_id? },
            Role::CountryOperator => Grant::CountryOperator,
            Role::OrganisationAdmin => Grant::OrganisationAdmin {
                organisation_id: organisation_id?,
            },
            Role::OrganisationEditor => Grant::OrganisationEditor {
                organisation_id: organisation_id?,
            },
        })
    }

    fn of_row(m: &inv::Model) -> Option<Self> {
        Self::new(Role::parse(&m.role)?, m.city_id, m.organisation_id)
    }
}

/// An invitation as stored (its token only hashed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRecord {
    pub id: i64,
    pub grant: Grant,
    pub name: String,
    pub email: String,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// Withdrawn by an operator (a focal point replaced or removed).
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl InvitationRecord {
    fn of_row(m: inv::Model) -> Result<Self, StoreError> {
        let grant = Grant::of_row(&m)
            .ok_or_else(|| StoreError::Corrupt(format!("invitation {}: role {}", m.id, m.role)))?;
        Ok(Self {
            id: m.id,
            grant,
            name: m.name,
            email: m.email,
            expires_at: m.expires_at,
            accepted_at: m.accepted_at,
            withdrawn_at: m.withdrawn_at,
        })
    }

    /// Not accepted and not expired at `now`.
    pub fn usable_at(&self, now: DateTime<Utc>) -> bool {
        self.accepted_at.is_none() && self.withdrawn_at.is_none() && self.expires_at > now
    }
}

/// A focal point invited by the tenant file sync, with the link's raw token (shown once, in
/// the email).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvitation {
    pub id: i64,
    pub city_slug: String,
    pub name: String,
    pub email: String,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

tenant_repository! {
    Invitations
}

impl<'a, C: crate::Connection> Invitations<'a, C> {
    fn rows(&self) -> sea_orm::Select<inv::Entity> {
        self.scope.all::<inv::Entity>()
    }

    async fn of(
        &self,
        grant: Grant,
        email: &EmailAddress,
    ) -> Result<Option<inv::Model>, StoreError> {
        Ok(self
            .rows()
            .filter(inv::Column::Role.eq(grant.role().as_str()))
            .filter(inv::Column::ScopeKey.eq(grant.scope_key()))
            .filter(inv::Column::Email.eq(email.as_str()))
            .one(&self.conn)
            .await?)
    }

    /// The id of this tenant's city `slug`; `Invalid` when there is none.
    pub async fn city_id(&self, slug: &str) -> Result<i64, StoreError> {
        Ok(Cities::in_scope(&self.conn, self.scope.clone())
            .by_slug(slug)
            .await?
            .ok_or_else(|| StoreError::UnknownCity(slug.to_owned()))?
            .id)
    }

    /// Creates the invitation of `email` for `grant`, or gives the existing one a fresh token
    /// and expiry (the previous link stops working, an accepted one can be used again). The
    /// raw token is in the answer only.
    pub async fn reissue(
        &self,
        grant: Grant,
        name: &str,
        email: &EmailAddress,
    ) -> Result<(InvitationRecord, String), StoreError> {
        let token = random_token();
        let now = Utc::now();
        let expires_at = now + Duration::days(INVITATION_TTL_DAYS);
        let model = match self.of(grant, email).await? {
            Some(found) => {
                let mut active: inv::ActiveModel = found.into();
                active.name = Set(name.to_owned());
                active.token_hash = Set(hash_token(&token));
                active.expires_at = Set(expires_at);
                active.accepted_at = Set(None);
                active.withdrawn_at = Set(None);
                active.update(&self.conn).await?
            }
            None => {
                inv::Entity::insert(inv::ActiveModel {
                    tenant_id: Set(self.scope.id().to_owned()),
                    role: Set(grant.role().as_str().to_owned()),
                    scope_key: Set(grant.scope_key()),
                    city_id: Set(grant.city_id()),
                    organisation_id: Set(grant.organisation_id()),
                    name: Set(name.to_owned()),
                    email: Set(email.to_string()),
                    token_hash: Set(hash_token(&token)),
                    expires_at: Set(expires_at),
                    accepted_at: Set(None),
                    withdrawn_at: Set(None),
                    created_at: Set(now),
                    ..Default::default()
                })
                .exec_with_returning(&self.conn)
                .await?
            }
        };
        Ok((InvitationRecord::of_row(model)?, token))
    }

    /// Invites a configured focal point unless this email was already invited for this city
    /// (the tenant file sync runs at every start-up).
    pub async fn invite_focal_point_if_new(
        &self,
        city_slug: &str,
        name: &str,
        email: &EmailAddress,
    ) -> Result<Option<NewInvitation>, StoreError> {
        let grant = Grant::FocalPoint {
            city_id: self.city_id(city_slug).await?,
        };
        if self.of(grant, email).await?.is_some() {
            return Ok(None);
        }
        let (record, token) = self.reissue(grant, name, email).await?;
        Ok(Some(NewInvitation {
            id: record.id,
            city_slug: city_slug.to_owned(),
            name: record.name,
            email: record.email,
            token,
            expires_at: record.expires_at,
        }))
    }

    /// Withdraws the invitation of `email` for `grant` (its link dies, the tenant file sync
    /// does not send it again); `false` when there was none or it already was.
    pub async fn withdraw(&self, grant: Grant, email: &str) -> Result<bool, StoreError> {
        let done = self
            .scope
            .update::<inv::Entity>()
            .col_expr(inv::Column::WithdrawnAt, Expr::value(Some(Utc::now())))
            .col_expr(
                inv::Column::TokenHash,
                Expr::value(hash_token(&random_token())),
            )
            .filter(inv::Column::Role.eq(grant.role().as_str()))
            .filter(inv::Column::ScopeKey.eq(grant.scope_key()))
            .filter(inv::Column::Email.eq(email))
            .filter(inv::Column::WithdrawnAt.is_null())
            .exec(&self.conn)
            .await?;
        Ok(done.rows_affected > 0)
    }

    /// The addresses whose focal-point invitation to `city_id` an operator withdrew.
    pub async fn withdrawn_focal_points(&self, city_id: i64) -> Result<Vec<String>, StoreError> {
        let grant = Grant::FocalPoint { city_id };
        Ok(self
            .rows()
            .filter(inv::Column::Role.eq(grant.role().as_str()))
            .filter(inv::Column::ScopeKey.eq(grant.scope_key()))
            .filter(inv::Column::WithdrawnAt.is_not_null())
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|m| m.email)
            .collect())
    }

    /// Every invitation of the tenant, oldest first.
    pub async fn list(&self) -> Result<Vec<InvitationRecord>, StoreError> {
        self.oldest_first(self.rows()).await
    }

    /// The invitations granting `role`, oldest first.
    pub async fn list_of(&self, role: Role) -> Result<Vec<InvitationRecord>, StoreError> {
        self.oldest_first(self.rows().filter(inv::Column::Role.eq(role.as_str())))
            .await
    }

    async fn oldest_first(
        &self,
        query: sea_orm::Select<inv::Entity>,
    ) -> Result<Vec<InvitationRecord>, StoreError> {
        query
            .order_by_asc(inv::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(InvitationRecord::of_row)
            .collect()
    }

    /// The invitation of this tenant with this raw token, whatever its state (to tell an
    /// unknown link from an expired or used one).
    pub async fn find_by_token(&self, token: &str) -> Result<Option<InvitationRecord>, StoreError> {
        self.rows()
            .filter(inv::Column::TokenHash.eq(hash_token(token)))
            .one(&self.conn)
            .await?
            .map(InvitationRecord::of_row)
            .transpose()
    }

    /// The invitation of this raw token if it can still be accepted now.
    pub async fn find_valid(&self, token: &str) -> Result<Option<InvitationRecord>, StoreError> {
        Ok(self
            .find_by_token(token)
            .await?
            .filter(|i| i.usable_at(Utc::now())))
    }

    /// Marks a usable invitation accepted at `now`, in one conditional update: `None` when the
    /// token is unknown here, expired or already used (two concurrent accepts cannot both
    /// succeed).
    pub async fn accept(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<InvitationRecord>, StoreError> {
        let Some(found) = self
            .find_by_token(token)
            .await?
            .filter(|i| i.usable_at(now))
        else {
            return Ok(None);
        };
        let updated = self
            .scope
            .update::<inv::Entity>()
            .col_expr(inv::Column::AcceptedAt, Expr::value(now))
            .filter(inv::Column::Id.eq(found.id))
            .filter(inv::Column::AcceptedAt.is_null())
            .exec(&self.conn)
            .await?;
        if updated.rows_affected != 1 {
            return Ok(None);
        }
        Ok(Some(InvitationRecord {
            accepted_at: Some(now),
            ..found
        }))
    }
}
