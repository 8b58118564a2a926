//! The organisation space (`/{locale}/espace/organisation`): the organisations a member
//! manages, where each stands in its review, and, for its admins, its members: invite an
//! editor or another admin by email, remove one; anyone may leave, but never the last admin.

use crate::AppError;
use crate::kit::PathId;
use crate::kit::{Checked, Ctx, Errors, FormView, field_error, see_other};
use crate::roles::RequireOrganisationMember;
use crate::routes::accounts::{check_email, check_name};
use jsap_adapters::images::ImageError;
use jsap_app::organisations::{self, LogoRefusal, MemberRefusal};
use jsap_domain::{AccountId, OrganisationId};
use jsap_store::{Accounts, Invitations, OrganisationMembers, Organisations, Role};
use poem::http::StatusCode;
use poem::web::{Path, Query};
use poem::{Request, Response, handler};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize)]
struct MemberRow {
    id: i64,
    name: String,
    email: String,
    role: String,
    me: bool,
}

#[derive(Serialize)]
struct OrganisationRow {
    id: i64,
    name: String,
    slug: String,
    role: String,
    admin: bool,
    status: &'static str,
    status_label: String,
    /// Why it was refused or suspended.
    reason: String,
    /// Its public page exists (verified).
    public: bool,
    members: Vec<MemberRow>,
    /// Invitations sent and not accepted yet: (name, email, role).
    invited: Vec<[String; 3]>,
    /// The invitation form as shown back (its errors, after a failed attempt).
    form: FormView,
    /// The logo's URL path, when it has one.
    logo: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SpaceParams {
    done: Option<String>,
}

async fn space_page(
    ctx: &Ctx,
    req: &Request,
    member: &RequireOrganisationMember,
    status: StatusCode,
    notice: Option<String>,
    failure: Option<(i64, FormView)>,
) -> Result<Response, AppError> {
    let conn = ctx.state.store.conn();
    let all = Organisations::for_tenant(conn, &ctx.tenant).list().await?;
    let members = OrganisationMembers::for_tenant(conn, &ctx.tenant);
    let invitations = Invitations::for_tenant(conn, &ctx.tenant).list().await?;
    let me = member.user.account().id;
    let role_label = |role: Role| ctx.t(&format!("roles.{}", role.as_str()));
    let mut failure = failure;
    let mut rows = Vec::new();
    for (id, role) in &member.organisations {
        let Some(o) = all.iter().find(|o| o.id == *id) else {
            continue;
        };
        let admin = *role == Role::OrganisationAdmin;
        let people = members.list(o.id).await?;
        rows.push(OrganisationRow {
            id: o.id,
            name: o.profile.name.clone(),
            slug: o.slug.clone(),
            role: role_label(*role),
            admin,
            status: o.status.as_str(),
            status_label: ctx.t(&format!("org.status_{}", o.status.as_str())),
            reason: o.status_reason.clone(),
            public: o.is_public(),
            logo: (!o.logo_key.is_empty()).then(|| crate::routes::media::photo_path(&o.logo_key)),
            form: match failure.take() {
                Some((failed, form)) if failed == o.id => form,
                other => {
                    failure = other;
                    FormView::default()
                }
            },
            invited: invitations
                .iter()
                .filter(|i| i.accepted_at.is_none() && i.grant.organisation_id() == Some(o.id))
                .filter(|i| !people.iter().any(|(a, _)| a.email == i.email))
                .map(|i| [i.name.clone(), i.email.clone(), role_label(i.grant.role())])
                .collect(),
            members: people
                .into_iter()
                .map(|(a, r)| MemberRow {
                    me: a.id == me,
                    id: a.id,
                    name: a.display_name,
                    email: a.email,
                    role: role_label(r),
                })
                .collect(),
        });
    }
    ctx.page(
        req,
        "/espace/organisation",
        "spaces/organisation.html",
        status,
        |c| {
            c.insert("organisations", &rows);
            c.insert("notice", &notice);
        },
    )
}

/// The space again, with `view`'s errors next to the form of organisation `id`.
async fn refuse_with(
    ctx: &Ctx,
    req: &Request,
    member: &RequireOrganisationMember,
    status: StatusCode,
    id: i64,
    view: FormView,
) -> Result<Response, AppError> {
    space_page(ctx, req, member, status, None, Some((id, view))).await
}

#[handler]
pub async fn organisation_space(
    req: &Request,
    ctx: Ctx,
    member: RequireOrganisationMember,
    Query(params): Query<SpaceParams>,
) -> Result<Response, AppError> {
    let notice = crate::kit::notice(&ctx, params.done.as_deref(), &NOTICES);
    space_page(&ctx, req, &member, StatusCode::OK, notice, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteMemberForm {
    display_name: String,
    email: String,
    role: String,
}

fn back(ctx: &Ctx, done: &str) -> Response {
    see_other(format!("/{}/espace/organisation?done={done}", ctx.locale))
}

/// `POST /{locale}/espace/organisation/{id}/membres`: an admin invites an editor or an admin.
#[handler]
pub async fn invite_member(
    req: &Request,
    ctx: Ctx,
    PathId(id): PathId<OrganisationId>,
    member: RequireOrganisationMember,
    Checked(form): Checked<InviteMemberForm>,
) -> Result<Response, AppError> {
    let mut errors = Errors::new();
    let name = check_name(&ctx, &form.display_name, &mut errors);
    let email = check_email(&ctx, &form.email, "email", &mut errors);
    // The messages speak of the person invited, not of the one filling the form.
    if form.display_name.trim().is_empty() {
        errors.insert("display_name", ctx.t("org.err_invitee_name"));
    }
    if form.email.trim().is_empty() {
        errors.insert("email", ctx.t("org.err_invitee_email"));
    }
    let as_admin = match form.role.as_str() {
        "admin" => true,
        "editor" => false,
        _ => {
            errors.insert(
                "role",
                field_error(&ctx, "form.err_choice", "org.role_legend"),
            );
            false
        }
    };
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        let view = FormView {
            values: BTreeMap::from([
                ("display_name", form.display_name.trim().to_owned()),
                ("email", form.email.trim().to_owned()),
                ("role", form.role.clone()),
            ]),
            errors,
        };
        return refuse_with(
            &ctx,
            req,
            &member,
            StatusCode::UNPROCESSABLE_ENTITY,
            id.get(),
            view,
        )
        .await;
    };
    let account = member.user.account();
    match organisations::invite_member(&ctx.scope(), account, id, as_admin, &name, &email).await? {
        Ok(_) => Ok(back(&ctx, "invited")),
        Err(MemberRefusal::NotFound | MemberRefusal::NotAdmin) => Err(AppError::NotFound),
        Err(MemberRefusal::LastAdmin) => Ok(back(&ctx, "last_admin")),
    }
}

/// `POST /{locale}/espace/organisation/{id}/membres/{user}/retirer`: an admin removes a member,
/// or a member removes themselves (leaves).
#[handler]
pub async fn remove_member(
    req: &Request,
    ctx: Ctx,
    Path((_, id, user)): Path<(String, String, String)>,
    member: RequireOrganisationMember,
    Checked(_): Checked<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id: OrganisationId = id.parse().map_err(|_| AppError::NotFound)?;
    let user: AccountId = user.parse().map_err(|_| AppError::NotFound)?;
    let account = member.user.account();
    match organisations::remove_member(&ctx.scope(), account, id, user).await? {
        Ok(()) if user.get() == account.id => {
            // Leaving changed this member's rights, which ended their sessions: this one goes
            // on with a fresh id, on the account page.
            let fresh = Accounts::for_tenant(ctx.state.store.conn(), &ctx.tenant)
                .find(account.id)
                .await?
                .ok_or(AppError::NotFound)?;
            let next = see_other(format!("/{}/compte?done=left", ctx.locale));
            ctx.renew_session(req, &member.user.0, &fresh, next).await
        }
        Ok(()) => Ok(back(&ctx, "removed")),
        Err(MemberRefusal::LastAdmin) => Ok(back(&ctx, "last_admin")),
        Err(MemberRefusal::NotFound | MemberRefusal::NotAdmin) => Err(AppError::NotFound),
    }
}

/// `POST /{locale}/espace/organisation/{id}/logo` (multipart: `csrf`, `logo`): an admin sets the
/// organisation's logo. A file that is not a JPEG, PNG or WebP image, or is over 10 MB, is
/// refused with a message next to the form; nothing is stored then.
#[handler]
pub async fn upload_logo(
    req: &Request,
    ctx: Ctx,
    PathId(id): PathId<OrganisationId>,
    member: RequireOrganisationMember,
    multipart: poem::web::Multipart,
) -> Result<Response, AppError> {
    let Some(upload) = ctx.upload(req, multipart, "logo").await? else {
        return ctx.forbidden(req);
    };
    let account = member.user.account();
    let (status, key) = match upload.file.filter(|b| !b.is_empty()) {
        None => (StatusCode::UNPROCESSABLE_ENTITY, "org.err_logo_missing"),
        Some(bytes) => {
            match organisations::set_logo(&ctx.scope(), &ctx.state.blobs, account, id, bytes)
                .await?
            {
                Ok(_) => return Ok(back(&ctx, "logo")),
                Err(LogoRefusal::NotFound) => return Err(AppError::NotFound),
                Err(LogoRefusal::Image(ImageError::TooLarge)) => {
                    (StatusCode::PAYLOAD_TOO_LARGE, "org.err_logo_large")
                }
                Err(LogoRefusal::Image(_)) => {
                    (StatusCode::UNSUPPORTED_MEDIA_TYPE, "org.err_logo_type")
                }
            }
        }
    };
    let mut errors = Errors::new();
    errors.insert("logo", ctx.t(key));
    let view = FormView {
        values: BTreeMap::new(),
        errors,
    };
    refuse_with(&ctx, req, &member, status, id.get(), view).await
}

/// The confirmation of each `?done=` code.
const NOTICES: [(&str, &str); 5] = [
    ("registered", "org.registered"),
    ("invited", "org.done_invited"),
    ("removed", "org.done_removed"),
    ("last_admin", "org.err_last_admin"),
    ("logo", "org.done_logo"),
];
