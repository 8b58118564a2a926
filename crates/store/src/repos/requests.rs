//! Requests of one tenant: a member answers a mission, proposes a project or offers their
//! profile to a city. Each has one conversation, read marks for unread counts, a state
//! machine and a promised response date (`due_at`), and later a satisfaction survey.
//!
//! Who may see a request is decided here (`side_of`): its member, the members of its
//! organisation (organisation admins and editors), the focal points of its city and the
//! tenant's country operators. Everyone else is told nothing (the web layer answers 404).
//! State changes are conditional `UPDATE`s on the current state, so two concurrent clicks
//! cannot both succeed.

use super::Scope;
use crate::StoreError;
use crate::entities::{
    membership, request, request_message as message, request_read as read, survey, user,
};
use crate::repos::accounts::{Account, Role};
use crate::repos::invitations::hash_token;
use crate::repos::search::{Sql, get};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use jsap_tenancy::Tenant;
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::{HashMap, HashSet};

/// How a member reached out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// An answer to a mission: routed to the mission's organisation.
    Mission,
    /// A project proposed to a city: routed to its focal points.
    Project,
    /// A profile offered to a city: routed to its focal points.
    Profile,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Mission => "mission",
            RequestKind::Project => "project",
            RequestKind::Profile => "profile",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "project" => RequestKind::Project,
            "profile" => RequestKind::Profile,
            _ => RequestKind::Mission,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    New,
    InProgress,
    Accepted,
    Declined,
    Completed,
    Withdrawn,
}

impl RequestState {
    pub const ALL: [RequestState; 6] = [
        RequestState::New,
        RequestState::InProgress,
        RequestState::Accepted,
        RequestState::Declined,
        RequestState::Completed,
        RequestState::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::New => "new",
            RequestState::InProgress => "in_progress",
            RequestState::Accepted => "accepted",
            RequestState::Declined => "declined",
            RequestState::Completed => "completed",
            RequestState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == s)
    }

    /// Declined, completed or withdrawn: the conversation is over.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            RequestState::Declined | RequestState::Completed | RequestState::Withdrawn
        )
    }
}

/// Which side of a request a user is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The member who sent it.
    Member,
    /// A member of the organisation it was sent to.
    Organisation,
    /// A focal point of its city (always in copy).
    FocalPoint,
    /// A country operator of the tenant (receives escalations).
    Operator,
}

impl Side {
    /// The side that answers the member.
    pub fn handles(self) -> bool {
        self != Side::Member
    }
}

/// A button on a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Accept,
    Decline,
    Complete,
    Withdraw,
}

