//! Requests of one tenant: a member answers a mission, proposes a project or offers their
//! profile to a city. Each has one conversation, read marks for unread counts, a state
//! machine and a promised response date (`due_at`), and later a satisfaction survey.
//!
//! Who may see a request is decided here (`side_of`): its member, the members of its
//! organisation (organisation admins and editors), the focal points of its city and the
//! tenant's country operators. Everyone else is told nothing (the web layer answers 404).
//! State changes are conditional `UPDATE`s on the current state, so two concurrent clicks
//! cannot both succeed.

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

pub use jsap_domain::requests::{Action, RequestKind, RequestState, Side};
pub use jsap_domain::triage::{Language, Urgency};

mod conversation;
mod deadlines;
mod inbox;
mod surveys;
mod triage;

pub use triage::{InboxOrder, InboxView, OFFLINE as OFFLINE_TRIAGE, RequestTriage};

/// A request as its member sends it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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
    /// What its member sent (serialised as the record's own fields).
    #[serde(flatten)]
    pub sent: NewRequest,
    pub state: RequestState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub reminded_at: Option<DateTime<Utc>>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub survey_sent_at: Option<DateTime<Utc>>,
    /// The assistant's reading of it; `None` until the triage job reaches a request sent
    /// before triage existed.
    pub triage: Option<RequestTriage>,
}

impl From<request::Model> for RequestRecord {
    fn from(m: request::Model) -> Self {
        let triage = RequestTriage::of(&m);
        Self {
            id: m.id,
            sent: NewRequest {
                kind: RequestKind::parse(&m.kind),
                member_user_id: m.member_user_id,
                mission_id: m.mission_id,
                organisation_id: m.organisation_id,
                city_id: m.city_id,
                locale: m.locale,
                title: m.title,
                body: m.body,
                offer: m.offer,
                contribution: m.contribution,
                available_from: m.available_from,
                available_to: m.available_to,
                domain: m.domain,
            },
            state: RequestState::parse(&m.state).unwrap_or(RequestState::New),
            created_at: m.created_at,
            updated_at: m.updated_at,
            due_at: m.due_at,
            reminded_at: m.reminded_at,
            escalated_at: m.escalated_at,
            survey_sent_at: m.survey_sent_at,
            triage,
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
    /// Hidden by moderation (reported, or taken down): its text is not shown.
    pub hidden: bool,
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

tenant_repository! {
    /// The requests of one tenant.
    Requests
}

impl<'a, C: crate::Connection> Requests<'a, C> {
    /// The requests `query` selects, oldest first (after any order `query` already has).
    async fn oldest_first(
        &self,
        query: sea_orm::Select<request::Entity>,
    ) -> Result<Vec<RequestRecord>, StoreError> {
        Ok(query
            .order_by_asc(request::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(RequestRecord::from)
            .collect())
    }

    fn rows(&self) -> sea_orm::Select<request::Entity> {
        self.scope.all::<request::Entity>()
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
        .exec_with_returning(&self.conn)
        .await?;
        self.mark_read(model.id, new.member_user_id, now).await?;
        Ok(model.into())
    }

    pub async fn find(&self, id: i64) -> Result<Option<RequestRecord>, StoreError> {
        Ok(self
            .rows()
            .filter(request::Column::Id.eq(id))
            .one(&self.conn)
            .await?
            .map(RequestRecord::from))
    }

    async fn roles_of(&self, user_id: i64) -> Result<Vec<membership::Model>, StoreError> {
        Ok(self
            .scope
            .all::<membership::Entity>()
            .filter(membership::Column::UserId.eq(user_id))
            .all(&self.conn)
            .await?)
    }

    /// The side `user_id` is on, or `None`: not a party, must not learn the request exists.
    pub async fn side_of(
        &self,
        request: &RequestRecord,
        user_id: i64,
    ) -> Result<Option<Side>, StoreError> {
        if request.sent.member_user_id == user_id {
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
        if let Some(org) = request.sent.organisation_id
            && (has(Role::OrganisationAdmin, None, Some(org))
                || has(Role::OrganisationEditor, None, Some(org)))
        {
            return Ok(Some(Side::Organisation));
        }
        if has(Role::FocalPoint, Some(request.sent.city_id), None) {
            return Ok(Some(Side::FocalPoint));
        }
        if has(Role::CountryOperator, None, None) {
            return Ok(Some(Side::Operator));
        }
        Ok(None)
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
            blocked: false,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            last_seen_at: None,
            inactivity_warned_at: None,
            deleted: false,
        })
        .collect()
}
