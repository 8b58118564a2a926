//! The web kit: what every page handler starts with, written once.
//!
//! - [`Ctx`], an extractor: the application, the tenant of the host and the locale of the
//!   `/{locale}/...` URL (a locale the tenant does not offer is a 404), with the pages every
//!   handler renders (a form page, a message, the 403 of a form's token). The other refusals
//!   are `AppError`s, rendered once by the middleware.
//! - [`Checked`], an extractor: a form whose CSRF token was verified before the handler runs.
//!   A POST handler that takes its form this way cannot forget the check; without a valid token
//!   the visitor gets the 403 page and nothing is written.
//! - [`FormView`], [`Errors`], [`see_other`]: what a form shows back, and the redirect after a
//!   successful POST.

use crate::extract::{CurrentTenant, page_locale};
use crate::render::{html, page_context};
use crate::routes::accounts::{NAME_MAX, PASSWORD_MAX, PASSWORD_MIN};
use crate::routes::requests::{BODY_MAX, COMMENT_MAX, OFFER_MAX, TITLE_MAX};
use crate::security::{client_ip, rate_limit};
use crate::session::{csrf_ok, form_token};
use crate::{AppError, AppState};
use jsap_adapters::translate;
use jsap_app::accounts::AccountMails;
use jsap_domain::Locale;
use jsap_tenancy::Tenant;
use poem::http::{StatusCode, header};
use poem::{FromRequest, Request, RequestBody, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Field name -> translated error, in the order the fields were checked (the order of the
/// form): the error summary lists them as the page shows the fields.
pub(crate) type Errors = indexmap::IndexMap<&'static str, String>;

/// What a form shows back: the visitor's input (never passwords) and the errors.
#[derive(Default, Serialize)]
pub(crate) struct FormView {
    pub(crate) values: BTreeMap<&'static str, String>,
    pub(crate) errors: Errors,
}

/// A submitted form as its pairs (checkboxes repeat their name).
pub(crate) type Pairs = Vec<(String, String)>;

pub(crate) fn one<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The distinct non-empty values of a repeated field, in order (a tampered form repeating a
/// value 100,000 times yields it once).
pub(crate) fn all<'a>(pairs: &'a Pairs, name: &str) -> Vec<&'a str> {
    let mut seen = std::collections::HashSet::new();
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty() && seen.insert(*v))
        .collect()
}

/// Whether `raw` is a path of this host to send a visitor back to: it starts with `/` but
/// never `//host` or `/\\host` (another host to a browser), and holds no control character.
pub(crate) fn is_local_path(raw: &str) -> bool {
    raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.starts_with("/\\")
        && !raw.chars().any(|c| c.is_control())
}

/// A 303 to `location`, never cached.
pub(crate) fn see_other(location: String) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location)
        .header(header::CACHE_CONTROL, "no-store")
        .finish()
}

/// The page context of a `/{locale}/...` handler.
pub(crate) struct Ctx {
    pub(crate) state: Arc<AppState>,
    pub(crate) tenant: Arc<Tenant>,
    pub(crate) locale: Locale,
    /// The page asked for (path and query): where a form on it brings the visitor back.
    pub(crate) here: String,
    /// The signed-in account, if any.
    pub(crate) member: Option<i64>,
}

impl<'a> FromRequest<'a> for Ctx {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let state = req
            .data::<Arc<AppState>>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no application state")))?;
        let CurrentTenant(tenant) = CurrentTenant::from_request(req, body).await?;
        let raw = req.raw_path_param("locale").ok_or(AppError::NotFound)?;
        let locale = page_locale(&tenant, raw)?;
        let here = match req.uri().query() {
            Some(query) => format!("{}?{query}", req.uri().path()),
            None => req.uri().path().to_owned(),
        };
        let member = req
            .extensions()
            .get::<crate::session::Session>()
            .map(|s| s.account.id);
        Ok(Self {
            state,
            tenant,
            locale,
            here,
            member,
        })
    }
}

impl Ctx {
    pub(crate) fn t(&self, key: &str) -> String {
        translate(self.locale.as_str(), key)
    }

