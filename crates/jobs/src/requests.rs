//! The promised response delay: reminders before `due_at`, escalation to the country
//! operators after it, and a satisfaction survey to the member 15 days after a request.
//!
//! Each email goes out once: the job stamps the request (`reminded_at`, `escalated_at`,
//! `survey_sent_at`) with a conditional `UPDATE` and queues its emails in that transaction,
//! so a run that fails half-way, or two replicas (the cache lock is a first guard), never
//! send twice. Functions take `now`, so tests move time instead of sleeping.

use chrono::{DateTime, Duration, Utc};
use jsap_adapters::dates::format_date;
use jsap_adapters::{EmailTemplates, Themes};
use jsap_app::requests::recipients;
use jsap_domain::Locale;
use jsap_store::{Account, Accounts, Cities, Outbox, Profiles, RequestRecord, Requests, Store};
use jsap_tenancy::{Tenant, TenantRegistry};
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

struct Mails<'a> {
    tenant: &'a Tenant,
    templates: EmailTemplates,
}

impl Mails<'_> {
    fn url(&self, locale: Locale, rest: &str) -> String {
        format!("{}/{}{rest}", self.tenant.canonical_url(), locale)
    }

    fn render(
        &self,
        name: &str,
        locale: Locale,
        to: &Account,
        request: &RequestRecord,
        city_name: &str,
        survey_link: Option<String>,
    ) -> anyhow::Result<jsap_store::NewEmail> {
        let mut ctx = tera::Context::new();
        ctx.insert("name", &to.display_name);
        ctx.insert("title", &request.title);
        ctx.insert("city_name", city_name);
        ctx.insert(
            "link",
            &self.url(locale, &format!("/demandes/{}", request.id)),
        );
        ctx.insert("survey_link", &survey_link.unwrap_or_default());
        ctx.insert("preferences_link", &self.url(locale, "/compte/emails"));
        ctx.insert("delay_days", &self.tenant.response_delay_days);
        ctx.insert(
            "due_on",
            &format_date(self.tenant.local_date(request.due_at), locale),
        );
        Ok(self
            .templates
            .render(self.tenant, locale, name, &to.email, ctx)?)
    }
}

/// One pass over one tenant at `now`.
pub async fn request_deadlines_for(
    store: &Store,
    tenant: &Tenant,
    themes: &Arc<Themes>,
    now: DateTime<Utc>,
) -> anyhow::Result<DeadlineReport> {
    let mut report = DeadlineReport::default();
    let mails = Mails {
        tenant,
        templates: EmailTemplates::new(themes.clone()),
    };
    let cities = Cities::for_tenant(store.conn(), tenant).list().await?;
    let city_name = |id: i64| {
        cities
            .iter()
            .find(|c| c.id == id)
            .map_or_else(String::new, |c| c.name_in(tenant.default_locale).to_owned())
    };
    let reader = Requests::for_tenant(store.conn(), tenant);

    for request in reader
        .due_for_reminder(now, Duration::days(REMINDER_LEAD_DAYS))
        .await?
    {
        let tx = store.begin().await?;
        let requests = Requests::for_tenant(&tx, tenant);
        if !requests.mark_reminded(request.id, now).await? {
            continue;
        }
        let outbox = Outbox::for_tenant(&tx, tenant);
        let city_slug = cities
            .iter()
            .find(|c| c.id == request.city_id)
            .map(|c| c.slug.as_str());
        let recipients = recipients::handling_side(&tx, tenant, &request, city_slug, None).await?;
        for to in recipients {
            let email = mails.render(
                "request_reminder",
                tenant.default_locale,
                &to,
                &request,
                &city_name(request.city_id),
                None,
            )?;
            outbox.enqueue(email).await?;
            report.emails += 1;
        }
        tx.commit().await?;
        report.reminded += 1;
    }

    for request in reader.due_for_escalation(now).await? {
        let tx = store.begin().await?;
        let requests = Requests::for_tenant(&tx, tenant);
        if !requests.mark_escalated(request.id, now).await? {
            continue;
        }
        let outbox = Outbox::for_tenant(&tx, tenant);
        for to in requests.operators().await? {
            let email = mails.render(
                "request_escalation",
                tenant.default_locale,
                &to,
                &request,
                &city_name(request.city_id),
                None,
            )?;
            outbox.enqueue(email).await?;
            report.emails += 1;
        }
        tx.commit().await?;
        report.escalated += 1;
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
            .get(request.member_user_id)
            .await?
            .email_reminders;
        if !wants {
            report.survey_opted_out += 1;
        } else if let Some(member) = Accounts::for_tenant(&tx, tenant)
            .find(request.member_user_id)
            .await?
        {
            let token = requests
                .create_survey(&request, now, Duration::days(SURVEY_TTL_DAYS))
                .await?;
            let locale = recipients::member_locale(tenant, &request);
            let email = mails.render(
                "request_survey",
                locale,
                &member,
                &request,
                &city_name(request.city_id),
                Some(mails.url(locale, &format!("/enquete/{token}"))),
            )?;
            Outbox::for_tenant(&tx, tenant).enqueue(email).await?;
            report.emails += 1;
        }
        tx.commit().await?;
        report.surveyed += 1;
    }
    Ok(report)
}

/// One pass over every country tenant at `now`, once per cluster (cache lock).
pub async fn request_deadlines(
    store: &Store,
    registry: &TenantRegistry,
    themes: &Arc<Themes>,
    cache: &jsap_adapters::Cache,
    now: DateTime<Utc>,
) -> anyhow::Result<DeadlineReport> {
    let run = crate::with_lock(
        cache,
        "request_deadlines",
        std::time::Duration::from_secs(600),
        async {
            let mut total = DeadlineReport::default();
            for tenant in registry.tenants() {
                let one = request_deadlines_for(store, tenant, themes, now).await?;
                total.reminded += one.reminded;
                total.escalated += one.escalated;
                total.surveyed += one.surveyed;
                total.survey_opted_out += one.survey_opted_out;
                total.emails += one.emails;
            }
            Ok(total)
        },
    )
    .await?;
    Ok(run.unwrap_or(DeadlineReport {
        skipped: true,
        ..Default::default()
    }))
}
