//! One request's conversation: its page, a new message, a change of state.

use super::*;
use jsap_app::requests::conversation::Turn;

#[derive(Serialize)]
pub(super) struct MessageView {
    id: i64,
    author: String,
    mine: bool,
    /// Empty when hidden by moderation.
    body: Vec<String>,
    hidden: bool,
    at: String,
}

#[derive(Serialize)]
pub(super) struct ButtonView {
    action: &'static str,
    label: String,
}

/// The request `id` if `session` is one of its parties, with their side; else 404.
pub(super) async fn party(
    state: &AppState,
    tenant: &Tenant,
    id: &str,
    session: &Session,
) -> Result<(RequestRecord, Side), AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let requests = Requests::for_tenant(state.store.conn(), tenant);
    let request = requests.find(id).await?.ok_or(AppError::NotFound)?;
    let side = requests
        .side_of(&request, session.account.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((request, side))
}

pub(super) fn state_label(ctx: &Ctx, state: RequestState) -> String {
    ctx.t(&format!("request.state_{}", state.as_str()))
}

pub(super) fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn thread_page(
    ctx: &Ctx,
    req: &Request,
    session: &Session,
    request: &RequestRecord,
    side: Side,
    form: &FormView,
    status: StatusCode,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let conn = ctx.state.store.conn();
    let requests = Requests::for_tenant(conn, &ctx.tenant);
    let stored = requests.messages(request.id).await?;
    // The handling side is offered the assistant's reply until someone on it has written.
    let answered = stored
        .iter()
        .any(|m| m.author_user_id != request.sent.member_user_id);
    let messages: Vec<MessageView> = stored
        .into_iter()
        .map(|m| MessageView {
            id: m.id,
            mine: m.author_user_id == session.account.id,
            // Only a deleted account has no name left.
            author: if m.author_name.is_empty() {
                ctx.t("account.deleted_member")
            } else {
                m.author_name
            },
            body: if m.hidden {
                Vec::new()
            } else {
                paragraphs(&m.body)
            },
            hidden: m.hidden,
            at: format_date(ctx.tenant.local_date(m.created_at), ctx.locale),
        })
        .collect();
    let member = Accounts::for_tenant(conn, &ctx.tenant)
        .find(request.sent.member_user_id)
        .await?;
    // The member's phone (from their profile) goes with the email, to the answering side only.
    let member_phone = if side.handles() {
        Some(
            jsap_store::Profiles::for_tenant(conn, &ctx.tenant)
                .get(request.sent.member_user_id)
                .await?
                .phone,
        )
        .filter(|p| !p.is_empty())
    } else {
        None
    };
    let city = Cities::for_tenant(conn, &ctx.tenant)
        .by_id(request.sent.city_id)
        .await?;
    let organisation = match request.sent.organisation_id {
        Some(id) => {
            Organisations::for_tenant(conn, &ctx.tenant)
                .by_id(id)
                .await?
        }
        None => None,
    };
    let taxonomy = ctx.tenant.taxonomy();
    let buttons: Vec<ButtonView> = Action::ALL
        .into_iter()
        .filter(|a| a.available(side, request.state))
        .map(|a| ButtonView {
            action: a.as_str(),
            label: ctx.t(&format!("request.action_{}", a.as_str())),
        })
        .collect();
    let closed = request.state.is_closed();
    let triage = request
        .triage
        .as_ref()
        .filter(|_| side.handles())
        .map(|t| super::triage_view::TriageLabels::of(ctx, &taxonomy, t));
    let suggested_reply = request
        .triage
        .as_ref()
        .filter(|t| side.handles() && !closed && !answered && !t.suggested_reply.is_empty())
        .map(|t| t.suggested_reply.as_str());
    requests
        .mark_read(request.id, session.account.id, Utc::now())
        .await?;
    // The header was counted before this reading.
    let viewer = match crate::session::viewer() {
        Some(mut viewer) => {
            let user_id = session.account.id;
            let permissions =
                crate::session::permissions(req, &ctx.state, &ctx.tenant, &session.account).await?;
            viewer.unread_requests = requests.unread_count(user_id, &permissions).await?;
            Some(viewer)
        }
        None => None,
    };
    ctx.page(
        req,
        &format!("/demandes/{}", request.id),
        "requests/thread.html",
        status,
        |c| {
            if let Some(viewer) = &viewer {
                c.insert("viewer", viewer);
            }
            c.insert("request", request);
            c.insert(
                "kind_label",
                &ctx.t(&format!("request.kind_{}", request.sent.kind.as_str())),
            );
            c.insert("state_label", &state_label(ctx, request.state));
            c.insert("side", &side);
            c.insert("body", &paragraphs(&request.sent.body));
            c.insert("offer", &paragraphs(&request.sent.offer));
            c.insert("messages", &messages);
            c.insert("buttons", &buttons);
            c.insert("closed", &closed);
            c.insert("triage", &triage);
            c.insert(
                "triage_pending",
                &(side.handles() && request.triage.is_none()),
            );
            c.insert("suggested_reply", &suggested_reply);
            c.insert("form", form);
            c.insert("notice", &notice);
            c.insert(
                "sent_at",
                &format_date(ctx.tenant.local_date(request.created_at), ctx.locale),
            );
            c.insert(
                "due_on",
                &format_date(ctx.tenant.local_date(request.due_at), ctx.locale),
            );
            c.insert(
                "available",
                &request
                    .sent
                    .available_from
                    .zip(request.sent.available_to)
                    .map(|(f, t)| {
                        ctx.t("request.available_range")
                            .replace("%{from}", &format_date(f, ctx.locale))
                            .replace("%{to}", &format_date(t, ctx.locale))
                    }),
            );
            c.insert(
                "contribution",
                &request
                    .sent
                    .contribution
                    .as_deref()
                    .map(|s| contribution_label(&taxonomy, s, ctx.locale).label),
            );
            c.insert(
                "domain",
                &request
                    .sent
                    .domain
                    .as_deref()
                    .map(|s| domain_label(&taxonomy, s, ctx.locale).label),
            );
            c.insert(
                "city_name",
                &city.as_ref().map(|c| c.name_in(ctx.locale).to_owned()),
            );
            c.insert("organisation_name", &organisation.map(|o| o.profile.name));
            c.insert(
                "member_name",
                &member.as_ref().map(|m| {
                    if m.deleted {
                        ctx.t("account.deleted_member")
                    } else {
                        m.display_name.clone()
                    }
                }),
            );
            // Contact details only for the side that answers.
            c.insert(
                "member_email",
                &member
                    .filter(|m| side.handles() && !m.deleted)
                    .map(|m| m.email),
            );
            c.insert("member_phone", &member_phone);
        },
    )
    .map(|mut resp| {
        resp.headers_mut().insert(
            header::HeaderName::from_static("x-robots-tag"),
            header::HeaderValue::from_static("noindex"),
        );
        resp
    })
}

