//! Every email the platform sends, one type each. An email's own fields go into its template
//! under their names; `fill` adds what depends on the recipient's language (links, labels,
//! dates). The common part is [`super::Mailer::send`]'s; the template folder of each is
//! `emails/<template>/` in the theme chain.

use super::{Email, Site};
use chrono::{DateTime, Utc};
use jsap_store::{Grant, InvitationRecord, RequestRecord};
use serde::Serialize;

/// Someone signed up with an address that already has an account.
#[derive(Serialize)]
pub struct AccountExists {}

impl Email for AccountExists {
    fn template(&self) -> &'static str {
        "account_exists"
    }
}

/// Confirm the address of a new account; `path` is the confirmation link's path (with the
/// `?next=` the member was on their way to).
#[derive(Serialize)]
pub struct AccountVerification {
    #[serde(skip)]
    pub path: String,
}

impl Email for AccountVerification {
    fn template(&self) -> &'static str {
        "account_verification"
    }
    fn fill(&self, site: &Site<'_>, ctx: &mut tera::Context) {
        ctx.insert("link", &site.url(&self.path));
    }
}

/// A link to choose a new password.
#[derive(Serialize)]
pub struct PasswordReset<'a> {
    #[serde(skip)]
    pub token: &'a str,
}

impl Email for PasswordReset<'_> {
    fn template(&self) -> &'static str {
        "password_reset"
    }
    fn fill(&self, site: &Site<'_>, ctx: &mut tera::Context) {
        let path = format!("/compte/reinitialiser/{}", self.token);
        ctx.insert("link", &site.url(&path));
    }
}

/// Confirm a new address for an account (sent to the new address).
#[derive(Serialize)]
pub struct EmailChange<'a> {
    #[serde(skip)]
    pub token: &'a str,
}

impl Email for EmailChange<'_> {
    fn template(&self) -> &'static str {
        "email_change"
    }
    fn fill(&self, site: &Site<'_>, ctx: &mut tera::Context) {
        let path = format!("/compte/verifier/{}", self.token);
        ctx.insert("link", &site.url(&path));
    }
}

/// An invitation to a role: what it grants, on what (the city of a focal point, the
/// organisation of an admin or editor), the link and the date it stops working.
#[derive(Serialize)]
pub struct Invitation<'a> {
    #[serde(skip)]
    pub invitation: &'a InvitationRecord,
    pub city_name: &'a str,
    pub organisation_name: &'a str,
    #[serde(skip)]
    pub token: &'a str,
}

impl<'a> Invitation<'a> {
    /// The invitation of `invitation` to `place` (what the role is held on), with its link.
    pub fn new(invitation: &'a InvitationRecord, place: &'a str, token: &'a str) -> Self {
        Self {
            invitation,
            city_name: place,
            organisation_name: place,
            token,
        }
    }
}

impl Email for Invitation<'_> {
    fn template(&self) -> &'static str {
        match self.invitation.grant {
            Grant::FocalPoint { .. } => "focal_point_invitation",
            Grant::CountryOperator => "country_operator_invitation",
            Grant::OrganisationAdmin { .. } | Grant::OrganisationEditor { .. } => {
                "organisation_invitation"
            }
        }
    }
    fn fill(&self, site: &Site<'_>, ctx: &mut tera::Context) {
        let role = self.invitation.grant.role().as_str();
        ctx.insert("role_label", &site.t(&format!("roles.{role}")));
        ctx.insert("country_name", site.tenant.country_name.get(site.locale));
        ctx.insert("link", &site.url(&format!("/invitation/{}", self.token)));
        ctx.insert("expires_on", &site.date(self.invitation.expires_at));
    }
}

/// A new organisation waits for its verification (to its reviewers).
#[derive(Serialize)]
pub struct OrganisationPending<'a> {
    pub organisation_name: &'a str,
    pub member_name: &'a str,
    pub city_name: &'a str,
    #[serde(skip)]
    pub kind: &'a str,
}

impl Email for OrganisationPending<'_> {
    fn template(&self) -> &'static str {
        "organisation_pending"
    }
    fn fill(&self, site: &Site<'_>, ctx: &mut tera::Context) {
        ctx.insert("link", &site.url("/espace/organisations/verification"));
        ctx.insert("kind_label", &site.t(&format!("org_kind.{}", self.kind)));
    }
}

/// An organisation was verified or refused (to its admins), with the reviewer's reason.
#[derive(Serialize)]
pub struct OrganisationReviewed<'a> {
    pub organisation_name: &'a str,
    #[serde(skip)]
    pub status: &'a str,
    pub reason: &'a str,
}

impl Email for OrganisationReviewed<'_> {
    fn template(&self) -> &'static str {
        "organisation_reviewed"
    }
    fn fill(&self, site: &Site<'_>, ctx: &mut tera::Context) {
        ctx.insert("link", &site.url("/espace/organisation"));
        let status = format!("org.status_{}", self.status);
        ctx.insert("status_label", &site.t(&status));
    }
}

/// A mission waits for review (to its reviewers).
#[derive(Serialize)]
pub struct MissionSubmitted<'a> {
    pub organisation_name: &'a str,
    pub mission_title: &'a str,
    pub city_name: &'a str,
}

