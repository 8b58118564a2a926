//! A member sends a request (answers a mission, proposes a project, offers their profile): the
//! request, the emails to its handling side and the member's receipt, in one transaction.

use super::recipients;
use crate::mail::Recipient;
use crate::mail::emails::{New, Receipt, RequestEmail};
use crate::spam::{Restraint, Writing, restrain};
use crate::{Failure, Scope};
use jsap_store::{Account, CityRecord, NewRequest, RequestRecord, Requests};

/// Creates the request (due `response_delay_days` after `clock`'s now), queues a
/// `request_new` email, in the site's language, to each address of its handling side, and a
/// `request_receipt` to the member, in their language, with the promised delay and date.
/// A new account past its daily limit or with too many links is held back (`Restraint`).
/// The request is triaged on the way in (offline engine: `super::triage`).
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = member.id))]
pub async fn submit(
    scope: &Scope<'_>,
    member: &Account,
    city: &CityRecord,
    new: NewRequest,
) -> Result<Result<RequestRecord, Restraint>, Failure> {
    let tenant = scope.tenant;
    let triage = super::triage::offline(scope, &new).await?;
    let tx = scope.store.begin().await?;
    let text = format!("{}\n{}\n{}", new.title, new.body, new.offer);
    let now = scope.clock.now();
    if let Some(held) = restrain(&tx, tenant, member, Writing::Request, &text, now).await? {
        return Ok(Err(held));
    }
    let requests = Requests::for_tenant(&tx, tenant);
    let mut request = requests
        .create(new, scope.clock.now(), tenant.response_delay_days)
        .await?;
    requests.set_triage(request.id, &triage).await?;
    request.triage = Some(triage);
    let to =
        recipients::handling_side(&tx, tenant, &request, Some(&city.slug), Some(member.id)).await?;
    let mailer = scope.mailer(&tx);
    let new = RequestEmail {
        request: &request,
        city_name: city.name_in(tenant.default_locale),
        about: New {
            member_name: &member.display_name,
            kind: request.sent.kind.as_str(),
        },
    };
    for recipient in &to {
        mailer
            .send(Recipient::account(recipient, tenant.default_locale), &new)
            .await?;
    }
    let locale = recipients::member_locale(tenant, &request);
    let receipt = RequestEmail {
        request: &request,
        city_name: city.name_in(locale),
        about: Receipt,
    };
    mailer
        .send(Recipient::account(member, locale), &receipt)
        .await?;
    tx.commit().await.map_err(jsap_store::StoreError::from)?;
    Ok(Ok(request))
}
