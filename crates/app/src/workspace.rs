//! A focal point's workspace: what waits on them in their cities (missions to review,
//! organisations to verify, requests still open with the time left on the promised delay),
//! read for their page and their header badge, and sent as a to-do email on weekday mornings
//! when there is something to do.

use crate::mail::emails::{ToDo, ToDoLine};
use crate::mail::{Mailer, Recipient};
use crate::{Failure, Scope};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use jsap_domain::Locale;
use jsap_domain::requests::RequestState;
use jsap_domain::roles::Role;
use jsap_store::{
    Accounts, Cities, CityRecord, Connection, Digests, MissionEdits, MissionFilter, Organisations,
    Profiles, Reports, Requests,
};
use jsap_tenancy::Tenant;
use serde::Serialize;
use std::collections::BTreeMap;

/// How many missions the workspace lists (the review queue has them all).
pub const MISSIONS_SHOWN: u64 = 20;

/// The local hour from which the weekday to-do goes out, and the last one at which it still
/// does (a server down all morning does not send a "morning" email at night).
pub const TODO_FROM_HOUR: u32 = 8;
pub const TODO_UNTIL_HOUR: u32 = 17;

/// The `digest_sends` kind of the to-do email.
const TODO_KIND: &str = "todo";

#[derive(Debug, Clone, Serialize)]
pub struct MissionToReview {
    pub id: i64,
    pub title: String,
    pub city: String,
    pub submitted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrganisationToVerify {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub city: String,
    pub registered_at: DateTime<Utc>,
}

/// How long is left on a request's promised delay, in whole days (rounded up: "today" is 0,
/// overdue is negative).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TimeLeft {
    pub days: i64,
    pub overdue: bool,
}

