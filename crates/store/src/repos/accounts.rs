//! Member accounts of one tenant: users, their one-time tokens (email verification, password
//! reset, email change), database sessions and memberships (roles).
//!
//! Tokens and session ids are shown once (in an email, in a cookie) and stored only as their
//! SHA-256. A token is consumed by one conditional `UPDATE` (unused, unexpired, this tenant,
//! this purpose), so two concurrent uses cannot both succeed.

use crate::StoreError;
use crate::entities::{membership, session, user};
use crate::repos::invitations::Grant;
use chrono::{DateTime, Utc};
use jsap_domain::EmailAddress;
use jsap_domain::consents::ConsentKind;
use sea_orm::sea_query::{Expr, ExprTrait, IntoCondition};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

/// A user of a tenant, as the web layer sees it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub email_verified: bool,
    pub is_staff: bool,
    /// Bumped when every session of the user must end (password reset).
    pub session_generation: i32,
    pub terms_accepted_at: Option<DateTime<Utc>>,
    /// Blocked by an operator of this site: no session, no log-in.
    pub blocked: bool,
    pub created_at: DateTime<Utc>,
    /// The last day the member used a session (for the inactivity rule); `None` before the
    /// first sign-in.
    pub last_seen_at: Option<DateTime<Utc>>,
    /// Warned that the account will be deleted for inactivity (cleared by the next sign-in).
    pub inactivity_warned_at: Option<DateTime<Utc>>,
    /// Deleted by its member or for inactivity: the row remains, anonymised.
    pub deleted: bool,
}

impl From<user::Model> for Account {
    fn from(m: user::Model) -> Self {
        Self {
            id: m.id,
            email: m.email,
            display_name: m.display_name,
            email_verified: m.email_verified_at.is_some(),
            is_staff: m.is_staff,
            session_generation: m.session_generation,
            terms_accepted_at: m.terms_accepted_at,
            blocked: m.blocked_at.is_some(),
            created_at: m.created_at,
            last_seen_at: m.last_seen_at,
            inactivity_warned_at: m.inactivity_warned_at,
            deleted: m.deleted_at.is_some(),
        }
    }
}

pub use jsap_domain::roles::{Membership, Role};

mod lifecycle;
mod search;
mod sessions;
mod staff_seat;
mod tokens;
pub use lifecycle::{Consent, Consents, Erased, is_erased_address};
pub use search::BlockState;
pub(crate) use sessions::end_sessions_and_links;
pub use sessions::{DbSessions, StoredSession};
pub use tokens::{TokenPurpose, TokenUse, random_token, token_digest};

tenant_repository! {
    /// The accounts of one tenant.
    Accounts
}

impl<'a, C: crate::Connection> Accounts<'a, C> {
    fn users(&self) -> sea_orm::Select<user::Entity> {
        self.scope.all::<user::Entity>()
    }

    /// The account of this tenant `condition` selects, if any.
    async fn user(&self, condition: impl IntoCondition) -> Result<Option<user::Model>, StoreError> {
        Ok(self.users().filter(condition).one(&self.conn).await?)
    }

    pub async fn find(&self, id: i64) -> Result<Option<Account>, StoreError> {
        Ok(self.user(user::Column::Id.eq(id)).await?.map(Account::from))
    }

    pub async fn find_by_email(&self, email: &EmailAddress) -> Result<Option<Account>, StoreError> {
        Ok(self
            .user(user::Column::Email.eq(email.as_str()))
            .await?
            .map(Account::from))
    }

    /// The account and its password hash (`None`: no password set yet), for a log-in.
    pub async fn credentials(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<(Account, Option<String>)>, StoreError> {
        Ok(self
            .user(user::Column::Email.eq(email.as_str()))
            .await?
            .map(|m| {
                let hash = m.password_hash.clone();
                (Account::from(m), hash)
            }))
    }

    pub async fn password_hash(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .user(user::Column::Id.eq(id))
            .await?
            .and_then(|m| m.password_hash))
    }

    /// Creates an account. `verified`: the email is known to be the person's (an invitation).
    pub async fn create(
        &self,
        email: &EmailAddress,
        display_name: &str,
        password_hash: &str,
        verified: bool,
    ) -> Result<Account, StoreError> {
        let model = self
            .insert_user(email, display_name, Some(password_hash), false, verified)
            .await?;
        // Its terms are accepted at creation: the consent is recorded with their version.
        if let Some(at) = model.terms_accepted_at {
            Consents::within(&self.conn, &self.scope)
                .record(model.id, ConsentKind::Terms, true, at)
                .await?;
        }
        Ok(model.into())
    }

