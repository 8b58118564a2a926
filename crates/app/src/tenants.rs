//! A tenant file synchronised into the database: its cities and the invitations of its newly
//! configured focal points, with their emails, in one transaction.

use crate::Failure;
use crate::invitations::queue_email;
use jsap_adapters::Themes;
use jsap_store::{Invitations, Store, StoreError, SyncReport, sync_tenant};
use jsap_tenancy::Tenant;
use std::sync::Arc;

/// Syncs `tenant`'s file and queues an invitation email to each focal point it adds.
#[tracing::instrument(skip_all, fields(tenant.code = %tenant.code))]
pub async fn sync(
    store: &Store,
    themes: Arc<Themes>,
    tenant: &Tenant,
) -> Result<SyncReport, Failure> {
    let tx = store.begin().await?;
    let report = sync_tenant(&tx, tenant).await?;
    let invitations = Invitations::for_tenant(&tx, tenant);
    for new in &report.new_invitations {
        let invitation = invitations
            .find_by_token(&new.token)
            .await?
            .ok_or(StoreError::NotFound)?;
        queue_email(&tx, themes.clone(), tenant, &invitation, &new.token).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(report)
}