impl TimeLeft {
    pub fn until(due_at: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        let left = due_at - now;
        if left <= Duration::zero() {
            Self {
                days: -((-left).num_hours() / 24),
                overdue: true,
            }
        } else {
            Self {
                days: left.num_hours() / 24,
                overdue: false,
            }
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct OpenRequest {
    pub id: i64,
    pub title: String,
    pub city: String,
    pub state: &'static str,
    pub due_at: DateTime<Utc>,
    pub left: TimeLeft,
}

/// What waits on a focal point.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Workspace {
    pub missions: Vec<MissionToReview>,
    /// Missions waiting in all (more than `missions` when the list is cut).
    pub missions_total: u64,
    pub organisations: Vec<OrganisationToVerify>,
    /// New requests (an answer is owed), the one due first at the top.
    pub new_requests: Vec<OpenRequest>,
    /// Requests under way (followed, nothing owed yet).
    pub requests_in_progress: Vec<OpenRequest>,
    /// Reported content of their cities, waiting for the country operator's decision.
    pub reports: Vec<ReportedItem>,
}

/// Content of the focal point's cities that members reported (the operator decides; the
/// focal point sees it and can look at it).
#[derive(Debug, Clone, Serialize)]
pub struct ReportedItem {
    pub content: crate::moderation::Content,
    pub reports: usize,
}

impl Workspace {
    /// How many things ask for the focal point's action (the badge, and whether a to-do
    /// email goes out).
    pub fn to_do(&self) -> u64 {
        self.missions_total + self.organisations.len() as u64 + self.new_requests.len() as u64
    }
}

fn city_name(cities: &[CityRecord], id: i64, locale: Locale) -> String {
    cities
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.name_in(locale).to_owned())
        .unwrap_or_default()
}

/// The workspace of a focal point of `city_ids` at `now`, written for `locale`.
#[tracing::instrument(skip_all, fields(tenant.code = %tenant.code))]
pub async fn of_focal_point<C: Connection>(
    conn: &C,
    tenant: &Tenant,
    city_ids: &[i64],
    locale: Locale,
    now: DateTime<Utc>,
) -> Result<Workspace, Failure> {
    if city_ids.is_empty() {
        return Ok(Workspace::default());
    }
    let cities = Cities::for_tenant(conn, tenant).list().await?;
    let filter = MissionFilter {
        cities: Some(city_ids.to_vec()),
        ..MissionFilter::default()
    };
    let (missions, missions_total) = MissionEdits::for_tenant(conn, tenant)
        .queue(&filter, locale.as_str(), MISSIONS_SHOWN)
        .await?;
    let missions = missions
        .into_iter()
        .map(|m| MissionToReview {
            id: m.id,
            title: m.title,
            city: city_name(&cities, m.city_id, locale),
            submitted_at: m.submitted_at,
        })
        .collect();
    let organisations = Organisations::for_tenant(conn, tenant)
        .pending(Some(city_ids))
        .await?
        .into_iter()
        .map(|o| OrganisationToVerify {
            id: o.id,
            city: city_name(&cities, o.profile.city_id, locale),
            name: o.profile.name,
            slug: o.slug,
            registered_at: o.created_at,
        })
        .collect();
    let (mut new_requests, mut requests_in_progress) = (Vec::new(), Vec::new());
    for r in Requests::for_tenant(conn, tenant)
        .open_in_cities(city_ids)
        .await?
    {
        let open = OpenRequest {
            id: r.id,
            city: city_name(&cities, r.sent.city_id, locale),
            title: r.sent.title,
            state: r.state.as_str(),
            due_at: r.due_at,
            left: TimeLeft::until(r.due_at, now),
        };
        match r.state {
            RequestState::New => new_requests.push(open),
            _ => requests_in_progress.push(open),
        }
    }
    let mut reports = Vec::new();
    for open in Reports::for_tenant(conn, tenant).open().await? {
        let content = crate::moderation::content(conn, tenant, open.kind, open.id).await?;
        if let Some(content) =
            content.filter(|c| c.city_id.is_some_and(|id| city_ids.contains(&id)))
        {
            reports.push(ReportedItem {
                content,
                reports: open.reports.len(),
            });
        }
    }
    Ok(Workspace {
        missions,
        missions_total,
        organisations,
        new_requests,
        requests_in_progress,
        reports,
    })
}

/// How many things ask for the action of a focal point of `city_ids` (the header badge):
/// [`Workspace::to_do`] without reading the lists.
pub async fn to_do_count<C: Connection>(
    conn: &C,
    tenant: &Tenant,
    city_ids: &[i64],
) -> Result<u64, Failure> {
    if city_ids.is_empty() {
        return Ok(0);
    }
    let filter = MissionFilter {
        cities: Some(city_ids.to_vec()),
        ..MissionFilter::default()
    };
    let (_, missions) = MissionEdits::for_tenant(conn, tenant)
        .queue(&filter, tenant.default_locale.as_str(), 0)
        .await?;
    let (organisations, requests) = jsap_store::TenantOverview::for_tenant(conn, tenant)
        .waiting_in_cities(city_ids)
        .await?;
    Ok(missions + organisations + requests)
}

/// Whether `now` is to-do time in the tenant: a weekday between 8:00 and 17:59 local time.
pub fn is_todo_time(tenant: &Tenant, now: DateTime<Utc>) -> bool {
    let local = now.with_timezone(&tenant.tz());
    let weekday = !matches!(local.weekday(), Weekday::Sat | Weekday::Sun);
    weekday && (TODO_FROM_HOUR..=TODO_UNTIL_HOUR).contains(&local.hour())
}

/// What one pass of the to-do email did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ToDoReport {
    /// Emails queued.
    pub sent: usize,
    /// Focal points with nothing to do today.
    pub nothing_to_do: usize,
    /// Focal points who turned reminders off.
    pub opted_out: usize,
    /// Already sent today (another replica, an earlier pass).
    pub already_sent: usize,
}

