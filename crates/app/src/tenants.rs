//! A tenant file synchronised into the database: its cities and the invitations of its newly
//! configured focal points, with their emails, in one transaction.

use crate::Failure;
use crate::invitations::focal_point_invitation_email;
use jsap_adapters::Themes;
use jsap_store::{Outbox, Store, StoreError, SyncReport, sync_tenant};
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
    let outbox = Outbox::for_tenant(&tx, tenant);
    for invitation in &report.new_invitations {
        outbox
            .enqueue(focal_point_invitation_email(
                themes.clone(),
                tenant,
                invitation,
            )?)
            .await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(report)
}