    /// Inserts a user of this tenant, created and its terms accepted now; its email verified
    /// now when `verified`.
    async fn insert_user(
        &self,
        email: &EmailAddress,
        display_name: &str,
        password_hash: Option<&str>,
        is_staff: bool,
        verified: bool,
    ) -> Result<user::Model, StoreError> {
        let now = Utc::now();
        Ok(user::Entity::insert(user::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            email: Set(email.to_string()),
            password_hash: Set(password_hash.map(str::to_owned)),
            display_name: Set(display_name.to_owned()),
            is_staff: Set(is_staff),
            email_verified_at: Set(verified.then_some(now)),
            created_at: Set(now),
            terms_accepted_at: Set(Some(now)),
            session_generation: Set(0),
            ..Default::default()
        })
        .exec_with_returning(&self.conn)
        .await?)
    }

    async fn model(&self, id: i64) -> Result<user::Model, StoreError> {
        self.user(user::Column::Id.eq(id))
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Saves the columns `change` sets on account `found`; returns the account as saved.
    async fn save(
        &self,
        found: user::Model,
        change: impl FnOnce(&mut user::ActiveModel),
    ) -> Result<user::Model, StoreError> {
        let mut active: user::ActiveModel = found.into();
        change(&mut active);
        Ok(active.update(&self.conn).await?)
    }

    pub async fn mark_verified(&self, id: i64) -> Result<(), StoreError> {
        let found = self.model(id).await?;
        if found.email_verified_at.is_none() {
            self.save(found, |u| u.email_verified_at = Set(Some(Utc::now())))
                .await?;
        }
        Ok(())
    }

    /// Sets a new password. `end_sessions`: every existing session of the user stops working,
    /// and so does every unused password reset link.
    pub async fn set_password(
        &self,
        id: i64,
        password_hash: &str,
        end_sessions: bool,
    ) -> Result<Account, StoreError> {
        let found = self.model(id).await?;
        let generation = found.session_generation;
        let updated = self
            .save(found, |u| {
                u.password_hash = Set(Some(password_hash.to_owned()));
                if end_sessions {
                    u.session_generation = Set(generation + 1);
                }
            })
            .await?;
        if end_sessions {
            end_sessions_and_links(&self.conn, &self.scope, id).await?;
        }
        Ok(updated.into())
    }

    /// Blocks account `id` for `reason`: its sessions and reset links end at once. `false`
    /// when it was blocked already.
    pub async fn block(
        &self,
        id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let found = self.model(id).await?;
        if found.blocked_at.is_some() {
            return Ok(false);
        }
        let generation = found.session_generation;
        self.save(found, |u| {
            u.blocked_at = Set(Some(now));
            u.blocked_reason = Set(reason.to_owned());
            u.session_generation = Set(generation + 1);
        })
        .await?;
        end_sessions_and_links(&self.conn, &self.scope, id).await?;
        Ok(true)
    }

    /// Lifts the block on account `id`: `false` when it was not blocked.
    pub async fn unblock(&self, id: i64) -> Result<bool, StoreError> {
        let found = self.model(id).await?;
        if found.blocked_at.is_none() {
            return Ok(false);
        }
        self.save(found, |u| {
            u.blocked_at = Set(None);
            u.blocked_reason = Set(String::new());
        })
        .await?;
        Ok(true)
    }

    /// The blocked accounts of the tenant with their reason, the latest first.
    pub async fn blocked(&self) -> Result<Vec<(Account, String, DateTime<Utc>)>, StoreError> {
        Ok(self
            .users()
            .filter(user::Column::BlockedAt.is_not_null())
            .order_by_desc(user::Column::BlockedAt)
            .all(&self.conn)
            .await?
            .into_iter()
            .filter_map(|m| {
                let at = m.blocked_at?;
                let reason = m.blocked_reason.clone();
                Some((Account::from(m), reason, at))
            })
            .collect())
    }

    pub async fn set_display_name(&self, id: i64, display_name: &str) -> Result<(), StoreError> {
        let found = self.model(id).await?;
        self.save(found, |u| u.display_name = Set(display_name.to_owned()))
            .await?;
        Ok(())
    }

    /// Changes the email (already proven by a link): `Invalid` if another account has it.
    pub async fn change_email(&self, id: i64, email: &EmailAddress) -> Result<(), StoreError> {
        if let Some(other) = self.find_by_email(email).await?
            && other.id != id
        {
            return Err(StoreError::EmailTaken);
        }
        let found = self.model(id).await?;
        self.save(found, |u| {
            u.email = Set(email.to_string());
            u.email_verified_at = Set(Some(Utc::now()));
        })
        .await?;
        Ok(())
    }

    /// Grants a role (idempotent). A new role ends every session of the user (they were
    /// opened with other rights): a caller that signs the user in afterwards reloads the
    /// account for its new session generation.
    pub async fn grant(&self, user_id: i64, grant: Grant) -> Result<(), StoreError> {
        let (role, city_id, organisation_id) =
            (grant.role(), grant.city_id(), grant.organisation_id());
        let wanted = Membership {
            role,
            city_id,
            organisation_id,
        };
        if self.memberships(user_id).await?.contains(&wanted) {
            return Ok(());
        }
        membership::Entity::insert(membership::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            user_id: Set(user_id),
            role: Set(role.as_str().to_owned()),
            city_id: Set(city_id),
            organisation_id: Set(organisation_id),
            created_at: Set(Utc::now()),
            ..Default::default()
        })
        .exec_without_returning(&self.conn)
        .await?;
        self.end_sessions(user_id).await
    }

    /// Takes a role back (nothing when the user does not hold it); ends the user's sessions
    /// like [`Accounts::grant`].
    pub async fn revoke(&self, user_id: i64, grant: Grant) -> Result<(), StoreError> {
        let (role, city_id, organisation_id) =
            (grant.role(), grant.city_id(), grant.organisation_id());
        let removed = self
            .scope
            .delete::<membership::Entity>()
            .filter(membership::Column::UserId.eq(user_id))
            .filter(membership::Column::Role.eq(role.as_str()))
            .filter(match city_id {
                Some(id) => membership::Column::CityId.eq(id),
                None => membership::Column::CityId.is_null(),
            })
            .filter(match organisation_id {
                Some(id) => membership::Column::OrganisationId.eq(id),
                None => membership::Column::OrganisationId.is_null(),
            })
            .exec(&self.conn)
            .await?;
        if removed.rows_affected > 0 {
            self.end_sessions(user_id).await?;
        }
        Ok(())
    }

    /// Ends every session of the user, on both session backends: the generation bump voids
    /// Redis sessions, the database ones are deleted.
    pub async fn end_sessions(&self, user_id: i64) -> Result<(), StoreError> {
        self.scope
            .update::<user::Entity>()
            .col_expr(
                user::Column::SessionGeneration,
                Expr::col(user::Column::SessionGeneration).add(1),
            )
            .filter(user::Column::Id.eq(user_id))
            .exec(&self.conn)
            .await?;
        self.scope
            .delete::<session::Entity>()
            .filter(session::Column::UserId.eq(user_id))
            .exec(&self.conn)
            .await?;
        Ok(())
    }

    pub async fn memberships(&self, user_id: i64) -> Result<Vec<Membership>, StoreError> {
        Ok(self
            .scope
            .all::<membership::Entity>()
            .filter(membership::Column::UserId.eq(user_id))
            .order_by_asc(membership::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .filter_map(|m| {
                Some(Membership {
                    role: Role::parse(&m.role)?,
                    city_id: m.city_id,
                    organisation_id: m.organisation_id,
                })
            })
            .collect())
    }

    /// Every account holding `role` on this tenant, with the membership (one pair per
    /// membership: a focal point of two cities comes twice).
    pub async fn with_role(&self, role: Role) -> Result<Vec<(Account, Membership)>, StoreError> {
        let rows = self
            .scope
            .all::<membership::Entity>()
            .filter(membership::Column::Role.eq(role.as_str()))
            .order_by_asc(membership::Column::Id)
            .all(&self.conn)
            .await?;
        if rows.is_empty() {
            return Ok(vec![]);
        }
        let ids: Vec<i64> = rows.iter().map(|m| m.user_id).collect();
        let users: Vec<Account> = self
            .users()
            .filter(user::Column::Id.is_in(ids))
            .all(&self.conn)
            .await?
            .into_iter()
            .map(Account::from)
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|m| {
                let account = users.iter().find(|u| u.id == m.user_id)?.clone();
                Some((
                    account,
                    Membership {
                        role,
                        city_id: m.city_id,
                        organisation_id: m.organisation_id,
                    },
                ))
            })
            .collect())
    }

    /// How many accounts this tenant has.
    pub async fn count(&self) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait;
        Ok(self.users().count(&self.conn).await?)
    }

    /// How many accounts this tenant has with this email (0 or 1; for tests and checks).
    pub async fn count_with_email(&self, email: &str) -> Result<usize, StoreError> {
        Ok(self
            .users()
            .filter(user::Column::Email.eq(email))
            .all(&self.conn)
            .await?
            .len())
    }
}
