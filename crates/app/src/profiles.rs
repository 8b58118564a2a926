//! A member's profile: saved with their display name in one transaction, so the two never
//! disagree; their email choices, each change recorded as a consent.

use crate::Failure;
use jsap_domain::consents::ConsentKind;
use jsap_store::{Account, Accounts, Consents, Profile, Profiles, Store, StoreError};
use jsap_tenancy::Tenant;

/// Saves `member`'s profile and, when it changed, their display name; a change of whether
/// focal points may find them is recorded as a consent given or withdrawn.
#[tracing::instrument(skip_all, fields(tenant.code = %tenant.code, account.id = member.id))]
pub async fn save(
    store: &Store,
    tenant: &Tenant,
    member: &Account,
    display_name: &str,
    profile: &Profile,
) -> Result<(), Failure> {
    let tx = store.begin().await?;
    let profiles = Profiles::for_tenant(&tx, tenant);
    let was_findable = profiles.get(member.id).await?.findable;
    profiles.save(member.id, profile).await?;
    // Letting focal points find the profile is a consent, recorded when it changes.
    let consents = Consents::for_tenant(&tx, tenant);
    if was_findable != profile.findable
        || (profile.findable
            && consents
                .latest(member.id, ConsentKind::Findable)
                .await?
                .is_none())
    {
        consents
            .record(
                member.id,
                ConsentKind::Findable,
                profile.findable,
                chrono::Utc::now(),
            )
            .await?;
    }
    if display_name != member.display_name {
        Accounts::for_tenant(&tx, tenant)
            .set_display_name(member.id, display_name)
            .await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// A member's choice of optional emails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmailChoices {
    pub campaigns: bool,
    pub reminders: bool,
    /// The weekly selection of missions.
    pub missions: bool,
}

/// Saves `member`'s email choices, made on a page in `locale` (the language the weekly
/// selection is then written in); each choice that changed is recorded as a consent given or
/// withdrawn, with its date and the version of the text, in the same transaction.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = member.id))]
pub async fn set_email_preferences(
    scope: &crate::Scope<'_>,
    member: &Account,
    choices: EmailChoices,
    locale: jsap_domain::Locale,
) -> Result<(), Failure> {
    let tx = scope.store.begin().await?;
    let profiles = Profiles::for_tenant(&tx, scope.tenant);
    let mut profile = profiles.get(member.id).await?;
    let changes = [
        (
            ConsentKind::EmailCampaigns,
            profile.email_campaigns,
            choices.campaigns,
        ),
        (
            ConsentKind::EmailReminders,
            profile.email_reminders,
            choices.reminders,
        ),
        (
            ConsentKind::EmailMissions,
            profile.email_missions,
            choices.missions,
        ),
    ];
    profile.email_campaigns = choices.campaigns;
    profile.email_reminders = choices.reminders;
    profile.email_missions = choices.missions;
    profile.email_locale = Some(locale.as_str().to_owned());
    profiles.save(member.id, &profile).await?;
    let consents = Consents::for_tenant(&tx, scope.tenant);
    let now = scope.clock.now();
    for (kind, was, is) in changes {
        // The first choice is recorded even when it keeps the default.
        if was != is || consents.latest(member.id, kind).await?.is_none() {
            consents.record(member.id, kind, is, now).await?;
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}
