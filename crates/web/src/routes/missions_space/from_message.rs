//! "Write from a message": on the new mission page, a focal point or an organisation pastes a
//! WhatsApp message, an email or meeting notes; the assistant (`jsap_app::assistant`) fills
//! the form, and a panel above it says what it understood for each field, how sure it is and
//! what else it considered. Nothing is saved until the editor creates the draft, and nothing
//! is published without the review that follows.

use super::page::editor_page;
use super::*;
use jsap_app::assistant::{self as assist, DraftRefusal, MESSAGE_MAX};
use jsap_assistant::{Draft, Scored};

/// The "write from a message" panel: the message, an error, what the assistant understood.
#[derive(Serialize, Default)]
pub(super) struct AssistantView {
    pub(super) message: String,
    pub(super) error: Option<String>,
    /// Empty until a draft is made.
    pub(super) rows: Vec<SuggestionRow>,
    pub(super) max: usize,
}

/// One field as the assistant filled it.
#[derive(Serialize)]
pub(super) struct SuggestionRow {
    field: String,
    value: String,
    /// In percent, where the engine gives one.
    confidence: Option<u32>,
    /// The next best choices, each with its percentage.
    alternatives: Vec<String>,
}

/// `300000` as "300 000" (a thin space between thousands), decimals kept to two places.
fn grouped(value: f64) -> String {
    let whole = value.trunc() as i64;
    let digits = whole.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if whole < 0 {
        out.insert(0, '-');
    }
    let cents = ((value.fract().abs()) * 100.0).round() as i64;
    if cents > 0 {
        out.push_str(&format!(",{cents:02}"));
    }
    out
}

fn percent(confidence: f64) -> u32 {
    // Confidences are in 0..=1; rounded to a whole percent for reading.
    (confidence.clamp(0.0, 1.0) * 100.0).round() as u32
}

/// A ranked list as its best choice and the two next ones, labelled.
fn ranked(
    ctx: &Ctx,
    field: &str,
    scored: &[Scored],
    label: impl Fn(&str) -> Option<String>,
) -> Option<SuggestionRow> {
    let mut labelled = scored
        .iter()
        .filter_map(|s| Some((label(&s.slug)?, percent(s.confidence))));
    let (value, confidence) = labelled.next()?;
    Some(SuggestionRow {
        field: ctx.t(field),
        value,
        confidence: Some(confidence),
        alternatives: labelled
            .take(2)
            .map(|(l, p)| format!("{l} ({p} %)"))
            .collect(),
    })
}

fn row(ctx: &Ctx, field: &str, value: String) -> SuggestionRow {
    SuggestionRow {
        field: ctx.t(field),
        value,
        confidence: None,
        alternatives: Vec::new(),
    }
}

/// What the panel says the assistant understood.
fn rows(ctx: &Ctx, draft: &Draft, cities: &[CityRecord]) -> Vec<SuggestionRow> {
    let taxonomy = ctx.tenant.taxonomy();
    let locale = ctx.locale;
    let mut out = Vec::new();
    out.extend(ranked(ctx, "editor.domain_label", &draft.domains, |s| {
        taxonomy.domain(s).map(|d| d.labels.get(locale).to_owned())
    }));
    out.extend(ranked(
        ctx,
        "editor.type_label",
        &draft.mission_types,
        |s| {
            taxonomy
                .mission_types
                .iter()
                .find(|t| t.slug == s)
                .map(|t| t.labels.get(locale).to_owned())
        },
    ));
    let city = draft
        .city
        .as_deref()
        .and_then(|slug| cities.iter().find(|c| c.slug == slug))
        .map_or_else(
            || ctx.t("assistant.no_city"),
            |c| c.name_in(locale).to_owned(),
        );
    out.push(row(ctx, "editor.city_label", city));
    let dates = match (draft.starts_on, draft.ends_on) {
        (Some(from), Some(to)) if from == to => format_date(from, locale),
        (Some(from), Some(to)) => ctx
            .t("assistant.dates")
            .replace("%{from}", &format_date(from, locale))
            .replace("%{to}", &format_date(to, locale)),
        _ => ctx.t("assistant.no_dates"),
    };
    out.push(row(ctx, "editor.dates_legend", dates));
    let remote = if draft.remote {
        "assistant.remote_yes"
    } else {
        "assistant.remote_no"
    };
    out.push(row(ctx, "assistant.remote", ctx.t(remote)));
    let contributions: Vec<String> = draft
        .contribution_types
        .iter()
        .filter_map(|slug| {
            taxonomy
                .contribution_types
                .iter()
                .find(|c| c.slug == *slug)
                .map(|c| c.labels.get(locale).to_owned())
        })
        .collect();
    if !contributions.is_empty() {
        out.push(row(
            ctx,
            "editor.contributions_legend",
            contributions.join(", "),
        ));
    }
    if !draft.amounts.is_empty() {
        let amounts: Vec<String> = draft
            .amounts
            .iter()
            .map(|a| {
                // A franc whose zone the text did not say is the site's own.
                let currency = if a.currency == "CFA" {
                    ctx.tenant.currency.as_str()
                } else {
                    a.currency.as_str()
                };
                format!("{} {currency}", grouped(a.value))
            })
            .collect();
        out.push(row(ctx, "assistant.amounts", amounts.join(", ")));
    }
    out
}

