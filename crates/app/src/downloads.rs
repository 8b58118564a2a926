//! A country operator downloads an export: allowed to operators only, and recorded in the
//! journal before the first byte goes out.

use crate::audit::{self, Done};
use crate::organisations::permissions;
use crate::{Failure, Scope};
use jsap_store::Account;

/// Only a country operator downloads the tenant's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotOperator;

/// `who` starts downloading `file` (`missions.csv`...): recorded, or refused.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = who.id))]
pub async fn start(
    scope: &Scope<'_>,
    who: &Account,
    file: &str,
) -> Result<Result<(), NotOperator>, Failure> {
    let operator = permissions(scope.store.conn(), scope.tenant, who)
        .await?
        .is_operator();
    record(scope, who, file, operator).await
}

/// Records that `who` downloads `file` when `allowed`.
async fn record(
    scope: &Scope<'_>,
    who: &Account,
    file: &str,
    allowed: bool,
) -> Result<Result<(), NotOperator>, Failure> {
    if !allowed {
        return Ok(Err(NotOperator));
    }
    let done = Done {
        action: "export_downloaded",
        kind: "export",
        id: None,
        target: file,
        detail: "",
    };
    audit::record(scope.store.conn(), scope, Some(who), done).await?;
    Ok(Ok(()))
}

/// The platform staff `who` start downloading `file` (the journal of every site): recorded in
/// the scope's (the portal's) journal, or refused to anyone else.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = who.id))]
pub async fn start_staff(
    scope: &Scope<'_>,
    who: &Account,
    file: &str,
) -> Result<Result<(), NotOperator>, Failure> {
    record(scope, who, file, who.is_staff).await
}
