//! Sessions kept in the database (the embedded setup; Redis keeps them otherwise), and the
//! end of a user's sessions and reset links.

use super::TokenPurpose;
use crate::StoreError;
use crate::entities::{account_token as token, session};
use crate::repos::Scope;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// A session kept in the database (the embedded setup; Redis keeps them otherwise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    pub user_id: i64,
    pub csrf_secret: String,
    pub generation: i32,
    pub expires_at: DateTime<Utc>,
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

tenant_repository! {
    /// Sessions kept in the database, by the SHA-256 of their id.
    DbSessions
}

impl<'a, C: crate::Connection> DbSessions<'a, C> {
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
        .exec_without_returning(&self.conn)
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
            .one(&self.conn)
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
            .exec(&self.conn)
            .await?;
        Ok(())
    }

    /// Drops this tenant's expired sessions; returns how many.
    pub async fn purge_expired(&self) -> Result<u64, StoreError> {
        Ok(self
            .scope
            .delete::<session::Entity>()
            .filter(session::Column::ExpiresAt.lte(Utc::now()))
            .exec(&self.conn)
            .await?
            .rows_affected)
    }
}