impl Email for MissionSubmitted<'_> {
    fn template(&self) -> &'static str {
        "mission_submitted"
    }
    fn fill(&self, site: &Site<'_>, ctx: &mut tera::Context) {
        ctx.insert("link", &site.url("/espace/missions/verification"));
    }
}

/// A reviewer decided on a mission (to its organisation's members).
#[derive(Serialize)]
pub struct MissionReviewed<'a> {
    pub organisation_name: &'a str,
    #[serde(skip)]
    pub mission_id: i64,
    pub mission_title: &'a str,
    #[serde(skip)]
    pub decision: &'a str,
    pub comment: &'a str,
}

impl Email for MissionReviewed<'_> {
    fn template(&self) -> &'static str {
        "mission_reviewed"
    }
    fn fill(&self, site: &Site<'_>, ctx: &mut tera::Context) {
        let path = format!("/espace/missions/{}", self.mission_id);
        ctx.insert("link", &site.url(&path));
        let decision = format!("editor.decided_{}", self.decision);
        ctx.insert("decision_label", &site.t(&decision));
    }
}

/// The common part of a request's emails: its title, its page, the promised delay and the
/// date it falls on.
fn request_part(site: &Site<'_>, request: &RequestRecord, ctx: &mut tera::Context) {
    ctx.insert("title", &request.sent.title);
    ctx.insert("link", &site.url(&format!("/demandes/{}", request.id)));
    ctx.insert("delay_days", &site.tenant.response_delay_days);
    ctx.insert("due_on", &site.date(request.due_at));
}

/// What a request email says: the request, and which email about it.
#[derive(Serialize)]
pub struct RequestEmail<'a, K: Serialize> {
    #[serde(skip)]
    pub request: &'a RequestRecord,
    pub city_name: &'a str,
    #[serde(flatten)]
    pub about: K,
}

/// A new request (to the handling side).
#[derive(Serialize)]
pub struct New<'a> {
    pub member_name: &'a str,
    pub kind: &'a str,
}

/// The member's copy of the request they sent.
#[derive(Serialize)]
pub struct Receipt;

/// A message in a conversation (to the other side), with its first 500 characters.
#[derive(Serialize)]
pub struct Message<'a> {
    pub author_name: &'a str,
    pub excerpt: &'a str,
}

/// A request changed state (to the other side).
#[derive(Serialize)]
pub struct StateChange<'a> {
    pub author_name: &'a str,
    #[serde(skip)]
    pub state: &'a str,
}

/// The promised delay runs out (a reminder to the handling side) or ran out (an escalation to
/// the country operators).
#[derive(Serialize)]
pub struct Nudge {
    #[serde(skip)]
    pub escalation: bool,
}

/// How did it go: the satisfaction survey (to the member).
#[derive(Serialize)]
pub struct Survey<'a> {
    #[serde(skip)]
    pub token: &'a str,
}

/// What one kind of request email adds to the common part.
pub trait RequestAbout: Serialize {
    fn template(&self) -> &'static str;
    fn fill(&self, _site: &Site<'_>, _ctx: &mut tera::Context) {}
}

impl<K: RequestAbout> Email for RequestEmail<'_, K> {
    fn template(&self) -> &'static str {
        self.about.template()
    }
    fn fill(&self, site: &Site<'_>, ctx: &mut tera::Context) {
        request_part(site, self.request, ctx);
        self.about.fill(site, ctx);
    }
}

impl RequestAbout for New<'_> {
    fn template(&self) -> &'static str {
        "request_new"
    }
}

impl RequestAbout for Receipt {
    fn template(&self) -> &'static str {
        "request_receipt"
    }
}

impl RequestAbout for Message<'_> {
    fn template(&self) -> &'static str {
        "request_message"
    }
}

impl RequestAbout for StateChange<'_> {
    fn template(&self) -> &'static str {
        "request_state"
    }
    fn fill(&self, site: &Site<'_>, ctx: &mut tera::Context) {
        let state = format!("request.state_{}", self.state);
        ctx.insert("state_label", &site.t(&state));
    }
}

impl RequestAbout for Nudge {
    fn template(&self) -> &'static str {
        if self.escalation {
            "request_escalation"
        } else {
            "request_reminder"
        }
    }
}

impl RequestAbout for Survey<'_> {
    fn template(&self) -> &'static str {
        "request_survey"
    }
    fn fill(&self, site: &Site<'_>, ctx: &mut tera::Context) {
        let path = format!("/enquete/{}", self.token);
        ctx.insert("survey_link", &site.url(&path));
    }
}

/// One line of a focal point's to-do: what it is, in which city, where to act on it (a path
/// after the locale) and, for a request, when its answer is due.
#[derive(Debug, Clone)]
pub struct ToDoLine {
    pub path: String,
    pub title: String,
    pub city: String,
    pub due_at: Option<DateTime<Utc>>,
}