/// The form as the draft fills it: the texts in the site's main language, the message kept
/// as the description for the editor to rework.
fn form_of(
    ctx: &Ctx,
    draft: &Draft,
    message: &str,
    organisation: Option<&OrganisationRecord>,
    cities: &[CityRecord],
) -> FormView {
    let main = ctx.tenant.default_locale.as_str();
    let mut values = BTreeMap::new();
    if let Some(o) = organisation {
        values.insert("organisation", o.id.to_string());
    }
    values.insert(field(&format!("title_{main}")), draft.title.clone());
    values.insert(field(&format!("summary_{main}")), draft.summary.clone());
    let description: String = message.trim().chars().take(DESCRIPTION_MAX).collect();
    values.insert(field(&format!("description_{main}")), description);
    let city = draft
        .city
        .clone()
        .or_else(|| {
            let o = organisation?;
            cities
                .iter()
                .find(|c| c.id == o.profile.city_id)
                .map(|c| c.slug.clone())
        })
        .unwrap_or_default();
    values.insert("city", city);
    if let Some(d) = draft.domains.first() {
        values.insert("domain", d.slug.clone());
    }
    if let Some(t) = draft.mission_types.first() {
        values.insert("mission_type", t.slug.clone());
    }
    if let (Some(from), Some(to)) = (draft.starts_on, draft.ends_on) {
        values.insert("starts_on", from.to_string());
        values.insert("ends_on", to.to_string());
    }
    FormView {
        values,
        errors: Errors::new(),
    }
}

/// `POST /{locale}/espace/missions/nouvelle/depuis-un-message` (`message`, `organisation`).
#[handler]
pub async fn draft_from_message(
    req: &Request,
    ctx: Ctx,
    writer: RequireMissionWriter,
    Checked(pairs): Checked<Pairs>,
) -> Result<Response, AppError> {
    let message = one(&pairs, "message").to_owned();
    let orgs = organisations(&ctx, &writer).await?;
    let chosen = one(&pairs, "organisation")
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| orgs.iter().find(|o| o.id == id))
        .or(orgs.first());
    let cities = ctx.cities().await?;
    let main = ctx.tenant.default_locale;
    let mut panel = AssistantView {
        message: message.clone(),
        max: MESSAGE_MAX,
        ..AssistantView::default()
    };
    let outcome = assist::draft_mission(
        &ctx.scope(),
        &ctx.state.assistant,
        writer.user.account(),
        &message,
        main,
    )
    .await?;
    let draft = match outcome {
        Ok(draft) => draft,
        Err(refusal) => {
            let key = match refusal {
                DraftRefusal::NotAllowed => return Err(AppError::Forbidden),
                DraftRefusal::Empty => "assistant.err_empty",
                DraftRefusal::TooLong => "assistant.err_too_long",
            };
            panel.error = Some(ctx.t(key).replace("%{max}", &MESSAGE_MAX.to_string()));
            let mut form = FormView::default();
            if let Some(o) = chosen {
                form.values.insert("organisation", o.id.to_string());
            }
            let editor = Editor {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                form: &form,
                contributions: Vec::new(),
                flags: (false, false, false, false),
                mission: None,
                notice: None,
                photo_form: FormView::default(),
                assistant: Some(panel),
                translation: None,
            };
            return editor_page(&ctx, req, &writer, editor).await;
        }
    };
    panel.rows = rows(&ctx, &draft, &cities);
    let form = form_of(&ctx, &draft, &message, chosen, &cities);
    let flexible = draft.starts_on.is_none() || draft.ends_on.is_none();
    let editor = Editor {
        status: StatusCode::OK,
        form: &form,
        contributions: draft
            .contribution_types
            .iter()
            .map(String::as_str)
            .collect(),
        flags: (draft.remote, flexible, false, false),
        mission: None,
        notice: Some(ctx.t("assistant.filled")),
        photo_form: FormView::default(),
        assistant: Some(panel),
        translation: None,
    };
    editor_page(&ctx, req, &writer, editor).await
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn amounts_are_grouped_by_thousands() {
        assert_eq!(grouped(300_000.0), "300\u{202f}000");
        assert_eq!(grouped(1_500_000.0), "1\u{202f}500\u{202f}000");
        assert_eq!(grouped(950.0), "950");
        assert_eq!(grouped(12.5), "12,50");
    }
}
