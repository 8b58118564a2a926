//! The journal of administrative actions of one tenant (verification, review, city added,
//! role given or removed, invitation...). Append-only: rows are written in the transaction of
//! the action they record and read back, never changed or deleted.

use crate::StoreError;
use crate::entities::audit_entry;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Set,
};
use serde::Serialize;

/// One action to record.
#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    /// The account that acted (`None` for the command line or a job).
    pub actor_user_id: Option<i64>,
    /// Who acted, as shown: the account's address, or `cli`, `sync`...
    pub actor: &'a str,
    /// What was done: `city_added`, `organisation_verified`, `mission_published`...
    pub action: &'a str,
    /// What it was done to: `city`, `organisation`, `mission`, `account`, `invitation`.
    pub target_kind: &'a str,
    pub target_id: Option<i64>,
    /// The target's name as it was then.
    pub target: &'a str,
    /// A reason, a comment, the role given.
    pub detail: &'a str,
    pub at: DateTime<Utc>,
}

/// Who acted, as a journal entry keeps it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AuditActor {
    /// The account (`None` for the command line or a job).
    pub user_id: Option<i64>,
    /// As shown: the account's address, or `cli`, `sync`...
    pub name: String,
}

/// What an action was done to, as a journal entry keeps it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AuditTarget {
    /// `city`, `organisation`, `mission`, `account`, `invitation`.
    pub kind: String,
    pub id: Option<i64>,
    /// Its name as it was then.
    pub name: String,
}

/// One recorded action.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub tenant: String,
    pub at: DateTime<Utc>,
    pub actor: AuditActor,
    pub action: String,
    pub target: AuditTarget,
    pub detail: String,
}

impl From<audit_entry::Model> for AuditEntry {
    fn from(m: audit_entry::Model) -> Self {
        Self {
            id: m.id,
            tenant: m.tenant_id,
            at: m.created_at,
            actor: AuditActor {
                user_id: m.actor_user_id,
                name: m.actor,
            },
            action: m.action,
            target: AuditTarget {
                kind: m.target_kind,
                id: m.target_id,
                name: m.target,
            },
            detail: m.detail,
        }
    }
}

/// Which page of a journal to read: entries whose actor, action, target or detail contain
/// `search` (any case; empty: all), page `page` of `per_page`.
#[derive(Debug, Clone, Copy)]
pub struct JournalQuery<'a> {
    pub search: &'a str,
    pub page: u64,
    pub per_page: u64,
}

/// One page of a journal, newest first, and how many entries match.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub total: u64,
}

tenant_repository! {
    /// The journal of one tenant.
    AuditLog
}

/// Entries whose actor, action, target or detail contain `search` (any case).
fn matching(query: Select<audit_entry::Entity>, search: &str) -> Select<audit_entry::Entity> {
    let search = search.trim().to_lowercase();
    if search.is_empty() {
        return query;
    }
    let pattern = format!("%{}%", search.replace(['%', '_'], ""));
    let mut any = Condition::any();
    for column in [
        audit_entry::Column::Actor,
        audit_entry::Column::Action,
        audit_entry::Column::Target,
        audit_entry::Column::Detail,
    ] {
        any = any.add(Expr::expr(Func::lower(Expr::col(column))).like(pattern.clone()));
    }
    query.filter(any)
}

async fn page<C: ConnectionTrait>(
    conn: &C,
    rows: Select<audit_entry::Entity>,
    asked: &JournalQuery<'_>,
) -> Result<AuditPage, StoreError> {
    let (page, per_page) = (asked.page, asked.per_page);
    let query = matching(rows, asked.search);
    let total = query.clone().count(conn).await?;
    let entries = query
        .order_by_desc(audit_entry::Column::CreatedAt)
        .order_by_desc(audit_entry::Column::Id)
        .offset(page.saturating_sub(1) * per_page)
        .limit(per_page)
        .all(conn)
        .await?
        .into_iter()
        .map(AuditEntry::from)
        .collect();
    Ok(AuditPage { entries, total })
}

impl<C: crate::Connection> AuditLog<'_, C> {
    /// Records `entry` (in the caller's transaction, with the action it records).
    pub async fn record(&self, entry: &NewAuditEntry<'_>) -> Result<(), StoreError> {
        let target: String = entry.target.chars().take(200).collect();
        audit_entry::Entity::insert(audit_entry::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            actor_user_id: Set(entry.actor_user_id),
            actor: Set(entry.actor.chars().take(254).collect()),
            action: Set(entry.action.to_owned()),
            target_kind: Set(entry.target_kind.to_owned()),
            target_id: Set(entry.target_id),
            target: Set(target),
            detail: Set(entry.detail.to_owned()),
            created_at: Set(entry.at),
            ..Default::default()
        })
        .exec_without_returning(&self.conn)
        .await?;
        Ok(())
    }

    /// One page of this tenant's journal, newest first.
    pub async fn list(&self, asked: &JournalQuery<'_>) -> Result<AuditPage, StoreError> {
        page(&self.conn, self.scope.all::<audit_entry::Entity>(), asked).await
    }

    /// The newest `limit` entries of this tenant's journal recording one of `actions`.
    pub async fn latest_of(
        &self,
        actions: &[&str],
        limit: u64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(self
            .scope
            .all::<audit_entry::Entity>()
            .filter(audit_entry::Column::Action.is_in(actions.iter().copied()))
            .order_by_desc(audit_entry::Column::Id)
            .limit(limit)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(AuditEntry::from)
            .collect())
    }
}

/// The journals of every tenant at once, for the platform staff's console only: the one
/// read of this table that is not bound to a tenant, on purpose.
pub struct StaffAuditLog<'a, C> {
    conn: crate::rls::Scoped<'a, C>,
}

impl<'a, C: crate::Connection> StaffAuditLog<'a, C> {
    pub fn new(conn: &'a C) -> Self {
        Self {
            conn: crate::rls::Scoped::all_tenants(conn),
        }
    }

    /// One page over every tenant, newest first.
    pub async fn list(&self, asked: &JournalQuery<'_>) -> Result<AuditPage, StoreError> {
        page(&self.conn, audit_entry::Entity::find(), asked).await
    }
}
