//! The spam limits on new accounts (younger than `NEW_ACCOUNT_DAYS`): a few requests and
//! messages a day, a few links in a text. Checked by the request and message use cases,
//! inside their transaction, before anything is written.

use crate::Failure;
use chrono::{DateTime, Duration, Utc};
use jsap_domain::moderation::{
    NEW_ACCOUNT_DAYS, NEW_ACCOUNT_LINKS, NEW_ACCOUNT_MESSAGES_PER_DAY,
    NEW_ACCOUNT_REQUESTS_PER_DAY, count_links,
};
use jsap_store::{Account, Connection, Requests};
use jsap_tenancy::Tenant;

/// Why a new account's request or message was held back (nothing written then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restraint {
    /// It sent this many requests in the last 24 hours already.
    RequestsPerDay(u64),
    /// It wrote this many messages in the last 24 hours already.
    MessagesPerDay(u64),
    /// The text holds more than this many links.
    Links(usize),
}

/// What is being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Writing {
    Request,
    Message,
}

/// Whether `who` is new at `now`.
pub fn is_new(who: &Account, now: DateTime<Utc>) -> bool {
    now - who.created_at < Duration::days(NEW_ACCOUNT_DAYS)
}

/// `None` when `who` may write `text` now, else the limit it meets.
pub(crate) async fn restrain<C: Connection>(
    conn: &C,
    tenant: &Tenant,
    who: &Account,
    writing: Writing,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Option<Restraint>, Failure> {
    if !is_new(who, now) {
        return Ok(None);
    }
    if count_links(text) > NEW_ACCOUNT_LINKS {
        return Ok(Some(Restraint::Links(NEW_ACCOUNT_LINKS)));
    }
    let requests = Requests::for_tenant(conn, tenant);
    let since = now - Duration::days(1);
    Ok(match writing {
        Writing::Request => {
            let sent = requests.sent_by_since(who.id, since).await?;
            (sent >= NEW_ACCOUNT_REQUESTS_PER_DAY)
                .then_some(Restraint::RequestsPerDay(NEW_ACCOUNT_REQUESTS_PER_DAY))
        }
        Writing::Message => {
            let written = requests.messages_by_since(who.id, since).await?;
            (written >= NEW_ACCOUNT_MESSAGES_PER_DAY)
                .then_some(Restraint::MessagesPerDay(NEW_ACCOUNT_MESSAGES_PER_DAY))
        }
    })
}
