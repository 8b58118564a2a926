//! The life of an account after sign-up: the day it was last used, the inactivity warning,
//! its deletion (anonymised, its personal data erased), and the consents its member gave.

use super::{Account, Accounts};
use crate::StoreError;
use crate::entities::{
    access_token, account_token, consent, digest_send, email_outbox, favourite, membership,
    mission_proposal, profile, request, request_read, session, stay, stay_city, user,
};
use crate::repos::Scope;
use chrono::{DateTime, Utc};
use jsap_domain::consents::ConsentKind;
use jsap_domain::requests::Action;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

/// The domain of the addresses deleted accounts keep (`.invalid` is reserved: never
/// deliverable).
const ERASED_DOMAIN: &str = "@deleted.invalid";

/// The address a deleted account keeps: unique on its tenant and never deliverable, so the
/// real address is free to sign up again.
fn erased_address(id: i64) -> String {
    format!("deleted-{id}{ERASED_DOMAIN}")
}

/// Whether `address` is a deleted account's: nothing is ever sent to it.
pub fn is_erased_address(address: &str) -> bool {
    address.ends_with(ERASED_DOMAIN)
}

/// What an account erasure did, for the use case's journal and confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erased {
    /// The address the account had (the confirmation goes there, once).
    pub email: String,
    pub display_name: String,
    /// Its requests still open, now withdrawn.
    pub withdrawn_requests: u64,
}

