//! One tenant at a glance, for the staff console: how many members, organisations and
//! missions it has, what waits (reviews, open and overdue requests, pending invitations, open
//! reports), when its config was last synced and when anything last happened. Count queries
//! only: no row is loaded but the latest of each kind.

use crate::StoreError;
use crate::entities::{
    audit_entry, invitation, mission, organisation, report, request, tenant, user,
};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

/// The figures of one tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overview {
    pub members: u64,
    pub organisations: u64,
    pub organisations_pending: u64,
    pub missions: u64,
    pub missions_published: u64,
    pub missions_waiting: u64,
    pub requests_open: u64,
    pub requests_overdue: u64,
    pub invitations_pending: u64,
    pub reports_open: u64,
    /// When the tenant file was last synced into the database (`None`: never).
    pub synced_at: Option<DateTime<Utc>>,
    /// The latest of: a request sent or changed, an administrative action, an account made.
    pub last_activity: Option<DateTime<Utc>>,
}

tenant_repository! {
    /// The staff console's figures of one tenant.
    TenantOverview
}

impl<'a, C: crate::Connection> TenantOverview<'a, C> {
    /// The figures at `now` (a request is overdue when it is open past its answer date).
    pub async fn figures(&self, now: DateTime<Utc>) -> Result<Overview, StoreError> {
        let s = &self.scope;
        let c = &self.conn;
        let open = ["new", "in_progress"];
        let latest_request = s
            .all::<request::Entity>()
            .order_by_desc(request::Column::UpdatedAt)
            .one(c)
            .await?
            .map(|r| r.updated_at);
        let latest_action = s
            .all::<audit_entry::Entity>()
            .order_by_desc(audit_entry::Column::Id)
            .one(c)
            .await?
            .map(|a| a.created_at);
        let latest_account = s
            .all::<user::Entity>()
            .order_by_desc(user::Column::Id)
            .one(c)
            .await?
            .map(|u| u.created_at);
        Ok(Overview {
            // Staff seats are not members of the site, nor are deleted accounts.
            members: s
                .all::<user::Entity>()
                .filter(user::Column::IsStaff.eq(false))
                .filter(user::Column::DeletedAt.is_null())
                .count(c)
                .await?,
            organisations: s.all::<organisation::Entity>().count(c).await?,
            organisations_pending: s
                .all::<organisation::Entity>()
                .filter(organisation::Column::Status.eq("pending"))
                .count(c)
                .await?,
            missions: s.all::<mission::Entity>().count(c).await?,
            missions_published: s
                .all::<mission::Entity>()
                .filter(mission::Column::Status.eq("published"))
                .count(c)
                .await?,
            missions_waiting: s
                .all::<mission::Entity>()
                .filter(mission::Column::Status.eq("submitted"))
                .count(c)
                .await?,
            requests_open: s
                .all::<request::Entity>()
                .filter(request::Column::State.is_in(open))
                .count(c)
                .await?,
            requests_overdue: s
                .all::<request::Entity>()
                .filter(request::Column::State.is_in(open))
                .filter(request::Column::DueAt.lt(now))
                .count(c)
                .await?,
            invitations_pending: s
                .all::<invitation::Entity>()
                .filter(invitation::Column::AcceptedAt.is_null())
                .filter(invitation::Column::WithdrawnAt.is_null())
                .filter(invitation::Column::ExpiresAt.gt(now))
                .count(c)
                .await?,
            reports_open: s
                .all::<report::Entity>()
                .filter(report::Column::ResolvedAt.is_null())
                .count(c)
                .await?,
            synced_at: tenant::Entity::find_by_id(s.id().to_owned())
                .one(c)
                .await?
                .map(|t| t.synced_at),
            last_activity: [latest_request, latest_action, latest_account]
                .into_iter()
                .flatten()
                .max(),
        })
    }

    /// What asks a focal point of `city_ids` to act, as counts: organisations waiting for
    /// verification and new requests (the header badge; no row is loaded).
    pub async fn waiting_in_cities(&self, city_ids: &[i64]) -> Result<(u64, u64), StoreError> {
        if city_ids.is_empty() {
            return Ok((0, 0));
        }
        let s = &self.scope;
        let organisations = s
            .all::<organisation::Entity>()
            .filter(organisation::Column::Status.eq("pending"))
            .filter(organisation::Column::CityId.is_in(city_ids.to_vec()))
            .count(&self.conn)
            .await?;
        let requests = s
            .all::<request::Entity>()
            .filter(request::Column::State.eq("new"))
            .filter(request::Column::CityId.is_in(city_ids.to_vec()))
            .count(&self.conn)
            .await?;
        Ok((organisations, requests))
    }
}
