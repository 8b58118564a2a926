use jsap_domain::Locale;
use jsap_tenancy::Tenant;
use poem::{FromRequest, Request, RequestBody};
use std::sync::Arc;

/// The tenant the host resolved to. Every tenant page takes it; it cannot be missing because
/// the middleware refuses unknown hosts before routing.
#[derive(Clone, Debug)]
pub struct CurrentTenant(pub Arc<Tenant>);

impl<'a> FromRequest<'a> for CurrentTenant {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        req.extensions()
            .get::<CurrentTenant>()
            .cloned()
            .ok_or_else(|| crate::AppError::NotFound.into())
    }
}

/// The locale of a `/{locale}/...` URL, limited to the tenant's locales: anything else is a 404.
pub fn page_locale(tenant: &Tenant, raw: &str) -> Result<Locale, crate::AppError> {
    raw.parse::<Locale>()
        .ok()
        .filter(|l| tenant.offers(*l))
        .ok_or(crate::AppError::NotFound)
}

/// The request id given by the middleware (also echoed in `X-Request-Id`).
#[derive(Clone, Debug)]
pub struct RequestId(pub String);
