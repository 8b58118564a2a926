//! A member sends a request (answers a mission, proposes a project, offers their profile): the
//! request and the emails to its handling side, in one transaction.

use super::mails::RequestMails;
use super::recipients;
use crate::{Clock, Failure};
use jsap_adapters::Themes;
use jsap_store::{Account, CityRecord, NewRequest, Outbox, RequestRecord, Requests, Store};
use jsap_tenancy::Tenant;
use std::sync::Arc;

/// Creates the request (due `response_delay_days` after `clock`'s now) and queues a
/// `request_new` email, in the site's language, to each address of its handling side.
pub async fn submit(
    store: &Store,
    themes: Arc<Themes>,
    tenant: &Tenant,
    member: &Account,
    city: &CityRecord,
    new: NewRequest,
    clock: &dyn Clock,
) -> Result<RequestRecord, Failure> {
    let tx = store.begin().await?;
    let request = Requests::for_tenant(&tx, tenant)
        .create(new, clock.now(), tenant.response_delay_days)
        .await?;
    let to =
        recipients::handling_side(&tx, tenant, &request, Some(&city.slug), Some(member.id)).await?;
    let mails = RequestMails::new(tenant, themes);
    let outbox = Outbox::for_tenant(&tx, tenant);
    for recipient in &to {
        let email = mails.render(
            "request_new",
            tenant.default_locale,
            recipient,
            &request,
            |c| {
                c.insert("member_name", &member.display_name);
                c.insert("kind", request.kind.as_str());
                c.insert("city_name", city.name_in(tenant.default_locale));
            },
        )?;
        outbox.enqueue(email).await?;
    }
    tx.commit().await.map_err(jsap_store::StoreError::from)?;
    Ok(request)
}
