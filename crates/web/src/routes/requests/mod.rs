//! Reaching out: a signed-in member answers a mission, proposes a project to a city or offers
//! their profile to a city. Each form creates a request routed to the mission's organisation
//! or to the city's focal points (always in copy), with its emails queued in the same
//! transaction. Then one conversation per request (`/{locale}/demandes/{id}`), the state
//! buttons, three inboxes (member, organisation, focal point) and the satisfaction survey.
//!
//! Only the parties of a request (its member, its organisation's members, its city's focal
//! points, the country operators) see it: anyone else gets the same 404 as for a request
//! that does not exist, on this tenant or another.

use crate::kit::{
    Checked, Ctx, Errors, FormView, VerifiedMember, field_error, see_other, too_long_error,
};
use crate::session::{OptionalUser, Session};
use crate::views::{contribution_label, domain_label, format_date, mission_path};
use crate::{AppError, AppState};
use chrono::{NaiveDate, Utc};
use jsap_app::requests::conversation;
use jsap_domain::Locale;
use jsap_store::{
    Accounts, Action, Cities, CityRecord, Inbox, MissionDetail, Missions, NewRequest,
    Organisations, RequestKind, RequestRecord, RequestState, Requests, Side, TransitionError,
};
use jsap_tenancy::Tenant;
use poem::http::{StatusCode, header};
use poem::web::{Form, Path, Query};
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod inbox;
mod submit;
mod survey;
mod thread;
mod triage_view;
pub use inbox::*;
pub use submit::*;
pub use survey::*;
pub use thread::*;

pub const TITLE_MAX: usize = 120;
pub const BODY_MAX: usize = 4000;
pub const OFFER_MAX: usize = 2000;
pub const COMMENT_MAX: usize = 1000;
pub const PER_PAGE: u64 = 20;

/// Every field of every request form, all optional: a missing field is an empty one.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    csrf: String,
    message: String,
    contribution: String,
    available_from: String,
    available_to: String,
    title: String,
    domain: String,
    description: String,
    offer: String,
    action: String,
    score: String,
    comment: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InboxParams {
    etat: Option<String>,
    page: Option<String>,
    done: Option<String>,
    /// A domain slug (the triage's topic).
    sujet: Option<String>,
    urgence: Option<String>,
    langue: Option<String>,
    /// `urgence` sorts the most urgent first; anything else, the latest activity.
    tri: Option<String>,
}

/// An option of a form's list: a taxonomy entry, its slug the value.
#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

impl From<crate::views::Label> for Choice {
    fn from(label: crate::views::Label) -> Self {
        Self {
            value: label.slug,
            label: label.label,
        }
    }
}

/// A visitor who must sign in first: to the log-in page, then back here.
fn to_login(locale: Locale, back: &str) -> Response {
    see_other(format!(
        "/{locale}/compte/connexion?{}",
        crate::params::encode(&[("next", back.to_owned())])
    ))
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// A required text, its error naming the field by its label `label_key`.
fn check_text(
    ctx: &Ctx,
    errors: &mut Errors,
    (field, label_key): (&'static str, &str),
    raw: &str,
    max: usize,
) -> String {
    let value = raw.trim().to_owned();
    if value.is_empty() {
        errors.insert(field, field_error(ctx, "form.err_required", label_key));
    } else if chars(&value) > max {
        errors.insert(field, too_long_error(ctx, label_key, max));
    }
    value
}

const FROM: (&str, &str) = ("available_from", "request.from_label");
const TO: (&str, &str) = ("available_to", "request.to_label");

fn check_date(
    ctx: &Ctx,
    errors: &mut Errors,
    (field, label_key): (&'static str, &str),
    raw: &str,
) -> Option<NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        errors.insert(field, field_error(ctx, "form.err_required", label_key));
        return None;
    }
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(date) => Some(date),
        Err(_) => {
            errors.insert(field, field_error(ctx, "form.err_date", label_key));
            None
        }
    }
}

/// Availability dates: both valid, in order, and (for a mission) inside `window`.
fn check_dates(
    ctx: &Ctx,
    errors: &mut Errors,
    form: &RequestForm,
    window: Option<(NaiveDate, NaiveDate)>,
) -> Option<(NaiveDate, NaiveDate)> {
    let from = check_date(ctx, errors, FROM, &form.available_from);
    let to = check_date(ctx, errors, TO, &form.available_to);
    let (from, to) = (from?, to?);
    if to < from {
        errors.insert("available_to", ctx.t("request.err_date_order"));
        return None;
    }
    match window {
        Some((start, end)) => {
            let message = |label_key| {
                field_error(ctx, "request.err_date_window", label_key)
                    .replace("%{from}", &format_date(start, ctx.locale))
                    .replace("%{to}", &format_date(end, ctx.locale))
            };
            if from < start || from > end {
                errors.insert(FROM.0, message(FROM.1));
            }
            if to < start || to > end {
                errors.insert(TO.0, message(TO.1));
            } else if to < ctx.tenant.today() {
                errors.insert("available_to", ctx.t("request.err_date_past"));
            }
        }
        None => {
            let today = ctx.tenant.today();
            if to < today {
                errors.insert("available_to", ctx.t("request.err_date_past"));
            } else if from > today + chrono::Duration::days(3 * 365) {
                errors.insert("available_from", ctx.t("request.err_date_far"));
            }
        }
    }
    errors.is_empty().then_some((from, to))
}

fn values(form: &RequestForm) -> BTreeMap<&'static str, String> {
    BTreeMap::from([
        ("message", form.message.trim().to_owned()),
        ("contribution", form.contribution.trim().to_owned()),
        ("available_from", form.available_from.trim().to_owned()),
        ("available_to", form.available_to.trim().to_owned()),
        ("title", form.title.trim().to_owned()),
        ("domain", form.domain.trim().to_owned()),
        ("description", form.description.trim().to_owned()),
        ("offer", form.offer.trim().to_owned()),
    ])
}

/// Creates the request and queues its emails, in one transaction; then to the conversation.
async fn send_request(
    ctx: &Ctx,
    req: &Request,
    session: &Session,
    city: &CityRecord,
    new: NewRequest,
) -> Result<Response, AppError> {
    // Each request emails several people: limited per address and per member.
    ctx.throttle(req, "request", Some(&session.account.email))
        .await?;
    match jsap_app::requests::submit::submit(&ctx.scope(), &session.account, city, new).await? {
        Ok(request) => Ok(see_other(format!(
            "/{}/demandes/{}?done=sent",
            ctx.locale, request.id
        ))),
        Err(held) => ctx.message(
            req,
            StatusCode::TOO_MANY_REQUESTS,
            &ctx.t("spam.title"),
            &restraint_text(ctx, held),
            Some((
                format!("/{}/compte/demandes", ctx.locale),
                ctx.t("spam.back"),
            )),
        ),
    }
}

/// What a member held back by the new-account limits reads.
pub(super) fn restraint_text(ctx: &Ctx, held: jsap_app::spam::Restraint) -> String {
    use jsap_app::spam::Restraint;
    let (key, n) = match held {
        Restraint::RequestsPerDay(n) => ("spam.requests_per_day", n as usize),
        Restraint::MessagesPerDay(n) => ("spam.messages_per_day", n as usize),
        Restraint::Links(n) => ("spam.links", n),
    };
    ctx.t(key).replace("%{count}", &n.to_string())
}
