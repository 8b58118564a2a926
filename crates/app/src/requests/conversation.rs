//! A conversation goes on: a message, or a change of state (accept, decline, complete,
//! withdraw). Each is written with the emails to the other side, in one transaction.

use super::mails::RequestMails;
use super::recipients;
use crate::{Failure, Scope};
use jsap_adapters::translate;
use jsap_domain::Locale;
use jsap_store::{
    Account, Action, ConnectionTrait, RequestRecord, RequestState, Requests, Side, TransitionError,
};

/// One turn in a conversation: who acts, on which side, on which request.
#[derive(Clone, Copy)]
pub struct Turn<'a> {
    pub request: &'a RequestRecord,
    pub side: Side,
    pub author: &'a Account,
}

/// Queues the email `name` to each person of the other side of `turn`, in their language;
/// `fill` adds what this email says beyond the common part.
async fn tell_other_side<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope<'_>,
    turn: Turn<'_>,
    name: &str,
    fill: impl Fn(&mut tera::Context, Locale),
) -> Result<(), Failure> {
    let (tenant, request) = (scope.tenant, turn.request);
    let mails = RequestMails::new(tenant, scope.themes.clone());
    let outbox = scope.mailer(conn);
    for to in recipients::other_side(conn, tenant, request, turn.side, turn.author.id).await? {
        let locale = recipients::recipient_locale(tenant, request, &to);
        let email = mails.render(name, locale, &to, request, |c| {
            c.insert("author_name", &turn.author.display_name);
            fill(c, locale);
        })?;
        outbox.enqueue(email).await?;
    }
    Ok(())
}

/// The author of `turn` writes `body` in the conversation; the other side is emailed an
/// excerpt.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, request.id = turn.request.id))]
pub async fn post_message(scope: &Scope<'_>, turn: Turn<'_>, body: &str) -> Result<(), Failure> {
    let tx = scope.store.begin().await?;
    Requests::for_tenant(&tx, scope.tenant)
        .add_message(
            turn.request,
            turn.author.id,
            turn.side,
            body,
            scope.clock.now(),
        )
        .await?;
    let excerpt: String = body.chars().take(500).collect();
    tell_other_side(&tx, scope, turn, "request_message", |c, _| {
        c.insert("excerpt", &excerpt);
    })
    .await?;
    tx.commit().await.map_err(jsap_store::StoreError::from)?;
    Ok(())
}

/// The author of `turn` applies `action`; when the state machine allows it, the other side is
/// emailed the new state. The inner error says why it was refused (nothing written then).
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, request.id = turn.request.id))]
pub async fn change_state(
    scope: &Scope<'_>,
    turn: Turn<'_>,
    action: Action,
) -> Result<Result<RequestState, TransitionError>, Failure> {
    let tx = scope.store.begin().await?;
    let applied = Requests::for_tenant(&tx, scope.tenant)
        .apply(turn.request, action, turn.side, scope.clock.now())
        .await?;
    if let Ok(new_state) = applied {
        tell_other_side(&tx, scope, turn, "request_state", |c, locale| {
            let label = translate(
                locale.as_str(),
                &format!("request.state_{}", new_state.as_str()),
            );
            c.insert("state_label", &label);
        })
        .await?;
    }
    tx.commit().await.map_err(jsap_store::StoreError::from)?;
    Ok(applied)
}
