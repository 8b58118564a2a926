//! Every email is first a row here, written in the same transaction as its cause; the delivery
//! job sends it later, with retries and backoff, so a mail outage loses nothing.

use super::Scope;
use crate::StoreError;
use crate::entities::email_outbox as row;
use chrono::{DateTime, Duration, Utc};
use jsap_tenancy::Tenant;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// After this many failed attempts an email is marked failed and left for an operator.
pub const MAX_ATTEMPTS: i32 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    Pending,
    Sent,
    Failed,
}

impl OutboxStatus {
    fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "sent" => OutboxStatus::Sent,
            "failed" => OutboxStatus::Failed,
            _ => OutboxStatus::Pending,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewEmail {
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
}

#[derive(Debug, Clone)]
pub struct OutboxEmail {
    pub id: i64,
    pub tenant_code: String,
    pub kind: String,
    pub to: String,
    pub from_name: String,
    pub from_address: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

impl From<row::Model> for OutboxEmail {
    fn from(m: row::Model) -> Self {
        Self {
            id: m.id,
            tenant_code: m.tenant_id,
            kind: m.kind,
            to: m.to_address,
            from_name: m.from_name,
            from_address: m.from_address,
            subject: m.subject,
            text_body: m.text_body,
            html_body: m.html_body,
            status: OutboxStatus::parse(&m.status),
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
        }
    }
}

/// The outbox of one tenant: emails are queued with the tenant's sender.
pub struct Outbox<'a, C> {
    conn: crate::rls::Scoped<'a, C>,
    scope: Scope,
    from_name: String,
    from_address: String,
}

impl<'a, C: crate::Connection> Outbox<'a, C> {
    pub fn for_tenant(conn: &'a C, tenant: &Tenant) -> Self {
        Self {
            conn: crate::rls::Scoped::tenant(conn, tenant.code.as_str()),
            scope: Scope::of(tenant),
            from_name: tenant.email.from_name.clone(),
            from_address: tenant.email.from_address.to_string(),
        }
    }

    pub async fn enqueue(&self, email: NewEmail) -> Result<i64, StoreError> {
        let now = Utc::now();
        let inserted = row::Entity::insert(row::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            kind: Set(email.kind),
            to_address: Set(email.to),
            from_name: Set(self.from_name.clone()),
            from_address: Set(self.from_address.clone()),
            subject: Set(email.subject),
            text_body: Set(email.text_body),
            html_body: Set(email.html_body),
            status: Set(OutboxStatus::Pending.as_str().to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            last_error: Set(None),
            created_at: Set(now),
            sent_at: Set(None),
            ..Default::default()
        })
        .exec(&self.conn)
        .await?;
        Ok(inserted.last_insert_id)
    }

    /// The emails of this tenant to `address`, oldest first (a member's data export).
    pub async fn to_address(&self, address: &str) -> Result<Vec<OutboxEmail>, StoreError> {
        self.oldest_first(
            self.scope
                .all::<row::Entity>()
                .filter(row::Column::ToAddress.eq(address)),
        )
        .await
    }

    pub async fn list(&self) -> Result<Vec<OutboxEmail>, StoreError> {
        self.oldest_first(self.scope.all::<row::Entity>()).await
    }

    async fn oldest_first(
        &self,
        select: sea_orm::Select<row::Entity>,
    ) -> Result<Vec<OutboxEmail>, StoreError> {
        Ok(select
            .order_by_asc(row::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(OutboxEmail::from)
            .collect())
    }
}

/// The delivery side of the outbox. It works across tenants on purpose: one job drains every
/// tenant's emails; each row carries its own tenant and sender.
pub struct OutboxDelivery<'a, C> {
    conn: crate::rls::Scoped<'a, C>,
}

impl<'a, C: crate::Connection> OutboxDelivery<'a, C> {
    pub fn across_all_tenants(conn: &'a C) -> Self {
        Self {
            conn: crate::rls::Scoped::all_tenants(conn),
        }
    }

    /// How many emails wait to be sent (every tenant), and when the oldest was queued.
    pub async fn backlog(&self) -> Result<(u64, Option<DateTime<Utc>>), StoreError> {
        let pending =
            row::Entity::find().filter(row::Column::Status.eq(OutboxStatus::Pending.as_str()));
        let count = sea_orm::PaginatorTrait::count(pending.clone(), &self.conn).await?;
        let oldest = pending
            .order_by_asc(row::Column::CreatedAt)
            .one(&self.conn)
            .await?
            .map(|e| e.created_at);
        Ok((count, oldest))
    }

    /// Pending emails whose next attempt is due, oldest first.
    pub async fn due(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<OutboxEmail>, StoreError> {
        Ok(row::Entity::find()
            .filter(row::Column::Status.eq(OutboxStatus::Pending.as_str()))
            .filter(row::Column::NextAttemptAt.lte(now))
            .order_by_asc(row::Column::NextAttemptAt)
            .order_by_asc(row::Column::Id)
            .limit(limit)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(OutboxEmail::from)
            .collect())
    }

    /// Claims a due email for one sender: its next attempt moves `lease` ahead, only if it is
    /// still pending and due (one conditional `UPDATE`, atomic on both databases: a second
    /// claimer finds it no longer due). `true` if this caller got it.
    pub async fn claim(
        &self,
        email: &OutboxEmail,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let claimed = row::Entity::update_many()
            .col_expr(row::Column::NextAttemptAt, Expr::value(now + lease))
            .filter(row::Column::Id.eq(email.id))
            .filter(row::Column::Status.eq(OutboxStatus::Pending.as_str()))
            .filter(row::Column::NextAttemptAt.lte(now))
            .exec(&self.conn)
            .await?;
        Ok(claimed.rows_affected == 1)
    }

    pub async fn mark_sent(&self, id: i64) -> Result<(), StoreError> {
        let found = row::Entity::find_by_id(id)
            .one(&self.conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let attempts = found.attempts + 1;
        let mut active: row::ActiveModel = found.into();
        active.status = Set(OutboxStatus::Sent.as_str().to_owned());
        active.attempts = Set(attempts);
        active.sent_at = Set(Some(Utc::now()));
        active.last_error = Set(None);
        active.update(&self.conn).await?;
        Ok(())
    }

    /// Records a failed attempt: retried after an exponential backoff (1, 2, 4... minutes,
    /// at most 6 hours), or marked failed after `MAX_ATTEMPTS`.
    pub async fn mark_attempt_failed(
        &self,
        id: i64,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<OutboxStatus, StoreError> {
        let found = row::Entity::find_by_id(id)
            .one(&self.conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let attempts = found.attempts + 1;
        let status = if attempts >= MAX_ATTEMPTS {
            OutboxStatus::Failed
        } else {
            OutboxStatus::Pending
        };
        let mut active: row::ActiveModel = found.into();
        active.attempts = Set(attempts);
        active.status = Set(status.as_str().to_owned());
        active.next_attempt_at = Set(now + backoff(attempts));
        active.last_error = Set(Some(error.chars().take(500).collect()));
        active.update(&self.conn).await?;
        Ok(status)
    }
}

/// Wait before the next attempt after `attempts` failures.
pub fn backoff(attempts: i32) -> Duration {
    let minutes = 1i64 << attempts.clamp(1, 12).saturating_sub(1);
    Duration::minutes(minutes.min(360))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::minutes(1));
        assert_eq!(backoff(2), Duration::minutes(2));
        assert_eq!(backoff(4), Duration::minutes(8));
        assert_eq!(backoff(30), Duration::minutes(360));
    }
}
