//! The translations the assistant drafted for a mission, reviewed in its editor: each shows
//! in a form of its own, to publish as written or corrected, or to discard. Nothing of it
//! shows on the site before it is published.

use super::form::values_of;
use super::page::editor_page;
use super::*;
use jsap_app::missions::translations;
use jsap_domain::MissionId;
use jsap_store::{MissionTranslations, TranslationDraft};

/// The field names of a review form (its values and errors).
const TITLE: &str = "title";
const SUMMARY: &str = "summary";
const DESCRIPTION: &str = "description";

/// A drafted translation as its review form shows it.
#[derive(Serialize)]
pub(super) struct TranslationView {
    locale: &'static str,
    /// The language, named in the page's language.
    language: String,
    dir: &'static str,
    drafted_on: String,
    form: FormView,
}

impl TranslationView {
    pub(super) fn locale(&self) -> &'static str {
        self.locale
    }
}

/// The drafts of mission `m` for the languages it has no text in, each in its review form;
/// `shown_back` (a refused review) replaces its language's draft.
pub(super) async fn drafted(
    ctx: &Ctx,
    m: &MissionRecord,
    shown_back: Option<(Locale, FormView)>,
) -> Result<Vec<TranslationView>, AppError> {
    let drafts: Vec<TranslationDraft> =
        MissionTranslations::for_tenant(ctx.state.store.conn(), &ctx.tenant)
            .drafts(m.id)
            .await?;
    let mut shown_back = shown_back;
    Ok(drafts
        .into_iter()
        .filter_map(|d| {
            let locale: Locale = d.locale.parse().ok()?;
            let missing = ctx.tenant.locales.contains(&locale)
                && !m.fields.texts.iter().any(|t| t.locale == locale.as_str());
            if !missing {
                return None;
            }
            let form = match shown_back.take_if(|(l, _)| *l == locale) {
                Some((_, form)) => form,
                None => {
                    let mut form = FormView::default();
                    form.values.insert(TITLE, d.title);
                    form.values.insert(SUMMARY, d.summary);
                    form.values.insert(DESCRIPTION, d.description);
                    form
                }
            };
            Some(TranslationView {
                locale: locale.as_str(),
                language: ctx.t(&format!("editor.language_{}", locale.as_str())),
                dir: if locale == Locale::Ar { "rtl" } else { "ltr" },
                drafted_on: format_date(ctx.tenant.local_date(d.drafted_at), ctx.locale),
                form,
            })
        })
        .collect())
}

/// A refused review form as it is shown back: what was typed (trimmed) and each field's first
/// problem. The use case names fields as the editor does (`title_en`); the form has one
/// language, so its fields are `title`, `summary` and `description`.
fn shown_back(ctx: &Ctx, pairs: &Pairs, problems: Vec<(String, Problem)>) -> FormView {
    let mut form = FormView::default();
    for name in [TITLE, SUMMARY, DESCRIPTION] {
        form.values.insert(name, one(pairs, name).trim().to_owned());
    }
    for (field, problem) in problems {
        let name = [TITLE, SUMMARY, DESCRIPTION]
            .into_iter()
            .find(|n| field.starts_with(n))
            .unwrap_or(TITLE);
        form.errors
            .entry(name)
            .or_insert_with(|| problem_text(ctx, &field, problem));
    }
    form
}

/// `POST /{locale}/espace/missions/{id}/traductions/{lang}`: `action=publier` with the
/// reviewed `title`, `summary` and `description`, or `action=ecarter`.
#[handler]
pub async fn review_translation(
    req: &Request,
    ctx: Ctx,
    Path((_, id, lang)): Path<(String, String, String)>,
    writer: RequireMissionWriter,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let m = writable(&ctx, &writer, &id).await?;
    let locale: Locale = lang.parse().map_err(|_| AppError::NotFound)?;
    if !ctx.tenant.locales.contains(&locale) || locale == ctx.tenant.default_locale {
        return Err(AppError::NotFound);
    }
    let account = writer.user.account();
    let scope = ctx.scope();
    let done = match one(&pairs, "action") {
        "ecarter" => match translations::discard(&scope, account, MissionId(m.id), locale).await? {
            Ok(()) => "translation_discarded",
            Err(MissionRefusal::NotFound | MissionRefusal::NotAllowed) => {
                return Err(AppError::NotFound);
            }
            Err(_) => "state",
        },
        "publier" => {
            let text = TextInput {
                locale,
                title: one(&pairs, TITLE).to_owned(),
                summary: one(&pairs, SUMMARY).to_owned(),
                description: one(&pairs, DESCRIPTION).to_owned(),
            };
            match translations::accept(&scope, account, MissionId(m.id), text).await? {
                Ok(_) => "translation_published",
                Err(MissionRefusal::Invalid(problems)) => {
                    let form = shown_back(&ctx, &pairs, problems);
                    let cities = ctx.cities().await?;
                    let values = values_of(&ctx, &m, &cities);
                    let editor = Editor {
                        translation: Some((locale, form)),
                        ..Editor::of_mission(&m, &values, StatusCode::UNPROCESSABLE_ENTITY, None)
                    };
                    return editor_page(&ctx, req, &writer, editor).await;
                }
                Err(MissionRefusal::NotFound | MissionRefusal::NotAllowed) => {
                    return Err(AppError::NotFound);
                }
                Err(_) => "state",
            }
        }
        _ => {
            return Err(AppError::BadRequest {
                code: "unknown_action",
            });
        }
    };
    Ok(see_other(format!(
        "/{}/espace/missions/{}?done={done}#traductions",
        ctx.locale, m.id
    )))
}
