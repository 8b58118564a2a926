//! The invitation page of a focal point or a country operator, and accepting it.

use super::*;

pub(super) struct InvitationView {
    /// The sentence that says what the invitation is for.
    intro: String,
    title: String,
    name: String,
    email: String,
}

/// The invitation of a token on this tenant, as its page shows it: 404 when unknown here,
/// 410 when expired or already accepted.
pub(super) async fn invitation(
    state: &AppState,
    tenant: &Tenant,
    locale: Locale,
    token: &str,
) -> Result<InvitationView, AppError> {
    let t = |key: &str| translate(locale.as_str(), key);
    let found = match invitations::find(&state.store, tenant, token, chrono::Utc::now()).await? {
        Invitation::Unknown => return Err(AppError::NotFound),
        Invitation::Gone => return Err(AppError::Gone),
        Invitation::Usable(found) => found,
    };
    let (intro, title) = match found.grant {
        Grant::FocalPoint { city_id } => {
            let city = Cities::for_tenant(state.store.conn(), tenant)
                .by_id(city_id)
                .await?
                .map_or_else(String::new, |c| c.name_in(locale).to_owned());
            (
                t("account.invitation_intro")
                    .replace("%{name}", &found.name)
                    .replace("%{city}", &city),
                t("account.invitation_title"),
            )
        }
        Grant::CountryOperator => (
            t("roles.operator_invitation_intro")
                .replace("%{name}", &found.name)
                .replace("%{country}", tenant.country_name.get(locale)),
            t("roles.operator_invitation_title"),
        ),
        Grant::OrganisationAdmin { organisation_id }
        | Grant::OrganisationEditor { organisation_id } => {
            let organisation = jsap_store::Organisations::for_tenant(state.store.conn(), tenant)
                .by_id(organisation_id)
                .await?
                .map(|o| o.profile.name)
                .unwrap_or_default();
            (
                t("org.invitation_intro")
                    .replace("%{name}", &found.name)
                    .replace("%{organisation}", &organisation)
                    .replace(
                        "%{role}",
                        &t(&format!("roles.{}", found.grant.role().as_str())),
                    ),
                t("org.invitation_title"),
            )
        }
    };
    Ok(InvitationView {
        intro,
        title,
        name: found.name,
        email: found.email,
    })
}

pub(super) fn invitation_page(
    ctx: &Ctx,
    req: &Request,
    token: &str,
    view: &InvitationView,
    form: &FormView,
    status: StatusCode,
) -> Result<Response, AppError> {
    ctx.page(req, "/compte", "account/invitation.html", status, |c| {
        c.insert("token", token);
        c.insert("intro", &view.intro);
        c.insert("invitation_title", &view.title);
        c.insert("invitee_name", &view.name);
        c.insert("invitee_email", &view.email);
        c.insert("form", form);
    })
}

#[handler]
pub async fn invitation_form(
    req: &Request,
    ctx: Ctx,
    Path((_, token)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let view = invitation(state, tenant, ctx.locale, &token).await?;
    let form = FormView {
        values: BTreeMap::from([("display_name", view.name.clone())]),
        errors: Errors::new(),
    };
    invitation_page(&ctx, req, &token, &view, &form, StatusCode::OK)
}

#[handler]
pub async fn accept_invitation(
    req: &Request,
    ctx: Ctx,
    Path((_, token)): Path<(String, String)>,
    OptionalUser(current): OptionalUser,
    Checked(form): Checked<AccountForm>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let view = invitation(state, tenant, ctx.locale, &token).await?;
    let mut errors = Errors::new();
    let name = check_name(&ctx, &form.display_name, &mut errors);
    check_new_password(&ctx, &form, &[&view.email, &form.display_name], &mut errors).await?;
    check_terms(&ctx, &form, &mut errors);
    if !errors.is_empty() {
        let view_form = FormView {
            values: BTreeMap::from([
                ("display_name", form.display_name.trim().to_owned()),
                ("terms", form.terms.is_some().to_string()),
            ]),
            errors,
        };
        return invitation_page(
            &ctx,
            req,
            &token,
            &view,
            &view_form,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let hash = hash_password(form.password.clone()).await?;
    let Some(account) = invitations::accept(
        &state.store,
        tenant,
        &token,
        &name,
        &hash,
        chrono::Utc::now(),
    )
    .await?
    else {
        return Err(AppError::Gone);
    };
    if let Some(old) = current {
        session::close(state, tenant, &old.id).await?;
    }
    let id = session::open(state, tenant, &account).await?;
    let cookie = set_cookie(req, SESSION_COOKIE, &id, session::session_ttl());
    with_cookie(see_other(format!("/{}/compte", ctx.locale)), &cookie)
}
