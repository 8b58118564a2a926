//! The steps of a mission's lifecycle after its writing: submit, review, close, expire.

use super::{MissionRefusal, may_edit};
use crate::audit::{self, Done};
use crate::mail::Recipient;
use crate::mail::emails::{MissionReviewed, MissionSubmitted};
use crate::organisations::{holders, permissions, reviewers};
use crate::{Failure, Scope};
use jsap_domain::MissionId;
use jsap_domain::missions::{CloseReason, MissionStep};
use jsap_store::{
    Account, Cities, Connection, MissionEdits, MissionRecord, OrganisationMembers,
    OrganisationRecord, Organisations, Role, StepWrite, StoreError,
};

/// The mission's title in the tenant's default locale.
fn title(scope: &Scope<'_>, mission: &MissionRecord) -> String {
    mission
        .text(scope.tenant.default_locale.as_str())
        .map_or(String::new(), |t| t.title.clone())
}

/// Emails the reviewers of mission `id` (its city's focal points and the country operators)
/// that it waits for them.
pub(super) async fn tell_reviewers<C: Connection>(
    scope: &Scope<'_>,
    conn: &C,
    organisation: &OrganisationRecord,
    id: i64,
) -> Result<(), Failure> {
    let tenant = scope.tenant;
    let mission = MissionEdits::for_tenant(conn, tenant)
        .find(id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let city = Cities::for_tenant(conn, tenant)
        .by_id(mission.fields.city_id)
        .await?
        .ok_or_else(|| StoreError::UnknownCity(mission.fields.city_id.to_string()))?;
    let mission_title = title(scope, &mission);
    let submitted = MissionSubmitted {
        organisation_name: &organisation.profile.name,
        mission_title: &mission_title,
        city_name: city.name_in(tenant.default_locale),
    };
    let mailer = scope.mailer(conn);
    for to in reviewers(conn, tenant, &city).await? {
        mailer
            .send(Recipient::account(&to, tenant.default_locale), &submitted)
            .await?;
    }
    Ok(())
}

/// Sends mission `id` (a draft, or one whose changes were requested) to review, and tells
/// its reviewers.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, mission.id = %id))]
pub async fn submit(
    scope: &Scope<'_>,
    who: &Account,
    id: MissionId,
) -> Result<Result<MissionRecord, MissionRefusal>, Failure> {
    let id = id.get();
    let (mission, organisation) = or_refuse!(editable(scope, who, id).await?);
    let today = scope.tenant.local_date(scope.clock.now());
    if mission.fields.terms.ends_on < today {
        return Ok(Err(MissionRefusal::Invalid(vec![(
            "ends_on".into(),
            jsap_domain::missions::Problem::BadDates,
        )])));
    }
    let now = scope.clock.now();
    let tx = scope.store.begin().await?;
    let edits = MissionEdits::for_tenant(&tx, scope.tenant);
    let (from, to) = MissionStep::Submit.transition();
    if !edits.step(id, from, to, &StepWrite::default(), now).await? {
        return Ok(Err(MissionRefusal::WrongState));
    }
    edits.record(id, Some(who.id), "submit", "", now).await?;
    tell_reviewers(scope, &tx, &organisation, id).await?;
    let updated = edits.find(id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(updated))
}

/// Mission `id` and its organisation, when `who` may edit it.
pub(super) async fn editable(
    scope: &Scope<'_>,
    who: &Account,
    id: i64,
) -> Result<Result<(MissionRecord, OrganisationRecord), MissionRefusal>, Failure> {
    let conn = scope.store.conn();
    let Some(mission) = MissionEdits::for_tenant(conn, scope.tenant)
        .find(id)
        .await?
    else {
        return Ok(Err(MissionRefusal::NotFound));
    };
    let Some(organisation) = Organisations::for_tenant(conn, scope.tenant)
        .by_id(mission.fields.organisation_id)
        .await?
    else {
        return Ok(Err(MissionRefusal::NotFound));
    };
    let p = permissions(conn, scope.tenant, who).await?;
    if !may_edit(&p, &organisation, mission.fields.city_id) {
        return Ok(Err(MissionRefusal::NotAllowed));
    }
    Ok(Ok((mission, organisation)))
}

/// Whether a request on a mission of `organisation` in `city_id` would reach someone: a
/// member of the organisation or a focal point of the city.
async fn has_recipient<C: Connection>(
    scope: &Scope<'_>,
    conn: &C,
    organisation: &OrganisationRecord,
    city_id: i64,
) -> Result<bool, StoreError> {
    if !OrganisationMembers::for_tenant(conn, scope.tenant)
        .list(organisation.id)
        .await?
        .is_empty()
    {
        return Ok(true);
    }
    Ok(!holders(conn, scope.tenant, Role::FocalPoint, |m| {
        m.city_id == Some(city_id)
    })
    .await?
    .is_empty())
}

/// A reviewer's decision on a submitted mission: publish it, request changes or refuse it
/// (both with a comment); its organisation's members are emailed the outcome.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, mission.id = %id))]
pub async fn review(
    scope: &Scope<'_>,
    who: &Account,
    id: MissionId,
    decision: MissionStep,
    comment: &str,
) -> Result<Result<MissionRecord, MissionRefusal>, Failure> {
    let id = id.get();
    let tenant = scope.tenant;
    let conn = scope.store.conn();
    let Some(mission) = MissionEdits::for_tenant(conn, tenant).find(id).await? else {
        return Ok(Err(MissionRefusal::NotFound));
    };
    let p = permissions(conn, tenant, who).await?;
    if !p.reviews_city(mission.fields.city_id)
        || decision.taken_by() != jsap_domain::missions::Actor::Reviewer
    {
        return Ok(Err(MissionRefusal::NotAllowed));
    }
    let comment = comment.trim();
    if decision != MissionStep::Publish && comment.is_empty() {
        return Ok(Err(MissionRefusal::CommentRequired));
    }
    if !decision.applies_to(mission.status) {
        return Ok(Err(MissionRefusal::WrongState));
    }
    let Some(organisation) = Organisations::for_tenant(conn, tenant)
        .by_id(mission.fields.organisation_id)
        .await?
    else {
        return Ok(Err(MissionRefusal::NotFound));
    };
    if decision == MissionStep::Publish {
        if !organisation.verified {
            return Ok(Err(MissionRefusal::OrganisationNotVerified));
        }
        if !has_recipient(scope, conn, &organisation, mission.fields.city_id).await? {
            return Ok(Err(MissionRefusal::NoRecipient));
        }
    }
    let now = scope.clock.now();
    let tx = scope.store.begin().await?;
    let edits = MissionEdits::for_tenant(&tx, tenant);
    let (from, to) = decision.transition();
    let write = StepWrite {
        reviewer: Some(who.id),
        comment: comment.to_owned(),
        closed_reason: String::new(),
    };
    if !edits.step(id, from, to, &write, now).await? {
        return Ok(Err(MissionRefusal::WrongState));
    }
    edits
        .record(id, Some(who.id), decision.as_str(), comment, now)
        .await?;
    let mission_title = title(scope, &mission);
    let reviewed = MissionReviewed {
        organisation_name: &organisation.profile.name,
        mission_id: id,
        mission_title: &mission_title,
        decision: decision.as_str(),
        comment,
    };
    let mailer = scope.mailer(&tx);
    let mut told: Vec<String> = Vec::new();
    for (member, _) in OrganisationMembers::for_tenant(&tx, tenant)
        .list(organisation.id)
        .await?
    {
        if told.contains(&member.email) {
            continue;
        }
        told.push(member.email.clone());
        mailer
            .send(
                Recipient::account(&member, tenant.default_locale),
                &reviewed,
            )
            .await?;
    }
    let action = format!("mission_{}", decision.as_str());
    let done = Done {
        action: &action,
        kind: "mission",
        id: Some(id),
        target: &mission_title,
        detail: comment,
    };
    audit::record(&tx, scope, Some(who), done).await?;
    let updated = edits.find(id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(updated))
}

/// Closes a published mission: filled or cancelled.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, mission.id = %id))]
pub async fn close(
    scope: &Scope<'_>,
    who: &Account,
    id: MissionId,
    reason: CloseReason,
) -> Result<Result<MissionRecord, MissionRefusal>, Failure> {
    let id = id.get();
    if let Err(refusal) = editable(scope, who, id).await? {
        return Ok(Err(refusal));
    }
    let now = scope.clock.now();
    let tx = scope.store.begin().await?;
    let edits = MissionEdits::for_tenant(&tx, scope.tenant);
    let (from, to) = MissionStep::Close.transition();
    let write = StepWrite {
        closed_reason: reason.as_str().to_owned(),
        ..StepWrite::default()
    };
    if !edits.step(id, from, to, &write, now).await? {
        return Ok(Err(MissionRefusal::WrongState));
    }
    edits
        .record(id, Some(who.id), "close", reason.as_str(), now)
        .await?;
    let updated = edits.find(id).await?.ok_or(StoreError::NotFound)?;
    crate::favourites::tell_savers(&tx, scope, id, reason.as_str()).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(updated))
}

/// Expires the tenant's published missions whose window ended before today (in the tenant's
/// time zone); returns their ids. Each is its own transaction.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code))]
pub async fn expire_ended(scope: &Scope<'_>) -> Result<Vec<i64>, Failure> {
    let now = scope.clock.now();
    let today = scope.tenant.local_date(now);
    let ended = MissionEdits::for_tenant(scope.store.conn(), scope.tenant)
        .ended(today)
        .await?;
    let mut expired = Vec::new();
    for id in ended {
        let tx = scope.store.begin().await?;
        let edits = MissionEdits::for_tenant(&tx, scope.tenant);
        let (from, to) = MissionStep::Expire.transition();
        if edits.step(id, from, to, &StepWrite::default(), now).await? {
            edits.record(id, None, "expire", "", now).await?;
            crate::favourites::tell_savers(&tx, scope, id, "expired").await?;
            tx.commit().await.map_err(StoreError::from)?;
            expired.push(id);
        }
    }
    Ok(expired)
}
