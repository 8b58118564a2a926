//! The account page: roles and spaces, the next stay, changing the address or the password.

use super::*;

/// The confirmation of each `?done=` code on the account pages.
pub(super) const NOTICES: [(&str, &str); 5] = [
    ("logged_out", "account.done_logged_out"),
    ("account_deleted", "account.done_deleted"),
    ("password_changed", "account.done_password_changed"),
    ("email_sent", "account.done_email_sent"),
    ("left", "org.done_left"),
];

/// The member's roles, as sentences ("Point focal diaspora : Yaoundé").
pub(super) async fn role_labels(
    ctx: &Ctx,
    memberships: &[jsap_store::Membership],
) -> Result<Vec<String>, AppError> {
    if memberships.is_empty() {
        return Ok(Vec::new());
    }
    let cities = ctx.cities().await?;
    Ok(memberships
        .iter()
        .map(|m| {
            let scope = m
                .city_id
                .and_then(|id| cities.iter().find(|c| c.id == id))
                .map_or_else(
                    || ctx.tenant.country_name.get(ctx.locale).to_owned(),
                    |c| c.name_in(ctx.locale).to_owned(),
                );
            ctx.t(&format!("account.role_{}", m.role.as_str()))
                .replace("%{scope}", &scope)
        })
        .collect())
}

pub(super) async fn account_page(
    ctx: &Ctx,
    req: &Request,
    account: &Account,
    status: StatusCode,
    notice: Option<String>,
    email_form: FormView,
    password_form: FormView,
) -> Result<Response, AppError> {
    let memberships = Accounts::for_tenant(ctx.state.store.conn(), &ctx.tenant)
        .memberships(account.id)
        .await?;
    let roles = role_labels(ctx, &memberships).await?;
    let spaces = crate::routes::spaces::space_links(ctx, account, &memberships);
    let next_stay =
        crate::routes::profiles::next_stay(&ctx.state, &ctx.tenant, ctx.locale, account.id).await?;
    let for_you =
        crate::routes::profiles::for_you(&ctx.state, &ctx.tenant, ctx.locale, account.id).await?;
    ctx.page(req, "/compte", "account/account.html", status, |c| {
        put!(c, roles, spaces, next_stay, for_you);
        c.insert("account_email", &account.email);
        c.insert("account_name", &account.display_name);
        c.insert("account_verified", &account.email_verified);
        put!(c, notice, email_form, password_form);
    })
}

#[handler]
pub async fn account_home(
    req: &Request,
    ctx: Ctx,
    user: CurrentUser,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let notice = crate::kit::notice(&ctx, done.done.as_deref(), &NOTICES);
    account_page(
        &ctx,
        req,
        user.account(),
        StatusCode::OK,
        notice,
        FormView::default(),
        FormView::default(),
    )
    .await
}

/// The account page again (422) with the errors of its address form or its password form.
async fn refused(
    ctx: &Ctx,
    req: &Request,
    account: &Account,
    email_form: FormView,
    password_form: FormView,
) -> Result<Response, AppError> {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    account_page(ctx, req, account, status, None, email_form, password_form).await
}

/// Checks the current password a change of the account asks for: given, and the account's.
pub(super) async fn check_current_password(
    ctx: &Ctx,
    account: &Account,
    given: &str,
    errors: &mut Errors,
) -> Result<(), AppError> {
    if given.is_empty() {
        errors.insert("current_password", ctx.t("account.err_password_required"));
        return Ok(());
    }
    let hash = Accounts::for_tenant(ctx.state.store.conn(), &ctx.tenant)
        .password_hash(account.id)
        .await?;
    if !verify_password(given.to_owned(), hash).await {
        errors.insert("current_password", ctx.t("account.err_current_password"));
    }
    Ok(())
}

#[handler]
pub async fn change_email(
    req: &Request,
    ctx: Ctx,
    user: CurrentUser,
    Checked(form): Checked<AccountForm>,
) -> Result<Response, AppError> {
    let state = &*ctx.state;
    let account = user.account();
    // Each request may email an address of the member's choosing: limited like a sign-up.
    ctx.throttle(req, "email_change", Some(&account.email))
        .await?;
    let mut errors = Errors::new();
    let email = check_email(&ctx, &form.email, "email", &mut errors);
    if email.as_ref().is_some_and(|e| e.as_str() == account.email) {
        errors.insert("email", ctx.t("account.err_email_same"));
    }
    // The (slow) password check only when the rest of the form is right.
    if form.current_password.is_empty() || errors.is_empty() {
        check_current_password(&ctx, account, &form.current_password, &mut errors).await?;
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        let view = FormView {
            values: BTreeMap::from([("email", form.email.trim().to_owned())]),
            errors,
        };
        return refused(&ctx, req, account, view, FormView::default()).await;
    };
    accounts::change_email(&state.store, &ctx.mails(), account, &email).await?;
    Ok(see_other(format!("/{}/compte?done=email_sent", ctx.locale)))
}

#[handler]
pub async fn change_password(
    req: &Request,
    ctx: Ctx,
    user: CurrentUser,
    Checked(form): Checked<AccountForm>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let account = user.account();
    let mut errors = Errors::new();
    check_new_password(
        &ctx,
        &form,
        &[&account.email, &account.display_name],
        &mut errors,
    )
    .await?;
    check_current_password(&ctx, account, &form.current_password, &mut errors).await?;
    if !errors.is_empty() {
        let view = FormView {
            values: BTreeMap::new(),
            errors,
        };
        return refused(&ctx, req, account, FormView::default(), view).await;
    }
    let hash = hash_password(form.password.clone()).await?;
    // Every other session ends; this browser gets a fresh one.
    let updated = Accounts::for_tenant(state.store.conn(), tenant)
        .set_password(account.id, &hash, true)
        .await?;
    session::close(state, tenant, &user.0.id).await?;
    let id = session::open(state, tenant, &updated).await?;
    let cookie = set_cookie(req, SESSION_COOKIE, &id, session::session_ttl());
    with_cookie(
        see_other(format!("/{}/compte?done=password_changed", ctx.locale)),
        &cookie,
    )
}
