//! Member accounts: sign-up, email verification, log-in and log-out, forgotten password and
//! reset, the account page (change email, change password) and the
//! invitation page (focal points and country operators).
//!
//! Every POST form carries a CSRF token (403 without it, before anything is written); sign-up,
//! log-in and forgotten password are rate limited per address and per email (429). Answers never
//! tell whether an email has an account: sign-up and forgotten password always say "check your
//! inbox", a failed log-in always says "email or password incorrect".

use crate::kit::{Checked, Ctx, Errors, FormView, see_other};
use crate::security::{
    DEVICE_COOKIE, account_delay, device_token, hash_password, known_device, reset_account_delay,
    set_cookie, verify_password, with_hashing_slot,
};
use crate::session::{self, CurrentUser, OptionalUser, SESSION_COOKIE, csrf_ok};
use crate::{AppError, AppState};
use jsap_adapters::translate;
use jsap_app::accounts::{self, SignUp, Verified, send_verification, sign_up};
use jsap_app::invitations::{self, Invitation};
use jsap_domain::{EmailAddress, Locale};
use jsap_store::{Account, Accounts, Cities, TokenPurpose};
use jsap_tenancy::Tenant;
use poem::http::{StatusCode, header};
use poem::web::{Form, Path, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 128;
pub const NAME_MAX: usize = 80;

/// Every account form, all fields optional: a missing field is an empty one, never a 400.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccountForm {
    pub(crate) csrf: String,
    pub(crate) email: String,
    pub(crate) display_name: String,
    pub(crate) password: String,
    pub(crate) password_confirm: String,
    pub(crate) current_password: String,
    pub(crate) terms: Option<String>,
    /// Where to go after logging in (a path of this site).
    pub(crate) next: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: Option<String>,
    next: Option<String>,
}

/// A local path to return to after logging in: `/...` but never `//host` or `/\\host`.
fn safe_next(raw: Option<&str>) -> Option<String> {
    let raw = raw?.trim();
    let local = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.starts_with("/\\")
        && raw.len() <= 512
        && !raw.chars().any(|c| c.is_control());
    local.then(|| raw.to_owned())
}

fn with_cookie(mut resp: Response, cookie: &str) -> Result<Response, AppError> {
    resp.headers_mut().append(
        header::SET_COOKIE,
        cookie.parse().map_err(anyhow::Error::from)?,
    );
    Ok(resp)
}

// ----- validation -----

pub(crate) fn check_email(
    ctx: &Ctx,
    raw: &str,
    field: &'static str,
    errors: &mut Errors,
) -> Option<EmailAddress> {
    let raw = raw.trim();
    if raw.is_empty() {
        errors.insert(field, ctx.t("account.err_email_required"));
        None
    } else if raw.chars().count() > 254 {
        errors.insert(field, ctx.t("account.err_email_long"));
        None
    } else {
        match EmailAddress::parse(raw) {
            Ok(email) => Some(email),
            Err(_) => {
                errors.insert(field, ctx.t("account.err_email_invalid"));
                None
            }
        }
    }
}

/// Whether a password of acceptable length is too easy to guess: a common password (zxcvbn's
/// lists of leaked passwords, names and words, shipped in the binary), a simple pattern
/// (`aaaaaaaaaa`, `password12`), or one made of the person's own email or name.
pub fn password_too_weak(password: &str, own: &[&str]) -> bool {
    let compact = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let lower = password.to_lowercase();
    let password_compact = compact(password);
    let mut inputs: Vec<String> = Vec::new();
    for value in own
        .iter()
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
    {
        // The whole email or name, with or without its dots and spaces ("AwaDiallo2026").
        let local = value.split('@').next().unwrap_or(&value);
        let whole = [compact(&value), compact(local)];
        if lower.contains(&value)
            || whole
                .iter()
                .any(|w| w.chars().count() >= 4 && password_compact.contains(w.as_str()))
        {
            return true;
        }
        // The parts of an address or a name are guessable too: "awa.diallo@x.org".
        inputs.extend(
            value
                .split(|c: char| !c.is_alphanumeric())
                .filter(|p| p.chars().count() >= 3)
                .map(str::to_owned),
        );
        inputs.push(value);
    }
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    zxcvbn::zxcvbn(password, &inputs).score() < zxcvbn::Score::Two
}

