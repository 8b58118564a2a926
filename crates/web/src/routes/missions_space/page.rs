//! The editor's page: the form, the mission's state and steps, its photos and history.

use super::*;

/// What the editor's page shows besides what it reads itself.
pub(super) struct Editor<'a> {
    pub(super) status: StatusCode,
    pub(super) form: &'a FormView,
    /// The contribution types checked.
    pub(super) contributions: Vec<&'a str>,
    /// remote, flexible, urgent, featured.
    pub(super) flags: (bool, bool, bool, bool),
    /// None for a new mission.
    pub(super) mission: Option<&'a MissionRecord>,
    pub(super) notice: Option<String>,
    /// The photo upload form as shown back (its errors).
    pub(super) photo_form: FormView,
    /// The "write from a message" panel (new missions only).
    pub(super) assistant: Option<super::from_message::AssistantView>,
    /// A drafted translation's review form as shown back (its language, values and errors).
    pub(super) translation: Option<(Locale, FormView)>,
}

impl<'a> Editor<'a> {
    /// The editor of mission `m`, its form showing `form`, no photo form errors.
    pub(super) fn of_mission(
        m: &'a MissionRecord,
        form: &'a FormView,
        status: StatusCode,
        notice: Option<String>,
    ) -> Self {
        Self {
            status,
            form,
            contributions: m
                .fields
                .terms
                .contribution_types
                .iter()
                .map(String::as_str)
                .collect(),
            flags: (
                m.fields.terms.remote,
                m.fields.terms.flexible,
                m.fields.terms.urgent,
                m.fields.featured,
            ),
            mission: Some(m),
            notice,
            photo_form: FormView::default(),
            assistant: None,
            translation: None,
        }
    }
}

#[derive(Serialize)]
pub(super) struct PhotoView {
    id: i64,
    url: String,
    width: u32,
    height: u32,
    alt: String,
}

pub(super) async fn editor_page(
    ctx: &Ctx,
    req: &Request,
    writer: &RequireMissionWriter,
    editor: Editor<'_>,
) -> Result<Response, AppError> {
    let Editor {
        status,
        form,
        contributions,
        flags,
        mission,
        notice,
        photo_form,
        assistant,
        translation,
    } = editor;
    let conn = ctx.state.store.conn();
    let cities = ctx.cities().await?;
    let orgs = organisations(ctx, writer).await?;
    let taxonomy = ctx.tenant.taxonomy();
    let locale = ctx.locale;
    let domains: Vec<Choice> = taxonomy
        .domains
        .iter()
        .map(|d| Choice {
            value: d.slug.clone(),
            label: d.labels.get(locale).to_owned(),
            checked: false,
        })
        .collect();
    let types: Vec<TypeGroup> = taxonomy
        .domains
        .iter()
        .map(|d| TypeGroup {
            label: d.labels.get(locale).to_owned(),
            types: taxonomy
                .mission_types
                .iter()
                .filter(|t| t.domain == d.slug)
                .map(|t| Choice {
                    value: t.slug.clone(),
                    label: t.labels.get(locale).to_owned(),
                    checked: false,
                })
                .collect(),
        })
        .collect();
    let contribution_choices: Vec<Choice> = taxonomy
        .contribution_types
        .iter()
        .map(|c| Choice {
            value: c.slug.clone(),
            label: c.labels.get(locale).to_owned(),
            checked: contributions.contains(&c.slug.as_str()),
        })
        .collect();
    let locales: Vec<LocaleBlock> = ctx
        .tenant
        .locales
        .iter()
        .map(|l| LocaleBlock {
            locale: l.as_str(),
            name: ctx.t(&format!("lang.{}", l.as_str())),
            required: *l == ctx.tenant.default_locale,
            dir: if *l == Locale::Ar { "rtl" } else { "ltr" },
        })
        .collect();
    let translations = match mission {
        Some(m) => super::translations::drafted(ctx, m, translation).await?,
        None => Vec::new(),
    };
    // The site's languages the saved mission has no text in (nor a drafted translation,
    // shown above the form): shown in the default one there. Named in the page's language
    // ("anglais"), not in their own as on the language switch.
    let language = |code: &str| ctx.t(&format!("editor.language_{code}"));
    let missing_locales: Vec<String> = mission
        .map(|m| {
            locales
                .iter()
                .filter(|l| !l.required && !m.fields.texts.iter().any(|t| t.locale == l.locale))
                .filter(|l| !translations.iter().any(|t| t.locale() == l.locale))
                .map(|l| language(l.locale))
                .collect()
        })
        .unwrap_or_default();
    let default_language = language(ctx.tenant.default_locale.as_str());
    // With an LLM, the job drafts the languages still missing, to review here.
    let translation_coming = ctx.state.assistant.has_primary()
        && !missing_locales.is_empty()
        && mission.is_some_and(|m| m.status.editable());
    let reviewer = match mission {
        Some(m) => writer.permissions.reviews_city(m.fields.city_id),
        None => writer.reviews(),
    };
    let view = mission.map(|m| mission_view(ctx, m, &orgs, &cities));
    let history = match mission {
        Some(m) => history_view(ctx, m.id).await?,
        None => Vec::new(),
    };
    let photos: Vec<PhotoView> = match mission {
        Some(m) => MissionPhotos::for_tenant(conn, &ctx.tenant)
            .of_mission(m.id)
            .await?
            .into_iter()
            .map(|p| {
                let (key, width, height) = if p.card_key.is_empty() {
                    (p.blob_key.clone(), p.width, p.height)
                } else {
                    (p.card_key.clone(), p.card_width, p.card_height)
                };
                PhotoView {
                    id: p.id,
                    url: crate::routes::media::photo_path(&key),
                    width,
                    height,
                    alt: p.alt,
                }
            })
            .collect(),
        None => Vec::new(),
    };
    let rest = match mission {
        Some(m) => format!("/espace/missions/{}", m.id),
        None => "/espace/missions/nouvelle".to_owned(),
    };
    ctx.page(req, &rest, "spaces/mission_edit.html", status, |c| {
        c.insert("form", form);
        c.insert(
            "organisations",
            &orgs
                .iter()
                .map(|o| Choice {
                    value: o.id.to_string(),
                    label: o.profile.name.clone(),
                    checked: false,
                })
                .collect::<Vec<_>>(),
        );
        c.insert(
            "cities",
            &cities
                .iter()
                .map(|city| Choice {
                    value: city.slug.clone(),
                    label: city.name_in(locale).to_owned(),
                    checked: false,
                })
                .collect::<Vec<_>>(),
        );
        c.insert("domains", &domains);
        c.insert("type_groups", &types);
        c.insert("contribution_choices", &contribution_choices);
        c.insert("locales", &locales);
        c.insert("missing_locales", &missing_locales.join(", "));
        c.insert("default_language", &default_language);
        c.insert("translations", &translations);
        c.insert("translation_coming", &translation_coming);
        c.insert("remote", &flags.0);
        c.insert("flexible", &flags.1);
        c.insert("urgent", &flags.2);
        c.insert("featured", &flags.3);
        c.insert("reviewer", &reviewer);
        c.insert("mission", &view);
        c.insert("history", &history);
        c.insert("photos", &photos);
        c.insert("photo_form", &photo_form);
        c.insert("photos_max", &jsap_store::PHOTOS_MAX);
        c.insert("alt_max", &jsap_app::missions::ALT_MAX);
        c.insert("notice", &notice);
        c.insert("assistant", &assistant);
        c.insert("mission_title_max", &TITLE_MAX);
        c.insert("summary_max", &SUMMARY_MAX);
        c.insert("description_max", &DESCRIPTION_MAX);
        c.insert("today", &ctx.tenant.today().to_string());
    })
}

