//! Member accounts of one tenant: users, their one-time tokens (email verification, password
//! reset, email change), database sessions and memberships (roles).
//!
//! Tokens and session ids are shown once (in an email, in a cookie) and stored only as their
//! SHA-256. A token is consumed by one conditional `UPDATE` (unused, unexpired, this tenant,
//! this purpose), so two concurrent uses cannot both succeed.

use super::Scope;
use crate::StoreError;
use crate::entities::{account_token as token, membership, session, user};
use crate::repos::invitations::hash_token;
use chrono::{DateTime, Duration, Utc};
use jsap_domain::EmailAddress;
use rand::RngCore;
use sea_orm::sea_query::{Expr, ExprTrait, IntoCondition};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

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
        }
    }
}

/// What a one-time token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
    ChangeEmail,
    /// A staff member entering this site's console from the portal (`Accounts::staff_seat`).
    StaffEntry,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::VerifyEmail => "verify_email",
            TokenPurpose::ResetPassword => "reset_password",
            TokenPurpose::ChangeEmail => "change_email",
            TokenPurpose::StaffEntry => "staff_entry",
        }
    }

    /// How long a link stays valid.
    pub fn ttl(self) -> Duration {
        match self {
            TokenPurpose::VerifyEmail | TokenPurpose::ChangeEmail => Duration::hours(48),
            TokenPurpose::ResetPassword => Duration::hours(1),
            // Used by the browser at once, in the redirect that carries it.
            TokenPurpose::StaffEntry => Duration::minutes(2),
        }
    }
}

/// A token that was found valid (and, for `consume_token`, is now used).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenUse {
    pub user_id: i64,
    pub new_email: Option<String>,
}

pub use jsap_domain::roles::{Membership, Role};

/// A session kept in the database (the embedded setup; Redis keeps them otherwise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    pub user_id: i64,
    pub csrf_secret: String,
    pub generation: i32,
    pub expires_at: DateTime<Utc>,
}

/// 256 random bits, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The SHA-256 under which a token or session id is stored.
pub fn token_digest(token: &str) -> String {
    hash_token(token)
}

