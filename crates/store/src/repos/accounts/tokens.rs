//! One-time tokens (email verification, password reset, email change, staff entry): shown
//! once, in a link, and stored only as their SHA-256; used by one conditional `UPDATE`.

use super::Accounts;
use crate::StoreError;
use crate::entities::account_token as token;
use crate::repos::invitations::hash_token;
use chrono::{DateTime, Duration, Utc};
use jsap_domain::EmailAddress;
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

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
    pub(super) fn as_str(self) -> &'static str {
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

impl From<token::Model> for TokenUse {
    fn from(m: token::Model) -> Self {
        Self {
            user_id: m.user_id,
            new_email: m.new_email,
        }
    }
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

impl<'a, C: crate::Connection> Accounts<'a, C> {
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
        .exec_without_returning(&self.conn)
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
            .one(&self.conn)
            .await?
            .map(TokenUse::from))
    }

    /// Uses a token: `None` when unknown here, expired, already used or for another purpose.
    pub async fn consume_token(
        &self,
        raw: &str,
        purpose: TokenPurpose,
    ) -> Result<Option<TokenUse>, StoreError> {
        let Some(found) = self.valid_token(raw, purpose).one(&self.conn).await? else {
            return Ok(None);
        };
        let now = Utc::now();
        let updated = self
            .scope
            .update::<token::Entity>()
            .col_expr(token::Column::UsedAt, Expr::value(now))
            .filter(token::Column::Id.eq(found.id))
            .filter(token::Column::UsedAt.is_null())
            .exec(&self.conn)
            .await?;
        if updated.rows_affected != 1 {
            return Ok(None);
        }
        Ok(Some(TokenUse::from(found)))
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
            .exec(&self.conn)
            .await?
            .rows_affected)
    }
}
