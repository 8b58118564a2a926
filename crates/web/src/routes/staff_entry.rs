//! The staff drill-down: from the staff console (portal) into a country site's console with
//! its operators' powers (`jsap_app::staff_entry`).
//!
//! - `POST /{locale}/admin/pays/{tenant}/console` (portal, staff): a single-use token for the
//!   staff member's seat on that site, and a page that moves on to the site carrying it (a
//!   meta refresh and a link: the portal's CSP keeps forms from redirecting to other sites).
//! - `GET /{locale}/espace/entree-staff?jeton=...` (country site): the token redeemed, a
//!   session of ten hours for the seat, and the country console.

use crate::AppError;
use crate::kit::{Checked, Ctx, Pairs, see_other};
use crate::roles::RequireStaff;
use crate::routes::accounts::with_cookie;
use crate::security::{is_dev_host, set_cookie};
use crate::session::{self, OptionalUser, SESSION_COOKIE, STAFF_SEAT_TTL};
use jsap_app::staff_entry::{self, EntryRefusal};
use jsap_tenancy::Tenant;
use poem::http::{StatusCode, header};
use poem::web::{Path, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;

/// Where the browser finds `target`'s site: its canonical address in production; on a
/// development host (`portal.localhost:8080`), the target's first development host on the
/// same port, so the drill-down works on a laptop.
fn site_base(req: &Request, target: &Tenant) -> String {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    match target.dev_hosts.first() {
        Some(dev) if is_dev_host(host) => {
            let port = host
                .rsplit_once(':')
                .map(|(_, p)| p)
                .filter(|p| p.bytes().all(|b| b.is_ascii_digit()));
            match port {
                Some(port) => format!("http://{dev}:{port}"),
                None => format!("http://{dev}"),
            }
        }
        _ => target.canonical_url(),
    }
}

/// `POST /{locale}/admin/pays/{tenant}/console`.
#[handler]
pub async fn open(
    req: &Request,
    ctx: Ctx,
    Path((_, code)): Path<(String, String)>,
    staff_member: RequireStaff,
    Checked(_): Checked<Pairs>,
) -> Result<Response, AppError> {
    let target = ctx
        .state
        .registry
        .get(&code)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let scope = jsap_app::Scope::new(
        &ctx.state.store,
        ctx.state.themes.clone(),
        &target,
        &jsap_app::SystemClock,
    );
    let key = match staff_entry::open(&scope, staff_member.user.account()).await? {
        Ok(token) => {
            // The staff member's language when the site offers it, else the site's own.
            let locale = if target.offers(ctx.locale) {
                ctx.locale
            } else {
                target.default_locale
            };
            let query = serde_urlencoded::to_string([("jeton", token.as_str())])
                .map_err(|e| AppError::Internal(e.into()))?;
            let entry_url = format!(
                "{}/{locale}/espace/entree-staff?{query}",
                site_base(req, &target)
            );
            // A page that moves on by itself rather than a redirect: the portal's
            // `form-action 'self'` forbids a form's redirect to another site.
            let name = target.site_name.get(ctx.locale).to_owned();
            return ctx.page(
                req,
                "/admin",
                "spaces/staff_entry.html",
                StatusCode::OK,
                |c| {
                    c.insert("entry_url", &entry_url);
                    c.insert("target_name", &name);
                },
            );
        }
        Err(EntryRefusal::NotStaff | EntryRefusal::Portal) => return Err(AppError::NotFound),
        Err(EntryRefusal::AddressTaken) => "staff.entry_taken",
        Err(EntryRefusal::Blocked) => "staff.entry_blocked",
    };
    let name = target.site_name.get(ctx.locale).to_owned();
    ctx.message(
        req,
        StatusCode::CONFLICT,
        &ctx.t("staff.entry_refused_title"),
        &ctx.t(key).replace("%{site}", &name),
        Some((format!("/{}/admin", ctx.locale), ctx.t("roles.admin_title"))),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EntryParams {
    jeton: String,
}

/// `GET /{locale}/espace/entree-staff?jeton=...`.
#[handler]
pub async fn enter(
    req: &Request,
    ctx: Ctx,
    OptionalUser(current): OptionalUser,
    Query(params): Query<EntryParams>,
) -> Result<Response, AppError> {
    if ctx.tenant.is_portal() {
        return Err(AppError::NotFound);
    }
    let scope = ctx.scope();
    let Some(seat) = staff_entry::enter(&scope, params.jeton.trim()).await? else {
        // Used, expired, unknown here: the link is gone either way.
        return ctx.message(
            req,
            StatusCode::GONE,
            &ctx.t("staff.entry_expired_title"),
            &ctx.t("staff.entry_expired_text"),
            None,
        );
    };
    if let Some(old) = current {
        session::close(&ctx.state, &ctx.tenant, &old.id).await?;
    }
    let id = session::open_for(&ctx.state, &ctx.tenant, &seat, STAFF_SEAT_TTL).await?;
    let cookie = set_cookie(req, SESSION_COOKIE, &id, STAFF_SEAT_TTL);
    let to = format!("/{}/espace/pays?done=staff", ctx.locale);
    with_cookie(see_other(to), &cookie)
}
