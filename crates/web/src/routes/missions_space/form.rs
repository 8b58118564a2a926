//! The editor's form: read, checked by the use cases, shown back with its errors.

use super::page::editor_page;
use super::*;
use jsap_domain::MissionId;

pub(super) fn values_of(ctx: &Ctx, m: &MissionRecord, cities: &[CityRecord]) -> FormView {
    let mut values = BTreeMap::new();
    values.insert("organisation", m.fields.organisation_id.to_string());
    for t in &m.fields.texts {
        values.insert(field(&format!("title_{}", t.locale)), t.title.clone());
        values.insert(field(&format!("summary_{}", t.locale)), t.summary.clone());
        values.insert(
            field(&format!("description_{}", t.locale)),
            t.description.clone(),
        );
    }
    if let Some(c) = cities.iter().find(|c| c.id == m.fields.city_id) {
        values.insert("city", c.slug.clone());
    }
    values.insert("domain", m.fields.terms.domain.clone());
    values.insert("mission_type", m.fields.terms.mission_type.clone());
    if !m.fields.terms.flexible {
        values.insert("starts_on", m.fields.terms.starts_on.to_string());
        values.insert("ends_on", m.fields.terms.ends_on.to_string());
    }
    values.insert("skills", m.fields.skills.join(", "));
    if let Some(c) = m.fields.capacity {
        values.insert("capacity", c.to_string());
    }
    values.insert("contact_name", m.fields.contact_name.clone());
    let _ = ctx;
    FormView {
        values,
        errors: Errors::new(),
    }
}

/// `GET /{locale}/espace/missions/nouvelle`: an empty form (`?organisation=` preselects one).
#[handler]
pub async fn new_form(
    req: &Request,
    ctx: Ctx,
    writer: RequireMissionWriter,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    let orgs = organisations(&ctx, &writer).await?;
    let mut form = FormView::default();
    let chosen = params
        .organisation
        .and_then(|o| o.parse::<i64>().ok())
        .and_then(|id| orgs.iter().find(|o| o.id == id))
        .or(orgs.first());
    if let Some(o) = chosen {
        form.values.insert("organisation", o.id.to_string());
        let cities = ctx.cities().await?;
        if let Some(c) = cities.iter().find(|c| c.id == o.profile.city_id) {
            form.values.insert("city", c.slug.clone());
        }
    }
    let flags = (false, false, false, false);
    editor_page(
        &ctx,
        req,
        &writer,
        Editor {
            status: StatusCode::OK,
            form: &form,
            contributions: Vec::new(),
            flags,
            mission: None,
            notice: None,
            photo_form: FormView::default(),
            assistant: Some(super::from_message::AssistantView {
                max: jsap_app::assistant::MESSAGE_MAX,
                ..Default::default()
            }),
            translation: None,
        },
    )
    .await
}

/// Reads the form into an edit; unreadable dates, numbers or choices are errors already.
pub(super) fn parse(ctx: &Ctx, pairs: &Pairs, cities: &[CityRecord]) -> (Option<Edit>, Errors) {
    let mut errors = Errors::new();
    let organisation_id = one(pairs, "organisation").trim().parse::<i64>().ok();
    if organisation_id.is_none() {
        errors.insert(
            "organisation",
            field_error(ctx, "form.err_choice", "editor.organisation_label"),
        );
    }
    let texts = ctx
        .tenant
        .locales
        .iter()
        .map(|l| TextInput {
            locale: *l,
            title: one(pairs, &format!("title_{}", l.as_str())).to_owned(),
            summary: one(pairs, &format!("summary_{}", l.as_str())).to_owned(),
            description: one(pairs, &format!("description_{}", l.as_str())).to_owned(),
        })
        .collect();
    let city_slug = one(pairs, "city").trim();
    let city_id = cities.iter().find(|c| c.slug == city_slug).map(|c| c.id);
    if city_id.is_none() && !city_slug.is_empty() {
        errors.insert(
            "city",
            field_error(ctx, "form.err_choice", "editor.city_label"),
        );
    }
    let date = |errors: &mut Errors, name: &'static str| {
        let raw = one(pairs, name).trim();
        if raw.is_empty() {
            return None;
        }
        let parsed = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok();
        if parsed.is_none() {
            errors.insert(name, ctx.t("editor.err_date_format"));
        }
        parsed
    };
    let flexible = one(pairs, "flexible") == "yes";
    let (starts_on, ends_on) = if flexible {
        (None, None)
    } else {
        (date(&mut errors, "starts_on"), date(&mut errors, "ends_on"))
    };
    let capacity_raw = one(pairs, "capacity").trim();
    let capacity = if capacity_raw.is_empty() {
        None
    } else {
        match capacity_raw.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.insert(
                    "capacity",
                    problem_text(ctx, "capacity", Problem::OutOfRange),
                );
                None
            }
        }
    };
    let mission_type = one(pairs, "mission_type").trim().to_owned();
    let mut domain = one(pairs, "domain").trim().to_owned();
    if domain.is_empty()
        && let Some(t) = ctx.tenant.taxonomy().mission_type(&mission_type)
    {
        domain = t.domain.clone();
    }
    let input = MissionInput {
        texts,
        city_id,
        remote: one(pairs, "remote") == "yes",
        domain,
        mission_type,
        contribution_types: all(pairs, "contribution")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        flexible,
        starts_on,
        ends_on,
        skills: one(pairs, "skills")
            .split([',', ';', '\n'])
            .map(str::to_owned)
            .collect(),
        capacity,
        contact_name: one(pairs, "contact_name").to_owned(),
    };
    let edit = organisation_id.map(|organisation_id| Edit {
        organisation_id,
        input,
        urgent: one(pairs, "urgent") == "yes",
        featured: one(pairs, "featured") == "yes",
    });
    (edit, errors)
}

