//! Missions: organisation members (and focal points for their cities) write them, submit
//! them to the focal points of their city and the country operators, who publish them,
//! request changes or refuse; their organisation closes them, a daily job expires them.
//! Every step is kept in the mission's history and the people concerned are emailed.

mod lifecycle;
mod photos;
mod public;
pub mod translations;
mod warm;

pub use lifecycle::{close, expire_ended, review, submit};
pub use photos::{ALT_MAX, PhotoChange, PhotoRefusal, add_photo, change_photo};
pub use public::{PublicMission, public_mission};
pub use warm::warm_catalogues;

use crate::audit;
use crate::organisations::permissions;
use crate::{Failure, Scope};
use jsap_domain::Locale;
use jsap_domain::MissionId;
use jsap_domain::missions::{self, MissionInput, MissionStatus, Problem};
use jsap_domain::roles::Permissions;
use jsap_store::{
    Account, MissionEdits, MissionFields, MissionRecord, MissionTerms, MissionText,
    OrganisationRecord, Organisations, StoreError,
};

/// Why a mission change was not made (nothing written then).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MissionRefusal {
    /// No mission (or organisation) of this tenant has this id.
    NotFound,
    /// The account may not do this to this mission.
    NotAllowed,
    /// The mission's status does not allow it (someone else moved it first).
    WrongState,
    /// Fields that do not pass the checks, in form order.
    Invalid(Vec<(String, Problem)>),
    /// Its organisation is not verified yet: it may prepare missions, not publish them.
    OrganisationNotVerified,
    /// Nobody would receive its requests: its organisation has no member and its city no
    /// focal point.
    NoRecipient,
    /// Requesting changes and refusing need a comment.
    CommentRequired,
}

/// What an editor sends: the organisation, the fields, and the flags only reviewers set
/// (ignored for others).
#[derive(Debug, Clone)]
pub struct Edit {
    pub organisation_id: i64,
    pub input: MissionInput,
    pub urgent: bool,
    pub featured: bool,
}

/// Whether `p` may write missions for `organisation` in `city_id`: a member of the
/// organisation, or a reviewer (focal point, operator) of its city or of the mission's city.
pub fn may_edit(p: &Permissions, organisation: &OrganisationRecord, city_id: i64) -> bool {
    p.organisations()
        .iter()
        .any(|(id, _)| *id == organisation.id)
        || p.reviews_city(organisation.profile.city_id)
        || p.reviews_city(city_id)
}

/// The organisations `p` may write missions for: its own, and for a reviewer those of the
/// cities it reviews.
pub async fn writable_organisations(
    scope: &Scope<'_>,
    who: &Account,
) -> Result<Vec<OrganisationRecord>, Failure> {
    let conn = scope.store.conn();
    let p = permissions(conn, scope.tenant, who).await?;
    Ok(Organisations::for_tenant(conn, scope.tenant)
        .list()
        .await?
        .into_iter()
        .filter(|o| may_edit(&p, o, o.profile.city_id))
        .collect())
}

fn fields(
    checked: missions::CheckedMission,
    organisation_id: i64,
    urgent: bool,
    featured: bool,
) -> MissionFields {
    MissionFields {
        organisation_id,
        city_id: checked.city_id.unwrap_or_default(),
        featured,
        terms: MissionTerms {
            domain: checked.domain,
            mission_type: checked.mission_type,
            contribution_types: checked.contribution_types,
            remote: checked.remote,
            urgent,
            flexible: checked.flexible,
            starts_on: checked.starts_on,
            ends_on: checked.ends_on,
        },
        skills: checked.skills,
        capacity: checked.capacity,
        contact_name: checked.contact_name,
        texts: checked
            .texts
            .into_iter()
            .map(|t| MissionText {
                locale: t.locale.as_str().to_owned(),
                summary: if t.summary.is_empty() {
                    summary_of(&t.description)
                } else {
                    t.summary
                },
                title: t.title,
                description: t.description,
            })
            .collect(),
    }
}

/// A summary made from a description: its first sentence or 200 characters.
fn summary_of(description: &str) -> String {
    let first = description.lines().next().unwrap_or("").trim();
    if first.chars().count() <= 200 {
        return first.to_owned();
    }
    let cut: String = first.chars().take(199).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}