#[handler]
pub async fn thread(
    req: &Request,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    OptionalUser(user): OptionalUser,
    Query(params): Query<InboxParams>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let Some(session) = user else {
        return Ok(to_login(ctx.locale, req.uri().path()));
    };
    let (request, side) = party(state, tenant, &id, &session).await?;
    let notice = match params.done.as_deref() {
        Some("sent") => {
            use jsap_app::requests::recipients::{Answerer, answerer};
            let who = match answerer(state.store.conn(), tenant, &request).await? {
                Answerer::Organisation(name) => ctx
                    .t("request.answered_by_organisation")
                    .replace("%{name}", &name),
                Answerer::FocalPoints => ctx.t("request.answered_by_focal_points"),
                Answerer::Operators => ctx.t("request.answered_by_operators"),
            };
            Some(format!(
                "{} {who}",
                ctx.t("request.sent_notice")
                    .replace("%{days}", &tenant.response_delay_days.to_string())
            ))
        }
        Some("message") => Some(ctx.t("request.message_notice")),
        Some("state") => Some(ctx.t("request.state_notice")),
        _ => None,
    };
    thread_page(
        &ctx,
        req,
        &session,
        &request,
        side,
        &FormView::default(),
        StatusCode::OK,
        notice,
    )
    .await
}

/// A POST on a conversation, its preamble done: a visitor is sent to log in (then back to
/// the thread), a bad form token is a 403, and anyone but a party of the request gets a 404.
pub(super) struct ThreadPost {
    session: Session,
    request: RequestRecord,
    side: Side,
    form: RequestForm,
}

