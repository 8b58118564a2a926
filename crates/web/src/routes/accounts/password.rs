//! A forgotten password and its emailed reset link.

use super::*;

#[handler]
pub async fn forgot_form(req: &Request, ctx: Ctx) -> Result<Response, AppError> {
    ctx.page(
        req,
        "/compte/mot-de-passe-oublie",
        "account/forgot.html",
        StatusCode::OK,
        |c| {
            c.insert("form", &FormView::default());
        },
    )
}

#[handler]
pub async fn forgot(
    req: &Request,
    ctx: Ctx,
    Checked(form): Checked<AccountForm>,
) -> Result<Response, AppError> {
    let state = &*ctx.state;
    ctx.throttle(req, "forgot", Some(&form.email)).await?;
    let mut errors = Errors::new();
    let Some(email) = check_email(&ctx, &form.email, "email", &mut errors) else {
        let view = FormView {
            values: BTreeMap::from([("email", form.email.trim().to_owned())]),
            errors,
        };
        return ctx.page(
            req,
            "/compte/mot-de-passe-oublie",
            "account/forgot.html",
            StatusCode::UNPROCESSABLE_ENTITY,
            |c| c.insert("form", &view),
        );
    };
    accounts::forgot_password(&state.store, &ctx.mails(), &email).await?;
    ctx.message(
        req,
        StatusCode::OK,
        &ctx.t("account.check_inbox_title"),
        &ctx.t("account.forgot_done"),
        None,
    )
}

#[handler]
pub async fn reset_form(
    req: &Request,
    ctx: Ctx,
    Path((_, token)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let valid = Accounts::for_tenant(state.store.conn(), tenant)
        .peek_token(&token, TokenPurpose::ResetPassword)
        .await?;
    if valid.is_none() {
        return Err(AppError::Gone);
    }
    ctx.page(
        req,
        "/compte/connexion",
        "account/reset.html",
        StatusCode::OK,
        |c| {
            c.insert("form", &FormView::default());
            c.insert("token", &token);
        },
    )
}

#[handler]
pub async fn reset(
    req: &Request,
    ctx: Ctx,
    Path((_, token)): Path<(String, String)>,
    Checked(form): Checked<AccountForm>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let mut errors = Errors::new();
    let accounts = Accounts::for_tenant(state.store.conn(), tenant);
    let owner = match accounts
        .peek_token(&token, TokenPurpose::ResetPassword)
        .await?
    {
        Some(used) => accounts.find(used.user_id).await?,
        None => None,
    };
    let own: Vec<&str> = owner
        .iter()
        .flat_map(|a| [a.email.as_str(), a.display_name.as_str()])
        .collect();
    check_new_password(&ctx, &form, &own, &mut errors).await?;
    if !errors.is_empty() {
        let view = FormView {
            values: BTreeMap::new(),
            errors,
        };
        return ctx.page(
            req,
            "/compte/connexion",
            "account/reset.html",
            StatusCode::UNPROCESSABLE_ENTITY,
            |c| {
                c.insert("form", &view);
                c.insert("token", &token);
            },
        );
    }
    let hash = hash_password(form.password.clone()).await?;
    if accounts::reset_password(&state.store, tenant, &token, &hash)
        .await?
        .is_none()
    {
        return Err(AppError::Gone);
    }
    // The link proved the mailbox: the owner is not slowed by someone else's guesses.
    if let Some(owner) = &owner {
        reset_account_delay(state, tenant, "login", &owner.email).await;
    }
    ctx.message(
        req,
        StatusCode::OK,
        &ctx.t("account.reset_done_title"),
        &ctx.t("account.reset_done_text"),
        Some((
            format!("/{}/compte/connexion", ctx.locale),
            ctx.t("account.login_title"),
        )),
    )
}
