//! The journal of administrative actions: each use case that verifies, reviews, adds a city,
//! invites or removes someone records what it did here, in its own transaction, so the journal
//! holds exactly what happened. Read by the country console (one tenant) and the staff
//! console (every tenant).

use crate::Scope;
use jsap_store::{Account, AuditLog, Connection, NewAuditEntry, StoreError};

/// What an action did to what.
pub(crate) struct Done<'a> {
    /// `city_added`, `organisation_verified`, `mission_published`, `member_removed`...
    pub action: &'a str,
    /// `city`, `organisation`, `mission`, `account`, `invitation`.
    pub kind: &'a str,
    pub id: Option<i64>,
    /// The target's name as it is now.
    pub target: &'a str,
    /// A reason, a comment, an address.
    pub detail: &'a str,
}

/// The names whose flag is set, in order: the fields an edit changed, for the journal or a
/// mission's history.
pub(crate) fn changed(fields: impl IntoIterator<Item = (&'static str, bool)>) -> Vec<&'static str> {
    fields
        .into_iter()
        .filter_map(|(name, differs)| differs.then_some(name))
        .collect()
}

/// Records that `who` (or the command line, without an account) did `done`, in `conn`'s
/// transaction.
pub(crate) async fn record<C: Connection>(
    conn: &C,
    scope: &Scope<'_>,
    who: Option<&Account>,
    done: Done<'_>,
) -> Result<(), StoreError> {
    record_for(conn, scope.tenant, who, scope.clock.now(), done).await
}

/// Records `done` by the platform itself (`actor`: `moderation`, `sync`...), not an account.
pub(crate) async fn record_as<C: Connection>(
    conn: &C,
    scope: &Scope<'_>,
    actor: &str,
    done: Done<'_>,
) -> Result<(), StoreError> {
    AuditLog::for_tenant(conn, scope.tenant)
        .record(&NewAuditEntry {
            actor_user_id: None,
            actor,
            action: done.action,
            target_kind: done.kind,
            target_id: done.id,
            target: done.target,
            detail: done.detail,
            at: scope.clock.now(),
        })
        .await
}

/// [`record`] for a use case that runs without a scope.
pub(crate) async fn record_for<C: Connection>(
    conn: &C,
    tenant: &jsap_tenancy::Tenant,
    who: Option<&Account>,
    at: chrono::DateTime<chrono::Utc>,
    done: Done<'_>,
) -> Result<(), StoreError> {
    // The platform staff act on a country's site from the portal: marked as such.
    let actor = match who {
        None => "cli".to_owned(),
        Some(a) if a.is_staff => format!("{} (staff)", a.email),
        Some(a) => a.email.clone(),
    };
    AuditLog::for_tenant(conn, tenant)
        .record(&NewAuditEntry {
            actor_user_id: who.map(|a| a.id),
            actor: &actor,
            action: done.action,
            target_kind: done.kind,
            target_id: done.id,
            target: done.target,
            detail: done.detail,
            at,
        })
        .await
}