impl Action {
    pub const ALL: [Action; 4] = [
        Action::Accept,
        Action::Decline,
        Action::Complete,
        Action::Withdraw,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Decline => "decline",
            Action::Complete => "complete",
            Action::Withdraw => "withdraw",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The states it applies to and the state it leads to.
    pub fn transition(self) -> (&'static [RequestState], RequestState) {
        use RequestState::*;
        match self {
            Action::Accept => (&[New, InProgress], Accepted),
            Action::Decline => (&[New, InProgress], Declined),
            Action::Complete => (&[Accepted], Completed),
            Action::Withdraw => (&[New, InProgress, Accepted], Withdrawn),
        }
    }

    /// Whether this side may press the button at all: the member withdraws, the handling
    /// side accepts or declines, either side marks an accepted request completed.
    pub fn allowed_for(self, side: Side) -> bool {
        match self {
            Action::Withdraw => side == Side::Member,
            Action::Accept | Action::Decline => side.handles(),
            Action::Complete => true,
        }
    }

    /// Whether the button is offered to this side in this state.
    pub fn available(self, side: Side, state: RequestState) -> bool {
        self.allowed_for(side) && self.transition().0.contains(&state)
    }
}

#[derive(Debug, Clone)]
pub struct NewRequest {
    pub kind: RequestKind,
    pub member_user_id: i64,
    pub mission_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub city_id: i64,
    pub locale: String,
    pub title: String,
    pub body: String,
    /// What the member brings (project) or their skills (profile).
    pub offer: String,
    pub contribution: Option<String>,
    pub available_from: Option<NaiveDate>,
    pub available_to: Option<NaiveDate>,
    pub domain: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RequestRecord {
    pub id: i64,
    pub kind: RequestKind,
    pub member_user_id: i64,
    pub mission_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub city_id: i64,
    pub state: RequestState,
    pub locale: String,
    pub title: String,
    pub body: String,
    pub offer: String,
    pub contribution: Option<String>,
    pub available_from: Option<NaiveDate>,
    pub available_to: Option<NaiveDate>,
    pub domain: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub reminded_at: Option<DateTime<Utc>>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub survey_sent_at: Option<DateTime<Utc>>,
}

impl From<request::Model> for RequestRecord {
    fn from(m: request::Model) -> Self {
        Self {
            id: m.id,
            kind: RequestKind::parse(&m.kind),
            member_user_id: m.member_user_id,
            mission_id: m.mission_id,
            organisation_id: m.organisation_id,
            city_id: m.city_id,
            state: RequestState::parse(&m.state).unwrap_or(RequestState::New),
            locale: m.locale,
            title: m.title,
            body: m.body,
            offer: m.offer,
            contribution: m.contribution,
            available_from: m.available_from,
            available_to: m.available_to,
            domain: m.domain,
            created_at: m.created_at,
            updated_at: m.updated_at,
            due_at: m.due_at,
            reminded_at: m.reminded_at,
            escalated_at: m.escalated_at,
            survey_sent_at: m.survey_sent_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RequestMessage {
    pub id: i64,
    pub author_user_id: i64,
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Whose inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inbox {
    /// The requests the user sent.
    Member,
    /// The requests sent to the user's organisations.
    Organisation,
    /// The requests of the cities the user is focal point of.
    FocalPoint,
    /// Every request of the tenant, for its country operators (who get the escalations).
    Country,
}

/// What a user handles requests for, from their memberships (read once per call).
struct Handled {
    orgs: Vec<i64>,
    cities: Vec<i64>,
    operator: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct InboxItem {
    pub request: RequestRecord,
    pub unread: bool,
}

#[derive(Debug, Clone)]
pub struct InboxPage {
    pub items: Vec<InboxItem>,
    pub total: u64,
    pub unread: u64,
}

/// Why a state change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionError {
    /// This side may never do this.
    NotAllowed,
    /// Not from the request's current state.
    WrongState(RequestState),
}

/// A survey that can still be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSurvey {
    pub id: i64,
    pub request_id: i64,
    pub organisation_id: Option<i64>,
}

/// The requests of one tenant.
pub struct Requests<'a, C> {
    conn: &'a C,
    scope: Scope,
}

impl<'a, C: ConnectionTrait> Requests<'a, C> {
    pub fn for_tenant(conn: &'a C, tenant: &Tenant) -> Self {
        Self {
            conn,
            scope: Scope::of(tenant),
        }
    }

    fn rows(&self) -> sea_orm::Select<request::Entity> {
        request::Entity::find().filter(request::Column::TenantId.eq(self.scope.id()))
    }

    /// Records a request, due `delay_days` after `now`; the member has read it.
    pub async fn create(
        &self,
        new: NewRequest,
        now: DateTime<Utc>,
        delay_days: u32,
    ) -> Result<RequestRecord, StoreError> {
        let model = request::Entity::insert(request::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            kind: Set(new.kind.as_str().to_owned()),
            member_user_id: Set(new.member_user_id),
            mission_id: Set(new.mission_id),
            organisation_id: Set(new.organisation_id),
            city_id: Set(new.city_id),
            state: Set(RequestState::New.as_str().to_owned()),
            locale: Set(new.locale),
            title: Set(new.title),
            body: Set(new.body),
            offer: Set(new.offer),
            contribution: Set(new.contribution),
            available_from: Set(new.available_from),
            available_to: Set(new.available_to),
            domain: Set(new.domain),
            created_at: Set(now),
            updated_at: Set(now),
            due_at: Set(now + Duration::days(i64::from(delay_days))),
            reminded_at: Set(None),
            escalated_at: Set(None),
            survey_sent_at: Set(None),
            ..Default::default()
        })
        .exec_with_returning(self.conn)
        .await?;
        self.mark_read(model.id, new.member_user_id, now).await?;
        Ok(model.into())
    }

    pub async fn find(&self, id: i64) -> Result<Option<RequestRecord>, StoreError> {
        Ok(self
            .rows()
            .filter(request::Column::Id.eq(id))
            .one(self.conn)
            .await?
            .map(RequestRecord::from))
    }

    async fn roles_of(&self, user_id: i64) -> Result<Vec<membership::Model>, StoreError> {
        Ok(membership::Entity::find()
            .filter(membership::Column::TenantId.eq(self.scope.id()))
            .filter(membership::Column::UserId.eq(user_id))
            .all(self.conn)
            .await?)
    }

    /// The side `user_id` is on, or `None`: not a party, must not learn the request exists.
    pub async fn side_of(
        &self,
        request: &RequestRecord,
        user_id: i64,
    ) -> Result<Option<Side>, StoreError> {
        if request.member_user_id == user_id {
            return Ok(Some(Side::Member));
        }
        let roles = self.roles_of(user_id).await?;
        let has = |role: Role, city: Option<i64>, org: Option<i64>| {
            roles.iter().any(|m| {
                m.role == role.as_str()
                    && (city.is_none() || m.city_id == city)
                    && (org.is_none() || m.organisation_id == org)
            })
        };
        if let Some(org) = request.organisation_id
            && (has(Role::OrganisationAdmin, None, Some(org))
                || has(Role::OrganisationEditor, None, Some(org)))
        {
            return Ok(Some(Side::Organisation));
        }
        if has(Role::FocalPoint, Some(request.city_id), None) {
            return Ok(Some(Side::FocalPoint));
        }
        if has(Role::CountryOperator, None, None) {
            return Ok(Some(Side::Operator));
        }
        Ok(None)
    }

    /// The conversation, oldest first, with each author's display name.
    pub async fn messages(&self, request_id: i64) -> Result<Vec<RequestMessage>, StoreError> {
        let rows = message::Entity::find()
            .filter(message::Column::TenantId.eq(self.scope.id()))
            .filter(message::Column::RequestId.eq(request_id))
            .order_by_asc(message::Column::CreatedAt)
            .order_by_asc(message::Column::Id)
            .all(self.conn)
            .await?;
        let ids: HashSet<i64> = rows.iter().map(|m| m.author_user_id).collect();
        let names = self.names(ids.into_iter().collect()).await?;
        Ok(rows
            .into_iter()
            .map(|m| RequestMessage {
                id: m.id,
                author_name: names.get(&m.author_user_id).cloned().unwrap_or_default(),
                author_user_id: m.author_user_id,
                body: m.body,
                created_at: m.created_at,
            })
            .collect())
    }

    async fn names(&self, ids: Vec<i64>) -> Result<HashMap<i64, String>, StoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(user::Entity::find()
            .filter(user::Column::TenantId.eq(self.scope.id()))
            .filter(user::Column::Id.is_in(ids))
            .all(self.conn)
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect())
    }