    /// Renders a template with the form's CSRF token (and its pre-session cookie) and the
    /// forms' length limits, never cached.
    pub(crate) fn page(
        &self,
        req: &Request,
        rest: &str,
        template: &str,
        status: StatusCode,
        fill: impl FnOnce(&mut tera::Context),
    ) -> Result<Response, AppError> {
        let (csrf, cookie) = form_token(&self.state, &self.tenant, req);
        let mut ctx = page_context(&self.state, &self.tenant, self.locale, rest);
        ctx.insert("csrf", &csrf);
        ctx.insert("password_min", &PASSWORD_MIN);
        ctx.insert("password_max", &PASSWORD_MAX);
        ctx.insert("name_max", &NAME_MAX);
        ctx.insert("title_max", &TITLE_MAX);
        ctx.insert("body_max", &BODY_MAX);
        ctx.insert("offer_max", &OFFER_MAX);
        ctx.insert("comment_max", &COMMENT_MAX);
        ctx.insert("delay_days", &self.tenant.response_delay_days);
        fill(&mut ctx);
        let mut resp = html(&self.state, &self.tenant, template, &ctx)?;
        resp.set_status(status);
        resp.headers_mut().insert(
            header::CACHE_CONTROL,
            "no-store".parse().map_err(anyhow::Error::from)?,
        );
        if let Some(cookie) = cookie {
            resp.headers_mut().append(
                header::SET_COOKIE,
                cookie.parse().map_err(anyhow::Error::from)?,
            );
        }
        Ok(resp)
    }

    /// A page with a title, a text and an optional link, under `status`.
    pub(crate) fn message(
        &self,
        req: &Request,
        status: StatusCode,
        title: &str,
        text: &str,
        link: Option<(String, String)>,
    ) -> Result<Response, AppError> {
        self.page(req, "/compte", "account/message.html", status, |ctx| {
            ctx.insert("title", title);
            ctx.insert("text", text);
            ctx.insert("link", &link.map(|(href, label)| [href, label]));
        })
    }

    /// 403: the form's token did not check out; nothing was written.
    pub(crate) fn forbidden(&self, req: &Request) -> Result<Response, AppError> {
        self.message(
            req,
            StatusCode::FORBIDDEN,
            &self.t("account.csrf_title"),
            &self.t("account.csrf_text"),
            None,
        )
    }

    /// 400 with a text saying what was wrong.
    pub(crate) fn bad_request(&self, req: &Request, text: &str) -> Result<Response, AppError> {
        self.message(
            req,
            StatusCode::BAD_REQUEST,
            &self.t("request.bad_title"),
            text,
            None,
        )
    }

    /// 403 for a member who has not confirmed their address yet.
    pub(crate) fn unverified(&self, req: &Request) -> Result<Response, AppError> {
        self.message(
            req,
            StatusCode::FORBIDDEN,
            &self.t("request.unverified_title"),
            &self.t("request.unverified_text"),
            Some((format!("/{}/compte", self.locale), self.t("account.title"))),
        )
    }

    /// Counts one `action` for the client's address (and `email`, when given):
    /// `AppError::TooMany` once over the limit.
    pub(crate) async fn throttle(
        &self,
        req: &Request,
        action: &str,
        email: Option<&str>,
    ) -> Result<(), AppError> {
        let ip = client_ip(req, self.state.proxy_hops);
        rate_limit(&self.state, &self.tenant, action, &ip, email)
            .await
            .map_err(|retry_after| AppError::TooMany { retry_after })
    }

    /// Whether `submitted` is this request's CSRF token, for the few handlers that must first
    /// send a visitor to log in (the rest take a [`Checked`] form).
    pub(crate) fn csrf_ok(&self, req: &Request, submitted: &str) -> bool {
        csrf_ok(&self.state, &self.tenant, req, submitted)
    }

