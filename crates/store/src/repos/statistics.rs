//! The figures of one tenant over a period, for its country operators' statistics page:
//! missions by domain, city and state; requests per ISO week with first-response and
//! resolution times per organisation and per city; survey scores; members by country of
//! residence and by month of stay.
//!
//! Each query fetches the few columns it needs for the period and the figures are summed up
//! here, in Rust: the same code on SQLite and PostgreSQL, without either's date functions.
//! Weeks, months and the period's bounds are the tenant's local dates.

use crate::StoreError;
use crate::entities::{
    city, mission, organisation, profile, request, request_message as message, stay, survey, user,
};
use crate::repos::{Scope, pairs};
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, TimeZone, Utc};
use jsap_domain::requests::RequestState;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait, TryGetableMany};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A query's rows with `column` in `[from, to)`, either bound open when `None`.
trait Within: QueryFilter + QueryTrait + Sized {
    fn within(
        self,
        column: impl ColumnTrait,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Self {
        self.apply_if(from, |q, from| q.filter(column.gte(from)))
            .apply_if(to, |q, to| q.filter(column.lt(to)))
    }
}

impl<Q: QueryFilter + QueryTrait> Within for Q {}

/// The longest run of months drawn for the stays (a stay far in the future would otherwise
/// draw decades of empty months).
const MONTHS_MAX: u32 = 60;

/// The days a period covers, both included, in the tenant's time zone; `None` is open-ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsPeriod {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// How many of something carry `key` (a domain slug, a state, a city's name, a country).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    pub key: String,
    pub count: u64,
}

/// The requests sent in the ISO week starting on `monday`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct WeekTally {
    pub monday: NaiveDate,
    pub count: u64,
}

/// The members in the country some day of the month starting on `first`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MonthTally {
    pub first: NaiveDate,
    pub count: u64,
}

/// How fast one organisation or city answers the requests sent in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delays {
    /// The organisation's or city's name; `None` for requests sent to no organisation (projects
    /// and profiles, which the city's focal points handle).
    pub name: Option<String>,
    pub requests: u64,
    /// Requests with a message from someone other than the member.
    pub answered: u64,
    /// Median time from the request to that first message.
    pub first_response: Option<Duration>,
    /// Requests declined, completed or withdrawn.
    pub resolved: u64,
    /// Median time from the request to its closing.
    pub resolution: Option<Duration>,
}

/// The survey answers given in the period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SurveyScores {
    pub answers: u64,
    pub mean: Option<f64>,
    /// Answers per score, 1 to 5.
    pub by_score: [u64; 5],
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Missions created in the period, by domain slug, by city name and by state.
    pub missions: u64,
    pub missions_by_domain: Vec<Tally>,
    pub missions_by_city: Vec<Tally>,
    pub missions_by_state: Vec<Tally>,
    /// Requests sent in the period, per ISO week (every week of the period, empty ones too).
    pub requests: u64,
    pub requests_by_week: Vec<WeekTally>,
    pub delays_by_organisation: Vec<Delays>,
    pub delays_by_city: Vec<Delays>,
    /// Survey answers given in the period.
    pub surveys: SurveyScores,
    /// Accounts opened in the period, by country of residence (as written; `""` when unsaid).
    pub members: u64,
    pub members_by_country: Vec<Tally>,
    /// Members with a stay in each month of the period.
    pub stays_by_month: Vec<MonthTally>,
}

/// The figures of one tenant.
pub struct Statistics<'a, C> {
    conn: crate::rls::Scoped<'a, C>,
    scope: Scope,
    tz: chrono_tz::Tz,
}

/// Tallies, most first, then by key.
fn tallies(counts: HashMap<String, u64>) -> Vec<Tally> {
    let mut out: Vec<Tally> = counts
        .into_iter()
        .map(|(key, count)| Tally { key, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    out
}

/// The middle value (the mean of the two middle ones for an even count).
pub fn median(mut values: Vec<Duration>) -> Option<Duration> {
    values.sort();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2),
    }
}

fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// One request's timings, on the way to `Delays`.
#[derive(Default)]
struct Timings {
    requests: u64,
    first_responses: Vec<Duration>,
    resolutions: Vec<Duration>,
}

