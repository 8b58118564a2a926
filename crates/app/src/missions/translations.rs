//! Translations of a mission into the site's other languages, drafted by the assistant when
//! an LLM is configured and shown only once a person has reviewed them.
//!
//! The `mission_translations` job looks for missions still being written or published that
//! have no text in one of the site's languages, asks the LLM to translate the text in the
//! site's default language, and keeps the answer apart from the mission (a draft). The
//! mission's editor reviews it: publishing it (as written, or corrected) adds the text to the
//! mission, discarding it stops the job from drafting it again until the source text changes.
//! A failed call is tried again after [`RETRY_AFTER`]. Without an LLM nothing is drafted; the
//! editor names the missing languages.

use super::{MissionRefusal, lifecycle, summary_of};
use crate::{Failure, Scope};
use chrono::Duration;
use jsap_assistant::{Assistant, TranslateInput};
use jsap_domain::missions::{MissionStatus, Problem, TextInput};
use jsap_domain::{Locale, MissionId};
use jsap_store::{
    Account, MissionEdits, MissionRecord, MissionText, MissionTranslations, StoreError,
    TranslationState, TranslationText,
};

/// How many missions one pass of the job translates per site and language.
pub const BATCH: u64 = 20;

/// How long after a failed call the job tries again.
pub const RETRY_AFTER: Duration = Duration::hours(6);

/// The missions worth translating: those being written, reviewed or shown.
const DRAFTABLE: [MissionStatus; 4] = [
    MissionStatus::Draft,
    MissionStatus::Submitted,
    MissionStatus::ChangesRequested,
    MissionStatus::Published,
];

/// One pass of the job on the scope's site: up to [`BATCH`] missions per language are
/// translated by the assistant's LLM. How many drafts were written (0 without an LLM).
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code))]
pub async fn draft_missing(scope: &Scope<'_>, assistant: &Assistant) -> Result<usize, Failure> {
    if !assistant.has_primary() {
        return Ok(0);
    }
    let conn = scope.store.conn();
    let translations = MissionTranslations::for_tenant(conn, scope.tenant);
    let edits = MissionEdits::for_tenant(conn, scope.tenant);
    let from = scope.tenant.default_locale;
    let now = scope.clock.now();
    let mut drafted = 0;
    for to in scope.tenant.locales.iter().copied().filter(|l| *l != from) {
        let ids = translations
            .to_draft(to.as_str(), &DRAFTABLE, now - RETRY_AFTER, BATCH)
            .await?;
        for id in ids {
            let Some(mission) = edits.find(id).await? else {
                continue;
            };
            let Some(source) = mission.text(from.as_str()) else {
                continue;
            };
            let input = TranslateInput {
                from,
                to,
                title: &source.title,
                summary: &source.summary,
                description: &source.description,
            };
            match assistant.translate(&input).await {
                Ok((t, engine)) => {
                    let text = TranslationText {
                        title: &t.title,
                        summary: &t.summary,
                        description: &t.description,
                    };
                    translations
                        .put(
                            id,
                            to.as_str(),
                            TranslationState::Drafted,
                            text,
                            engine,
                            now,
                        )
                        .await?;
                    drafted += 1;
                }
                Err(e) => {
                    tracing::warn!(mission.id = id, locale = %to, reason = %e, "translation not drafted");
                    translations
                        .put(
                            id,
                            to.as_str(),
                            TranslationState::Failed,
                            TranslationText::default(),
                            assistant.engine_name(),
                            now,
                        )
                        .await?;
                }
            }
        }
    }
    if drafted > 0 {
        tracing::info!(drafted, "mission translations drafted");
    }
    Ok(drafted)
}

/// The language a reviewed translation is in: one of the site's, other than its default.
fn translated_locale(scope: &Scope<'_>, locale: Locale) -> Result<Locale, MissionRefusal> {
    if scope.tenant.locales.contains(&locale) && locale != scope.tenant.default_locale {
        Ok(locale)
    } else {
        Err(MissionRefusal::Invalid(vec![(
            format!("title_{locale}"),
            Problem::Locale,
        )]))
    }
}