/// Sends each focal point of the tenant their to-do of the day, once per local day, on
/// weekdays from 8:00 (tenant time), only when something waits on them. Outside that time it
/// does nothing.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code))]
pub async fn send_todo_emails(scope: &Scope<'_>) -> Result<ToDoReport, Failure> {
    let (tenant, now) = (scope.tenant, scope.clock.now());
    let mut report = ToDoReport::default();
    if tenant.is_portal() || !is_todo_time(tenant, now) {
        return Ok(report);
    }
    let day: NaiveDate = tenant.local_date(now);
    let conn = scope.store.conn();
    // Each focal point once, with all their cities.
    let mut focal_points: BTreeMap<i64, (jsap_store::Account, Vec<i64>)> = BTreeMap::new();
    for (account, membership) in Accounts::for_tenant(conn, tenant)
        .with_role(Role::FocalPoint)
        .await?
    {
        let entry = focal_points
            .entry(account.id)
            .or_insert_with(|| (account, Vec::new()));
        entry.1.extend(membership.city_id);
    }
    let locale = tenant.default_locale;
    for (account, cities) in focal_points.values() {
        if Digests::for_tenant(conn, tenant)
            .sent(account.id, TODO_KIND, day)
            .await?
        {
            report.already_sent += 1;
            continue;
        }
        if !Profiles::for_tenant(conn, tenant)
            .get(account.id)
            .await?
            .email_reminders
        {
            report.opted_out += 1;
            continue;
        }
        let workspace = of_focal_point(conn, tenant, cities, locale, now).await?;
        if workspace.to_do() == 0 {
            report.nothing_to_do += 1;
            continue;
        }
        let tx = scope.store.begin().await?;
        if !Digests::for_tenant(&tx, tenant)
            .claim(account.id, TODO_KIND, day, &[], now)
            .await?
        {
            report.already_sent += 1;
            continue;
        }
        let email = to_do_email(&workspace);
        let mailer: Mailer<'_, _> = scope.mailer(&tx);
        mailer
            .send(Recipient::account(account, locale), &email)
            .await?;
        tx.commit().await.map_err(jsap_store::StoreError::from)?;
        report.sent += 1;
    }
    tracing::info!(
        sent = report.sent,
        nothing_to_do = report.nothing_to_do,
        "focal point to-do emails"
    );
    Ok(report)
}

fn to_do_email(workspace: &Workspace) -> ToDo {
    ToDo {
        count: workspace.to_do(),
        missions: workspace
            .missions
            .iter()
            .map(|m| ToDoLine {
                path: format!("/espace/missions/verification#mission-{}", m.id),
                title: m.title.clone(),
                city: m.city.clone(),
                due_at: None,
            })
            .collect(),
        missions_total: workspace.missions_total,
        organisations: workspace
            .organisations
            .iter()
            .map(|o| ToDoLine {
                path: format!("/espace/organisations/verification#organisation-{}", o.id),
                title: o.name.clone(),
                city: o.city.clone(),
                due_at: None,
            })
            .collect(),
        requests: workspace
            .new_requests
            .iter()
            .map(|r| ToDoLine {
                path: format!("/demandes/{}", r.id),
                title: r.title.clone(),
                city: r.city.clone(),
                due_at: Some(r.due_at),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn time_left_counts_whole_days_and_overdue() {
        let now = Utc.with_ymd_and_hms(2027, 7, 1, 9, 0, 0).unwrap();
        let left = |h: i64| TimeLeft::until(now + Duration::hours(h), now);
        assert_eq!(
            left(3 * 24 + 5),
            TimeLeft {
                days: 3,
                overdue: false
            }
        );
        assert_eq!(
            left(5),
            TimeLeft {
                days: 0,
                overdue: false
            }
        );
        assert_eq!(
            left(-5),
            TimeLeft {
                days: 0,
                overdue: true
            }
        );
        assert_eq!(
            left(-49),
            TimeLeft {
                days: -2,
                overdue: true
            }
        );
    }
}
