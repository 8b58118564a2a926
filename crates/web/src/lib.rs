//! The web layer: one `app()` that resolves the tenant from the host, then routes.

/// Puts each named value into a page's template context under its own name:
/// `put!(c, rows, notice)` is `c.insert("rows", &rows); c.insert("notice", &notice);`.
macro_rules! put {
    ($c:expr, $($name:ident),+ $(,)?) => {
        $( $c.insert(stringify!($name), &$name); )+
    };
}

mod charts;
mod compress;
mod error;
mod export_formats;
mod extract;
mod kit;
pub mod metrics;
mod middleware;
mod params;
mod render;
mod roles;
mod routes;
mod security;
mod session;
mod views;

pub use error::AppError;
pub use extract::{CurrentTenant, RequestId};
pub use middleware::CONTENT_SECURITY_POLICY;
pub use roles::{
    RequireCountryOperator, RequireFocalPoint, RequireMember, RequireOrganisationAdmin,
    RequireOrganisationMember, RequireStaff,
};
pub use security::{RateLimits, SecretKeys};
pub use session::{CurrentUser, OptionalUser, Session};

use jsap_adapters::{BlobStore, Cache, Themes};
use jsap_store::Store;
use jsap_tenancy::TenantRegistry;
use poem::{Endpoint, EndpointExt, Route, get, post};
use std::sync::Arc;

/// Everything a request may need, shared by all requests.
pub struct AppState {
    pub registry: Arc<TenantRegistry>,
    pub store: Store,
    pub cache: Cache,
    /// Mission photos and other uploads.
    pub blobs: BlobStore,
    pub themes: Arc<Themes>,
    /// Trust `X-Forwarded-Host` (only behind a proxy that sets it).
    pub trust_forwarded_host: bool,
    /// Trusted proxies appending to `X-Forwarded-For` (0: use the socket peer).
    pub proxy_hops: usize,
    /// Whether Redis is configured: then `/readyz` checks it.
    pub redis_configured: bool,
    /// Rendered pages served for a short time without work (the home page).
    pub pages: compress::PageCache,
    /// Search pages rendered for anonymous visitors, by tenant, language, catalogue version,
    /// day and query string.
    pub search_pages: compress::PageMemo,
    /// Mission pages rendered for anonymous visitors, by tenant, language, catalogue version,
    /// day and address.
    pub mission_pages: compress::PageMemo,
    /// `SECRET_KEY`: signs CSRF tokens.
    pub secret_key: Arc<security::SecretKeys>,
    pub rate_limits: RateLimits,
    /// When each background job last ran: `/readyz` fails while one is stale.
    pub jobs: Arc<jsap_adapters::JobHealth>,
    /// True while the sites' catalogues load after start: `/readyz` fails meanwhile.
    pub warming: std::sync::atomic::AtomicBool,
    /// The assistant, built once at start-up: the LLM engine when `LLM_*` is configured, the
    /// offline engine as its fallback.
    pub assistant: Arc<jsap_assistant::Assistant>,
}

use routes::{accounts, country_cities, journal, profiles, requests, spaces, statistics};

