//! Signing up and following the emailed confirmation link (a new account's or a changed address).

use super::*;

#[handler]
pub async fn signup_form(
    req: &Request,
    ctx: Ctx,
    OptionalUser(current): OptionalUser,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    visitor_form(
        &ctx,
        req,
        current.is_some(),
        &done,
        ("/compte/inscription", "account/signup.html"),
        |_| {},
    )
}

/// A form for visitors (log-in, sign-up) that keeps `?next=`: a signed-in member goes straight
/// on to `next` (or their account).
pub(super) fn visitor_form(
    ctx: &Ctx,
    req: &Request,
    signed_in: bool,
    done: &Done,
    (rest, template): (&str, &str),
    fill: impl FnOnce(&mut tera::Context),
) -> Result<Response, AppError> {
    let next = safe_next(done.next.as_deref());
    if signed_in {
        return Ok(see_other(
            next.unwrap_or_else(|| format!("/{}/compte", ctx.locale)),
        ));
    }
    ctx.page(req, rest, template, StatusCode::OK, |c| {
        c.insert("form", &FormView::default());
        c.insert("next_query", &next_query(next.as_deref()));
        c.insert("next", &next);
        fill(c);
    })
}

#[handler]
pub async fn signup(
    req: &Request,
    ctx: Ctx,
    Checked(form): Checked<AccountForm>,
) -> Result<Response, AppError> {
    let state = &*ctx.state;
    ctx.throttle(req, "signup", Some(&form.email)).await?;
    let next = safe_next(Some(&form.next));
    let mut errors = Errors::new();
    // In the order of the form's fields, as the error summary lists them.
    let name = check_name(&ctx, &form.display_name, &mut errors);
    let email = check_email(&ctx, &form.email, "email", &mut errors);
    check_new_password(&ctx, &form, &[&form.email, &form.display_name], &mut errors).await?;
    check_terms(&ctx, &form, &mut errors);
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        let view = FormView {
            values: BTreeMap::from([
                ("email", form.email.trim().to_owned()),
                ("display_name", form.display_name.trim().to_owned()),
                ("terms", form.terms.is_some().to_string()),
            ]),
            errors,
        };
        return ctx.page(
            req,
            "/compte/inscription",
            "account/signup.html",
            StatusCode::UNPROCESSABLE_ENTITY,
            |c| {
                c.insert("form", &view);
                c.insert("next", &next);
                c.insert("next_query", &next_query(next.as_deref()));
            },
        );
    };
    // Hashed before looking the email up, so both answers take as long.
    let hash = hash_password(form.password.clone()).await?;
    // Every outcome gets the same answer: the visitor learns nothing about the address.
    let mails = ctx.mails().returning_to(next.as_deref());
    if sign_up(&state.store, &mails, &email, &name, &hash).await? == SignUp::Concurrent {
        tracing::info!("concurrent sign-up for one email");
    }
    signup_done(&ctx, req, next.as_deref())
}

/// The answer to every valid sign-up, whether the email was free or not.
pub(super) fn signup_done(
    ctx: &Ctx,
    req: &Request,
    next: Option<&str>,
) -> Result<Response, AppError> {
    ctx.message(
        req,
        StatusCode::OK,
        &ctx.t("account.check_inbox_title"),
        &ctx.t("account.signup_done"),
        Some((login_url(ctx, next), ctx.t("account.login_title"))),
    )
}

/// The log-in page, then `next` when given.
pub(super) fn login_url(ctx: &Ctx, next: Option<&str>) -> String {
    format!("/{}/compte/connexion{}", ctx.locale, next_query(next))
}

/// `?next=<encoded path>`, or nothing: what the log-in and sign-up links carry between them.
pub(super) fn next_query(next: Option<&str>) -> String {
    next.map_or_else(String::new, |next| {
        format!("?{}", crate::params::encode(&[("next", next.to_owned())]))
    })
}
