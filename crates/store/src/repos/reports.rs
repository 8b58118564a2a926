//! Moderation of one tenant: members' reports on missions, organisations and messages; the
//! content hidden until reviewed; the operator's decisions.

use super::catalogue::bump_version;
use crate::StoreError;
use crate::entities::{TenantOwned, mission, organisation, report, request_message};
use chrono::{DateTime, Utc};
use jsap_domain::moderation::{Decision, ReportReason, TargetKind};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use std::collections::BTreeMap;

tenant_repository! {
    /// The reports and hidden content of one tenant.
    Reports
}

/// A member's report, as the moderation queue lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub id: i64,
    pub reporter_user_id: i64,
    pub reason: String,
    pub comment: String,
    pub created_at: DateTime<Utc>,
}

/// Content with open reports: what it is, its reports, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct ReportedContent {
    pub kind: TargetKind,
    pub id: i64,
    pub reports: Vec<Report>,
}

/// What a new report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    /// Recorded: `open` different members now report the content; `hidden` when this report
    /// hid it.
    Recorded { open: u64, hidden: bool },
    /// The member had reported it already.
    Already,
}

impl<'a, C: crate::Connection> Reports<'a, C> {
    /// Records `reporter`'s report and hides the content once `hide_after` different members
    /// report it (its missions leave the catalogue at once). Run it in a transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn add(
        &self,
        kind: TargetKind,
        id: i64,
        reporter: i64,
        reason: ReportReason,
        comment: &str,
        now: DateTime<Utc>,
        hide_after: u64,
    ) -> Result<Reported, StoreError> {
        let row = report::ActiveModel {
            tenant_id: Set(self.scope.id().to_owned()),
            target_kind: Set(kind.as_str().to_owned()),
            target_id: Set(id),
            reporter_user_id: Set(reporter),
            reason: Set(reason.as_str().to_owned()),
            comment: Set(comment.to_owned()),
            created_at: Set(now),
            ..Default::default()
        };
        let inserted = report::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    report::Column::TenantId,
                    report::Column::TargetKind,
                    report::Column::TargetId,
                    report::Column::ReporterUserId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(&self.conn)
            .await?;
        if inserted == 0 {
            return Ok(Reported::Already);
        }
        let open = self.open_of(kind, id).await?.len() as u64;
        let hidden = open >= hide_after && self.hide(kind, id, now).await?;
        Ok(Reported::Recorded { open, hidden })
    }

    /// The open reports on one content, oldest first.
    pub async fn open_of(&self, kind: TargetKind, id: i64) -> Result<Vec<Report>, StoreError> {
        Ok(self
            .scope
            .all::<report::Entity>()
            .filter(report::Column::TargetKind.eq(kind.as_str()))
            .filter(report::Column::TargetId.eq(id))
            .filter(report::Column::ResolvedAt.is_null())
            .order_by_asc(report::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(Report::from)
            .collect())
    }

    /// Whether `user_id` reported this content (open or decided).
    pub async fn reported_by(
        &self,
        kind: TargetKind,
        id: i64,
        user_id: i64,
    ) -> Result<bool, StoreError> {
        Ok(self
            .scope
            .all::<report::Entity>()
            .filter(report::Column::TargetKind.eq(kind.as_str()))
            .filter(report::Column::TargetId.eq(id))
            .filter(report::Column::ReporterUserId.eq(user_id))
            .one(&self.conn)
            .await?
            .is_some())
    }

    /// Every content with open reports, the most reported first, then the oldest report.
    /// How many pieces of content have open reports (a count, no row loaded).
    pub async fn open_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .scope
            .all::<report::Entity>()
            .filter(report::Column::ResolvedAt.is_null())
            .select_only()
            .column(report::Column::TargetKind)
            .column(report::Column::TargetId)
            .distinct()
            .count(&self.conn)
            .await?)
    }

    pub async fn open(&self) -> Result<Vec<ReportedContent>, StoreError> {
        let rows = self
            .scope
            .all::<report::Entity>()
            .filter(report::Column::ResolvedAt.is_null())
            .order_by_asc(report::Column::Id)
            .all(&self.conn)
            .await?;
        let mut grouped: BTreeMap<(TargetKind, i64), Vec<Report>> = BTreeMap::new();
        for row in rows {
            let Some(kind) = TargetKind::parse(&row.target_kind) else {
                continue;
            };
            grouped
                .entry((kind, row.target_id))
                .or_default()
                .push(row.into());
        }
        let mut open: Vec<ReportedContent> = grouped
            .into_iter()
            .map(|((kind, id), reports)| ReportedContent { kind, id, reports })
            .collect();
        open.sort_by(|a, b| {
            b.reports
                .len()
                .cmp(&a.reports.len())
                .then(a.reports[0].id.cmp(&b.reports[0].id))
        });
        Ok(open)
    }

    /// Closes the open reports on one content with `decision`: how many.
    pub async fn resolve(
        &self,
        kind: TargetKind,
        id: i64,
        decision: Decision,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(self
            .scope
            .update::<report::Entity>()
            .col_expr(report::Column::ResolvedAt, Expr::value(now))
            .col_expr(report::Column::Decision, Expr::value(decision.as_str()))
            .filter(report::Column::TargetKind.eq(kind.as_str()))
            .filter(report::Column::TargetId.eq(id))
            .filter(report::Column::ResolvedAt.is_null())
            .exec(&self.conn)
            .await?
            .rows_affected)
    }

    /// Hides one content (if shown): `true` when this call hid it.
    pub async fn hide(
        &self,
        kind: TargetKind,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.set_hidden(kind, id, Some(now)).await
    }

    /// Shows one content again (if hidden): `true` when this call showed it.
    pub async fn show(&self, kind: TargetKind, id: i64) -> Result<bool, StoreError> {
        self.set_hidden(kind, id, None).await
    }

    /// Sets `hidden_at` of row `id` of `E` to `at` when it changes it (hides a shown row,
    /// shows a hidden one): how many rows changed.
    async fn stamp_hidden<E: TenantOwned>(
        &self,
        id_column: E::Column,
        hidden_column: E::Column,
        id: i64,
        at: Option<DateTime<Utc>>,
    ) -> Result<u64, StoreError> {
        let unchanged = match at {
            Some(_) => hidden_column.is_null(),
            None => hidden_column.is_not_null(),
        };
        Ok(self
            .scope
            .update::<E>()
            .col_expr(hidden_column, Expr::value(at))
            .filter(id_column.eq(id))
            .filter(unchanged)
            .exec(&self.conn)
            .await?
            .rows_affected)
    }

    async fn set_hidden(
        &self,
        kind: TargetKind,
        id: i64,
        at: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        use mission::Column as M;
        use organisation::Column as O;
        use request_message::Column as R;
        let changed = match kind {
            TargetKind::Mission => {
                self.stamp_hidden::<mission::Entity>(M::Id, M::HiddenAt, id, at)
                    .await?
            }
            TargetKind::Organisation => {
                self.stamp_hidden::<organisation::Entity>(O::Id, O::HiddenAt, id, at)
                    .await?
            }
            TargetKind::Message => {
                self.stamp_hidden::<request_message::Entity>(R::Id, R::HiddenAt, id, at)
                    .await?
            }
        };
        if changed > 0 && kind != TargetKind::Message {
            bump_version(&self.conn, self.scope.id()).await?;
        }
        Ok(changed > 0)
    }

    /// Takes one content down for good: a mission closed, an organisation suspended (with
    /// `reason`), a message's text erased; each stays hidden.
    pub async fn remove(
        &self,
        kind: TargetKind,
        id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.hide(kind, id, now).await?;
        match kind {
            TargetKind::Mission => {
                self.scope
                    .update::<mission::Entity>()
                    .col_expr(mission::Column::Status, Expr::value("closed"))
                    .col_expr(mission::Column::UpdatedAt, Expr::value(now))
                    .filter(mission::Column::Id.eq(id))
                    .exec(&self.conn)
                    .await?;
            }
            TargetKind::Organisation => {
                self.scope
                    .update::<organisation::Entity>()
                    .col_expr(organisation::Column::Status, Expr::value("suspended"))
                    .col_expr(organisation::Column::Verified, Expr::value(false))
                    .col_expr(organisation::Column::StatusReason, Expr::value(reason))
                    .filter(organisation::Column::Id.eq(id))
                    .exec(&self.conn)
                    .await?;
            }
            TargetKind::Message => {
                self.scope
                    .update::<request_message::Entity>()
                    .col_expr(request_message::Column::Body, Expr::value(""))
                    .filter(request_message::Column::Id.eq(id))
                    .exec(&self.conn)
                    .await?;
            }
        }
        bump_version(&self.conn, self.scope.id()).await?;
        Ok(())
    }
}

impl From<report::Model> for Report {
    fn from(m: report::Model) -> Self {
        Self {
            id: m.id,
            reporter_user_id: m.reporter_user_id,
            reason: m.reason,
            comment: m.comment,
            created_at: m.created_at,
        }
    }
}
