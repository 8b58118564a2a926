//! The inboxes of a member, an organisation, a focal point and a country operator.

use super::triage_view::{self, TriageLabels};
use super::*;
use crate::views::Pager;

#[derive(Serialize)]
pub(super) struct InboxRow {
    url: String,
    title: String,
    kind: String,
    state: String,
    unread: bool,
    updated: String,
    /// The assistant's reading, on the handling side's inboxes.
    triage: Option<TriageLabels>,
}

#[derive(Serialize)]
pub(super) struct Tab {
    url: String,
    label: String,
    unread: u64,
    current: bool,
}

pub(super) async fn inbox_page(
    req: &Request,
    ctx: Ctx,
    user: Option<Session>,
    params: InboxParams,
    inbox: Inbox,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let Some(session) = user else {
        return Ok(to_login(ctx.locale, req.uri().path()));
    };
    let requests = Requests::for_tenant(state.store.conn(), tenant);
    let user_id = session.account.id;
    let permissions = crate::session::permissions(req, state, tenant, &session.account).await?;
    if !inbox.open_to(&permissions) {
        return Err(AppError::NotFound);
    }
    let filter = match params
        .etat
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(raw) => match RequestState::parse(raw) {
            Some(s) => Some(s),
            None => return ctx.bad_request(req, &ctx.t("request.err_filter")),
        },
    };
    let page = match params
        .page
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => 1,
        Some(raw) => match raw.parse::<u64>() {
            Ok(n) if (1..=10_000).contains(&n) => n,
            _ => return ctx.bad_request(req, &ctx.t("request.err_page")),
        },
    };
    let view = match triage_view::view_of(&ctx, &params, inbox, filter) {
        Ok(view) => view,
        Err(message) => return ctx.bad_request(req, &message),
    };
    let found = requests
        .inbox(user_id, &permissions, inbox, &view, page, PER_PAGE)
        .await?;
    let path = match inbox {
        Inbox::Member => "/compte/demandes",
        Inbox::Organisation => "/espace/organisation/demandes",
        Inbox::FocalPoint => "/espace/ville/demandes",
        Inbox::Country => "/espace/pays/demandes",
    };
    let mut tabs = Vec::new();
    for (other, other_path, key) in [
        (Inbox::Member, "/compte/demandes", "request.inbox_member"),
        (
            Inbox::Organisation,
            "/espace/organisation/demandes",
            "request.inbox_organisation",
        ),
        (
            Inbox::FocalPoint,
            "/espace/ville/demandes",
            "request.inbox_focal",
        ),
        (
            Inbox::Country,
            "/espace/pays/demandes",
            "request.inbox_country",
        ),
    ] {
        if other == inbox {
            tabs.push(Tab {
                url: format!("/{}{other_path}", ctx.locale),
                label: ctx.t(key),
                unread: found.unread,
                current: true,
            });
        } else if let Some(unread) = requests.inbox_unread(user_id, &permissions, other).await? {
            tabs.push(Tab {
                url: format!("/{}{other_path}", ctx.locale),
                label: ctx.t(key),
                unread,
                current: false,
            });
        }
    }
    let taxonomy = tenant.taxonomy();
    let handling = inbox != Inbox::Member;
    let rows: Vec<InboxRow> = found
        .items
        .iter()
        .map(|item| InboxRow {
            triage: item
                .request
                .triage
                .as_ref()
                .filter(|_| handling)
                .map(|t| TriageLabels::of(&ctx, &taxonomy, t)),
            url: format!("/{}/demandes/{}", ctx.locale, item.request.id),
            title: item.request.sent.title.clone(),
            kind: ctx.t(&format!("request.kind_{}", item.request.sent.kind.as_str())),
            state: state_label(&ctx, item.request.state),
            unread: item.unread,
            updated: format_date(item.request.updated_at.date_naive(), ctx.locale),
        })
        .collect();
    // A link keeps the view's triage filters and order, with its own state and page.
    let url = |state: Option<RequestState>, page: Option<u64>| {
        let mut pairs = Vec::new();
        if let Some(s) = state {
            pairs.push(("etat", s.as_str().to_owned()));
        }
        pairs.extend(triage_view::pairs(&view));
        if let Some(n) = page {
            pairs.push(("page", n.to_string()));
        }
        if pairs.is_empty() {
            format!("/{}{path}", ctx.locale)
        } else {
            format!("/{}{path}?{}", ctx.locale, crate::params::encode(&pairs))
        }
    };
    let filters: Vec<Tab> = std::iter::once(None)
        .chain(RequestState::ALL.into_iter().map(Some))
        .map(|s| Tab {
            url: url(s, None),
            label: s.map_or_else(|| ctx.t("request.filter_all"), |s| state_label(&ctx, s)),
            unread: 0,
            current: s == filter,
        })
        .collect();
    let pager = Pager::new(page, found.total, PER_PAGE);
    let triage_form = handling.then(|| triage_view::form(&ctx, &view));
    // "Show all" drops the triage filters and order, not the state.
    let reset_url = match filter {
        Some(s) => format!("/{}{path}?etat={}", ctx.locale, s.as_str()),
        None => format!("/{}{path}", ctx.locale),
    };
    let title = tabs
        .iter()
        .find(|t| t.current)
        .map(|t| t.label.clone())
        .unwrap_or_default();
    ctx.page(req, path, "requests/inbox.html", StatusCode::OK, |c| {
        c.insert("title", &title);
        c.insert("tabs", &tabs);
        c.insert("filters", &filters);
        c.insert("rows", &rows);
        c.insert("total", &found.total);
        c.insert("unread", &found.unread);
        pager.insert(c, |n| url(filter, Some(n)));
        c.insert("triage_form", &triage_form);
        c.insert("state_filter", &filter.map(RequestState::as_str));
        c.insert("reset_url", &reset_url);
    })
}

#[handler]
pub async fn member_inbox(
    req: &Request,
    ctx: Ctx,
    OptionalUser(user): OptionalUser,
    Query(params): Query<InboxParams>,
) -> Result<Response, AppError> {
    inbox_page(req, ctx, user, params, Inbox::Member).await
}

#[handler]
pub async fn country_inbox(
    req: &Request,
    ctx: Ctx,
    OptionalUser(user): OptionalUser,
    Query(params): Query<InboxParams>,
) -> Result<Response, AppError> {
    inbox_page(req, ctx, user, params, Inbox::Country).await
}

#[handler]
pub async fn organisation_inbox(
    req: &Request,
    ctx: Ctx,
    OptionalUser(user): OptionalUser,
    Query(params): Query<InboxParams>,
) -> Result<Response, AppError> {
    inbox_page(req, ctx, user, params, Inbox::Organisation).await
}

#[handler]
pub async fn focal_inbox(
    req: &Request,
    ctx: Ctx,
    OptionalUser(user): OptionalUser,
    Query(params): Query<InboxParams>,
) -> Result<Response, AppError> {
    inbox_page(req, ctx, user, params, Inbox::FocalPoint).await
}
