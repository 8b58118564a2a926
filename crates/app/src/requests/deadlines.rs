//! The promised response delay: reminders before `due_at`, escalation to the country
//! operators after it, and a satisfaction survey to the member 15 days after a request.
//!
//! Each email goes out once: the job stamps the request (`reminded_at`, `escalated_at`,
//! `survey_sent_at`) with a conditional `UPDATE` and queues its emails in that transaction,
//! so a run that fails half-way, or two replicas (the job's cache lock is a first guard),
//! never send twice. Functions take `now` (the caller's clock), so tests move time instead of
//! sleeping. The job (`jsap_jobs::request_deadlines`) runs this for every tenant.

use super::recipients;
use crate::mail::emails::{self, RequestEmail, Survey};
use crate::mail::{Mailer, Recipient};
use chrono::{DateTime, Duration, Utc};
use jsap_adapters::Themes;
use jsap_store::{Accounts, Cities, Profiles, Requests, Store};
use jsap_tenancy::Tenant;
use std::sync::Arc;

/// Reminders go this long before the due date.
pub const REMINDER_LEAD_DAYS: i64 = 3;
/// The survey goes this long after the request.
pub const SURVEY_AFTER_DAYS: i64 = 15;
/// A survey link works this long.
pub const SURVEY_TTL_DAYS: i64 = 30;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DeadlineReport {
    pub reminded: usize,
    pub escalated: usize,
    pub surveyed: usize,
    /// Surveys not sent because the member turned reminders about their requests off
    /// (`/compte/emails`); they count in `surveyed` too, and are never retried.
    pub survey_opted_out: usize,
    /// Emails queued by this run.
    pub emails: usize,
    /// Another replica held the lock: this run did nothing.
    pub skipped: bool,
}

/// An email about the promised delay, sent once per request.
#[derive(Clone, Copy)]
enum Nudge {
    /// Before the due date, to the handling side.
    Reminder,
    /// After it, to the country operators.
    Escalation,
}

/// One pass over one tenant at `now`.
pub async fn request_deadlines_for(
    store: &Store,
    tenant: &Tenant,
    themes: &Arc<Themes>,
    now: DateTime<Utc>,
) -> anyhow::Result<DeadlineReport> {
    let mut report = DeadlineReport::default();
    let cities = Cities::for_tenant(store.conn(), tenant).list().await?;
    let city_name = |id: i64| {
        cities
            .iter()
            .find(|c| c.id == id)
            .map_or_else(String::new, |c| c.name_in(tenant.default_locale).to_owned())
    };
    let reader = Requests::for_tenant(store.conn(), tenant);

    let reminders = reader
        .due_for_reminder(now, Duration::days(REMINDER_LEAD_DAYS))
        .await?;
    let escalations = reader.due_for_escalation(now).await?;
    let due = reminders
        .into_iter()
        .map(|r| (Nudge::Reminder, r))
        .chain(escalations.into_iter().map(|r| (Nudge::Escalation, r)));
    for (nudge, request) in due {
        let tx = store.begin().await?;
        let requests = Requests::for_tenant(&tx, tenant);
        let stamped = match nudge {
            Nudge::Reminder => requests.mark_reminded(request.id, now).await?,
            Nudge::Escalation => requests.mark_escalated(request.id, now).await?,
        };
        if !stamped {
            continue;
        }
        // Reminders go to the handling side, escalations to the country operators.
        let to = match nudge {
            Nudge::Reminder => {
                let city_slug = cities
                    .iter()
                    .find(|c| c.id == request.sent.city_id)
                    .map(|c| c.slug.as_str());
                recipients::handling_side(&tx, tenant, &request, city_slug, None).await?
            }
            Nudge::Escalation => requests.operators().await?,
        };
        let mailer = Mailer::new(&tx, tenant, themes.clone());
        let city = city_name(request.sent.city_id);
        let email = RequestEmail {
            request: &request,
            city_name: &city,
            about: emails::Nudge {
                escalation: matches!(nudge, Nudge::Escalation),
            },
        };
        for to in &to {
            mailer
                .send(Recipient::account(to, tenant.default_locale), &email)
                .await?;
            report.emails += 1;
        }
        tx.commit().await?;
        match nudge {
            Nudge::Reminder => report.reminded += 1,
            Nudge::Escalation => report.escalated += 1,
        }
    }

    for request in reader
        .due_for_survey(now, Duration::days(SURVEY_AFTER_DAYS))
        .await?
    {
        let tx = store.begin().await?;
        let requests = Requests::for_tenant(&tx, tenant);
        if !requests.mark_survey_sent(request.id, now).await? {
            continue;
        }
        let wants = Profiles::for_tenant(&tx, tenant)
            .get(request.sent.member_user_id)
            .await?
            .email_reminders;
        if !wants {
            report.survey_opted_out += 1;
        } else if let Some(member) = Accounts::for_tenant(&tx, tenant)
            .find(request.sent.member_user_id)
            .await?
        {
            let token = requests
                .create_survey(&request, now, Duration::days(SURVEY_TTL_DAYS))
                .await?;
            let locale = recipients::member_locale(tenant, &request);
            let city = city_name(request.sent.city_id);
            let email = RequestEmail {
                request: &request,
                city_name: &city,
                about: Survey { token: &token },
            };
            Mailer::new(&tx, tenant, themes.clone())
                .send(Recipient::account(&member, locale), &email)
                .await?;
            report.emails += 1;
        }
        tx.commit().await?;
        report.surveyed += 1;
    }
    Ok(report)
}