impl<'a, C: crate::Connection> Accounts<'a, C> {
    /// Notes that account `id` was used at `now`, at most once a day; a use clears an
    /// inactivity warning. `false` when it was already noted today.
    pub async fn seen(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let day_start = now
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map_or(now, |d| d.and_utc());
        let updated = self
            .scope
            .update::<user::Entity>()
            .col_expr(user::Column::LastSeenAt, Expr::value(Some(now)))
            .col_expr(
                user::Column::InactivityWarnedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(user::Column::Id.eq(id))
            .filter(user::Column::DeletedAt.is_null())
            .filter(
                user::Column::LastSeenAt
                    .is_null()
                    .or(user::Column::LastSeenAt.lt(day_start)),
            )
            .exec(&self.conn)
            .await?;
        Ok(updated.rows_affected > 0)
    }

    /// The accounts that may fall under the inactivity rule at `before`: members of this
    /// tenant, not deleted, not staff, holding no role (a focal point, an operator or an
    /// organisation's member is the country operator's to remove), last used (or created)
    /// before `before` or already warned; oldest first, at most `limit`.
    pub async fn dormant(
        &self,
        before: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<Account>, StoreError> {
        let holders = Query::select()
            .column(membership::Column::UserId)
            .from(membership::Entity)
            .and_where(membership::Column::TenantId.eq(self.scope.id()))
            .to_owned();
        let last_used = Expr::cust("COALESCE(last_seen_at, created_at)");
        Ok(self
            .users()
            .filter(user::Column::DeletedAt.is_null())
            .filter(user::Column::IsStaff.eq(false))
            .filter(user::Column::Id.not_in_subquery(holders))
            .filter(
                last_used
                    .clone()
                    .lt(before)
                    .or(user::Column::InactivityWarnedAt.is_not_null()),
            )
            .order_by_asc(last_used)
            .order_by_asc(user::Column::Id)
            .limit(limit)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(Account::from)
            .collect())
    }

    /// Marks account `id` warned at `now`, unless it was used or warned meanwhile.
    pub async fn mark_warned(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let updated = self
            .scope
            .update::<user::Entity>()
            .col_expr(user::Column::InactivityWarnedAt, Expr::value(Some(now)))
            .filter(user::Column::Id.eq(id))
            .filter(user::Column::InactivityWarnedAt.is_null())
            .filter(user::Column::DeletedAt.is_null())
            .exec(&self.conn)
            .await?;
        Ok(updated.rows_affected > 0)
    }

    /// Erases account `id` at `now`: its sessions, links, tokens, roles, profile, stays, saved
    /// missions, consents, digests and the emails queued or sent to it are deleted; its open
    /// requests are withdrawn; the row stays with no address, name or password, so the other
    /// side of its conversations keeps them. `NotFound` for an account already erased.
    pub async fn erase(&self, id: i64, now: DateTime<Utc>) -> Result<Erased, StoreError> {
        let found = self.model(id).await?;
        if found.deleted_at.is_some() {
            return Err(StoreError::NotFound);
        }
        let scope = &self.scope;
        let email = found.email.clone();
        let display_name = found.display_name.clone();
        let generation = found.session_generation;
        self.save(found, |u| {
            u.email = Set(erased_address(id));
            u.display_name = Set(String::new());
            u.password_hash = Set(None);
            u.email_verified_at = Set(None);
            u.session_generation = Set(generation + 1);
            u.inactivity_warned_at = Set(None);
            u.deleted_at = Set(Some(now));
        })
        .await?;
        let stays: Vec<i64> = scope
            .all::<stay::Entity>()
            .select_only()
            .column(stay::Column::Id)
            .filter(stay::Column::UserId.eq(id))
            .into_tuple()
            .all(&self.conn)
            .await?;
        if !stays.is_empty() {
            scope
                .delete::<stay_city::Entity>()
                .filter(stay_city::Column::StayId.is_in(stays))
                .exec(&self.conn)
                .await?;
        }
        delete_of_user::<stay::Entity, _>(&self.conn, scope, stay::Column::UserId, id).await?;
        delete_of_user::<profile::Entity, _>(&self.conn, scope, profile::Column::UserId, id)
            .await?;
        delete_of_user::<session::Entity, _>(&self.conn, scope, session::Column::UserId, id)
            .await?;
        delete_of_user::<account_token::Entity, _>(
            &self.conn,
            scope,
            account_token::Column::UserId,
            id,
        )
        .await?;
        delete_of_user::<access_token::Entity, _>(
            &self.conn,
            scope,
            access_token::Column::UserId,
            id,
        )
        .await?;
        delete_of_user::<membership::Entity, _>(&self.conn, scope, membership::Column::UserId, id)
            .await?;
        delete_of_user::<favourite::Entity, _>(&self.conn, scope, favourite::Column::UserId, id)
            .await?;
        delete_of_user::<consent::Entity, _>(&self.conn, scope, consent::Column::UserId, id)
            .await?;
        delete_of_user::<mission_proposal::Entity, _>(
            &self.conn,
            scope,
            mission_proposal::Column::UserId,
            id,
        )
        .await?;
        delete_of_user::<digest_send::Entity, _>(
            &self.conn,
            scope,
            digest_send::Column::UserId,
            id,
        )
        .await?;
        delete_of_user::<request_read::Entity, _>(
            &self.conn,
            scope,
            request_read::Column::UserId,
            id,
        )
        .await?;
        scope
            .delete::<email_outbox::Entity>()
            .filter(email_outbox::Column::ToAddress.eq(email.as_str()))
            .exec(&self.conn)
            .await?;
        // What a member's withdrawal applies to, by the request state machine.
        let (from, to) = Action::Withdraw.transition();
        let withdrawn = scope
            .update::<request::Entity>()
            .col_expr(request::Column::State, Expr::value(to.as_str()))
            .col_expr(request::Column::UpdatedAt, Expr::value(now))
            .filter(request::Column::MemberUserId.eq(id))
            .filter(request::Column::State.is_in(from.iter().map(|s| s.as_str())))
            .exec(&self.conn)
            .await?
            .rows_affected;
        Ok(Erased {
            email,
            display_name,
            withdrawn_requests: withdrawn,
        })
    }
}

/// Deletes the rows of `E` whose `column` is `user_id`, on this tenant.
async fn delete_of_user<E, C>(
    conn: &C,
    scope: &Scope,
    column: E::Column,
    user_id: i64,
) -> Result<(), StoreError>
where
    E: crate::entities::TenantOwned,
    C: ConnectionTrait,
{
    scope
        .delete::<E>()
        .filter(column.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// A consent as the member's export shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consent {
    pub kind: String,
    pub version: String,
    pub granted: bool,
    pub recorded_at: DateTime<Utc>,
}

impl From<consent::Model> for Consent {
    fn from(c: consent::Model) -> Self {
        Self {
            kind: c.kind,
            version: c.version,
            granted: c.granted,
            recorded_at: c.recorded_at,
        }
    }
}

tenant_repository! {
    /// The consents the members of one tenant gave or withdrew, each kept with its date and
    /// the version of the text it was given to.
    Consents
}

impl<'a, C: crate::Connection> Consents<'a, C> {
    /// The consents of the tenant another repository of this crate is bound to.
    pub(super) fn within(conn: &crate::rls::Scoped<'a, C>, scope: &Scope) -> Self {
        Self {
            conn: conn.clone(),
            scope: scope.clone(),
        }
    }

    /// Records that `user_id` gave (or withdrew) `kind` at `at`, to the current version.
    pub async fn record(
        &self,
        user_id: i64,
        kind: ConsentKind,
        granted: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        consent::Entity::insert(consent::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            user_id: Set(user_id),
            kind: Set(kind.as_str().to_owned()),
            version: Set(kind.current_version().to_owned()),
            granted: Set(granted),
            recorded_at: Set(at),
            ..Default::default()
        })
        .exec(&self.conn)
        .await?;
        Ok(())
    }

    /// The consents of `user_id`, oldest first.
    pub async fn of_user(&self, user_id: i64) -> Result<Vec<Consent>, StoreError> {
        Ok(self
            .scope
            .all::<consent::Entity>()
            .filter(consent::Column::UserId.eq(user_id))
            .order_by_asc(consent::Column::RecordedAt)
            .order_by_asc(consent::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(Consent::from)
            .collect())
    }

    /// The latest choice of `user_id` for `kind`, if any.
    pub async fn latest(
        &self,
        user_id: i64,
        kind: ConsentKind,
    ) -> Result<Option<Consent>, StoreError> {
        Ok(self
            .scope
            .all::<consent::Entity>()
            .filter(consent::Column::UserId.eq(user_id))
            .filter(consent::Column::Kind.eq(kind.as_str()))
            .order_by_desc(consent::Column::RecordedAt)
            .order_by_desc(consent::Column::Id)
            .one(&self.conn)
            .await?
            .map(Consent::from))
    }
}
