//! Following an emailed confirmation link: a new account's address, or a changed one.

use super::*;

#[handler]
pub async fn verify(
    req: &Request,
    ctx: Ctx,
    Path((_, token)): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let next = safe_next(done.next.as_deref());
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let text = match accounts::verify_link(&state.store, tenant, &token).await? {
        Verified::Address => ctx.t("account.verified_text"),
        Verified::EmailChanged => ctx.t("account.email_changed_text"),
        Verified::EmailTaken => {
            return ctx.message(
                req,
                StatusCode::CONFLICT,
                &ctx.t("account.email_taken_title"),
                &ctx.t("account.email_taken_text"),
                None,
            );
        }
        Verified::Gone => return Err(AppError::Gone),
    };
    let title = ctx.t("account.verified_title");
    // Onward to the page the member was on before signing up: directly when signed in,
    // through the log-in page otherwise.
    let link = match (&next, session::viewer()) {
        (Some(next), Some(_)) => [next.clone(), ctx.t("account.continue")],
        (Some(next), None) => [login_url(&ctx, Some(next)), ctx.t("account.login_title")],
        (None, _) => [format!("/{}/compte", ctx.locale), ctx.t("account.title")],
    };
    ctx.page(
        req,
        "/compte",
        "account/message.html",
        StatusCode::OK,
        |c| {
            c.insert("title", &title);
            c.insert("text", &text);
            c.insert("link", &link);
            // The header was computed before this request verified the address.
            if let Some(mut viewer) = session::viewer() {
                viewer.email_verified = true;
                c.insert("viewer", &viewer);
            }
        },
    )
}
