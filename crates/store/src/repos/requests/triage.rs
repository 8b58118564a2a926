//! The triage of requests, as the assistant read them: kept with each request, written once
//! at sending (offline engine), refined by the `request_triage` job when an LLM is
//! configured, and read by the handling side's inboxes to sort and filter.

use super::*;

/// What the assistant read in a request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RequestTriage {
    /// A domain slug.
    pub topic: String,
    pub urgency: Urgency,
    /// The language it is written in.
    pub language: Language,
    /// A reply in that language (French for another one), for the handling side to edit.
    pub suggested_reply: String,
    /// `offline`, or the LLM's model.
    pub engine: String,
}

impl RequestTriage {
    /// The triage a row holds, if it was triaged (and is readable).
    pub(super) fn of(m: &request::Model) -> Option<RequestTriage> {
        Some(RequestTriage {
            topic: m.topic.clone()?,
            urgency: Urgency::from_rank(m.urgency?)?,
            language: Language::parse(m.language.as_deref()?)?,
            suggested_reply: m.suggested_reply.clone().unwrap_or_default(),
            engine: m.triaged_by.clone()?,
        })
    }
}

/// The order of an inbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InboxOrder {
    /// Latest activity first.
    #[default]
    Recent,
    /// Most urgent first (untriaged last), then latest activity.
    Urgency,
}

/// Which requests of an inbox, in which order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxView {
    pub state: Option<RequestState>,
    /// A domain slug.
    pub topic: Option<String>,
    pub language: Option<Language>,
    pub urgency: Option<Urgency>,
    pub order: InboxOrder,
}

impl InboxView {
    /// `query` narrowed to this view's filters, in its order.
    pub(super) fn apply(
        &self,
        query: sea_orm::Select<request::Entity>,
    ) -> sea_orm::Select<request::Entity> {
        let mut query = query;
        if let Some(s) = self.state {
            query = query.filter(request::Column::State.eq(s.as_str()));
        }
        if let Some(topic) = &self.topic {
            query = query.filter(request::Column::Topic.eq(topic.as_str()));
        }
        if let Some(language) = self.language {
            query = query.filter(request::Column::Language.eq(language.as_str()));
        }
        if let Some(urgency) = self.urgency {
            query = query.filter(request::Column::Urgency.eq(urgency.rank()));
        }
        if self.order == InboxOrder::Urgency {
            // Untriaged requests (NULL) last on both databases.
            query = query.order_by(
                Expr::col(request::Column::Urgency).if_null(-1),
                sea_orm::Order::Desc,
            );
        }
        query
            .order_by_desc(request::Column::UpdatedAt)
            .order_by_desc(request::Column::Id)
    }
}

impl<'a, C: crate::Connection> Requests<'a, C> {
    /// Records the triage of request `id`.
    pub async fn set_triage(&self, id: i64, triage: &RequestTriage) -> Result<(), StoreError> {
        self.scope
            .update::<request::Entity>()
            .col_expr(request::Column::Topic, Expr::value(triage.topic.clone()))
            .col_expr(request::Column::Urgency, Expr::value(triage.urgency.rank()))
            .col_expr(
                request::Column::Language,
                Expr::value(triage.language.as_str()),
            )
            .col_expr(
                request::Column::SuggestedReply,
                Expr::value(triage.suggested_reply.clone()),
            )
            .col_expr(
                request::Column::TriagedBy,
                Expr::value(triage.engine.clone()),
            )
            .filter(request::Column::Id.eq(id))
            .exec(&self.conn)
            .await?;
        Ok(())
    }

    /// Up to `limit` requests to triage, oldest first: those never triaged, and, when
    /// `refine` is given, those the offline engine triaged since that time (for the LLM).
    pub async fn needing_triage(
        &self,
        refine: Option<DateTime<Utc>>,
        limit: u64,
    ) -> Result<Vec<RequestRecord>, StoreError> {
        let mut wanted = sea_orm::Condition::any().add(request::Column::TriagedBy.is_null());
        if let Some(since) = refine {
            wanted = wanted.add(
                sea_orm::Condition::all()
                    .add(request::Column::TriagedBy.eq(OFFLINE))
                    .add(request::Column::CreatedAt.gte(since)),
            );
        }
        self.oldest_first(self.rows().filter(wanted).limit(limit))
            .await
    }
}

/// The name the offline engine's triage is recorded under.
pub const OFFLINE: &str = "offline";
