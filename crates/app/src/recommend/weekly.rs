//! "Missions pour vous" by email: each week, to every member who asked for it, the missions
//! that fit their saved profile and next stay (the account page's ranking), with their
//! reasons, in the language they chose it in. Sent from Monday 9:00 (tenant time), once per
//! member and week whatever the number of passes or replicas (`digest_sends`, keyed by the
//! week's Monday); a mission is sent to a member once (`digest_sends.items`), and nothing is
//! sent to a member nothing new fits.

use super::{Recommendation, recommend, saved_member};
use crate::mail::Recipient;
use crate::mail::emails::{MissionsOfTheWeek, SelectedMission};
use crate::{Failure, Scope};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use jsap_store::{Accounts, Digests, Profiles};
use jsap_tenancy::Tenant;

/// The `digest_sends` kind of the weekly selection.
pub const KIND: &str = "missions_weekly";

/// How many missions one email lists at most.
pub const MISSIONS: usize = 5;

/// The hour (tenant time) on Monday from which the week's selection goes out.
pub const FROM_HOUR: u32 = 9;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WeeklyReport {
    /// Emails queued.
    pub sent: usize,
    /// Members nothing fits this week, or nothing they have not been sent yet (no email).
    pub nothing_fits: usize,
    /// Already sent this week (another replica, an earlier pass).
    pub already_sent: usize,
    /// Accounts that cannot be written to (blocked, unverified address).
    pub skipped: usize,
}

/// The Monday of `day`'s week.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Whether the week's selection may go out at `now`: from Monday `FROM_HOUR`:00, tenant time,
/// to the end of the week (a pass missed on Monday is caught up later in the week).
pub fn is_weekly_time(tenant: &Tenant, now: DateTime<Utc>) -> bool {
    let local = now.with_timezone(&tenant.tz());
    local.weekday() != Weekday::Mon || local.hour() >= FROM_HOUR
}

fn selected(recommendations: Vec<Recommendation>) -> Vec<SelectedMission> {
    recommendations
        .into_iter()
        .map(|r| SelectedMission {
            title: r.title,
            link: r.url,
            reasons: r.reasons,
        })
        .collect()
}

/// Sends the week's selection to each member of the tenant who asked for it and has not had
/// it this week, when something fits them.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code))]
pub async fn send_weekly(scope: &Scope<'_>) -> Result<WeeklyReport, Failure> {
    let (tenant, now) = (scope.tenant, scope.clock.now());
    let mut report = WeeklyReport::default();
    if tenant.is_portal() || !is_weekly_time(tenant, now) {
        return Ok(report);
    }
    let today = tenant.local_date(now);
    let week = week_of(today);
    let conn = scope.store.conn();
    let subscribers = Profiles::for_tenant(conn, tenant)
        .missions_subscribers()
        .await?;
    for (user_id, chosen) in subscribers {
        if Digests::for_tenant(conn, tenant)
            .sent(user_id, KIND, week)
            .await?
        {
            report.already_sent += 1;
            continue;
        }
        let Some(account) = Accounts::for_tenant(conn, tenant).find(user_id).await? else {
            continue;
        };
        if account.deleted || account.blocked || !account.email_verified {
            report.skipped += 1;
            continue;
        }
        let locale = super::email_locale(tenant, chosen.as_deref());
        let mut member = saved_member(scope.store, tenant, user_id, today).await?;
        if !member.has_wishes() {
            report.nothing_fits += 1;
            continue;
        }
        // Only missions the member has not been sent yet.
        member.leave_out = Digests::for_tenant(conn, tenant)
            .items_sent(user_id, KIND)
            .await?;
        // The saved profile only holds this site's cities: nothing to refuse.
        let missions = recommend(scope.store, tenant, &member, MISSIONS, today, locale)
            .await?
            .unwrap_or_default();
        if missions.is_empty() {
            report.nothing_fits += 1;
            continue;
        }
        let listed: Vec<i64> = missions.iter().map(|m| m.id).collect();
        let tx = scope.store.begin().await?;
        if !Digests::for_tenant(&tx, tenant)
            .claim(user_id, KIND, week, &listed, now)
            .await?
        {
            report.already_sent += 1;
            continue;
        }
        let email = MissionsOfTheWeek {
            missions: selected(missions),
        };
        scope
            .mailer(&tx)
            .send(Recipient::account(&account, locale), &email)
            .await?;
        tx.commit().await.map_err(jsap_store::StoreError::from)?;
        report.sent += 1;
    }
    tracing::info!(
        sent = report.sent,
        nothing_fits = report.nothing_fits,
        "weekly missions emails"
    );
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_starts_on_its_monday() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).expect("date");
        assert_eq!(week_of(day(7)), day(7), "a Monday is its own week");
        assert_eq!(week_of(day(9)), day(7));
        assert_eq!(week_of(day(13)), day(7), "Sunday ends the week");
        assert_eq!(week_of(day(14)), day(14));
    }
}