/// `who` publishes `text` (a drafted translation, corrected or not) as mission `id`'s text in
/// its language: the text is added to the mission (or replaces the one it had), the history
/// says so and the draft is gone, in one transaction. A published mission stays published.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, mission.id = %id))]
pub async fn accept(
    scope: &Scope<'_>,
    who: &Account,
    id: MissionId,
    text: TextInput,
) -> Result<Result<MissionRecord, MissionRefusal>, Failure> {
    let id = id.get();
    let (before, _) = or_refuse!(lifecycle::editable(scope, who, id).await?);
    if !before.status.editable() {
        return Ok(Err(MissionRefusal::WrongState));
    }
    let locale = or_refuse!(translated_locale(scope, text.locale));
    let text = TextInput {
        locale,
        title: text.title.trim().to_owned(),
        summary: text.summary.trim().to_owned(),
        description: text.description.trim().to_owned(),
    };
    let problems = text.problems();
    if !problems.is_empty() {
        return Ok(Err(MissionRefusal::Invalid(problems)));
    }
    let mut fields = before.fields.clone();
    fields.texts.retain(|t| t.locale != locale.as_str());
    fields.texts.push(MissionText {
        locale: locale.as_str().to_owned(),
        summary: if text.summary.is_empty() {
            summary_of(&text.description)
        } else {
            text.summary
        },
        title: text.title,
        description: text.description,
    });
    let now = scope.clock.now();
    let tx = scope.store.begin().await?;
    let edits = MissionEdits::for_tenant(&tx, scope.tenant);
    edits.save(id, &fields, &before.slug, now).await?;
    edits
        .record(id, Some(who.id), "translation", locale.as_str(), now)
        .await?;
    MissionTranslations::for_tenant(&tx, scope.tenant)
        .forget(id, Some(locale.as_str()))
        .await?;
    let mission = edits.find(id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(mission))
}

/// `who` discards the drafted translation of mission `id` into `locale`: it is not offered
/// again until the mission's text changes. `NotFound` when there is no such draft.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, mission.id = %id))]
pub async fn discard(
    scope: &Scope<'_>,
    who: &Account,
    id: MissionId,
    locale: Locale,
) -> Result<Result<(), MissionRefusal>, Failure> {
    let id = id.get();
    or_refuse!(lifecycle::editable(scope, who, id).await?);
    let translations = MissionTranslations::for_tenant(scope.store.conn(), scope.tenant);
    if !translations
        .drafts(id)
        .await?
        .iter()
        .any(|d| d.locale == locale.as_str())
    {
        return Ok(Err(MissionRefusal::NotFound));
    }
    translations
        .put(
            id,
            locale.as_str(),
            TranslationState::Discarded,
            TranslationText::default(),
            "",
            scope.clock.now(),
        )
        .await?;
    Ok(Ok(()))
}

/// After an edit of mission `id` from `before` to `after` (inside its transaction): its
/// drafted translations go when the text they translate changed, and a language's draft goes
/// once the language has a text of its own.
pub(super) async fn forget_outdated<C: jsap_store::Connection>(
    conn: &C,
    scope: &Scope<'_>,
    id: i64,
    before: &MissionRecord,
    after: &[MissionText],
) -> Result<(), StoreError> {
    let translations = MissionTranslations::for_tenant(conn, scope.tenant);
    let default = scope.tenant.default_locale.as_str();
    let source = |texts: &[MissionText]| {
        texts
            .iter()
            .find(|t| t.locale == default)
            .map(|t| (t.title.clone(), t.summary.clone(), t.description.clone()))
    };
    if source(&before.fields.texts) != source(after) {
        translations.forget(id, None).await?;
        return Ok(());
    }
    for t in after.iter().filter(|t| t.locale != default) {
        translations.forget(id, Some(&t.locale)).await?;
    }
    Ok(())
}
