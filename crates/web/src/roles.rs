//! Role extractors: a handler states the role it needs in its signature.
//!
//! Each builds on `CurrentUser` (an anonymous visitor is sent to the log-in page, 303) and
//! the user's memberships on the request's tenant (`Accounts::memberships`). A signed-in user
//! without the role gets `AppError::Forbidden`, the themed 403 page saying so. Pages of one
//! kind of site answer 404 on the other kind, before anything else: the staff console exists
//! only on the portal, the member spaces only on country sites.
//!
//! - `RequireMember`: any signed-in member of the tenant, email verified or not (the
//!   account pages must stay reachable to confirm an address or fix a typo in it; what
//!   needs a verified address checks `account().email_verified` itself).
//! - `RequireOrganisationMember`: admin or editor of at least one organisation of the tenant;
//!   `organisations` lists them with the role.
//! - `RequireOrganisationAdmin`: admin of at least one; `organisation_ids` lists those.
//! - `RequireFocalPoint`: focal point of at least one city; `city_ids` lists them.
//! - `RequireMissionWriter`: who writes missions (an organisation member, a focal point, a
//!   country operator); `permissions` says for which organisations and cities.
//! - `RequireCountryOperator`: country operator of the tenant; `Console` is the page context
//!   and this operator together, where the country console's handlers start.
//! - `RequireStaff`: platform staff (`users.is_staff`), signed in on the portal.

use crate::extract::CurrentTenant;
use crate::kit::Ctx;
use crate::session::CurrentUser;
use crate::{AppError, AppState};
use jsap_domain::roles::Permissions;
use jsap_store::{Account, Role};
use poem::{FromRequest, Request, RequestBody};
use std::sync::Arc;

/// Where a page exists.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Site {
    Any,
    Country,
    Portal,
}

/// The signed-in user on a site of the right kind, or the answer to give instead (404 on the
/// wrong kind of site, 303 to the log-in page when anonymous).
async fn signed_in_user(
    req: &Request,
    body: &mut RequestBody,
    site: Site,
) -> poem::Result<(CurrentUser, Arc<jsap_tenancy::Tenant>)> {
    let CurrentTenant(tenant) = CurrentTenant::from_request(req, body).await?;
    let wrong_site = match site {
        Site::Any => false,
        Site::Country => tenant.is_portal(),
        Site::Portal => !tenant.is_portal(),
    };
    if wrong_site {
        return Err(AppError::NotFound.into());
    }
    Ok((CurrentUser::from_request(req, body).await?, tenant))
}

/// The signed-in user and their memberships on this tenant (for the role extractors that
/// read them), or the answer to give instead, as `signed_in_user`.
async fn signed_in(
    req: &Request,
    body: &mut RequestBody,
    site: Site,
) -> poem::Result<(CurrentUser, Permissions)> {
    let (user, tenant) = signed_in_user(req, body, site).await?;
    let state = req
        .data::<Arc<AppState>>()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no application state")))?;
    // Read once per request: the session middleware has them for a page.
    let permissions = crate::session::permissions(req, state, &tenant, user.account())
        .await
        .map_err(AppError::from)?;
    Ok((user, permissions))
}

/// Any signed-in member of the tenant (verified or not).
#[derive(Clone, Debug)]
pub struct RequireMember {
    pub user: CurrentUser,
}

impl RequireMember {
    pub fn account(&self) -> &Account {
        self.user.account()
    }
}

impl<'a> FromRequest<'a> for RequireMember {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let (user, _) = signed_in_user(req, body, Site::Any).await?;
        Ok(Self { user })
    }
}

/// Admin or editor of at least one organisation of the (country) tenant.
#[derive(Clone, Debug)]
pub struct RequireOrganisationMember {
    pub user: CurrentUser,
    /// (organisation id, `OrganisationAdmin` or `OrganisationEditor`), admin first when both.
    pub organisations: Vec<(i64, Role)>,
}

impl<'a> FromRequest<'a> for RequireOrganisationMember {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let (user, permissions) = signed_in(req, body, Site::Country).await?;
        let organisations = permissions.organisations();
        if organisations.is_empty() {
            return Err(AppError::Forbidden.into());
        }
        Ok(Self {
            user,
            organisations,
        })
    }
}

/// Admin of at least one organisation of the (country) tenant.
#[derive(Clone, Debug)]
pub struct RequireOrganisationAdmin {
    pub user: CurrentUser,
    pub organisation_ids: Vec<i64>,
}

impl<'a> FromRequest<'a> for RequireOrganisationAdmin {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let (user, permissions) = signed_in(req, body, Site::Country).await?;
        let organisation_ids: Vec<i64> = permissions
            .organisations()
            .into_iter()
            .filter(|(_, role)| *role == Role::OrganisationAdmin)
            .map(|(id, _)| id)
            .collect();
        if organisation_ids.is_empty() {
            return Err(AppError::Forbidden.into());
        }
        Ok(Self {
            user,
            organisation_ids,
        })
    }
}