/// The form as sent, to show back with its errors.
pub(super) fn sent(pairs: &Pairs, errors: Errors) -> FormView {
    let values = FIELDS
        .iter()
        .map(|f| (*f, one(pairs, f).trim().to_owned()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    FormView { values, errors }
}

pub(super) fn flags_of(pairs: &Pairs) -> (bool, bool, bool, bool) {
    let on = |name| one(pairs, name) == "yes";
    (on("remote"), on("flexible"), on("urgent"), on("featured"))
}

/// Shows the form again with `errors` (422).
pub(super) async fn refuse(
    ctx: &Ctx,
    req: &Request,
    writer: &RequireMissionWriter,
    pairs: &Pairs,
    errors: Errors,
    mission: Option<&MissionRecord>,
) -> Result<Response, AppError> {
    let contributions = all(pairs, "contribution");
    editor_page(
        ctx,
        req,
        writer,
        Editor {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            form: &sent(pairs, errors),
            contributions,
            flags: flags_of(pairs),
            mission,
            notice: None,
            photo_form: FormView::default(),
            assistant: None,
            translation: None,
        },
    )
    .await
}

/// The errors of a refusal, or the answer it is (403, 404, a 409 page).
pub(super) fn refusal_errors(ctx: &Ctx, refusal: MissionRefusal) -> Result<Errors, AppError> {
    let mut errors = Errors::new();
    match refusal {
        MissionRefusal::Invalid(problems) => {
            for (name, problem) in problems {
                errors
                    .entry(field(&name))
                    .or_insert_with(|| problem_text(ctx, &name, problem));
            }
        }
        MissionRefusal::NotFound => return Err(AppError::NotFound),
        MissionRefusal::NotAllowed => {
            errors.insert("organisation", ctx.t("editor.err_not_allowed"));
        }
        other => {
            errors.insert("organisation", refusal_text(ctx, &other));
        }
    }
    Ok(errors)
}

pub(crate) fn refusal_text(ctx: &Ctx, refusal: &MissionRefusal) -> String {
    ctx.t(match refusal {
        MissionRefusal::WrongState => "editor.err_state",
        MissionRefusal::OrganisationNotVerified => "editor.err_not_verified",
        MissionRefusal::NoRecipient => "editor.err_no_recipient",
        MissionRefusal::CommentRequired => "editor.err_comment",
        MissionRefusal::NotAllowed => "editor.err_not_allowed",
        MissionRefusal::NotFound | MissionRefusal::Invalid(_) => "editor.err_invalid",
    })
}

/// `POST /{locale}/espace/missions/nouvelle`: creates a draft.
#[handler]
pub async fn create(
    req: &Request,
    ctx: Ctx,
    writer: RequireMissionWriter,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let cities = ctx.cities().await?;
    let (edit, errors) = parse(&ctx, &pairs, &cities);
    let Some(edit) = edit.filter(|_| errors.is_empty()) else {
        return refuse(&ctx, req, &writer, &pairs, errors, None).await;
    };
    match missions::create(&ctx.scope(), writer.user.account(), edit).await? {
        Ok(m) => Ok(see_other(format!(
            "/{}/espace/missions/{}?done=created",
            ctx.locale, m.id
        ))),
        Err(refusal) => {
            let errors = refusal_errors(&ctx, refusal)?;
            refuse(&ctx, req, &writer, &pairs, errors, None).await
        }
    }
}

/// `GET /{locale}/espace/missions/{id}`: the mission's form, status, steps and history.
#[handler]
pub async fn edit_form(
    req: &Request,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    writer: RequireMissionWriter,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    let notice = params
        .done
        .as_deref()
        .filter(|d| {
            [
                "created",
                "saved",
                "submitted",
                "closed",
                "duplicated",
                "back_to_review",
                "state",
                "photo",
                "photo_removed",
                "photo_moved",
                "translation_published",
                "translation_discarded",
            ]
            .contains(d)
        })
        .map(|d| ctx.t(&format!("editor.done_{d}")));
    let m = writable(&ctx, &writer, &id).await?;
    let form = values_of(&ctx, &m, &ctx.cities().await?);
    let editor = Editor::of_mission(&m, &form, StatusCode::OK, notice);
    editor_page(&ctx, req, &writer, editor).await
}

/// `POST /{locale}/espace/missions/{id}`: saves the form over the mission.
#[handler]
pub async fn save(
    req: &Request,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    writer: RequireMissionWriter,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let m = writable(&ctx, &writer, &id).await?;
    let cities = ctx.cities().await?;
    let (edit, errors) = parse(&ctx, &pairs, &cities);
    let Some(edit) = edit.filter(|_| errors.is_empty()) else {
        return refuse(&ctx, req, &writer, &pairs, errors, Some(&m)).await;
    };
    match missions::update(&ctx.scope(), writer.user.account(), MissionId(m.id), edit).await? {
        Ok(saved) => {
            let done = if saved.back_to_review {
                "back_to_review"
            } else {
                "saved"
            };
            Ok(see_other(format!(
                "/{}/espace/missions/{}?done={done}",
                ctx.locale, m.id
            )))
        }
        Err(MissionRefusal::WrongState) => Ok(see_other(format!(
            "/{}/espace/missions/{}?done=state",
            ctx.locale, m.id
        ))),
        Err(refusal) => {
            let errors = refusal_errors(&ctx, refusal)?;
            refuse(&ctx, req, &writer, &pairs, errors, Some(&m)).await
        }
    }
}