#[derive(Serialize)]
pub(super) struct MissionView {
    id: i64,
    title: String,
    status: &'static str,
    status_label: String,
    status_hint: String,
    editable: bool,
    may_submit: bool,
    may_close: bool,
    public_path: Option<String>,
    review_comment: String,
    closed_reason: String,
    organisation: String,
    city: String,
}

pub(super) fn mission_view(
    ctx: &Ctx,
    m: &MissionRecord,
    orgs: &[OrganisationRecord],
    cities: &[CityRecord],
) -> MissionView {
    let status = m.status.as_str();
    let title = m
        .text(ctx.locale.as_str())
        .map_or(String::new(), |t| t.title.clone());
    MissionView {
        id: m.id,
        status,
        status_label: ctx.t(&format!("editor.status_{status}")),
        status_hint: ctx.t(&format!("editor.hint_{status}")),
        editable: m.status.editable(),
        may_submit: matches!(
            m.status,
            MissionStatus::Draft | MissionStatus::ChangesRequested
        ),
        may_close: m.status == MissionStatus::Published,
        public_path: (m.status == MissionStatus::Published)
            .then(|| crate::views::mission_path(ctx.locale, m.id, &m.slug)),
        review_comment: m.review_comment.clone(),
        closed_reason: if m.closed_reason.is_empty() {
            String::new()
        } else {
            ctx.t(&format!("editor.closed_{}", m.closed_reason))
        },
        organisation: organisation_name(orgs, m.fields.organisation_id),
        city: city_name(cities, m.fields.city_id, ctx.locale),
        title,
    }
}

#[derive(Serialize)]
pub(super) struct HistoryView {
    at: String,
    who: String,
    action: String,
    detail: String,
}

pub(super) async fn history_view(ctx: &Ctx, id: i64) -> Result<Vec<HistoryView>, AppError> {
    let conn = ctx.state.store.conn();
    let accounts = Accounts::for_tenant(conn, &ctx.tenant);
    let mut out = Vec::new();
    for h in MissionEdits::for_tenant(conn, &ctx.tenant)
        .history(id)
        .await?
    {
        let who = match h.account_id {
            Some(account) => accounts
                .find(account)
                .await?
                .map_or_else(|| ctx.t("editor.someone"), |a| a.display_name),
            None => ctx.t("editor.the_platform"),
        };
        let detail = match h.action.as_str() {
            "edit" => h
                .detail
                .split(", ")
                .filter(|f| !f.is_empty())
                .map(|f| ctx.t(&format!("editor.changed_{f}")))
                .collect::<Vec<_>>()
                .join(", "),
            "close" => ctx.t(&format!("editor.closed_{}", h.detail)),
            "duplicate" => ctx.t("editor.copied_from").replace("%{id}", &h.detail),
            "translation" => ctx.t(&format!("editor.language_{}", h.detail)),
            _ => h.detail,
        };
        let local = h.at.with_timezone(&ctx.tenant.tz());
        out.push(HistoryView {
            at: format!(
                "{} {}",
                format_date(local.date_naive(), ctx.locale),
                local.format("%H:%M")
            ),
            who,
            action: ctx.t(&format!("editor.action_{}", h.action)),
            detail,
        });
    }
    out.reverse();
    Ok(out)
}
