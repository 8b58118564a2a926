//! A member's profile: saved with their display name in one transaction, so the two never
//! disagree.

use crate::Failure;
use jsap_store::{Account, Accounts, Profile, Profiles, Store, StoreError};
use jsap_tenancy::Tenant;

/// Saves `member`'s profile and, when it changed, their display name.
#[tracing::instrument(skip_all, fields(tenant.code = %tenant.code, account.id = member.id))]
pub async fn save(
    store: &Store,
    tenant: &Tenant,
    member: &Account,
    display_name: &str,
    profile: &Profile,
) -> Result<(), Failure> {
    let tx = store.begin().await?;
    Profiles::for_tenant(&tx, tenant)
        .save(member.id, profile)
        .await?;
    if display_name != member.display_name {
        Accounts::for_tenant(&tx, tenant)
            .set_display_name(member.id, display_name)
            .await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}