/// Checks `edit` for `scope`'s tenant; the city defaults to the organisation's.
fn checked(
    scope: &Scope<'_>,
    organisation: &OrganisationRecord,
    mut input: MissionInput,
) -> Result<missions::CheckedMission, Vec<(String, Problem)>> {
    let tenant = scope.tenant;
    if input.city_id.is_none() {
        input.city_id = Some(organisation.profile.city_id);
    }
    missions::check(
        input,
        &tenant.taxonomy(),
        &tenant.locales,
        tenant.default_locale,
        tenant.local_date(scope.clock.now()),
    )
}

fn slug_of(fields: &MissionFields) -> String {
    let slug = jsap_domain::slugify(fields.texts.first().map_or("", |t| t.title.as_str()));
    if slug.is_empty() {
        "mission".to_owned()
    } else {
        slug
    }
}

/// The organisation `id` and whether `p` may write missions for it in `city_id`.
async fn organisation_for(
    scope: &Scope<'_>,
    id: i64,
) -> Result<Option<OrganisationRecord>, StoreError> {
    Organisations::for_tenant(scope.store.conn(), scope.tenant)
        .by_id(id)
        .await
}

/// Creates a draft mission of `edit` by `who`.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = who.id))]
pub async fn create(
    scope: &Scope<'_>,
    who: &Account,
    edit: Edit,
) -> Result<Result<MissionRecord, MissionRefusal>, Failure> {
    let conn = scope.store.conn();
    let p = permissions(conn, scope.tenant, who).await?;
    let Some(organisation) = organisation_for(scope, edit.organisation_id).await? else {
        return Ok(Err(MissionRefusal::NotFound));
    };
    let city = edit.input.city_id.unwrap_or(organisation.profile.city_id);
    if !may_edit(&p, &organisation, city) {
        return Ok(Err(MissionRefusal::NotAllowed));
    }
    let checked = match checked(scope, &organisation, edit.input) {
        Ok(c) => c,
        Err(e) => return Ok(Err(MissionRefusal::Invalid(e))),
    };
    let flags = p.reviews_city(city);
    let fields = fields(
        checked,
        organisation.id,
        flags && edit.urgent,
        flags && edit.featured,
    );
    let now = scope.clock.now();
    let tx = scope.store.begin().await?;
    let edits = MissionEdits::for_tenant(&tx, scope.tenant);
    let id = edits
        .create(&fields, &slug_of(&fields), who.id, now)
        .await?;
    edits.record(id, Some(who.id), "create", "", now).await?;
    let record = edits.find(id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(record))
}

/// The fields whose change sends a published mission back to review, each with whether it
/// changed.
fn reviewed_fields(before: &MissionFields, after: &MissionFields) -> [(&'static str, bool); 3] {
    let dates_changed = before.terms.flexible != after.terms.flexible
        || (!after.terms.flexible
            && (before.terms.starts_on, before.terms.ends_on)
                != (after.terms.starts_on, after.terms.ends_on));
    [
        (
            "city",
            before.city_id != after.city_id || before.terms.remote != after.terms.remote,
        ),
        ("dates", dates_changed),
        (
            "contribution_types",
            before.terms.contribution_types != sorted(&after.terms.contribution_types),
        ),
    ]
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

/// Every field that differs, for the history.
fn changed_fields(before: &MissionFields, after: &MissionFields) -> Vec<&'static str> {
    let texts = sorted_texts(
        before
            .texts
            .iter()
            .map(|t| [&t.locale, &t.title, &t.summary, &t.description]),
    );
    let new_texts = sorted_texts(
        after
            .texts
            .iter()
            .map(|t| [&t.locale, &t.title, &t.summary, &t.description]),
    );
    let head = [
        ("texts", texts != new_texts),
        (
            "organisation",
            before.organisation_id != after.organisation_id,
        ),
    ];
    let tail = [
        (
            "mission_type",
            before.terms.domain != after.terms.domain
                || before.terms.mission_type != after.terms.mission_type,
        ),
        ("skills", before.skills != after.skills),
        ("capacity", before.capacity != after.capacity),
        ("contact_name", before.contact_name != after.contact_name),
        (
            "flags",
            before.terms.urgent != after.terms.urgent || before.featured != after.featured,
        ),
    ];
    audit::changed(
        head.into_iter()
            .chain(reviewed_fields(before, after))
            .chain(tail),
    )
}

/// Texts as sorted (locale, title, summary, description) rows, to compare two versions.
fn sorted_texts<'a>(rows: impl Iterator<Item = [&'a String; 4]>) -> Vec<[&'a String; 4]> {
    let mut v: Vec<_> = rows.collect();
    v.sort();
    v
}