/// Focal point of at least one city of the (country) tenant.
#[derive(Clone, Debug)]
pub struct RequireFocalPoint {
    pub user: CurrentUser,
    pub city_ids: Vec<i64>,
}

impl RequireFocalPoint {
    /// The focal point these permissions make `user`, if any city.
    fn of(user: CurrentUser, permissions: &Permissions) -> Option<Self> {
        let city_ids = permissions.focal_cities();
        (!city_ids.is_empty()).then_some(Self { user, city_ids })
    }
}

impl<'a> FromRequest<'a> for RequireFocalPoint {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let (user, permissions) = signed_in(req, body, Site::Country).await?;
        Self::of(user, &permissions).ok_or_else(|| AppError::Forbidden.into())
    }
}

/// Who reviews organisations: a focal point (for their cities) or a country operator (for
/// every city).
#[derive(Clone, Debug)]
pub struct RequireReviewer {
    pub user: CurrentUser,
    /// The cities reviewed; `None` for a country operator (all of them).
    pub city_ids: Option<Vec<i64>>,
}

impl<'a> FromRequest<'a> for RequireReviewer {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let (user, permissions) = signed_in(req, body, Site::Country).await?;
        if permissions.is_operator() {
            return Ok(Self {
                user,
                city_ids: None,
            });
        }
        let focal = RequireFocalPoint::of(user, &permissions).ok_or(AppError::Forbidden)?;
        Ok(Self {
            user: focal.user,
            city_ids: Some(focal.city_ids),
        })
    }
}

/// Who writes missions: a member of an organisation, a focal point or a country operator.
#[derive(Clone, Debug)]
pub struct RequireMissionWriter {
    pub user: CurrentUser,
    pub permissions: Permissions,
}

impl RequireMissionWriter {
    /// Whether this account reviews missions somewhere (focal point or operator).
    pub fn reviews(&self) -> bool {
        self.permissions.is_operator() || !self.permissions.focal_cities().is_empty()
    }
}

impl<'a> FromRequest<'a> for RequireMissionWriter {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let (user, permissions) = signed_in(req, body, Site::Country).await?;
        if permissions.organisations().is_empty()
            && !permissions.is_operator()
            && permissions.focal_cities().is_empty()
        {
            return Err(AppError::Forbidden.into());
        }
        Ok(Self { user, permissions })
    }
}

/// Country operator of the (country) tenant.
#[derive(Clone, Debug)]
pub struct RequireCountryOperator {
    pub user: CurrentUser,
}

impl<'a> FromRequest<'a> for RequireCountryOperator {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let (user, permissions) = signed_in(req, body, Site::Country).await?;
        if !permissions.is_operator() {
            return Err(AppError::Forbidden.into());
        }
        Ok(Self { user })
    }
}

/// Where every country console handler starts: the page context, then the country operator
/// (checked in that order, as when the handler took them one by one).
pub(crate) struct Console(pub(crate) Ctx, pub(crate) RequireCountryOperator);

impl<'a> FromRequest<'a> for Console {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let ctx = Ctx::from_request(req, body).await?;
        let operator = RequireCountryOperator::from_request(req, body).await?;
        Ok(Self(ctx, operator))
    }
}

/// A row a country console's path names (by `:id` or `:slug`), read on the request's tenant.
pub(crate) trait PathRow: Sized {
    /// The row, or `AppError::NotFound` when the tenant has none of that address.
    fn read(
        ctx: &Ctx,
        req: &Request,
    ) -> impl std::future::Future<Output = Result<Self, AppError>> + Send;
}

/// `Console` and the row of the path: the page context, the country operator, then the row
/// (checked in that order: log-in, role, then 404).
pub(crate) struct ConsoleRow<R> {
    pub(crate) ctx: Ctx,
    pub(crate) operator: RequireCountryOperator,
    pub(crate) row: R,
}

impl<'a, R: PathRow + Send> FromRequest<'a> for ConsoleRow<R> {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let Console(ctx, operator) = Console::from_request(req, body).await?;
        let row = R::read(&ctx, req).await?;
        Ok(Self { ctx, operator, row })
    }
}

impl<R> ConsoleRow<R> {
    pub(crate) fn account(&self) -> &Account {
        self.operator.user.account()
    }
}

/// Platform staff, signed in on the portal.
#[derive(Clone, Debug)]
pub struct RequireStaff {
    pub user: CurrentUser,
}

impl<'a> FromRequest<'a> for RequireStaff {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let (user, _) = signed_in_user(req, body, Site::Portal).await?;
        if !user.account().is_staff {
            return Err(AppError::Forbidden.into());
        }
        Ok(Self { user })
    }
}