/// Checks a new password and its confirmation; `own`: the person's email and name (the
/// site's domain is added: "jesuisaucameroun" is no password on jesuisaucameroun.com).
pub(crate) async fn check_new_password(
    ctx: &Ctx,
    form: &AccountForm,
    own: &[&str],
    errors: &mut Errors,
) -> Result<(), AppError> {
    let n = form.password.chars().count();
    // zxcvbn takes up to tens of milliseconds on a long password: off the async workers.
    let weak = if (PASSWORD_MIN..=PASSWORD_MAX).contains(&n) {
        let password = form.password.clone();
        let own: Vec<String> = own
            .iter()
            .map(|s| (*s).to_owned())
            .chain([ctx.tenant.canonical_domain.to_string()])
            .collect();
        with_hashing_slot(move || {
            let own: Vec<&str> = own.iter().map(String::as_str).collect();
            password_too_weak(&password, &own)
        })
        .await?
    } else {
        false
    };
    if n == 0 {
        errors.insert("password", ctx.t("account.err_password_required"));
    } else if n < PASSWORD_MIN {
        errors.insert(
            "password",
            ctx.t("account.err_password_short")
                .replace("%{min}", &PASSWORD_MIN.to_string()),
        );
    } else if n > PASSWORD_MAX {
        errors.insert(
            "password",
            ctx.t("account.err_password_long")
                .replace("%{max}", &PASSWORD_MAX.to_string()),
        );
    } else if weak {
        errors.insert("password", ctx.t("account.err_password_weak"));
    } else if form.password != form.password_confirm {
        errors.insert("password_confirm", ctx.t("account.err_password_mismatch"));
    }
    Ok(())
}

pub(crate) fn check_name(ctx: &Ctx, raw: &str, errors: &mut Errors) -> String {
    let name = raw.trim().to_owned();
    if name.is_empty() {
        errors.insert("display_name", ctx.t("account.err_name_required"));
    } else if name.chars().count() > NAME_MAX {
        errors.insert(
            "display_name",
            ctx.t("account.err_name_long")
                .replace("%{max}", &NAME_MAX.to_string()),
        );
    }
    name
}

pub(crate) fn check_terms(ctx: &Ctx, form: &AccountForm, errors: &mut Errors) {
    if form.terms.is_none() {
        errors.insert("terms", ctx.t("account.err_terms"));
    }
}

// ----- sign-up -----

#[handler]
pub async fn signup_form(
    req: &Request,
    ctx: Ctx,
    OptionalUser(current): OptionalUser,
) -> Result<Response, AppError> {
    if current.is_some() {
        return Ok(see_other(format!("/{}/compte", ctx.locale)));
    }
    ctx.page(
        req,
        "/compte/inscription",
        "account/signup.html",
        StatusCode::OK,
        |c| {
            c.insert("form", &FormView::default());
        },
    )
}

#[handler]
pub async fn signup(
    req: &Request,
    ctx: Ctx,
    Checked(form): Checked<AccountForm>,
) -> Result<Response, AppError> {
    let state = &*ctx.state;
    if let Some(refused) = ctx.throttle(req, "signup", Some(&form.email)).await? {
        return Ok(refused);
    }
    let mut errors = Errors::new();
    let email = check_email(&ctx, &form.email, "email", &mut errors);
    let name = check_name(&ctx, &form.display_name, &mut errors);
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
            |c| c.insert("form", &view),
        );
    };
    // Hashed before looking the email up, so both answers take as long.
    let hash = hash_password(form.password.clone()).await?;
    // Every outcome gets the same answer: the visitor learns nothing about the address.
    if sign_up(&state.store, &ctx.mails(), &email, &name, &hash).await? == SignUp::Concurrent {
        tracing::info!("concurrent sign-up for one email");
    }
    signup_done(&ctx, req)
}

/// The answer to every valid sign-up, whether the email was free or not.
fn signup_done(ctx: &Ctx, req: &Request) -> Result<Response, AppError> {
    ctx.message(
        req,
        StatusCode::OK,
        &ctx.t("account.check_inbox_title"),
        &ctx.t("account.signup_done"),
        Some((
            format!("/{}/compte/connexion", ctx.locale),
            ctx.t("account.login_title"),
        )),
    )
}

// ----- email verification (sign-up and email change) -----

#[handler]
pub async fn verify(
    req: &Request,
    ctx: Ctx,
    Path((_, token)): Path<(String, String)>,
) -> Result<Response, AppError> {
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
        Verified::Gone => return ctx.link_gone(req, StatusCode::GONE),
    };
    let title = ctx.t("account.verified_title");
    let link = [format!("/{}/compte", ctx.locale), ctx.t("account.title")];
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

// ----- log-in, log-out -----

#[handler]
pub async fn login_form(
    req: &Request,
    ctx: Ctx,
    OptionalUser(current): OptionalUser,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let next = safe_next(done.next.as_deref());
    if current.is_some() {
        return Ok(see_other(
            next.unwrap_or_else(|| format!("/{}/compte", ctx.locale)),
        ));
    }
    let notice = done_notice(&ctx, done.done.as_deref());
    ctx.page(
        req,
        "/compte/connexion",
        "account/login.html",
        StatusCode::OK,
        |c| {
            c.insert("form", &FormView::default());
            c.insert("notice", &notice);
            c.insert("next", &next);
        },
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
    if let Some(refused) = ctx.throttle(req, "login", None).await? {
        return Ok(refused);
    }
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
                return unverified_login(&ctx, req, &account).await;
            }
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
            let next =
                safe_next(Some(&form.next)).unwrap_or_else(|| format!("/{}/compte", ctx.locale));
            let response = with_cookie(see_other(next), &cookie)?;
            return with_cookie(response, &device);
        }
        status = StatusCode::UNAUTHORIZED;
        failure = Some(ctx.t("account.login_failed"));
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
            c.insert("next", &safe_next(Some(&form.next)));
        },
    )
}

