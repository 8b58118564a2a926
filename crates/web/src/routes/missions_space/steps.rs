//! The steps an editor takes (submit, close, duplicate) and the preview.

use super::form::values_of;
use super::page::editor_page;
use super::*;
use jsap_domain::MissionId;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    reason: String,
}

/// `POST /{locale}/espace/missions/{id}/{step}`: `soumettre`, `cloturer` (with `reason`
/// filled or cancelled) or `dupliquer`.
#[handler]
pub async fn step(
    req: &Request,
    ctx: Ctx,
    Path((_, id, step)): Path<(String, String, String)>,
    writer: RequireMissionWriter,
    Checked(form): Checked<StepForm>,
) -> Result<Response, AppError> {
    let m = writable(&ctx, &writer, &id).await?;
    let scope = ctx.scope();
    let account = writer.user.account();
    let (outcome, done) = match step.as_str() {
        "soumettre" => (
            missions::submit(&scope, account, MissionId(m.id)).await?,
            "submitted",
        ),
        "cloturer" => {
            let Some(reason) = CloseReason::parse(&form.reason) else {
                return ctx.bad_request(req, &ctx.t("editor.err_close_reason"));
            };
            (
                missions::close(&scope, account, MissionId(m.id), reason).await?,
                "closed",
            )
        }
        "dupliquer" => match missions::duplicate(&scope, account, MissionId(m.id)).await? {
            Ok(copy) => {
                return Ok(see_other(format!(
                    "/{}/espace/missions/{}?done=duplicated",
                    ctx.locale, copy.id
                )));
            }
            Err(refusal) => (Err(refusal), ""),
        },
        _ => return Err(AppError::NotFound),
    };
    match outcome {
        Ok(_) => Ok(see_other(format!(
            "/{}/espace/missions/{}?done={done}",
            ctx.locale, m.id
        ))),
        Err(MissionRefusal::NotFound | MissionRefusal::NotAllowed) => Err(AppError::NotFound),
        Err(MissionRefusal::Invalid(problems)) => {
            let cities = ctx.cities().await?;
            let mut form = values_of(&ctx, &m, &cities);
            for (name, problem) in problems {
                form.errors
                    .insert(field(&name), problem_text(&ctx, &name, problem));
            }
            let editor = Editor::of_mission(&m, &form, StatusCode::UNPROCESSABLE_ENTITY, None);
            editor_page(&ctx, req, &writer, editor).await
        }
        Err(_) => Ok(see_other(format!(
            "/{}/espace/missions/{}?done=state",
            ctx.locale, m.id
        ))),
    }
}

#[derive(Serialize)]
pub(super) struct Preview {
    title: String,
    summary: String,
    paragraphs: Vec<String>,
    organisation: String,
    city: String,
    domain: String,
    mission_type: String,
    contributions: Vec<String>,
    dates: String,
    remote: bool,
    urgent: bool,
    featured: bool,
    skills: Vec<String>,
    capacity: Option<i32>,
    contact_name: String,
    text_locale: String,
}

/// `GET /{locale}/espace/missions/{id}/apercu`: the mission as visitors will see it.
#[handler]
pub async fn preview(
    req: &Request,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    writer: RequireMissionWriter,
) -> Result<Response, AppError> {
    let m = writable(&ctx, &writer, &id).await?;
    let cities = ctx.cities().await?;
    let orgs = organisations(&ctx, &writer).await?;
    let taxonomy = ctx.tenant.taxonomy();
    let locale = ctx.locale;
    let text = m
        .text(locale.as_str())
        .cloned()
        .unwrap_or_else(|| jsap_store::MissionText {
            locale: locale.as_str().to_owned(),
            ..Default::default()
        });
    let view = Preview {
        title: text.title,
        summary: text.summary,
        paragraphs: text
            .description
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        organisation: organisation_name(&orgs, m.fields.organisation_id),
        city: city_name(&cities, m.fields.city_id, locale),
        domain: crate::views::domain_label(&taxonomy, &m.fields.terms.domain, locale).label,
        mission_type: crate::views::mission_type_label(
            &taxonomy,
            &m.fields.terms.mission_type,
            locale,
        )
        .label,
        contributions: m
            .fields
            .terms
            .contribution_types
            .iter()
            .map(|c| crate::views::contribution_label(&taxonomy, c, locale).label)
            .collect(),
        dates: dates(
            &ctx,
            m.fields.terms.flexible,
            m.fields.terms.starts_on,
            m.fields.terms.ends_on,
        ),
        remote: m.fields.terms.remote,
        urgent: m.fields.terms.urgent,
        featured: m.fields.featured,
        skills: m.fields.skills.clone(),
        capacity: m.fields.capacity,
        contact_name: m.fields.contact_name.clone(),
        text_locale: text.locale,
    };
    ctx.page(
        req,
        &format!("/espace/missions/{}/apercu", m.id),
        "spaces/mission_preview.html",
        StatusCode::OK,
        |c| {
            c.insert("preview", &view);
            c.insert("mission_id", &m.id);
            c.insert(
                "status_label",
                &ctx.t(&format!("editor.status_{}", m.status.as_str())),
            );
        },
    )
}
