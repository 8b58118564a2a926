//! Personal access tokens of one tenant's members. Only their SHA-256 is stored; the token
//! itself is returned once, at creation.

use super::accounts::{random_token, token_digest};
use crate::StoreError;
use crate::entities::access_token;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

/// What tokens start with, so that a leaked one is recognised (secret scanners, logs).
pub const TOKEN_PREFIX: &str = "jsap_";

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// The first characters of the token, to tell tokens apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<access_token::Model> for TokenRecord {
    fn from(m: access_token::Model) -> Self {
        Self {
            id: m.id,
            user_id: m.user_id,
            name: m.name,
            prefix: m.prefix,
            created_at: m.created_at,
            last_used_at: m.last_used_at,
            revoked_at: m.revoked_at,
        }
    }
}

tenant_repository! {
    AccessTokens
}

impl<'a, C: crate::Connection> AccessTokens<'a, C> {
    /// A new token of `user_id` named `name`: the token (shown once) and its record.
    pub async fn create(
        &self,
        user_id: i64,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, TokenRecord), StoreError> {
        let token = format!("{TOKEN_PREFIX}{}", random_token());
        let prefix: String = token.chars().take(12).collect();
        let inserted = access_token::Entity::insert(access_token::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            user_id: Set(user_id),
            name: Set(name.to_owned()),
            token_hash: Set(token_digest(&token)),
            prefix: Set(prefix.clone()),
            created_at: Set(now),
            last_used_at: Set(None),
            revoked_at: Set(None),
            ..Default::default()
        })
        .exec(&self.conn)
        .await?;
        Ok((
            token,
            TokenRecord {
                id: inserted.last_insert_id,
                user_id,
                name: name.to_owned(),
                prefix,
                created_at: now,
                last_used_at: None,
                revoked_at: None,
            },
        ))
    }

    /// The tokens of `user_id`, newest first (revoked ones too).
    pub async fn of_user(&self, user_id: i64) -> Result<Vec<TokenRecord>, StoreError> {
        Ok(self
            .scope
            .all::<access_token::Entity>()
            .filter(access_token::Column::UserId.eq(user_id))
            .order_by_desc(access_token::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(TokenRecord::from)
            .collect())
    }

    /// Revokes token `id` of `user_id`; false when there is no such live token.
    pub async fn revoke(
        &self,
        user_id: i64,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let updated = self
            .scope
            .update::<access_token::Entity>()
            .col_expr(access_token::Column::RevokedAt, Expr::value(now))
            .filter(access_token::Column::Id.eq(id))
            .filter(access_token::Column::UserId.eq(user_id))
            .filter(access_token::Column::RevokedAt.is_null())
            .exec(&self.conn)
            .await?;
        Ok(updated.rows_affected == 1)
    }

    /// The user a live `token` of this tenant belongs to; records its use.
    pub async fn authenticate(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StoreError> {
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 100 {
            return Ok(None);
        }
        let Some(row) = self
            .scope
            .all::<access_token::Entity>()
            .filter(access_token::Column::TokenHash.eq(token_digest(token)))
            .filter(access_token::Column::RevokedAt.is_null())
            .one(&self.conn)
            .await?
        else {
            return Ok(None);
        };
        self.scope
            .update::<access_token::Entity>()
            .col_expr(access_token::Column::LastUsedAt, Expr::value(now))
            .filter(access_token::Column::Id.eq(row.id))
            .exec(&self.conn)
            .await?;
        Ok(Some(row.user_id))
    }
}
