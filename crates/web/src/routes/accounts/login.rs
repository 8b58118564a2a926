//! Logging in (rate limited, slowed per account, never locked) and out.

use super::*;

#[handler]
pub async fn login_form(
    req: &Request,
    ctx: Ctx,
    OptionalUser(current): OptionalUser,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let notice = crate::kit::notice(&ctx, done.done.as_deref(), &page::NOTICES);
    visitor_form(
        &ctx,
        req,
        current.is_some(),
        &done,
        ("/compte/connexion", "account/login.html"),
        |c| c.insert("notice", &notice),
    )
}

#[handler]
pub async fn login(
    req: &Request,
    ctx: Ctx,
    OptionalUser(current): OptionalUser,
    Checked(form): Checked<AccountForm>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    // Per address: refused past the limit. Per account: slowed, never locked, and not at
    // all from a device the account signed in from before.
    ctx.throttle(req, "login", None).await?;
    if !known_device(req, &state.secret_key, tenant, &form.email) {
        let delay = account_delay(state, tenant, "login", &form.email).await;
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }
    let mut errors = Errors::new();
    let email = check_email(&ctx, &form.email, "email", &mut errors);
    if form.password.is_empty() {
        errors.insert("password", ctx.t("account.err_password_required"));
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let mut failure = None;
    if let Some(email) = email.filter(|_| errors.is_empty()) {
        let found = Accounts::for_tenant(state.store.conn(), tenant)
            .credentials(&email)
            .await?;
        let (account, hash) = match found {
            Some((account, hash)) => (Some(account), hash),
            None => (None, None),
        };
        let password = form.password.chars().take(PASSWORD_MAX * 4).collect();
        if verify_password(password, hash).await
            && let Some(account) = account
        {
            if !account.email_verified {
                return unverified_login(&ctx, req, &account, safe_next(Some(&form.next))).await;
            }
            // Only with the right password: a guesser learns nothing of the block.
            if account.blocked {
                status = StatusCode::FORBIDDEN;
                failure = Some(ctx.t("moderation.login_blocked"));
            } else {
                if let Some(old) = current {
                    session::close(state, tenant, &old.id).await?;
                }
                let id = session::open(state, tenant, &account).await?;
                reset_account_delay(state, tenant, "login", &form.email).await;
                let cookie = set_cookie(req, SESSION_COOKIE, &id, session::session_ttl());
                let device = set_cookie(
                    req,
                    DEVICE_COOKIE,
                    &device_token(&state.secret_key, tenant, &account.email),
                    Duration::from_secs(365 * 24 * 3600),
                );
                let next = safe_next(Some(&form.next))
                    .unwrap_or_else(|| format!("/{}/compte", ctx.locale));
                let response = with_cookie(see_other(next), &cookie)?;
                return with_cookie(response, &device);
            }
        } else {
            status = StatusCode::UNAUTHORIZED;
            failure = Some(ctx.t("account.login_failed"));
        }
    }
    let view = FormView {
        values: BTreeMap::from([("email", form.email.trim().to_owned())]),
        errors,
    };
    ctx.page(
        req,
        "/compte/connexion",
        "account/login.html",
        status,
        |c| {
            c.insert("form", &view);
            c.insert("failure", &failure);
            let next = safe_next(Some(&form.next));
            c.insert("next_query", &next_query(next.as_deref()));
            c.insert("next", &next);
        },
    )
}

/// The right password of an account whose address is not confirmed: no session, a fresh
/// confirmation link (the log-in's rate limit bounds how many).
pub(super) async fn unverified_login(
    ctx: &Ctx,
    req: &Request,
    account: &Account,
    next: Option<String>,
) -> Result<Response, AppError> {
    let mails = ctx.mails().returning_to(next.as_deref());
    send_verification(&ctx.state.store, &mails, account).await?;
    ctx.message(
        req,
        StatusCode::FORBIDDEN,
        &ctx.t("account.check_inbox_title"),
        &ctx.t("account.login_unverified"),
        None,
    )
}

#[handler]
pub async fn logout(
    req: &Request,
    ctx: Ctx,
    OptionalUser(current): OptionalUser,
    Form(form): Form<AccountForm>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let Some(current) = current else {
        return Ok(see_other(format!("/{}/compte/connexion", ctx.locale)));
    };
    if !csrf_ok(state, tenant, req, &form.csrf) {
        return ctx.forbidden(req);
    }
    session::close(state, tenant, &current.id).await?;
    let cookie = set_cookie(req, SESSION_COOKIE, "", Duration::ZERO);
    with_cookie(
        see_other(format!("/{}/compte/connexion?done=logged_out", ctx.locale)),
        &cookie,
    )
}
