//! A conversation goes on: a message, or a change of state (accept, decline, complete,
//! withdraw). Each is written with the emails to the other side, in one transaction.

use super::recipients;
use crate::mail::emails::{Message, RequestEmail, StateChange};
use crate::mail::{Email, Recipient};
use crate::spam::{Restraint, Writing, restrain};
use crate::{Failure, Scope};
use jsap_store::{
    Account, Action, Connection, RequestRecord, RequestState, Requests, Side, TransitionError,
};

/// One turn in a conversation: who acts, on which side, on which request.
#[derive(Clone, Copy)]
pub struct Turn<'a> {
    pub request: &'a RequestRecord,
    pub side: Side,
    pub author: &'a Account,
}

/// Queues `email` to each person of the other side of `turn`, in their
/// language.
pub(crate) async fn tell_other_side<C: Connection, E: Email>(
    conn: &C,
    scope: &Scope<'_>,
    turn: Turn<'_>,
    email: &E,
) -> Result<(), Failure> {
    let (tenant, request) = (scope.tenant, turn.request);
    let mailer = scope.mailer(conn);
    for to in recipients::other_side(conn, tenant, request, turn.side, turn.author.id).await? {
        let locale = recipients::recipient_locale(tenant, request, &to);
        mailer.send(Recipient::account(&to, locale), email).await?;
    }
    Ok(())
}

/// The author of `turn` writes `body` in the conversation; the other side is emailed an
/// excerpt. A new account past its daily limit or with too many links is held back.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, request.id = turn.request.id))]
pub async fn post_message(
    scope: &Scope<'_>,
    turn: Turn<'_>,
    body: &str,
) -> Result<Result<(), Restraint>, Failure> {
    let tx = scope.store.begin().await?;
    let now = scope.clock.now();
    // The handling side (invited, verified organisations) writes freely.
    if turn.side == Side::Member
        && let Some(held) =
            restrain(&tx, scope.tenant, turn.author, Writing::Message, body, now).await?
    {
        return Ok(Err(held));
    }
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
    let email = RequestEmail {
        request: turn.request,
        city_name: "",
        about: Message {
            author_name: &turn.author.display_name,
            excerpt: &excerpt,
        },
    };
    tell_other_side(&tx, scope, turn, &email).await?;
    tx.commit().await.map_err(jsap_store::StoreError::from)?;
    Ok(Ok(()))
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
        let email = RequestEmail {
            request: turn.request,
            city_name: "",
            about: StateChange {
                author_name: &turn.author.display_name,
                state: new_state.as_str(),
            },
        };
        tell_other_side(&tx, scope, turn, &email).await?;
    }
    tx.commit().await.map_err(jsap_store::StoreError::from)?;
    Ok(applied)
}