    /// The handling side of a request: its organisation's members and its city's focal
    /// points, each address once, without `except` (the author of what they hear of).
    pub async fn handlers(
        &self,
        request: &RequestRecord,
        except: Option<i64>,
    ) -> Result<Vec<Account>, StoreError> {
        let mut all = Vec::new();
        if let Some(org) = request.organisation_id {
            all.extend(self.organisation_members(org).await?);
        }
        all.extend(self.focal_points(request.city_id).await?);
        let mut seen = HashSet::new();
        all.retain(|a| except != Some(a.id) && seen.insert(a.email.clone()));
        Ok(all)
    }

    /// Adds a message. The first message from the handling side moves a new request to
    /// `in_progress`. The author has read the conversation.
    pub async fn add_message(
        &self,
        request: &RequestRecord,
        author_user_id: i64,
        side: Side,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        message::Entity::insert(message::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            request_id: Set(request.id),
            author_user_id: Set(author_user_id),
            body: Set(body.to_owned()),
            created_at: Set(now),
            ..Default::default()
        })
        .exec_without_returning(self.conn)
        .await?;
        request::Entity::update_many()
            .col_expr(request::Column::UpdatedAt, Expr::value(now))
            .filter(request::Column::TenantId.eq(self.scope.id()))
            .filter(request::Column::Id.eq(request.id))
            .exec(self.conn)
            .await?;
        if side.handles() {
            request::Entity::update_many()
                .col_expr(
                    request::Column::State,
                    Expr::value(RequestState::InProgress.as_str()),
                )
                .filter(request::Column::TenantId.eq(self.scope.id()))
                .filter(request::Column::Id.eq(request.id))
                .filter(request::Column::State.eq(RequestState::New.as_str()))
                .exec(self.conn)
                .await?;
        }
        self.mark_read(request.id, author_user_id, now).await
    }

