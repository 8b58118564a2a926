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
use jsap_domain::password::{PasswordProblem, check as check_password};
use jsap_domain::{EmailAddress, Locale};
use jsap_store::{Account, Accounts, Cities, Grant, TokenPurpose};
use jsap_tenancy::Tenant;
use poem::http::{StatusCode, header};
use poem::web::{Form, Path, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

mod deletion;
mod invitation;
mod login;
mod page;
mod password;
mod signup;
mod verify;
pub use deletion::*;
pub use invitation::*;
pub use login::*;
pub use page::*;
pub use password::*;
pub use signup::*;
pub use verify::*;

pub use jsap_domain::password::{MAX as PASSWORD_MAX, MIN as PASSWORD_MIN};
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

/// A local path to return to after logging in (`kit::is_local_path`), at most 512 bytes.
fn safe_next(raw: Option<&str>) -> Option<String> {
    let raw = raw?.trim();
    (crate::kit::is_local_path(raw) && raw.len() <= 512).then(|| raw.to_owned())
}

pub(crate) fn with_cookie(mut resp: Response, cookie: &str) -> Result<Response, AppError> {
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

/// Checks a new password and its confirmation; `own`: the person's email and name (the
/// site's domain is added: "jesuisaucameroun" is no password on jesuisaucameroun.com).
pub(crate) async fn check_new_password(
    ctx: &Ctx,
    form: &AccountForm,
    own: &[&str],
    errors: &mut Errors,
) -> Result<(), AppError> {
    // zxcvbn takes up to tens of milliseconds on a long password: off the async workers.
    let password = form.password.clone();
    let own: Vec<String> = own
        .iter()
        .map(|s| (*s).to_owned())
        .chain([ctx.tenant.canonical_domain.to_string()])
        .collect();
    let checked = with_hashing_slot(move || {
        let own: Vec<&str> = own.iter().map(String::as_str).collect();
        check_password(&password, &own)
    })
    .await?;
    if let Err(problem) = checked {
        let text = match problem {
            PasswordProblem::Missing => ctx.t("account.err_password_required"),
            PasswordProblem::TooShort => ctx
                .t("account.err_password_short")
                .replace("%{min}", &PASSWORD_MIN.to_string()),
            PasswordProblem::TooLong => ctx
                .t("account.err_password_long")
                .replace("%{max}", &PASSWORD_MAX.to_string()),
            PasswordProblem::TooWeak => ctx.t("account.err_password_weak"),
        };
        errors.insert("password", text);
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
