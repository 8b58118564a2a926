//! A request's conversation: its messages, its handling side, read marks and the state buttons.

use super::*;
use crate::repos::user_values;

impl RequestMessage {
    /// A message row, with its author's name from `names`.
    fn of(m: message::Model, names: &HashMap<i64, String>) -> Self {
        Self {
            id: m.id,
            author_name: names.get(&m.author_user_id).cloned().unwrap_or_default(),
            author_user_id: m.author_user_id,
            body: m.body,
            created_at: m.created_at,
            hidden: m.hidden_at.is_some(),
        }
    }
}

impl<'a, C: crate::Connection> Requests<'a, C> {
    /// The conversation, oldest first, with each author's display name.
    pub async fn messages(&self, request_id: i64) -> Result<Vec<RequestMessage>, StoreError> {
        let rows = self
            .scope
            .all::<message::Entity>()
            .filter(message::Column::RequestId.eq(request_id))
            .order_by_asc(message::Column::CreatedAt)
            .order_by_asc(message::Column::Id)
            .all(&self.conn)
            .await?;
        let ids: HashSet<i64> = rows.iter().map(|m| m.author_user_id).collect();
        let names = self.names(ids.into_iter().collect()).await?;
        Ok(rows
            .into_iter()
            .map(|m| RequestMessage::of(m, &names))
            .collect())
    }

    /// One message of the tenant with its request's id.
    pub async fn message(&self, id: i64) -> Result<Option<(i64, RequestMessage)>, StoreError> {
        let Some(m) = self
            .scope
            .all::<message::Entity>()
            .filter(message::Column::Id.eq(id))
            .one(&self.conn)
            .await?
        else {
            return Ok(None);
        };
        let names = self.names(vec![m.author_user_id]).await?;
        Ok(Some((m.request_id, RequestMessage::of(m, &names))))
    }

    async fn names(&self, ids: Vec<i64>) -> Result<HashMap<i64, String>, StoreError> {
        user_values(&self.conn, &self.scope, ids, user::Column::DisplayName).await
    }

    /// The handling side of a request: its organisation's members and its city's focal
    /// points, each address once, without `except` (the author of what they hear of).
    pub async fn handlers(
        &self,
        request: &RequestRecord,
        except: Option<i64>,
    ) -> Result<Vec<Account>, StoreError> {
        let mut all = Vec::new();
        if let Some(org) = request.sent.organisation_id {
            all.extend(self.organisation_members(org).await?);
        }
        all.extend(self.focal_points(request.sent.city_id).await?);
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
        .exec_without_returning(&self.conn)
        .await?;
        self.scope
            .update::<request::Entity>()
            .col_expr(request::Column::UpdatedAt, Expr::value(now))
            .filter(request::Column::Id.eq(request.id))
            .exec(&self.conn)
            .await?;
        if side.handles() {
            self.scope
                .update::<request::Entity>()
                .col_expr(
                    request::Column::State,
                    Expr::value(RequestState::InProgress.as_str()),
                )
                .filter(request::Column::Id.eq(request.id))
                .filter(request::Column::State.eq(RequestState::New.as_str()))
                .exec(&self.conn)
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
        .exec_without_returning(&self.conn)
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
        let updated = self
            .scope
            .update::<request::Entity>()
            .col_expr(request::Column::State, Expr::value(to.as_str()))
            .col_expr(request::Column::UpdatedAt, Expr::value(now))
            .filter(request::Column::Id.eq(request.id))
            .filter(request::Column::State.is_in(from.iter().map(|s| s.as_str())))
            .exec(&self.conn)
            .await?;
        if updated.rows_affected == 1 {
            Ok(Ok(to))
        } else {
            let current = self.find(request.id).await?.ok_or(StoreError::NotFound)?;
            Ok(Err(TransitionError::WrongState(current.state)))
        }
    }
}