/// Deletes the user's database sessions (Redis sessions die with the session generation the
/// caller bumps) and marks their unused password reset links used.
pub(crate) async fn end_sessions_and_links<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    user_id: i64,
) -> Result<(), StoreError> {
    scope
        .update::<token::Entity>()
        .col_expr(token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(token::Column::UserId.eq(user_id))
        .filter(token::Column::Purpose.eq(TokenPurpose::ResetPassword.as_str()))
        .filter(token::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    scope
        .delete::<session::Entity>()
        .filter(session::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}

mod search;
mod staff_seat;
pub use search::BlockState;

tenant_repository! {
    /// The accounts of one tenant.
    Accounts
}

impl<'a, C: ConnectionTrait> Accounts<'a, C> {
    fn users(&self) -> sea_orm::Select<user::Entity> {
        self.scope.all::<user::Entity>()
    }

    /// The account of this tenant `condition` selects, if any.
    async fn user(&self, condition: impl IntoCondition) -> Result<Option<user::Model>, StoreError> {
        Ok(self.users().filter(condition).one(self.conn).await?)
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
        let now = Utc::now();
        let model = user::Entity::insert(user::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            email: Set(email.to_string()),
            password_hash: Set(Some(password_hash.to_owned())),
            display_name: Set(display_name.to_owned()),
            is_staff: Set(false),
            email_verified_at: Set(verified.then_some(now)),
            created_at: Set(now),
            terms_accepted_at: Set(Some(now)),
            session_generation: Set(0),
            ..Default::default()
        })
        .exec_with_returning(self.conn)
        .await?;
        Ok(model.into())
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
        Ok(active.update(self.conn).await?)
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
            end_sessions_and_links(self.conn, &self.scope, id).await?;
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
        end_sessions_and_links(self.conn, &self.scope, id).await?;
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
            .all(self.conn)
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

    /// Issues a one-time token; returns the raw token (to put in a link), stored hashed.
    pub async fn issue_token(
        &self,
        user_id: i64,
        purpose: TokenPurpose,
        new_email: Option<&EmailAddress>,
    ) -> Result<String, StoreError> {
        let raw = random_token();
        let now = Utc::now();
        token::Entity::insert(token::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            user_id: Set(user_id),
            purpose: Set(purpose.as_str().to_owned()),
            token_hash: Set(hash_token(&raw)),
            new_email: Set(new_email.map(ToString::to_string)),
            expires_at: Set(now + purpose.ttl()),
            used_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        })
        .exec_without_returning(self.conn)
        .await?;
        Ok(raw)
    }

    fn valid_token(&self, raw: &str, purpose: TokenPurpose) -> sea_orm::Select<token::Entity> {
        self.scope
            .all::<token::Entity>()
            .filter(token::Column::TokenHash.eq(hash_token(raw)))
            .filter(token::Column::Purpose.eq(purpose.as_str()))
            .filter(token::Column::UsedAt.is_null())
            .filter(token::Column::ExpiresAt.gt(Utc::now()))
    }

    /// Whether a token is valid now, without using it (to show the password reset form).
    pub async fn peek_token(
        &self,
        raw: &str,
        purpose: TokenPurpose,
    ) -> Result<Option<TokenUse>, StoreError> {
        Ok(self
            .valid_token(raw, purpose)
            .one(self.conn)
            .await?
            .map(|m| TokenUse {
                user_id: m.user_id,
                new_email: m.new_email,
            }))
    }

    /// Uses a token: `None` when unknown here, expired, already used or for another purpose.
    pub async fn consume_token(
        &self,
        raw: &str,
        purpose: TokenPurpose,
    ) -> Result<Option<TokenUse>, StoreError> {
        let Some(found) = self.valid_token(raw, purpose).one(self.conn).await? else {
            return Ok(None);
        };
        let now = Utc::now();
        let updated = self
            .scope
            .update::<token::Entity>()
            .col_expr(token::Column::UsedAt, Expr::value(now))
            .filter(token::Column::Id.eq(found.id))
            .filter(token::Column::UsedAt.is_null())
            .exec(self.conn)
            .await?;
        if updated.rows_affected != 1 {
            return Ok(None);
        }
        Ok(Some(TokenUse {
            user_id: found.user_id,
            new_email: found.new_email,
        }))
    }

    /// Grants a role (idempotent). A new role ends every session of the user (they were
    /// opened with other rights): a caller that signs the user in afterwards reloads the
    /// account for its new session generation.
    pub async fn grant(
        &self,
        user_id: i64,
        role: Role,
        city_id: Option<i64>,
        organisation_id: Option<i64>,
    ) -> Result<(), StoreError> {
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
        .exec_without_returning(self.conn)
        .await?;
        self.end_sessions(user_id).await
    }

    /// Takes a role back (nothing when the user does not hold it); ends the user's sessions
    /// like [`Accounts::grant`].
    pub async fn revoke(
        &self,
        user_id: i64,
        role: Role,
        city_id: Option<i64>,
        organisation_id: Option<i64>,
    ) -> Result<(), StoreError> {
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
            .exec(self.conn)
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
            .exec(self.conn)
            .await?;
        self.scope
            .delete::<session::Entity>()
            .filter(session::Column::UserId.eq(user_id))
            .exec(self.conn)
            .await?;
        Ok(())
    }

    pub async fn memberships(&self, user_id: i64) -> Result<Vec<Membership>, StoreError> {
        Ok(self
            .scope
            .all::<membership::Entity>()
            .filter(membership::Column::UserId.eq(user_id))
            .order_by_asc(membership::Column::Id)
            .all(self.conn)
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
            .all(self.conn)
            .await?;
        if rows.is_empty() {
            return Ok(vec![]);
        }
        let ids: Vec<i64> = rows.iter().map(|m| m.user_id).collect();
        let users: Vec<Account> = self
            .users()
            .filter(user::Column::Id.is_in(ids))
            .all(self.conn)
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

    /// Deletes tokens that expired before `before` (used or not): they can never serve again.
    pub async fn purge_tokens_expired_before(
        &self,
        before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(self
            .scope
            .delete::<token::Entity>()
            .filter(token::Column::ExpiresAt.lt(before))
            .exec(self.conn)
            .await?
            .rows_affected)
    }

    /// How many accounts this tenant has.
    pub async fn count(&self) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait;
        Ok(self.users().count(self.conn).await?)
    }

    /// How many accounts this tenant has with this email (0 or 1; for tests and checks).
    pub async fn count_with_email(&self, email: &str) -> Result<usize, StoreError> {
        Ok(self
            .users()
            .filter(user::Column::Email.eq(email))
            .all(self.conn)
            .await?
            .len())
    }
}

tenant_repository! {
    /// Sessions kept in the database, by the SHA-256 of their id.
    DbSessions
}

impl<'a, C: ConnectionTrait> DbSessions<'a, C> {
    pub async fn insert(&self, id_hash: &str, s: &StoredSession) -> Result<(), StoreError> {
        session::Entity::insert(session::ActiveModel {
            id_hash: Set(id_hash.to_owned()),
            tenant_id: Set(self.scope.id().to_owned()),
            user_id: Set(s.user_id),
            csrf_secret: Set(s.csrf_secret.clone()),
            generation: Set(s.generation),
            created_at: Set(Utc::now()),
            expires_at: Set(s.expires_at),
        })
        .exec_without_returning(self.conn)
        .await?;
        Ok(())
    }

    /// The unexpired session of this tenant with this id hash.
    pub async fn get(&self, id_hash: &str) -> Result<Option<StoredSession>, StoreError> {
        Ok(self
            .scope
            .all::<session::Entity>()
            .filter(session::Column::IdHash.eq(id_hash))
            .filter(session::Column::ExpiresAt.gt(Utc::now()))
            .one(self.conn)
            .await?
            .map(|m| StoredSession {
                user_id: m.user_id,
                csrf_secret: m.csrf_secret,
                generation: m.generation,
                expires_at: m.expires_at,
            }))
    }

    pub async fn delete(&self, id_hash: &str) -> Result<(), StoreError> {
        self.scope
            .delete::<session::Entity>()
            .filter(session::Column::IdHash.eq(id_hash))
            .exec(self.conn)
            .await?;
        Ok(())
    }

    /// Drops this tenant's expired sessions; returns how many.
    pub async fn purge_expired(&self) -> Result<u64, StoreError> {
        Ok(self
            .scope
            .delete::<session::Entity>()
            .filter(session::Column::ExpiresAt.lte(Utc::now()))
            .exec(self.conn)
            .await?
            .rows_affected)
    }
}