/// Every route of the application, in one place.
pub fn app(state: Arc<AppState>) -> impl Endpoint {
    let api = routes::api::service();
    let spec = api.spec_endpoint();
    let docs = api.swagger_ui();
    let routes = Route::new()
        .nest(
            "/api",
            poem::IntoEndpoint::into_endpoint(api).catch_all_error(routes::api::json_error),
        )
        .at("/api/openapi.json", spec)
        .nest("/api/docs", docs.around(middleware::inline_hashes_policy))
        .at("/healthz", get(routes::ops::healthz))
        .at("/readyz", get(routes::ops::readyz))
        .at("/assets/:theme/:file", get(routes::assets::asset))
        .at("/media/*key", get(routes::media::photo))
        .at("/robots.txt", get(routes::seo::robots))
        .at("/sitemap.xml", get(routes::seo::sitemap))
        .at("/", get(routes::public::root))
        .at("/:locale", get(routes::public::locale_without_slash))
        .at("/:locale/", get(routes::public::home))
        .at("/:locale/missions", get(routes::pages::search_page))
        .at(
            "/:locale/missions/:id_slug",
            get(routes::pages::mission_page),
        )
        .at("/:locale/villes/:slug", get(routes::pages::city_page))
        .at("/:locale/actualites", get(routes::news::list))
        .at("/:locale/actualites/:slug", get(routes::news::post_page))
        .at("/:locale/pages/:slug", get(routes::site_pages::page))
        .at(
            "/:locale/missions/:id_slug/signaler",
            get(routes::reports::report_form).post(routes::reports::submit),
        )
        .at(
            "/:locale/missions/:id_slug/favori",
            get(routes::favourites::after_login).post(routes::favourites::toggle),
        )
        .at(
            "/:locale/organisations/:slug/signaler",
            get(routes::reports::report_form).post(routes::reports::submit),
        )
        .at(
            "/:locale/demandes/:id/messages/:message/signaler",
            get(routes::reports::report_form).post(routes::reports::submit),
        )
        .at(
            "/:locale/espace/pays/export/:file",
            get(routes::exports::download),
        )
        .at(
            "/:locale/espace/pays/moderation",
            get(routes::moderation_console::queue),
        )
        .at(
            "/:locale/espace/pays/moderation/:kind/:id",
            post(routes::moderation_console::decide),
        )
        .at(
            "/:locale/espace/pays/comptes/:id/bloquer",
            post(routes::moderation_console::block),
        )
        .at(
            "/:locale/espace/pays/comptes/:id/debloquer",
            post(routes::moderation_console::unblock),
        )
        .at(
            "/:locale/espace/organisation/:id/membres",
            post(routes::organisation_space::invite_member),
        )
        .at(
            "/:locale/espace/organisation/:id/logo",
            post(routes::organisation_space::upload_logo),
        )
        .at(
            "/:locale/espace/organisation/:id/membres/:user/retirer",
            post(routes::organisation_space::remove_member),
        )
        .at(
            "/:locale/organisations/nouvelle",
            get(routes::organisations::register_form).post(routes::organisations::register),
        )
        .at(
            "/:locale/espace/organisations/verification",
            get(routes::organisations::review_queue),
        )
        .at(
            "/:locale/espace/organisations/verification/lot",
            post(routes::bulk::decide).data(jsap_app::bulk::Queue::Organisations),
        )
        .at(
            "/:locale/espace/missions/verification/lot",
            post(routes::bulk::decide).data(jsap_app::bulk::Queue::Missions),
        )
        .at(
            "/:locale/espace/organisations/:id/verification",
            post(routes::organisations::review),
        )
        .at(
            "/:locale/espace/missions",
            get(routes::missions_space::list),
        )
        .at(
            "/:locale/espace/missions/nouvelle",
            get(routes::missions_space::new_form).post(routes::missions_space::create),
        )
        .at(
            "/:locale/espace/missions/nouvelle/depuis-un-message",
            post(routes::missions_space::draft_from_message),
        )
        .at(
            "/:locale/espace/missions/verification",
            get(routes::missions_review::queue),
        )
        .at(
            "/:locale/espace/missions/:id",
            get(routes::missions_space::edit_form).post(routes::missions_space::save),
        )
        .at(
            "/:locale/espace/missions/:id/apercu",
            get(routes::missions_space::preview),
        )
        .at(
            "/:locale/espace/missions/:id/membres",
            get(routes::missions_space::fitting_members),
        )
        .at(
            "/:locale/espace/missions/:id/membres/:user",
            post(routes::missions_space::propose_mission),
        )
        .at(
            "/:locale/espace/missions/:id/photos",
            post(routes::missions_space::upload_photo),
        )
        .at(
            "/:locale/espace/missions/:id/traductions/:lang",
            post(routes::missions_space::review_translation),
        )
        .at(
            "/:locale/espace/missions/:id/photos/:photo/:change",
            post(routes::missions_space::change_photo),
        )
        .at(
            "/:locale/espace/missions/:id/decision",
            post(routes::missions_review::decide),
        )
        .at(
            // soumettre, cloturer or dupliquer; any other segment is a 404.
            "/:locale/espace/missions/:id/:step",
            post(routes::missions_space::step),
        )
        .at(
            "/:locale/organisations/:slug",
            get(routes::pages::organisation_page),
        )
        .at("/:locale/compte", get(accounts::account_home))
        .at(
            "/:locale/compte/inscription",
            get(accounts::signup_form).post(accounts::signup),
        )
        .at(
            "/:locale/compte/connexion",
            get(accounts::login_form).post(accounts::login),
        )
        .at("/:locale/compte/deconnexion", post(accounts::logout))
        .at(
            "/:locale/compte/mot-de-passe-oublie",
            get(accounts::forgot_form).post(accounts::forgot),
        )
        .at(
            "/:locale/compte/reinitialiser/:token",
            get(accounts::reset_form).post(accounts::reset),
        )
        .at("/:locale/compte/verifier/:token", get(accounts::verify))
        .at("/:locale/compte/email", post(accounts::change_email))
        .at(
            "/:locale/compte/mot-de-passe",
            post(accounts::change_password),
        )
        .at(
            "/:locale/invitation/:token",
            get(accounts::invitation_form).post(accounts::accept_invitation),
        )
        .at(
            "/:locale/compte/profil",
            get(profiles::profile_form).post(profiles::save_profile),
        )
        .at(
            "/:locale/compte/jetons",
            get(routes::tokens::tokens_page).post(routes::tokens::create_token),
        )
        .at(
            "/:locale/compte/jetons/:id/revoquer",
            post(routes::tokens::revoke_token),
        )
        .at(
            "/:locale/compte/sejours",
            get(profiles::stays_page).post(profiles::add_stay),
        )
        .at("/:locale/compte/export", get(profiles::export))
        .at(
            "/:locale/compte/suppression",
            get(accounts::deletion_form).post(accounts::delete_account),
        )
        .at("/:locale/compte/favoris", get(routes::favourites::list))
        .at(
            "/:locale/compte/sejours/:id/supprimer",
            post(profiles::remove_stay),
        )
        .at(
            "/:locale/compte/emails",
            get(profiles::emails_form).post(profiles::save_emails),
        )
        // Role spaces (`roles.rs`): each handler names the role it needs.
        .at(
            "/:locale/espace/organisation",
            get(routes::organisation_space::organisation_space),
        )
        .at("/:locale/espace/ville", get(routes::workspace::city_space))
        .at("/:locale/espace/pays", get(spaces::country_space))
        .at("/:locale/espace/pays/inviter", post(spaces::country_invite))
        .at(
            "/:locale/espace/pays/villes/nouvelle",
            get(country_cities::new_city_form).post(country_cities::add_city),
        )
        .at(
            "/:locale/espace/pays/villes/:slug",
            get(routes::country_city::city_page).post(routes::country_city::save_city),
        )
        .at(
            "/:locale/espace/pays/villes/:slug/photo",
            post(routes::country_city::upload_photo),
        )
        .at(
            "/:locale/espace/pays/villes/:slug/points-focaux",
            post(routes::country_city::invite_focal_point),
        )
        .at(
            "/:locale/espace/pays/villes/:slug/points-focaux/retirer",
            post(routes::country_city::remove_focal_point),
        )
        .at(
            // retirer or remettre; any other segment is a 404.
            "/:locale/espace/pays/villes/:slug/:change",
            post(routes::country_city::retire_city),
        )
        .at(
            "/:locale/espace/pays/actualites",
            get(routes::news_console::list),
        )
        .at(
            "/:locale/espace/pays/actualites/nouvelle",
            get(routes::news_console::new_form).post(routes::news_console::create),
        )
        .at(
            "/:locale/espace/pays/actualites/:id",
            get(routes::news_console::edit_form).post(routes::news_console::save),
        )
        .at(
            "/:locale/espace/pays/actualites/:id/photo",
            post(routes::news_console::upload_photo),
        )
        .at(
            "/:locale/espace/pays/actualites/:id/supprimer",
            get(routes::news_console::confirm_delete).post(routes::news_console::delete),
        )
        .at(
            "/:locale/espace/pays/pages",
            get(routes::pages_console::list),
        )
        .at(
            "/:locale/espace/pays/pages/:slug/:page_locale",
            get(routes::pages_console::edit_form).post(routes::pages_console::save),
        )
        .at(
            "/:locale/espace/pays/pages/:slug/:page_locale/restaurer/:id",
            post(routes::pages_console::restore),
        )
        .at(
            "/:locale/espace/pays/pages/:slug/:page_locale/par-defaut",
            post(routes::pages_console::reset),
        )
        .at("/:locale/admin", get(spaces::admin_home))
        .at(
            "/:locale/admin/pays/:tenant/console",
            post(routes::staff_entry::open),
        )
        .at(
            "/:locale/espace/entree-staff",
            get(routes::staff_entry::enter),
        )
        .at("/:locale/admin/journal", get(journal::staff_journal))
        .at(
            "/:locale/admin/journal/export/:file",
            get(routes::exports::staff_journal),
        )
        .at(
            "/:locale/admin/comptes",
            get(routes::staff_accounts::accounts),
        )
        .at(
            // sessions, bloquer or debloquer; any other segment is a 404.
            "/:locale/admin/comptes/:tenant/:id/:action",
            post(routes::staff_accounts::act),
        )
        .at(
            "/:locale/espace/pays/journal",
            get(journal::country_journal),
        )
        .at(
            "/:locale/espace/pays/statistiques",
            get(statistics::country_statistics),
        )
        .at("/:locale/admin/inviter", post(spaces::admin_invite))
        .at(
            "/:locale/missions/:id_slug/repondre",
            get(requests::answer_form).post(requests::answer),
        )
        .at(
            // proposer (a project) or offrir (a profile); any other segment is a 404.
            "/:locale/villes/:slug/:form",
            get(requests::city_request_form).post(requests::city_request),
        )
        .at("/:locale/demandes/:id", get(requests::thread))
        .at(
            "/:locale/demandes/:id/messages",
            post(requests::post_message),
        )
        .at("/:locale/demandes/:id/etat", post(requests::change_state))
        .at("/:locale/compte/demandes", get(requests::member_inbox))
        .at(
            "/:locale/espace/organisation/demandes",
            get(requests::organisation_inbox),
        )
        .at("/:locale/espace/ville/demandes", get(requests::focal_inbox))
        .at(
            "/:locale/espace/pays/demandes",
            get(requests::country_inbox),
        )
        .at(
            "/:locale/enquete/:token",
            get(requests::survey_form).post(requests::survey_answer),
        );
    routes
        .around(compress::middleware)
        .around(session::sessions)
        .around(middleware::tenant_and_tracing)
        .data(state)
}
