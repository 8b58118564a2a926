//! The satisfaction survey a member answers once a request is closed.

use super::*;

pub(super) fn survey_gone(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    ctx.message(
        req,
        StatusCode::GONE,
        &ctx.t("survey.gone_title"),
        &ctx.t("survey.gone_text"),
        None,
    )
}

pub(super) fn survey_page(
    ctx: &Ctx,
    req: &Request,
    token: &str,
    title: &str,
    form: &FormView,
    status: StatusCode,
) -> Result<Response, AppError> {
    ctx.page(req, "/enquete", "requests/survey.html", status, |c| {
        c.insert("action", &format!("/{}/enquete/{token}", ctx.locale));
        c.insert("request_title", title);
        c.insert("form", form);
        c.insert("scores", &[1, 2, 3, 4, 5]);
    })
}

pub(super) async fn open_survey(
    state: &AppState,
    tenant: &Tenant,
    token: &str,
) -> Result<Option<String>, AppError> {
    let requests = Requests::for_tenant(state.store.conn(), tenant);
    let Some(survey) = requests.open_survey(token, Utc::now()).await? else {
        return Ok(None);
    };
    Ok(Some(
        requests
            .find(survey.request_id)
            .await?
            .map(|r| r.sent.title)
            .unwrap_or_default(),
    ))
}

#[handler]
pub async fn survey_form(
    req: &Request,
    ctx: Ctx,
    Path((_, token)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    match open_survey(state, tenant, &token).await? {
        None => survey_gone(&ctx, req),
        Some(title) => survey_page(
            &ctx,
            req,
            &token,
            &title,
            &FormView::default(),
            StatusCode::OK,
        ),
    }
}

#[handler]
pub async fn survey_answer(
    req: &Request,
    ctx: Ctx,
    Path((_, token)): Path<(String, String)>,
    Checked(form): Checked<RequestForm>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let Some(title) = open_survey(state, tenant, &token).await? else {
        return survey_gone(&ctx, req);
    };
    let mut errors = Errors::new();
    let score = match form.score.trim().parse::<i32>() {
        Ok(n) if (1..=5).contains(&n) => Some(n),
        _ => {
            errors.insert("score", ctx.t("survey.err_score"));
            None
        }
    };
    let comment = form.comment.trim().to_owned();
    if chars(&comment) > COMMENT_MAX {
        errors.insert(
            "comment",
            too_long_error(&ctx, "survey.comment_label", COMMENT_MAX),
        );
    }
    let Some(score) = score.filter(|_| errors.is_empty()) else {
        let view = FormView {
            values: BTreeMap::from([
                ("score", form.score.trim().to_owned()),
                ("comment", comment),
            ]),
            errors,
        };
        return survey_page(
            &ctx,
            req,
            &token,
            &title,
            &view,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    if !Requests::for_tenant(state.store.conn(), tenant)
        .answer_survey(&token, score, &comment, Utc::now())
        .await?
    {
        return survey_gone(&ctx, req);
    }
    ctx.message(
        req,
        StatusCode::OK,
        &ctx.t("survey.thanks_title"),
        &ctx.t("survey.thanks_text"),
        Some((format!("/{}/", ctx.locale), ctx.t("nav.home"))),
    )
}
