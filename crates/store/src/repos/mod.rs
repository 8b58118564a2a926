pub(crate) mod accounts;
pub(crate) mod catalogue;
pub(crate) mod cities;
pub(crate) mod invitations;
pub(crate) mod missions;
pub(crate) mod organisations;
pub(crate) mod outbox;
pub(crate) mod photos;
pub(crate) mod profiles;
pub(crate) mod requests;
pub(crate) mod search;
pub(crate) mod sync;
pub(crate) mod users;

use jsap_tenancy::Tenant;

/// The tenant a repository is bound to. Built only from a `Tenant`, so each repository
/// carries a tenant from birth.
#[derive(Debug, Clone)]
pub(crate) struct Scope(String);

impl Scope {
    pub(crate) fn of(tenant: &Tenant) -> Self {
        Self(tenant.code.as_str().to_owned())
    }

    pub(crate) fn id(&self) -> &str {
        &self.0
    }
}