impl<'a> poem::FromRequest<'a> for ThreadPost {
    async fn from_request(req: &'a Request, body: &mut poem::RequestBody) -> poem::Result<Self> {
        let ctx = Ctx::from_request(req, body).await?;
        let id = req.raw_path_param("id").ok_or(AppError::NotFound)?;
        let Some(session) = req.extensions().get::<Session>().cloned() else {
            return Err(poem::Error::from_response(to_login(
                ctx.locale,
                &format!("/{}/demandes/{id}", ctx.locale),
            )));
        };
        let Form(form) = Form::<RequestForm>::from_request(req, body).await?;
        if !ctx.csrf_ok(req, &form.csrf) {
            return Err(poem::Error::from_response(ctx.forbidden(req)?));
        }
        let (request, side) = party(&ctx.state, &ctx.tenant, id, &session).await?;
        Ok(Self {
            session,
            request,
            side,
            form,
        })
    }
}

#[handler]
pub async fn post_message(
    req: &Request,
    ctx: Ctx,
    ThreadPost {
        session,
        request,
        side,
        form,
    }: ThreadPost,
) -> Result<Response, AppError> {
    if request.state.is_closed() {
        return ctx.message(
            req,
            StatusCode::CONFLICT,
            &ctx.t("request.conflict_title"),
            &ctx.t("request.conflict_closed")
                .replace("%{state}", &state_label(&ctx, request.state)),
            Some((
                format!("/{}/demandes/{}", ctx.locale, request.id),
                ctx.t("request.back_to_thread"),
            )),
        );
    }
    let mut errors = Errors::new();
    let body = check_text(
        &ctx,
        &mut errors,
        ("message", "request.reply_label"),
        &form.message,
        BODY_MAX,
    );
    let turn = Turn {
        request: &request,
        side,
        author: &session.account,
    };
    if errors.is_empty()
        && let Err(held) = conversation::post_message(&ctx.scope(), turn, &body).await?
    {
        let status = match held {
            jsap_app::spam::Restraint::Links(_) => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::TOO_MANY_REQUESTS,
        };
        errors.insert("message", super::restraint_text(&ctx, held));
        let view = FormView {
            values: BTreeMap::from([("message", form.message.trim().to_owned())]),
            errors,
        };
        return thread_page(&ctx, req, &session, &request, side, &view, status, None).await;
    }
    if !errors.is_empty() {
        let view = FormView {
            values: BTreeMap::from([("message", form.message.trim().to_owned())]),
            errors,
        };
        return thread_page(
            &ctx,
            req,
            &session,
            &request,
            side,
            &view,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
        )
        .await;
    }
    Ok(see_other(format!(
        "/{}/demandes/{}?done=message",
        ctx.locale, request.id
    )))
}

#[handler]
pub async fn change_state(req: &Request, ctx: Ctx, post: ThreadPost) -> Result<Response, AppError> {
    let ThreadPost {
        session,
        request,
        side,
        form,
    } = post;
    let Some(action) = Action::parse(form.action.trim()) else {
        return ctx.bad_request(req, &ctx.t("request.err_action"));
    };
    let back = Some((
        format!("/{}/demandes/{}", ctx.locale, request.id),
        ctx.t("request.back_to_thread"),
    ));
    let turn = Turn {
        request: &request,
        side,
        author: &session.account,
    };
    let applied = conversation::change_state(&ctx.scope(), turn, action).await?;
    match applied {
        Ok(_) => Ok(see_other(format!(
            "/{}/demandes/{}?done=state",
            ctx.locale, request.id
        ))),
        Err(TransitionError::NotAllowed) => ctx.message(
            req,
            StatusCode::CONFLICT,
            &ctx.t("request.conflict_title"),
            &ctx.t("request.conflict_side"),
            back,
        ),
        Err(TransitionError::WrongState(current)) => ctx.message(
            req,
            StatusCode::CONFLICT,
            &ctx.t("request.conflict_title"),
            &ctx.t("request.conflict_state")
                .replace("%{state}", &state_label(&ctx, current)),
            back,
        ),
    }
}