    /// Reads an upload form (multipart) whole, its file being field `file`: `None` when its
    /// CSRF token does not check out. A field that cannot be read is a 404, as the page is.
    pub(crate) async fn upload(
        &self,
        req: &Request,
        mut multipart: poem::web::Multipart,
        file: &str,
    ) -> Result<Option<Upload>, AppError> {
        let mut upload = Upload::default();
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|_| AppError::NotFound)?
        {
            match field.name().map(str::to_owned) {
                Some(name) if name == file => {
                    upload.file = Some(field.bytes().await.map_err(|_| AppError::NotFound)?);
                }
                Some(name) => upload
                    .texts
                    .push((name, field.text().await.unwrap_or_default())),
                None => {}
            }
        }
        Ok(self.csrf_ok(req, upload.text("csrf")).then_some(upload))
    }

    /// The cities of this tenant.
    pub(crate) async fn cities(&self) -> Result<Vec<jsap_store::CityRecord>, AppError> {
        Ok(
            jsap_store::Cities::for_tenant(self.state.store.conn(), &self.tenant)
                .list()
                .await?,
        )
    }

    /// The use-case scope of this request: its tenant, the real clock.
    pub(crate) fn scope(&self) -> jsap_app::Scope<'_> {
        jsap_app::Scope::new(
            &self.state.store,
            self.state.themes.clone(),
            &self.tenant,
            &jsap_app::SystemClock,
        )
    }

    /// Ends `old` and opens a session for `account` (after a new role ended its sessions):
    /// `response` with the new session's cookie.
    pub(crate) async fn renew_session(
        &self,
        req: &Request,
        old: &crate::session::Session,
        account: &jsap_store::Account,
        mut response: Response,
    ) -> Result<Response, AppError> {
        use crate::session::{self, SESSION_COOKIE};
        session::close(&self.state, &self.tenant, &old.id).await?;
        let id = session::open(&self.state, &self.tenant, account).await?;
        let cookie = crate::security::set_cookie(req, SESSION_COOKIE, &id, session::session_ttl());
        response.headers_mut().append(
            header::SET_COOKIE,
            cookie.parse().map_err(anyhow::Error::from)?,
        );
        Ok(response)
    }

    /// The account emails of this tenant in this page's language.
    pub(crate) fn mails(&self) -> AccountMails<'_> {
        AccountMails::new(&self.tenant, self.locale, self.state.themes.clone())
    }
}

/// An upload form read whole ([`Ctx::upload`]).
#[derive(Default)]
pub(crate) struct Upload {
    texts: Pairs,
    /// The file's bytes, when the form sent the field.
    pub(crate) file: Option<Vec<u8>>,
}

impl Upload {
    /// Text field `name` (its last value), or ''.
    pub(crate) fn text(&self, name: &str) -> &str {
        self.texts
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// A page of a country site: on the portal it is a 404, before anything else is checked.
pub(crate) struct CountrySite;

impl<'a> FromRequest<'a> for CountrySite {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let CurrentTenant(tenant) = CurrentTenant::from_request(req, body).await?;
        if tenant.is_portal() {
            return Err(AppError::NotFound.into());
        }
        Ok(Self)
    }
}

/// A signed-in member whose address is confirmed: a visitor is sent to log in (and back here
/// after), an unconfirmed member gets the page that says to confirm the address first.
pub(crate) struct VerifiedMember(pub crate::session::Session);

impl<'a> FromRequest<'a> for VerifiedMember {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let crate::session::CurrentUser(session) =
            crate::session::CurrentUser::from_request(req, body).await?;
        if !session.account.email_verified {
            let ctx = Ctx::from_request(req, body).await?;
            return Err(poem::Error::from_response(ctx.unverified(req)?));
        }
        Ok(Self(session))
    }
}

/// A form no page of ours sends (a value out of its choices, a body that does not parse):
/// 400, nothing written.
pub(crate) const INVALID_FORM: AppError = AppError::BadRequest {
    code: "invalid_form",
};

/// The honeypot field of the public forms (`account/macros.html`, `honeypot`).
const HONEYPOT: &str = "homepage";

/// A form (`application/x-www-form-urlencoded`) whose `csrf` field was checked before the
/// handler runs: a wrong or missing token answers the 403 page; a filled honeypot, a 400.
pub(crate) struct Checked<T>(pub T);

