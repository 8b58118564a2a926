//! sea-orm entities, one per table, mirroring `migrations/`. Written in the shape sea-orm-cli
//! generates and never given behaviour: behaviour lives in the repositories. They are private
//! to this crate so no other crate can build a query that forgets its tenant.

pub(crate) mod access_token;
pub(crate) mod account_token;
pub(crate) mod audit_entry;
pub(crate) mod city;
pub(crate) mod consent;
pub(crate) mod digest_send;
pub(crate) mod email_outbox;
pub(crate) mod favourite;
pub(crate) mod invitation;
pub(crate) mod membership;
pub(crate) mod mission;
pub(crate) mod mission_contribution;
pub(crate) mod mission_history;
pub(crate) mod mission_photo;
pub(crate) mod mission_proposal;
pub(crate) mod mission_text;
pub(crate) mod mission_translation;
pub(crate) mod news_post;
pub(crate) mod organisation;
pub(crate) mod page_version;
pub(crate) mod profile;
pub(crate) mod report;
pub(crate) mod request;
pub(crate) mod request_message;
pub(crate) mod request_read;
pub(crate) mod session;
pub(crate) mod stay;
pub(crate) mod stay_city;
pub(crate) mod survey;
pub(crate) mod tenant;
pub(crate) mod user;

/// A table whose rows belong to one tenant (`tenant_id`): the only entities a repository may
/// query, through `Scope::all`, `Scope::update` and `Scope::delete`, which add the tenant.
pub(crate) trait TenantOwned: sea_orm::EntityTrait {
    fn tenant_column() -> Self::Column;
}

macro_rules! tenant_owned {
    ($($module:ident),* $(,)?) => {
        $(impl TenantOwned for $module::Entity {
            fn tenant_column() -> Self::Column {
                $module::Column::TenantId
            }
        })*
    };
}

tenant_owned!(
    access_token,
    account_token,
    audit_entry,
    city,
    consent,
    digest_send,
    email_outbox,
    favourite,
    invitation,
    membership,
    mission,
    mission_contribution,
    mission_history,
    mission_photo,
    mission_proposal,
    mission_text,
    mission_translation,
    news_post,
    organisation,
    page_version,
    profile,
    report,
    request,
    request_message,
    request_read,
    session,
    stay,
    stay_city,
    survey,
    user,
);