impl Timings {
    fn into_delays(self, name: Option<String>) -> Delays {
        Delays {
            name,
            requests: self.requests,
            answered: self.first_responses.len() as u64,
            first_response: median(self.first_responses),
            resolved: self.resolutions.len() as u64,
            resolution: median(self.resolutions),
        }
    }
}

/// Delays, most requests first, then by name.
fn delays<K: Ord>(
    groups: BTreeMap<K, Timings>,
    name: impl Fn(&K) -> Option<String>,
) -> Vec<Delays> {
    let mut out: Vec<Delays> = groups
        .into_iter()
        .map(|(k, t)| t.into_delays(name(&k)))
        .collect();
    out.sort_by(|a, b| {
        b.requests
            .cmp(&a.requests)
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}

impl<'a, C: crate::Connection> Statistics<'a, C> {
    pub fn for_tenant(conn: &'a C, tenant: &jsap_tenancy::Tenant) -> Self {
        Self {
            conn: crate::rls::Scoped::tenant(conn, tenant.code.as_str()),
            scope: Scope::of(tenant),
            tz: tenant.tz(),
        }
    }

    /// The first instant of `day` where the tenant is.
    fn start_of(&self, day: NaiveDate) -> DateTime<Utc> {
        let midnight = day.and_time(chrono::NaiveTime::MIN);
        self.tz
            .from_local_datetime(&midnight)
            .earliest()
            .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
    }

    /// The period as instants: from its first instant, to before the day after its last day.
    fn bounds(&self, period: StatsPeriod) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        (
            period.from.map(|d| self.start_of(d)),
            period
                .to
                .and_then(|d| d.succ_opt())
                .map(|d| self.start_of(d)),
        )
    }

    fn local(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }

    /// The `columns` of the rows `query` selects whose `at` is in `[from, to)`, as tuples.
    async fn in_period<E: EntityTrait, T: TryGetableMany>(
        &self,
        query: sea_orm::Select<E>,
        columns: impl IntoIterator<Item = E::Column>,
        at: E::Column,
        (from, to): (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    ) -> Result<Vec<T>, StoreError> {
        Ok(query
            .select_only()
            .columns(columns)
            .within(at, from, to)
            .into_tuple()
            .all(&self.conn)
            .await?)
    }

    /// Every figure of the period; city names in `locale`.
    pub async fn figures(&self, period: StatsPeriod, locale: &str) -> Result<Figures, StoreError> {
        let cities: HashMap<i64, String> = self
            .scope
            .all::<city::Entity>()
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name_in(locale).to_owned()))
            .collect();
        let mut figures = Figures::default();
        self.missions(period, &cities, &mut figures).await?;
        self.requests(period, &cities, &mut figures).await?;
        figures.surveys = self.surveys(period).await?;
        self.members(period, &mut figures).await?;
        figures.stays_by_month = self.stays(period).await?;
        Ok(figures)
    }

    async fn missions(
        &self,
        period: StatsPeriod,
        cities: &HashMap<i64, String>,
        figures: &mut Figures,
    ) -> Result<(), StoreError> {
        let rows: Vec<(String, i64, String)> = self
            .in_period(
                self.scope.all::<mission::Entity>(),
                [
                    mission::Column::Domain,
                    mission::Column::CityId,
                    mission::Column::Status,
                ],
                mission::Column::CreatedAt,
                self.bounds(period),
            )
            .await?;
        let (mut domains, mut by_city, mut states) =
            (HashMap::new(), HashMap::new(), HashMap::new());
        for (domain, city_id, status) in rows {
            figures.missions += 1;
            *domains.entry(domain).or_default() += 1;
            let city = cities.get(&city_id).cloned().unwrap_or_default();
            *by_city.entry(city).or_default() += 1;
            *states.entry(status).or_default() += 1;
        }
        figures.missions_by_domain = tallies(domains);
        figures.missions_by_city = tallies(by_city);
        figures.missions_by_state = tallies(states);
        Ok(())
    }

    async fn requests(
        &self,
        period: StatsPeriod,
        cities: &HashMap<i64, String>,
        figures: &mut Figures,
    ) -> Result<(), StoreError> {
        let (from, to) = self.bounds(period);
        type Row = (
            i64,
            i64,
            Option<i64>,
            i64,
            String,
            DateTime<Utc>,
            DateTime<Utc>,
        );
        let rows: Vec<Row> = self
            .in_period(
                self.scope.all::<request::Entity>(),
                [
                    request::Column::Id,
                    request::Column::MemberUserId,
                    request::Column::OrganisationId,
                    request::Column::CityId,
                    request::Column::State,
                    request::Column::CreatedAt,
                    request::Column::UpdatedAt,
                ],
                request::Column::CreatedAt,
                (from, to),
            )
            .await?;
        if rows.is_empty() {
            return Ok(());
        }
        // The first answer to each request: the earliest message by someone else than its
        // member. Messages come after their request, so none before the period matters.
        let messages: Vec<(i64, i64, DateTime<Utc>)> = self
            .in_period(
                self.scope.all::<message::Entity>(),
                [
                    message::Column::RequestId,
                    message::Column::AuthorUserId,
                    message::Column::CreatedAt,
                ],
                message::Column::CreatedAt,
                (from, None),
            )
            .await?;
        let members: HashMap<i64, i64> = rows.iter().map(|r| (r.0, r.1)).collect();
        let mut first_answer: HashMap<i64, DateTime<Utc>> = HashMap::new();
        for (request_id, author, at) in messages {
            if members
                .get(&request_id)
                .is_some_and(|member| *member != author)
            {
                let first = first_answer.entry(request_id).or_insert(at);
                *first = (*first).min(at);
            }
        }
        let organisations: HashMap<i64, String> = pairs(
            &self.conn,
            self.scope.all::<organisation::Entity>(),
            organisation::Column::Id,
            organisation::Column::Name,
        )
        .await?;

        let mut weeks: BTreeMap<NaiveDate, u64> = BTreeMap::new();
        let mut by_org: BTreeMap<Option<i64>, Timings> = BTreeMap::new();
        let mut by_city: BTreeMap<i64, Timings> = BTreeMap::new();
        for (id, _, org, city_id, state, created, updated) in rows {
            figures.requests += 1;
            *weeks.entry(monday_of(self.local(created))).or_default() += 1;
            let answered = first_answer.get(&id).map(|at| *at - created);
            // A closed request takes no more messages nor state changes: its last update is
            // when it was closed.
            let closed = RequestState::parse(&state)
                .is_some_and(RequestState::is_closed)
                .then(|| updated - created);
            for timings in [
                by_org.entry(org).or_default(),
                by_city.entry(city_id).or_default(),
            ] {
                timings.requests += 1;
                timings.first_responses.extend(answered);
                timings.resolutions.extend(closed);
            }
        }
        let first = period
            .from
            .map(monday_of)
            .or_else(|| weeks.keys().next().copied());
        let last = period
            .to
            .map(monday_of)
            .or_else(|| weeks.keys().next_back().copied());
        if let (Some(first), Some(last)) = (first, last) {
            let mut monday = first;
            while monday <= last {
                let count = weeks.get(&monday).copied().unwrap_or(0);
                figures.requests_by_week.push(WeekTally { monday, count });
                monday += Duration::days(7);
            }
        }
        figures.delays_by_organisation = delays(by_org, |org| {
            org.map(|id| organisations.get(&id).cloned().unwrap_or_default())
        });
        figures.delays_by_city = delays(by_city, |id| cities.get(id).cloned());
        Ok(())
    }

    async fn surveys(&self, period: StatsPeriod) -> Result<SurveyScores, StoreError> {
        let scores: Vec<Option<i32>> = self
            .in_period(
                self.scope
                    .all::<survey::Entity>()
                    .filter(survey::Column::AnsweredAt.is_not_null()),
                [survey::Column::Score],
                survey::Column::AnsweredAt,
                self.bounds(period),
            )
            .await?;
        let mut out = SurveyScores::default();
        let mut sum = 0i64;
        for score in scores.into_iter().flatten() {
            if let Some(slot) = usize::try_from(score - 1)
                .ok()
                .and_then(|i| out.by_score.get_mut(i))
            {
                *slot += 1;
                out.answers += 1;
                sum += i64::from(score);
            }
        }
        if out.answers > 0 {
            out.mean = Some(sum as f64 / out.answers as f64);
        }
        Ok(out)
    }

    async fn members(&self, period: StatsPeriod, figures: &mut Figures) -> Result<(), StoreError> {
        let (from, to) = self.bounds(period);
        let opened = self
            .scope
            .all::<user::Entity>()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::IsStaff.eq(false))
            .within(user::Column::CreatedAt, from, to);
        let mut ids: Vec<i64> = opened.clone().into_tuple().all(&self.conn).await?;
        ids.sort_unstable();
        let countries: HashMap<i64, String> = pairs(
            &self.conn,
            self.scope
                .all::<profile::Entity>()
                .filter(profile::Column::UserId.in_subquery(opened.into_query())),
            profile::Column::UserId,
            profile::Column::CountryOfResidence,
        )
        .await?;
        // "France", "france " and "FRANCE" are one country, shown as its oldest account
        // wrote it.
        let mut shown: HashMap<String, String> = HashMap::new();
        let mut counts: HashMap<String, u64> = HashMap::new();
        for id in ids {
            figures.members += 1;
            let written = countries.get(&id).map_or("", |c| c.trim());
            let key = written.to_lowercase();
            let label = shown.entry(key).or_insert_with(|| written.to_owned());
            *counts.entry(label.clone()).or_default() += 1;
        }
        figures.members_by_country = tallies(counts);
        Ok(())
    }

    async fn stays(&self, period: StatsPeriod) -> Result<Vec<MonthTally>, StoreError> {
        let rows: Vec<(i64, NaiveDate, NaiveDate)> = self
            .scope
            .all::<stay::Entity>()
            .select_only()
            .columns([
                stay::Column::UserId,
                stay::Column::StartsOn,
                stay::Column::EndsOn,
            ])
            .apply_if(period.from, |q, from| {
                q.filter(stay::Column::EndsOn.gte(from))
            })
            .apply_if(period.to, |q, to| q.filter(stay::Column::StartsOn.lte(to)))
            .into_tuple()
            .all(&self.conn)
            .await?;
        let Some(first) = period.from.or_else(|| rows.iter().map(|r| r.1).min()) else {
            return Ok(Vec::new());
        };
        let Some(last) = period.to.or_else(|| rows.iter().map(|r| r.2).max()) else {
            return Ok(Vec::new());
        };
        let first = first_of_month(first);
        let last = first_of_month(last).min(first + Months::new(MONTHS_MAX - 1));
        let mut months: BTreeMap<NaiveDate, BTreeSet<i64>> = BTreeMap::new();
        let mut month = first;
        while month <= last {
            months.insert(month, BTreeSet::new());
            month = month + Months::new(1);
        }
        for (user_id, starts, ends) in rows {
            let mut month = first_of_month(starts).max(first);
            while month <= first_of_month(ends).min(last) {
                if let Some(members) = months.get_mut(&month) {
                    members.insert(user_id);
                }
                month = month + Months::new(1);
            }
        }
        if months.values().all(BTreeSet::is_empty) {
            return Ok(Vec::new());
        }
        Ok(months
            .into_iter()
            .map(|(first, members)| MonthTally {
                first,
                count: members.len() as u64,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn the_median_is_the_middle_value_or_the_mean_of_the_two_middle_ones() {
        let h = Duration::hours;
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![h(5), h(1), h(3)]), Some(h(3)));
        assert_eq!(median(vec![h(4), h(1), h(2), h(10)]), Some(h(3)));
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        assert_eq!(monday_of(d(2026, 3, 8)), d(2026, 3, 2));
        assert_eq!(monday_of(d(2026, 3, 2)), d(2026, 3, 2));
        assert_eq!(first_of_month(d(2026, 2, 28)), d(2026, 2, 1));
    }

    #[test]
    fn tallies_list_the_most_first_then_by_key() {
        let counts = HashMap::from([("b".into(), 1), ("a".into(), 1), ("c".into(), 3)]);
        let keys: Vec<String> = tallies(counts).into_iter().map(|t| t.key).collect();
        assert_eq!(keys, ["c", "a", "b"]);
    }
}