/// The right password of an account whose address is not confirmed: no session, a fresh
/// confirmation link (the log-in's rate limit bounds how many).
async fn unverified_login(
    ctx: &Ctx,
    req: &Request,
    account: &Account,
) -> Result<Response, AppError> {
    send_verification(&ctx.state.store, &ctx.mails(), account).await?;
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

// ----- forgotten password, reset -----

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
    if let Some(refused) = ctx.throttle(req, "forgot", Some(&form.email)).await? {
        return Ok(refused);
    }
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
        return ctx.link_gone(req, StatusCode::GONE);
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
        return ctx.link_gone(req, StatusCode::GONE);
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

// ----- account page -----

fn done_notice(ctx: &Ctx, done: Option<&str>) -> Option<String> {
    let key = match done? {
        "logged_out" => "account.done_logged_out",
        "password_changed" => "account.done_password_changed",
        "email_sent" => "account.done_email_sent",
        _ => return None,
    };
    Some(ctx.t(key))
}

/// The member's roles, as sentences ("Point focal diaspora : Yaoundé").
async fn role_labels(
    ctx: &Ctx,
    memberships: &[jsap_store::Membership],
) -> Result<Vec<String>, AppError> {
    if memberships.is_empty() {
        return Ok(Vec::new());
    }
    let cities = Cities::for_tenant(ctx.state.store.conn(), &ctx.tenant)
        .list()
        .await?;
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

async fn account_page(
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
    ctx.page(req, "/compte", "account/account.html", status, |c| {
        c.insert("roles", &roles);
        c.insert("spaces", &spaces);
        c.insert("next_stay", &next_stay);
        c.insert("account_email", &account.email);
        c.insert("account_name", &account.display_name);
        c.insert("account_verified", &account.email_verified);
        c.insert("notice", &notice);
        c.insert("email_form", &email_form);
        c.insert("password_form", &password_form);
    })
}

#[handler]
pub async fn account_home(
    req: &Request,
    ctx: Ctx,
    user: CurrentUser,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let notice = done_notice(&ctx, done.done.as_deref());
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

#[handler]
pub async fn change_email(
    req: &Request,
    ctx: Ctx,
    user: CurrentUser,
    Checked(form): Checked<AccountForm>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let account = user.account();
    // Each request may email an address of the member's choosing: limited like a sign-up.
    if let Some(refused) = ctx
        .throttle(req, "email_change", Some(&account.email))
        .await?
    {
        return Ok(refused);
    }
    let mut errors = Errors::new();
    let email = check_email(&ctx, &form.email, "email", &mut errors);
    if email.as_ref().is_some_and(|e| e.as_str() == account.email) {
        errors.insert("email", ctx.t("account.err_email_same"));
    }
    if form.current_password.is_empty() {
        errors.insert("current_password", ctx.t("account.err_password_required"));
    } else if errors.is_empty() {
        let hash = Accounts::for_tenant(state.store.conn(), tenant)
            .password_hash(account.id)
            .await?;
        if !verify_password(form.current_password.clone(), hash).await {
            errors.insert("current_password", ctx.t("account.err_current_password"));
        }
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        let view = FormView {
            values: BTreeMap::from([("email", form.email.trim().to_owned())]),
            errors,
        };
        return account_page(
            &ctx,
            req,
            account,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            view,
            FormView::default(),
        )
        .await;
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
    if form.current_password.is_empty() {
        errors.insert("current_password", ctx.t("account.err_password_required"));
    } else {
        let hash = Accounts::for_tenant(state.store.conn(), tenant)
            .password_hash(account.id)
            .await?;
        if !verify_password(form.current_password.clone(), hash).await {
            errors.insert("current_password", ctx.t("account.err_current_password"));
        }
    }
    if !errors.is_empty() {
        return account_page(
            &ctx,
            req,
            account,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            FormView::default(),
            FormView {
                values: BTreeMap::new(),
                errors,
            },
        )
        .await;
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

// ----- invitations (focal points, country operators) -----

struct InvitationView {
    /// The sentence that says what the invitation is for.
    intro: String,
    title: String,
    name: String,
    email: String,
}

/// The invitation of a token on this tenant, as its page shows it: `Err(status)` 404 when
/// unknown here, 410 when expired or already accepted.
async fn invitation(
    state: &AppState,
    tenant: &Tenant,
    locale: Locale,
    token: &str,
) -> Result<Result<InvitationView, StatusCode>, AppError> {
    let t = |key: &str| translate(locale.as_str(), key);
    let found = invitations::find(&state.store, tenant, token, chrono::Utc::now()).await?;
    let intro = match &found {
        Invitation::Unknown => return Ok(Err(StatusCode::NOT_FOUND)),
        Invitation::Gone => return Ok(Err(StatusCode::GONE)),
        Invitation::FocalPoint(found) => {
            let city = Cities::for_tenant(state.store.conn(), tenant)
                .list()
                .await?
                .into_iter()
                .find(|c| c.id == found.city_id)
                .map_or_else(String::new, |c| c.name_in(locale).to_owned());
            (
                t("account.invitation_intro")
                    .replace("%{name}", &found.name)
                    .replace("%{city}", &city),
                t("account.invitation_title"),
            )
        }
        Invitation::CountryOperator(found) => (
            t("roles.operator_invitation_intro")
                .replace("%{name}", &found.name)
                .replace("%{country}", tenant.country_name.get(locale)),
            t("roles.operator_invitation_title"),
        ),
    };
    let (name, email) = found.invitee().unwrap_or_default();
    Ok(Ok(InvitationView {
        intro: intro.0,
        title: intro.1,
        name: name.to_owned(),
        email: email.to_owned(),
    }))
}

fn invitation_page(
    ctx: &Ctx,
    req: &Request,
    token: &str,
    view: &InvitationView,
    form: &FormView,
    status: StatusCode,
) -> Result<Response, AppError> {
    ctx.page(req, "/compte", "account/invitation.html", status, |c| {
        c.insert("token", token);
        c.insert("intro", &view.intro);
        c.insert("invitation_title", &view.title);
        c.insert("invitee_name", &view.name);
        c.insert("invitee_email", &view.email);
        c.insert("form", form);
    })
}

#[handler]
pub async fn invitation_form(
    req: &Request,
    ctx: Ctx,
    Path((_, token)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    match invitation(state, tenant, ctx.locale, &token).await? {
        Err(status) => ctx.link_gone(req, status),
        Ok(view) => {
            let form = FormView {
                values: BTreeMap::from([("display_name", view.name.clone())]),
                errors: Errors::new(),
            };
            invitation_page(&ctx, req, &token, &view, &form, StatusCode::OK)
        }
    }
}

#[handler]
pub async fn accept_invitation(
    req: &Request,
    ctx: Ctx,
    Path((_, token)): Path<(String, String)>,
    OptionalUser(current): OptionalUser,
    Checked(form): Checked<AccountForm>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let view = match invitation(state, tenant, ctx.locale, &token).await? {
        Err(status) => return ctx.link_gone(req, status),
        Ok(found) => found,
    };
    let mut errors = Errors::new();
    let name = check_name(&ctx, &form.display_name, &mut errors);
    check_new_password(&ctx, &form, &[&view.email, &form.display_name], &mut errors).await?;
    check_terms(&ctx, &form, &mut errors);
    if !errors.is_empty() {
        let view_form = FormView {
            values: BTreeMap::from([
                ("display_name", form.display_name.trim().to_owned()),
                ("terms", form.terms.is_some().to_string()),
            ]),
            errors,
        };
        return invitation_page(
            &ctx,
            req,
            &token,
            &view,
            &view_form,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let hash = hash_password(form.password.clone()).await?;
    let Some(account) = invitations::accept(&state.store, tenant, &token, &name, &hash).await?
    else {
        return ctx.link_gone(req, StatusCode::GONE);
    };
    if let Some(old) = current {
        session::close(state, tenant, &old.id).await?;
    }
    let id = session::open(state, tenant, &account).await?;
    let cookie = set_cookie(req, SESSION_COOKIE, &id, session::session_ttl());
    with_cookie(see_other(format!("/{}/compte", ctx.locale)), &cookie)
}

#[cfg(test)]
mod tests {
    use super::password_too_weak;

    #[test]
    fn common_patterned_and_personal_passwords_are_too_weak() {
        let own = [
            "awa.diallo@example.org",
            "Awa Diallo",
            "jesuisaucameroun.com",
        ];
        for weak in [
            "aaaaaaaaaa",
            "password12",
            "1234567890",
            "azertyuiop",
            "awa.diallo@example.org",
            "AwaDiallo2026",
            "jesuisaucameroun",
        ] {
            assert!(password_too_weak(weak, &own), "{weak}");
        }
        for strong in [
            "un mot de passe solide",
            "Douala2024!",
            "vert-manioc-7-pluie",
        ] {
            assert!(!password_too_weak(strong, &own), "{strong}");
        }
    }
}