    /// Marks the conversation read by `user_id` at `now`.
    pub async fn mark_read(
        &self,
        request_id: i64,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        read::Entity::insert(read::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            request_id: Set(request_id),
            user_id: Set(user_id),
            last_read_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                read::Column::TenantId,
                read::Column::RequestId,
                read::Column::UserId,
            ])
            .update_column(read::Column::LastReadAt)
            .to_owned(),
        )
        .exec_without_returning(self.conn)
        .await?;
        Ok(())
    }

    /// Applies a button of `side`: `Err` when this side may not, or not from the current
    /// state (checked again by the conditional update).
    pub async fn apply(
        &self,
        request: &RequestRecord,
        action: Action,
        side: Side,
        now: DateTime<Utc>,
    ) -> Result<Result<RequestState, TransitionError>, StoreError> {
        if !action.allowed_for(side) {
            return Ok(Err(TransitionError::NotAllowed));
        }
        let (from, to) = action.transition();
        let updated = request::Entity::update_many()
            .col_expr(request::Column::State, Expr::value(to.as_str()))
            .col_expr(request::Column::UpdatedAt, Expr::value(now))
            .filter(request::Column::TenantId.eq(self.scope.id()))
            .filter(request::Column::Id.eq(request.id))
            .filter(request::Column::State.is_in(from.iter().map(|s| s.as_str())))
            .exec(self.conn)
            .await?;
        if updated.rows_affected == 1 {
            Ok(Ok(to))
        } else {
            let current = self.find(request.id).await?.ok_or(StoreError::NotFound)?;
            Ok(Err(TransitionError::WrongState(current.state)))
        }
    }

    /// What the user handles requests for: organisations, cities, the whole country.
    async fn handled(&self, user_id: i64) -> Result<Handled, StoreError> {
        let roles = self.roles_of(user_id).await?;
        Ok(Handled {
            orgs: roles
                .iter()
                .filter(|m| {
                    m.role == Role::OrganisationAdmin.as_str()
                        || m.role == Role::OrganisationEditor.as_str()
                })
                .filter_map(|m| m.organisation_id)
                .collect(),
            cities: roles
                .iter()
                .filter(|m| m.role == Role::FocalPoint.as_str())
                .filter_map(|m| m.city_id)
                .collect(),
            operator: roles
                .iter()
                .any(|m| m.role == Role::CountryOperator.as_str()),
        })
    }

    /// Whether the user has an inbox of this kind (organisation member, focal point, operator).
    pub async fn has_inbox(&self, user_id: i64, inbox: Inbox) -> Result<bool, StoreError> {
        let handled = self.handled(user_id).await?;
        Ok(self.inbox_query(user_id, inbox, handled).is_some())
    }

    /// The requests of an inbox, or `None` when the user has no such inbox.
    fn inbox_query(
        &self,
        user_id: i64,
        inbox: Inbox,
        handled: Handled,
    ) -> Option<sea_orm::Select<request::Entity>> {
        let query = self.rows();
        match inbox {
            Inbox::Country => handled.operator.then_some(query),
            Inbox::Member => Some(query.filter(request::Column::MemberUserId.eq(user_id))),
            Inbox::Organisation if !handled.orgs.is_empty() => {
                Some(query.filter(request::Column::OrganisationId.is_in(handled.orgs)))
            }
            Inbox::FocalPoint if !handled.cities.is_empty() => {
                Some(query.filter(request::Column::CityId.is_in(handled.cities)))
            }
            _ => None,
        }
    }

    /// The requests of an inbox the user has not read.
    async fn inbox_unread_ids(
        &self,
        user_id: i64,
        query: &sea_orm::Select<request::Entity>,
    ) -> Result<HashSet<i64>, StoreError> {
        let ids: Vec<i64> = query
            .clone()
            .select_only()
            .column(request::Column::Id)
            .into_tuple()
            .all(self.conn)
            .await?;
        self.unread_among(user_id, &ids).await
    }

    /// The number of unread requests of an inbox (a tab's badge), or `None` without it.
    pub async fn inbox_unread(
        &self,
        user_id: i64,
        inbox: Inbox,
    ) -> Result<Option<u64>, StoreError> {
        let handled = self.handled(user_id).await?;
        let Some(query) = self.inbox_query(user_id, inbox, handled) else {
            return Ok(None);
        };
        Ok(Some(
            self.inbox_unread_ids(user_id, &query).await?.len() as u64
        ))
    }

    /// Of these requests, those with something `user_id` has not read: never opened, or a
    /// message from someone else since the last reading.
    async fn unread_among(&self, user_id: i64, ids: &[i64]) -> Result<HashSet<i64>, StoreError> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let mut unread = HashSet::new();
        for chunk in ids.chunks(500) {
            let reads: HashMap<i64, DateTime<Utc>> = read::Entity::find()
                .filter(read::Column::TenantId.eq(self.scope.id()))
                .filter(read::Column::UserId.eq(user_id))
                .filter(read::Column::RequestId.is_in(chunk.to_vec()))
                .all(self.conn)
                .await?
                .into_iter()
                .map(|r| (r.request_id, r.last_read_at))
                .collect();
            let latest: Vec<(i64, Option<DateTime<Utc>>)> = message::Entity::find()
                .select_only()
                .column(message::Column::RequestId)
                .column_as(Expr::col(message::Column::CreatedAt).max(), "latest")
                .filter(message::Column::TenantId.eq(self.scope.id()))
                .filter(message::Column::AuthorUserId.ne(user_id))
                .filter(message::Column::RequestId.is_in(chunk.to_vec()))
                .group_by(message::Column::RequestId)
                .into_tuple()
                .all(self.conn)
                .await?;
            let latest: HashMap<i64, DateTime<Utc>> = latest
                .into_iter()
                .filter_map(|(id, at)| Some((id, at?)))
                .collect();
            for id in chunk {
                match reads.get(id) {
                    None => {
                        unread.insert(*id);
                    }
                    Some(read_at) => {
                        if latest.get(id).is_some_and(|at| at > read_at) {
                            unread.insert(*id);
                        }
                    }
                }
            }
        }
        Ok(unread)
    }

    /// One page of an inbox, newest activity first, optionally of one state, with the number
    /// of unread requests of the whole inbox.
    pub async fn inbox(
        &self,
        user_id: i64,
        inbox: Inbox,
        state: Option<RequestState>,
        page: u64,
        per_page: u64,
    ) -> Result<InboxPage, StoreError> {
        let handled = self.handled(user_id).await?;
        let Some(query) = self.inbox_query(user_id, inbox, handled) else {
            return Ok(InboxPage {
                items: Vec::new(),
                total: 0,
                unread: 0,
            });
        };
        let unread = self.inbox_unread_ids(user_id, &query).await?;
        let query = match state {
            Some(s) => query.filter(request::Column::State.eq(s.as_str())),
            None => query,
        };
        let total = query.clone().count(self.conn).await?;
        let rows = query
            .order_by_desc(request::Column::UpdatedAt)
            .order_by_desc(request::Column::Id)
            .offset(page.saturating_sub(1) * per_page)
            .limit(per_page)
            .all(self.conn)
            .await?;
        Ok(InboxPage {
            items: rows
                .into_iter()
                .map(|m| InboxItem {
                    unread: unread.contains(&m.id),
                    request: m.into(),
                })
                .collect(),
            total,
            unread: unread.len() as u64,
        })
    }

    /// Unread requests over every inbox of the user (the header badge), in one query: the
    /// user's requests, their organisations' and their cities', never opened by the user or
    /// with a message from someone else since their last reading.
    pub async fn unread_count(&self, user_id: i64) -> Result<u64, StoreError> {
        let tenant = self.scope.id();
        // Each branch of the union walks its own index: (tenant, member), memberships then
        // (tenant, organisation), memberships then (tenant, city); then primary keys.
        let mut sql = Sql::new(self.conn.get_database_backend());
        sql.push("SELECT COUNT(*) AS n FROM ( SELECT q.id FROM requests q WHERE q.tenant_id = ")
            .param(tenant)
            .push(" AND q.member_user_id = ")
            .param(user_id)
            .push(
                " UNION SELECT q.id FROM memberships m JOIN requests q \
                 ON q.tenant_id = m.tenant_id AND q.organisation_id = m.organisation_id \
                 WHERE m.tenant_id = ",
            )
            .param(tenant)
            .push(" AND m.user_id = ")
            .param(user_id)
            .push(
                " AND m.role IN ('organisation_admin', 'organisation_editor') \
                 UNION SELECT q.id FROM memberships m JOIN requests q \
                 ON q.tenant_id = m.tenant_id AND q.city_id = m.city_id WHERE m.tenant_id = ",
            )
            .param(tenant)
            .push(" AND m.user_id = ")
            .param(user_id)
            .push(
                " AND m.role = 'focal_point' ) ids JOIN requests r ON r.id = ids.id \
                 LEFT JOIN request_reads rr ON rr.tenant_id = r.tenant_id AND rr.request_id = r.id \
                 AND rr.user_id = ",
            )
            .param(user_id)
            .push(" WHERE r.tenant_id = ")
            .param(tenant)
            .push(
                " AND (rr.user_id IS NULL OR EXISTS (SELECT 1 FROM request_messages rm \
                 WHERE rm.tenant_id = r.tenant_id AND rm.request_id = r.id AND rm.author_user_id <> ",
            )
            .param(user_id)
            .push(" AND rm.created_at > rr.last_read_at))");
        let n: i64 = match self.conn.query_one_raw(sql.statement()).await? {
            Some(row) => get(&row, "n")?,
            None => 0,
        };
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The accounts holding one of `roles` (for that city or organisation when given), by id.
    async fn accounts_with(
        &self,
        roles: &[Role],
        city_id: Option<i64>,
        organisation_id: Option<i64>,
    ) -> Result<Vec<Account>, StoreError> {
        let mut query = membership::Entity::find()
            .filter(membership::Column::TenantId.eq(self.scope.id()))
            .filter(membership::Column::Role.is_in(roles.iter().map(|r| r.as_str())));
        if let Some(city) = city_id {
            query = query.filter(membership::Column::CityId.eq(city));
        }
        if let Some(org) = organisation_id {
            query = query.filter(membership::Column::OrganisationId.eq(org));
        }
        let ids: Vec<i64> = query
            .all(self.conn)
            .await?
            .iter()
            .map(|m| m.user_id)
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(user::Entity::find()
            .filter(user::Column::TenantId.eq(self.scope.id()))
            .filter(user::Column::Id.is_in(ids))
            .order_by_asc(user::Column::Id)
            .all(self.conn)
            .await?
            .into_iter()
            .map(Account::from)
            .collect())
    }

    /// The members of an organisation (admins and editors).
    pub async fn organisation_members(
        &self,
        organisation_id: i64,
    ) -> Result<Vec<Account>, StoreError> {
        self.accounts_with(
            &[Role::OrganisationAdmin, Role::OrganisationEditor],
            None,
            Some(organisation_id),
        )
        .await
    }

    /// The focal points (accounts) of a city.
    pub async fn focal_points(&self, city_id: i64) -> Result<Vec<Account>, StoreError> {
        self.accounts_with(&[Role::FocalPoint], Some(city_id), None)
            .await
    }

    /// The country operators of the tenant.
    pub async fn operators(&self) -> Result<Vec<Account>, StoreError> {
        self.accounts_with(&[Role::CountryOperator], None, None)
            .await
    }

    // ----- the promised delay -----

    /// New requests due within `lead` of `now`, not yet reminded.
    pub async fn due_for_reminder(
        &self,
        now: DateTime<Utc>,
        lead: Duration,
    ) -> Result<Vec<RequestRecord>, StoreError> {
        Ok(self
            .rows()
            .filter(request::Column::State.eq(RequestState::New.as_str()))
            .filter(request::Column::RemindedAt.is_null())
            .filter(request::Column::EscalatedAt.is_null())
            .filter(request::Column::DueAt.gt(now))
            .filter(request::Column::DueAt.lte(now + lead))
            .order_by_asc(request::Column::Id)
            .all(self.conn)
            .await?
            .into_iter()
            .map(RequestRecord::from)
            .collect())
    }

    /// Requests still new after their due date, not yet escalated.
    pub async fn due_for_escalation(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<RequestRecord>, StoreError> {
        Ok(self
            .rows()
            .filter(request::Column::State.eq(RequestState::New.as_str()))
            .filter(request::Column::EscalatedAt.is_null())
            .filter(request::Column::DueAt.lte(now))
            .order_by_asc(request::Column::Id)
            .all(self.conn)
            .await?
            .into_iter()
            .map(RequestRecord::from)
            .collect())
    }

    /// Requests sent at least `after` before `now` whose member has not been surveyed
    /// (withdrawn ones are not surveyed).
    pub async fn due_for_survey(
        &self,
        now: DateTime<Utc>,
        after: Duration,
    ) -> Result<Vec<RequestRecord>, StoreError> {
        Ok(self
            .rows()
            .filter(request::Column::SurveySentAt.is_null())
            .filter(request::Column::State.ne(RequestState::Withdrawn.as_str()))
            .filter(request::Column::CreatedAt.lte(now - after))
            .order_by_asc(request::Column::Id)
            .all(self.conn)
            .await?
            .into_iter()
            .map(RequestRecord::from)
            .collect())
    }

    /// Stamps one of `reminded_at`, `escalated_at`, `survey_sent_at` if still empty: `true`
    /// for the one caller that did (the job sends its emails only then).
    async fn stamp(
        &self,
        id: i64,
        column: request::Column,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let updated = request::Entity::update_many()
            .col_expr(column, Expr::value(now))
            .filter(request::Column::TenantId.eq(self.scope.id()))
            .filter(request::Column::Id.eq(id))
            .filter(column.is_null())
            .exec(self.conn)
            .await?;
        Ok(updated.rows_affected == 1)
    }

    pub async fn mark_reminded(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.stamp(id, request::Column::RemindedAt, now).await
    }

    pub async fn mark_escalated(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.stamp(id, request::Column::EscalatedAt, now).await
    }

    pub async fn mark_survey_sent(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.stamp(id, request::Column::SurveySentAt, now).await
    }

    // ----- surveys -----

    /// Creates the survey of a request; returns the raw token (for the link), stored hashed.
    pub async fn create_survey(
        &self,
        request: &RequestRecord,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<String, StoreError> {
        let raw = super::accounts::random_token();
        survey::Entity::insert(survey::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            request_id: Set(request.id),
            organisation_id: Set(request.organisation_id),
            token_hash: Set(hash_token(&raw)),
            score: Set(None),
            comment: Set(None),
            expires_at: Set(now + ttl),
            answered_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        })
        .exec_without_returning(self.conn)
        .await?;
        Ok(raw)
    }

    /// The survey of this token if it is unanswered and unexpired at `now`.
    pub async fn open_survey(
        &self,
        raw: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<OpenSurvey>, StoreError> {
        Ok(survey::Entity::find()
            .filter(survey::Column::TenantId.eq(self.scope.id()))
            .filter(survey::Column::TokenHash.eq(hash_token(raw)))
            .filter(survey::Column::AnsweredAt.is_null())
            .filter(survey::Column::ExpiresAt.gt(now))
            .one(self.conn)
            .await?
            .map(|s| OpenSurvey {
                id: s.id,
                request_id: s.request_id,
                organisation_id: s.organisation_id,
            }))
    }

    /// Records the one answer of a survey: `false` if already answered or expired.
    pub async fn answer_survey(
        &self,
        raw: &str,
        score: i32,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let updated = survey::Entity::update_many()
            .col_expr(survey::Column::Score, Expr::value(score))
            .col_expr(
                survey::Column::Comment,
                Expr::value((!comment.is_empty()).then(|| comment.to_owned())),
            )
            .col_expr(survey::Column::AnsweredAt, Expr::value(now))
            .filter(survey::Column::TenantId.eq(self.scope.id()))
            .filter(survey::Column::TokenHash.eq(hash_token(raw)))
            .filter(survey::Column::AnsweredAt.is_null())
            .filter(survey::Column::ExpiresAt.gt(now))
            .exec(self.conn)
            .await?;
        Ok(updated.rows_affected == 1)
    }

    /// The average answered score of an organisation and the number of answers.
    pub async fn organisation_score(
        &self,
        organisation_id: i64,
    ) -> Result<Option<(f64, u64)>, StoreError> {
        let scores: Vec<Option<i32>> = survey::Entity::find()
            .select_only()
            .column(survey::Column::Score)
            .filter(survey::Column::TenantId.eq(self.scope.id()))
            .filter(survey::Column::OrganisationId.eq(organisation_id))
            .filter(survey::Column::AnsweredAt.is_not_null())
            .into_tuple()
            .all(self.conn)
            .await?;
        let scores: Vec<i32> = scores.into_iter().flatten().collect();
        if scores.is_empty() {
            return Ok(None);
        }
        let sum: i64 = scores.iter().map(|s| i64::from(*s)).sum();
        Ok(Some((
            sum as f64 / scores.len() as f64,
            scores.len() as u64,
        )))
    }
}

/// The focal points the tenant file names for a city (role addresses), as accounts with no
/// id: they hear of requests there until someone accepts the invitation.
pub fn configured_focal_points(tenant: &Tenant, city_slug: &str) -> Vec<Account> {
    tenant
        .focal_points
        .iter()
        .filter(|f| f.city.as_str() == city_slug)
        .map(|f| Account {
            id: 0,
            email: f.email.to_string(),
            display_name: f.name.clone(),
            email_verified: true,
            is_staff: false,
            session_generation: 0,
            terms_accepted_at: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestState::*;

    fn after(action: Action, side: Side, state: RequestState) -> Option<RequestState> {
        action.available(side, state).then(|| action.transition().1)
    }

    #[test]
    fn the_state_machine_allows_only_its_transitions() {
        // The handling side accepts or declines a new or in-progress request.
        for side in [Side::Organisation, Side::FocalPoint, Side::Operator] {
            assert_eq!(after(Action::Accept, side, New), Some(Accepted));
            assert_eq!(after(Action::Accept, side, InProgress), Some(Accepted));
            assert_eq!(after(Action::Decline, side, InProgress), Some(Declined));
            assert_eq!(after(Action::Accept, side, Accepted), None);
            assert_eq!(after(Action::Withdraw, side, New), None);
        }
        // The member withdraws until the work is done, never accepts.
        assert_eq!(after(Action::Withdraw, Side::Member, New), Some(Withdrawn));
        assert_eq!(
            after(Action::Withdraw, Side::Member, Accepted),
            Some(Withdrawn)
        );
        assert_eq!(after(Action::Withdraw, Side::Member, Declined), None);
        assert_eq!(after(Action::Withdraw, Side::Member, Completed), None);
        assert_eq!(after(Action::Accept, Side::Member, New), None);
        // Either side completes an accepted request, and only that.
        assert_eq!(
            after(Action::Complete, Side::Member, Accepted),
            Some(Completed)
        );
        assert_eq!(
            after(Action::Complete, Side::Organisation, Accepted),
            Some(Completed)
        );
        assert_eq!(
            after(Action::Complete, Side::Organisation, InProgress),
            None
        );
        // Closed requests accept nothing.
        for state in [Declined, Completed, Withdrawn] {
            assert!(state.is_closed());
            for action in Action::ALL {
                for side in [
                    Side::Member,
                    Side::Organisation,
                    Side::FocalPoint,
                    Side::Operator,
                ] {
                    assert_eq!(
                        after(action, side, state),
                        None,
                        "{action:?} {side:?} {state:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn states_and_actions_round_trip_through_their_names() {
        for state in RequestState::ALL {
            assert_eq!(RequestState::parse(state.as_str()), Some(state));
        }
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(action));
        }
        assert_eq!(RequestState::parse("bogus"), None);
        assert_eq!(Action::parse(""), None);
    }
}