/// What saving a mission did.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    pub mission: MissionRecord,
    /// A published mission went back to review (its city, dates or contribution types
    /// changed).
    pub back_to_review: bool,
}

/// Saves `edit` over mission `id`. A published mission whose city, dates or contribution
/// types change goes back to review (its reviewers are told); other edits keep it published.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, mission.id = %id))]
pub async fn update(
    scope: &Scope<'_>,
    who: &Account,
    id: MissionId,
    edit: Edit,
) -> Result<Result<Saved, MissionRefusal>, Failure> {
    let id = id.get();
    let (before, _) = or_refuse!(lifecycle::editable(scope, who, id).await?);
    let p = permissions(scope.store.conn(), scope.tenant, who).await?;
    let Some(organisation) = organisation_for(scope, edit.organisation_id).await? else {
        return Ok(Err(MissionRefusal::NotFound));
    };
    let city = edit.input.city_id.unwrap_or(organisation.profile.city_id);
    if !may_edit(&p, &organisation, city) {
        return Ok(Err(MissionRefusal::NotAllowed));
    }
    if !before.status.editable() {
        return Ok(Err(MissionRefusal::WrongState));
    }
    let checked = match checked(scope, &organisation, edit.input) {
        Ok(c) => c,
        Err(e) => return Ok(Err(MissionRefusal::Invalid(e))),
    };
    // Only reviewers set the flags; anyone else keeps those the mission has.
    let (urgent, featured) = if p.reviews_city(city) {
        (edit.urgent, edit.featured)
    } else {
        (before.fields.terms.urgent, before.fields.featured)
    };
    let mut fields = fields(checked, organisation.id, urgent, featured);
    if fields.terms.flexible && before.fields.terms.flexible {
        // Flexible dates keep the window they were given.
        fields.terms.starts_on = before.fields.terms.starts_on;
        fields.terms.ends_on = before.fields.terms.ends_on;
    }
    let changed = changed_fields(&before.fields, &fields);
    let back_to_review = before.status == MissionStatus::Published
        && reviewed_fields(&before.fields, &fields)
            .iter()
            .any(|(_, changed)| *changed);
    let now = scope.clock.now();
    let tx = scope.store.begin().await?;
    let edits = MissionEdits::for_tenant(&tx, scope.tenant);
    edits.save(id, &fields, &slug_of(&fields), now).await?;
    edits
        .record(id, Some(who.id), "edit", &changed.join(", "), now)
        .await?;
    translations::forget_outdated(&tx, scope, id, &before, &fields.texts).await?;
    if back_to_review {
        if !edits
            .step(
                id,
                &[MissionStatus::Published],
                MissionStatus::Submitted,
                &jsap_store::StepWrite::default(),
                now,
            )
            .await?
        {
            return Ok(Err(MissionRefusal::WrongState));
        }
        edits.record(id, Some(who.id), "resubmit", "", now).await?;
        lifecycle::tell_reviewers(scope, &tx, &organisation, id).await?;
    }
    let mission = edits.find(id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(Saved {
        mission,
        back_to_review,
    }))
}

/// Copies mission `id` into a new draft ("(copie)" after its titles) that `who` may edit.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, mission.id = %id))]
pub async fn duplicate(
    scope: &Scope<'_>,
    who: &Account,
    id: MissionId,
) -> Result<Result<MissionRecord, MissionRefusal>, Failure> {
    let id = id.get();
    let (source, _) = or_refuse!(lifecycle::editable(scope, who, id).await?);
    let copy = translate_copy(scope.tenant.default_locale);
    let mut fields = MissionFields {
        featured: false,
        ..source.fields.clone()
    };
    fields.terms.urgent = false;
    for t in &mut fields.texts {
        t.title = format!("{} ({copy})", t.title);
    }
    let now = scope.clock.now();
    let tx = scope.store.begin().await?;
    let edits = MissionEdits::for_tenant(&tx, scope.tenant);
    let new_id = edits.create(&fields, &source.slug, who.id, now).await?;
    edits
        .record(new_id, Some(who.id), "duplicate", &id.to_string(), now)
        .await?;
    let record = edits.find(new_id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(record))
}

fn translate_copy(locale: Locale) -> String {
    jsap_adapters::translate(locale.as_str(), "editor.copy_suffix")
}
