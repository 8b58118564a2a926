//! A conversation goes on: a message, or a change of state (accept, decline, complete,
//! withdraw). Each is written with the emails to the other side, in one transaction.

use super::mails::RequestMails;
use super::recipients;
use crate::{Clock, Failure};
use jsap_adapters::{Themes, translate};
use jsap_domain::Locale;
use jsap_store::{
    Account, Action, ConnectionTrait, Outbox, RequestRecord, RequestState, Requests, Side, Store,
    TransitionError,
};
use jsap_tenancy::Tenant;
use std::sync::Arc;

/// Queues the email `name` to each person of the other side, in their language; `fill` adds
/// what this email says beyond the common part.
async fn tell_other_side<C: ConnectionTrait>(
    conn: &C,
    mails: &RequestMails<'_>,
    request: &RequestRecord,
    side: Side,
    author: &Account,
    name: &str,
    fill: impl Fn(&mut tera::Context, Locale),
) -> Result<(), Failure> {
    let tenant = mails.tenant();
    let outbox = Outbox::for_tenant(conn, tenant);
    for to in recipients::other_side(conn, tenant, request, side, author.id).await? {
        let locale = recipients::recipient_locale(tenant, request, &to);
        let email = mails.render(name, locale, &to, request, |c| {
            c.insert("author_name", &author.display_name);
            fill(c, locale);
        })?;
        outbox.enqueue(email).await?;
    }
    Ok(())
}

/// `author`, on `side`, writes `body` in the conversation; the other side is emailed an
/// excerpt.
#[allow(clippy::too_many_arguments)]
pub async fn post_message(
    store: &Store,
    themes: Arc<Themes>,
    tenant: &Tenant,
    request: &RequestRecord,
    side: Side,
    author: &Account,
    body: &str,
    clock: &dyn Clock,
) -> Result<(), Failure> {
    let tx = store.begin().await?;
    Requests::for_tenant(&tx, tenant)
        .add_message(request, author.id, side, body, clock.now())
        .await?;
    let excerpt: String = body.chars().take(500).collect();
    let mails = RequestMails::new(tenant, themes);
    tell_other_side(
        &tx,
        &mails,
        request,
        side,
        author,
        "request_message",
        |c, _| {
            c.insert("excerpt", &excerpt);
        },
    )
    .await?;
    tx.commit().await.map_err(jsap_store::StoreError::from)?;
    Ok(())
}

/// `author`, on `side`, applies `action`; when the state machine allows it, the other side is
/// emailed the new state. The inner error says why it was refused (nothing written then).
#[allow(clippy::too_many_arguments)]
pub async fn change_state(
    store: &Store,
    themes: Arc<Themes>,
    tenant: &Tenant,
    request: &RequestRecord,
    side: Side,
    author: &Account,
    action: Action,
    clock: &dyn Clock,
) -> Result<Result<RequestState, TransitionError>, Failure> {
    let tx = store.begin().await?;
    let applied = Requests::for_tenant(&tx, tenant)
        .apply(request, action, side, clock.now())
        .await?;
    if let Ok(new_state) = applied {
        let mails = RequestMails::new(tenant, themes);
        tell_other_side(
            &tx,
            &mails,
            request,
            side,
            author,
            "request_state",
            |c, locale| {
                let label = translate(
                    locale.as_str(),
                    &format!("request.state_{}", new_state.as_str()),
                );
                c.insert("state_label", &label);
            },
        )
        .await?;
    }
    tx.commit().await.map_err(jsap_store::StoreError::from)?;
    Ok(applied)
}
