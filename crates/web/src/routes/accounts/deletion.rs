//! Deleting one's own account (`/{locale}/compte/suppression`): the page says what goes and
//! what stays, the password confirms it, and the member lands on the log-in page, signed out,
//! with a confirmation on screen and in their inbox.

use super::*;
use jsap_app::accounts::{Kept, delete_own};

/// The deletion page, with the password form's errors when there are.
async fn deletion_page(
    ctx: &Ctx,
    req: &Request,
    account: &Account,
    status: StatusCode,
    form: FormView,
) -> Result<Response, AppError> {
    ctx.page(
        req,
        "/compte/suppression",
        "account/delete.html",
        status,
        |c| {
            c.insert("form", &form);
            c.insert("staff", &account.is_staff);
        },
    )
}

#[handler]
pub async fn deletion_form(
    req: &Request,
    ctx: Ctx,
    user: CurrentUser,
) -> Result<Response, AppError> {
    deletion_page(
        &ctx,
        req,
        user.account(),
        StatusCode::OK,
        FormView::default(),
    )
    .await
}

#[handler]
pub async fn delete_account(
    req: &Request,
    ctx: Ctx,
    user: CurrentUser,
    Checked(form): Checked<AccountForm>,
) -> Result<Response, AppError> {
    let account = user.account();
    // Each try checks a password: bounded like a log-in.
    ctx.throttle(req, "account_delete", Some(&account.email))
        .await?;
    let mut errors = Errors::new();
    check_current_password(&ctx, account, &form.current_password, &mut errors).await?;
    if !errors.is_empty() || account.is_staff {
        let view = FormView {
            values: BTreeMap::new(),
            errors,
        };
        let status = if account.is_staff {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return deletion_page(&ctx, req, account, status, view).await;
    }
    match delete_own(&ctx.scope(), account, ctx.locale).await? {
        Ok(_) | Err(Kept::Gone) => {}
        Err(Kept::Staff) => return ctx.forbidden(req),
    }
    session::close(&ctx.state, &ctx.tenant, &user.0.id).await?;
    let cookie = set_cookie(req, SESSION_COOKIE, "", Duration::ZERO);
    with_cookie(
        see_other(format!(
            "/{}/compte/connexion?done=account_deleted#main",
            ctx.locale
        )),
        &cookie,
    )
}