/// A focal point's weekday to-do (sent only when `count` is not zero).
#[derive(Serialize)]
pub struct ToDo {
    pub count: u64,
    #[serde(skip)]
    pub missions: Vec<ToDoLine>,
    pub missions_total: u64,
    #[serde(skip)]
    pub organisations: Vec<ToDoLine>,
    #[serde(skip)]
    pub requests: Vec<ToDoLine>,
}

#[derive(Serialize)]
struct ToDoItem {
    link: String,
    title: String,
    city: String,
    due_on: Option<String>,
}

impl Email for ToDo {
    fn template(&self) -> &'static str {
        "focal_point_todo"
    }
    fn fill(&self, site: &Site<'_>, ctx: &mut tera::Context) {
        let items = |lines: &[ToDoLine]| -> Vec<ToDoItem> {
            lines
                .iter()
                .map(|l| ToDoItem {
                    link: site.url(&l.path),
                    title: l.title.clone(),
                    city: l.city.clone(),
                    due_on: l.due_at.map(|at| site.date(at)),
                })
                .collect()
        };
        ctx.insert("missions", &items(&self.missions));
        ctx.insert("organisations", &items(&self.organisations));
        ctx.insert("requests", &items(&self.requests));
        ctx.insert("link", &site.url("/espace/ville"));
        ctx.insert("review_link", &site.url("/espace/missions/verification"));
    }
}

/// An operator blocked the account on this site (to the account).
#[derive(Serialize)]
pub struct AccountBlocked<'a> {
    pub reason: &'a str,
}

impl Email for AccountBlocked<'_> {
    fn template(&self) -> &'static str {
        "account_blocked"
    }
}

/// A mission the member saved closed: filled, cancelled or ended (to each member who saved
/// it, in the language they saved it in).
#[derive(Serialize)]
pub struct SavedMissionClosed<'a> {
    pub mission_title: &'a str,
    /// `filled`, `cancelled` or `expired`.
    #[serde(skip)]
    pub reason: &'a str,
}

impl Email for SavedMissionClosed<'_> {
    fn template(&self) -> &'static str {
        "favourite_closed"
    }
    fn fill(&self, site: &Site<'_>, ctx: &mut tera::Context) {
        ctx.insert(
            "reason_label",
            &site.t(&format!("favourites.closed_{}", self.reason)),
        );
        ctx.insert("link", &site.url("/compte/favoris"));
        ctx.insert("search_link", &site.url("/missions"));
    }
}

/// The account was deleted, by its member or after its inactivity warning (to the address
/// it had; the last email it gets).
#[derive(Serialize)]
pub struct AccountDeleted {
    /// Deleted for inactivity rather than at the member's request.
    pub inactivity: bool,
}

impl Email for AccountDeleted {
    fn template(&self) -> &'static str {
        "account_deleted"
    }
    fn fill(&self, site: &Site<'_>, ctx: &mut tera::Context) {
        ctx.insert("signup_link", &site.url("/compte/inscription"));
    }
}

/// Nobody signed in to the account for two years: it will be deleted after `deleted_after`
/// unless its member signs in.
#[derive(Serialize)]
pub struct AccountInactive {
    #[serde(skip)]
    pub last_seen: DateTime<Utc>,
    #[serde(skip)]
    pub deleted_after: DateTime<Utc>,
}

impl Email for AccountInactive {
    fn template(&self) -> &'static str {
        "account_inactive"
    }
    fn fill(&self, site: &Site<'_>, ctx: &mut tera::Context) {
        ctx.insert("last_seen", &site.date(self.last_seen));
        ctx.insert("deleted_after", &site.date(self.deleted_after));
        ctx.insert("deletion_link", &site.url("/compte/suppression"));
    }
}

/// One mission of the weekly selection.
#[derive(Serialize)]
pub struct SelectedMission {
    pub title: String,
    /// Its page on the site's canonical domain.
    pub link: String,
    /// Why it fits, in the email's language.
    pub reasons: Vec<String>,
}

/// The weekly selection of missions for a member who asked for it (in the language they
/// chose it in).
#[derive(Serialize)]
pub struct MissionsOfTheWeek {
    pub missions: Vec<SelectedMission>,
}

impl Email for MissionsOfTheWeek {
    fn template(&self) -> &'static str {
        "missions_weekly"
    }
    fn fill(&self, site: &Site<'_>, ctx: &mut tera::Context) {
        ctx.insert("count", &self.missions.len());
        ctx.insert("link", &site.url("/compte"));
        ctx.insert("search_link", &site.url("/missions"));
        ctx.insert("stop_link", &site.url("/compte/emails"));
    }
}

/// A focal point proposes a mission to a member who let focal points find them.
#[derive(Serialize)]
pub struct MissionProposed<'a> {
    pub mission_title: &'a str,
    /// The mission's page, without the language (`/missions/12-slug`).
    #[serde(skip)]
    pub path: String,
    pub by_name: &'a str,
}

impl Email for MissionProposed<'_> {
    fn template(&self) -> &'static str {
        "mission_proposed"
    }
    fn fill(&self, site: &Site<'_>, ctx: &mut tera::Context) {
        ctx.insert("mission_link", &site.url(&self.path));
        ctx.insert("stop_link", &site.url("/compte/profil"));
    }
}