impl<'a, T: DeserializeOwned> FromRequest<'a> for Checked<T> {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let bytes = body.take()?.into_bytes().await?;
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| INVALID_FORM)?;
        let token = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map_or("", |(_, v)| v.as_str());
        let ctx = Ctx::from_request(req, body).await?;
        if !ctx.csrf_ok(req, token) {
            return Err(poem::Error::from_response(ctx.forbidden(req)?));
        }
        // The public forms' hidden field: a person never fills it, a spam robot does.
        if pairs.iter().any(|(k, v)| k == HONEYPOT && !v.is_empty()) {
            tracing::info!(path = %req.uri().path(), "honeypot filled: form refused");
            return Err(AppError::BadRequest { code: "honeypot" }.into());
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(Checked)
            .map_err(|_| INVALID_FORM.into())
    }
}

/// The confirmation of `?done=<code>` after a write: the text of `code`'s locale key among
/// `notices` (`(code, key)` pairs); none for an absent or unknown code.
pub(crate) fn notice(ctx: &Ctx, done: Option<&str>, notices: &[(&str, &str)]) -> Option<String> {
    let done = done?;
    notices
        .iter()
        .find(|(code, _)| *code == done)
        .map(|(_, key)| ctx.t(key))
}

/// The query of a page that confirms a write: `?done=<code>`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Done {
    done: Option<String>,
}

impl Done {
    /// The confirmation of the code among `notices`, as `notice`.
    pub(crate) fn notice(&self, ctx: &Ctx, notices: &[(&str, &str)]) -> Option<String> {
        notice(ctx, self.done.as_deref(), notices)
    }
}

/// The name of a field in an error message: the text of its label's key, without a trailing
/// parenthesis ("Latitude (de -90 à 90)" names "Latitude").
pub(crate) fn field_name(ctx: &Ctx, label_key: &str) -> String {
    without_parenthesis(&ctx.t(label_key)).to_owned()
}

fn without_parenthesis(label: &str) -> &str {
    match label
        .trim_end()
        .strip_suffix(')')
        .and_then(|l| l.rfind(" ("))
    {
        Some(i) if i > 0 => &label[..i],
        _ => label,
    }
}

/// The message `key` (one of the shared `form.err_*`) naming the field labelled `label_key`,
/// so that a summary of several errors says which field each one is about.
pub(crate) fn field_error(ctx: &Ctx, key: &str, label_key: &str) -> String {
    ctx.t(key).replace("%{field}", &field_name(ctx, label_key))
}

/// [`field_error`] for a text longer than `max` characters.
pub(crate) fn too_long_error(ctx: &Ctx, label_key: &str, max: usize) -> String {
    field_error(ctx, "form.err_too_long", label_key).replace("%{max}", &max.to_string())
}

/// A text field of `pairs`, trimmed, line ends made `\n`; its error goes in `errors`, naming
/// the field by its label `{section}.{field}_label`: empty when `required`, or longer than
/// `max` characters.
pub(crate) fn text_field(
    ctx: &Ctx,
    pairs: &Pairs,
    errors: &mut Errors,
    field: &'static str,
    max: usize,
    required: bool,
    section: &str,
) -> String {
    let value = one(pairs, field).trim().replace("\r\n", "\n");
    let label = format!("{section}.{field}_label");
    if required && value.is_empty() {
        errors.insert(field, field_error(ctx, "form.err_required", &label));
    } else if value.chars().count() > max {
        errors.insert(field, too_long_error(ctx, &label, max));
    }
    value
}

/// The `:id` of the route's path as a typed id (`PathId<MissionId>`): a 404 when it is not one.
pub(crate) struct PathId<T>(pub T);

impl<'a, T: std::str::FromStr + Send> FromRequest<'a> for PathId<T> {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let raw = req.raw_path_param("id").ok_or(AppError::NotFound)?;
        raw.parse()
            .map(PathId)
            .map_err(|_| AppError::NotFound.into())
    }
}

#[cfg(test)]
mod tests {
    use super::without_parenthesis;

    #[test]
    fn a_field_is_named_by_its_label_without_the_hint_in_parenthesis() {
        assert_eq!(without_parenthesis("Latitude (de -90 à 90)"), "Latitude");
        assert_eq!(without_parenthesis("Site web (facultatif)"), "Site web");
        assert_eq!(without_parenthesis("Titre du projet"), "Titre du projet");
        assert_eq!(without_parenthesis("(facultatif)"), "(facultatif)");
        assert_eq!(
            without_parenthesis("Nom (court) de la ville"),
            "Nom (court) de la ville"
        );
    }
}
