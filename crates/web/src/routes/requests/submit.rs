//! Answering a mission, proposing a project to a city, offering a profile to a city: the three request forms.

use super::*;

pub(super) async fn published_mission(
    state: &AppState,
    tenant: &Tenant,
    locale: Locale,
    id_slug: &str,
) -> Result<(MissionDetail, CityRecord), AppError> {
    let id = crate::views::mission_id(id_slug)?;
    let conn = state.store.conn();
    let detail = Missions::for_tenant(conn, tenant)
        .published(id, locale.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let city = Cities::for_tenant(conn, tenant)
        .by_id(detail.mission.city_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((detail, city))
}

pub(super) fn mission_form_page(
    ctx: &Ctx,
    req: &Request,
    detail: &MissionDetail,
    id_slug: &str,
    form: &FormView,
    status: StatusCode,
) -> Result<Response, AppError> {
    let taxonomy = ctx.tenant.taxonomy();
    let label = |c: &String| Choice::from(contribution_label(&taxonomy, c, ctx.locale));
    let contributions: Vec<Choice> = detail
        .mission
        .terms
        .contribution_types
        .iter()
        .map(label)
        .collect();
    ctx.page(
        req,
        &format!("/missions/{id_slug}/repondre"),
        "requests/answer.html",
        status,
        |c| {
            c.insert("form", form);
            c.insert("mission_title", &detail.mission.title);
            c.insert(
                "mission_url",
                &mission_path(ctx.locale, detail.mission.id, &detail.mission.slug),
            );
            c.insert(
                "action",
                &format!("/{}/missions/{id_slug}/repondre", ctx.locale),
            );
            c.insert("contributions", &contributions);
            c.insert("window_from", &detail.mission.terms.starts_on.to_string());
            c.insert("window_to", &detail.mission.terms.ends_on.to_string());
            c.insert(
                "window",
                &ctx.t("request.window")
                    .replace(
                        "%{from}",
                        &format_date(detail.mission.terms.starts_on, ctx.locale),
                    )
                    .replace(
                        "%{to}",
                        &format_date(detail.mission.terms.ends_on, ctx.locale),
                    ),
            );
        },
    )
}

#[handler]
pub async fn answer_form(
    req: &Request,
    ctx: Ctx,
    Path((_, id_slug)): Path<(String, String)>,
    VerifiedMember(session): VerifiedMember,
) -> Result<Response, AppError> {
    let (detail, _) = published_mission(&ctx.state, &ctx.tenant, ctx.locale, &id_slug).await?;
    let (profile, stay) = member_plans(&ctx, session.account.id).await?;
    let mut form = FormView::default();
    // The member's next stay, within the mission's window, and the first way of helping they
    // said they offer that the mission asks for.
    if let Some(stay) = stay {
        let from = stay.starts_on.max(detail.mission.terms.starts_on);
        let to = stay.ends_on.min(detail.mission.terms.ends_on);
        if from <= to {
            form.values.insert("available_from", from.to_string());
            form.values.insert("available_to", to.to_string());
        }
    }
    if let Some(c) = profile
        .contributions
        .iter()
        .find(|c| detail.mission.terms.contribution_types.contains(c))
    {
        form.values.insert("contribution", c.clone());
    }
    mission_form_page(&ctx, req, &detail, &id_slug, &form, StatusCode::OK)
}

/// The member's profile and their stay under way or next, to fill request forms in.
async fn member_plans(
    ctx: &Ctx,
    account_id: i64,
) -> Result<(jsap_store::Profile, Option<jsap_store::Stay>), AppError> {
    let profiles = jsap_store::Profiles::for_tenant(ctx.state.store.conn(), &ctx.tenant);
    let profile = profiles.get(account_id).await?;
    let stay = profiles.next_stay(account_id, ctx.tenant.today()).await?;
    Ok((profile, stay))
}

#[handler]
pub async fn answer(
    req: &Request,
    ctx: Ctx,
    Path((_, id_slug)): Path<(String, String)>,
    VerifiedMember(session): VerifiedMember,
    Checked(form): Checked<RequestForm>,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let (detail, city) = published_mission(state, tenant, ctx.locale, &id_slug).await?;
    let mut errors = Errors::new();
    let body = check_text(
        &ctx,
        &mut errors,
        ("message", "request.message_label"),
        &form.message,
        BODY_MAX,
    );
    let contribution = form.contribution.trim().to_owned();
    if !detail
        .mission
        .terms
        .contribution_types
        .contains(&contribution)
    {
        errors.insert(
            "contribution",
            field_error(&ctx, "form.err_choice", "request.contribution_label"),
        );
    }
    let window = (detail.mission.terms.starts_on, detail.mission.terms.ends_on);
    let dates = check_dates(&ctx, &mut errors, &form, Some(window));
    let Some((from, to)) = dates.filter(|_| errors.is_empty()) else {
        let view = FormView {
            values: values(&form),
            errors,
        };
        return mission_form_page(
            &ctx,
            req,
            &detail,
            &id_slug,
            &view,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let new = NewRequest {
        kind: RequestKind::Mission,
        member_user_id: session.account.id,
        mission_id: Some(detail.mission.id),
        organisation_id: Some(detail.mission.organisation_id),
        city_id: city.id,
        locale: ctx.locale.as_str().to_owned(),
        title: detail.mission.title.chars().take(200).collect(),
        body,
        offer: String::new(),
        contribution: Some(contribution),
        available_from: Some(from),
        available_to: Some(to),
        domain: Some(detail.mission.terms.domain.clone()),
    };
    send_request(&ctx, req, &session, &city, new).await
}

// ----- B and C: propose a project, offer a profile to a city -----

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum CityForm {
    Project,
    Profile,
}

impl CityForm {
    fn from_segment(segment: &str) -> Option<Self> {
        [CityForm::Project, CityForm::Profile]
            .into_iter()
            .find(|f| f.segment() == segment)
    }

    fn segment(self) -> &'static str {
        match self {
            CityForm::Project => "proposer",
            CityForm::Profile => "offrir",
        }
    }

    fn template(self) -> &'static str {
        match self {
            CityForm::Project => "requests/project.html",
            CityForm::Profile => "requests/profile.html",
        }
    }
}

pub(super) fn city_form_page(
    ctx: &Ctx,
    req: &Request,
    which: CityForm,
    city: &CityRecord,
    form: &FormView,
    status: StatusCode,
) -> Result<Response, AppError> {
    let taxonomy = ctx.tenant.taxonomy();
    let domains: Vec<Choice> = taxonomy
        .domains
        .iter()
        .map(|d| Choice::from(domain_label(&taxonomy, &d.slug, ctx.locale)))
        .collect();
    let rest = format!("/villes/{}/{}", city.slug, which.segment());
    ctx.page(req, &rest, which.template(), status, |c| {
        c.insert("form", form);
        c.insert("city_name", city.name_in(ctx.locale));
        c.insert("city_url", &format!("/{}/villes/{}", ctx.locale, city.slug));
        c.insert("action", &format!("/{}{rest}", ctx.locale));
        c.insert("domains", &domains);
    })
}

pub(super) async fn city_of(
    state: &AppState,
    tenant: &Tenant,
    slug: &str,
) -> Result<CityRecord, AppError> {
    Cities::for_tenant(state.store.conn(), tenant)
        .by_slug(slug)
        .await?
        .ok_or(AppError::NotFound)
}

pub(super) async fn city_get(
    req: &Request,
    ctx: Ctx,
    slug: &str,
    which: CityForm,
    account_id: i64,
) -> Result<Response, AppError> {
    let city = city_of(&ctx.state, &ctx.tenant, slug).await?;
    // What the member said they bring, and (offering a profile) their next stay's dates.
    let (profile, stay) = member_plans(&ctx, account_id).await?;
    let mut form = FormView::default();
    if !profile.skills.is_empty() {
        form.values.insert("offer", profile.skills.join(", "));
    }
    if which == CityForm::Profile
        && let Some(stay) = stay
    {
        form.values
            .insert("available_from", stay.starts_on.to_string());
        form.values.insert("available_to", stay.ends_on.to_string());
    }
    city_form_page(&ctx, req, which, &city, &form, StatusCode::OK)
}

pub(super) async fn city_post(
    req: &Request,
    ctx: Ctx,
    slug: String,
    session: Session,
    form: RequestForm,
    which: CityForm,
) -> Result<Response, AppError> {
    let (state, tenant) = (&*ctx.state, &*ctx.tenant);
    let city = city_of(state, tenant, &slug).await?;
    let mut errors = Errors::new();
    let description = |errors: &mut Errors, label_key| {
        check_text(
            &ctx,
            errors,
            ("description", label_key),
            &form.description,
            BODY_MAX,
        )
    };
    let new = match which {
        CityForm::Project => {
            let title = check_text(
                &ctx,
                &mut errors,
                ("title", "request.title_label"),
                &form.title,
                TITLE_MAX,
            );
            let domain = form.domain.trim().to_owned();
            if tenant.taxonomy().domain(&domain).is_none() {
                errors.insert(
                    "domain",
                    field_error(&ctx, "form.err_choice", "request.domain_label"),
                );
            }
            let body = description(&mut errors, "request.description_label");
            let offer = check_text(
                &ctx,
                &mut errors,
                ("offer", "request.bring_label"),
                &form.offer,
                OFFER_MAX,
            );
            NewRequest {
                kind: RequestKind::Project,
                member_user_id: session.account.id,
                mission_id: None,
                organisation_id: None,
                city_id: city.id,
                locale: ctx.locale.as_str().to_owned(),
                title,
                body,
                offer,
                contribution: None,
                available_from: None,
                available_to: None,
                domain: Some(domain),
            }
        }
        CityForm::Profile => {
            let offer = check_text(
                &ctx,
                &mut errors,
                ("offer", "request.skills_label"),
                &form.offer,
                OFFER_MAX,
            );
            let dates = check_dates(&ctx, &mut errors, &form, None);
            let body = description(&mut errors, "request.looking_label");
            NewRequest {
                kind: RequestKind::Profile,
                member_user_id: session.account.id,
                mission_id: None,
                organisation_id: None,
                city_id: city.id,
                locale: ctx.locale.as_str().to_owned(),
                title: ctx
                    .t("request.profile_title")
                    .replace("%{name}", &session.account.display_name)
                    .chars()
                    .take(200)
                    .collect(),
                body,
                offer,
                contribution: None,
                available_from: dates.map(|d| d.0),
                available_to: dates.map(|d| d.1),
                domain: None,
            }
        }
    };
    if !errors.is_empty() {
        let view = FormView {
            values: values(&form),
            errors,
        };
        return city_form_page(
            &ctx,
            req,
            which,
            &city,
            &view,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    send_request(&ctx, req, &session, &city, new).await
}

/// `GET /{locale}/villes/{slug}/{proposer|offrir}`: the project or profile form of a city.
#[handler]
pub async fn city_request_form(
    req: &Request,
    ctx: Ctx,
    Path((_, slug, form)): Path<(String, String, String)>,
    VerifiedMember(session): VerifiedMember,
) -> Result<Response, AppError> {
    let which = CityForm::from_segment(&form).ok_or(AppError::NotFound)?;
    city_get(req, ctx, &slug, which, session.account.id).await
}

/// `POST /{locale}/villes/{slug}/{proposer|offrir}`: sends the project or the profile.
#[handler]
pub async fn city_request(
    req: &Request,
    ctx: Ctx,
    Path((_, slug, form_kind)): Path<(String, String, String)>,
    VerifiedMember(session): VerifiedMember,
    Checked(form): Checked<RequestForm>,
) -> Result<Response, AppError> {
    let which = CityForm::from_segment(&form_kind).ok_or(AppError::NotFound)?;
    city_post(req, ctx, slug, session, form, which).await
}
