//! Favourites: a member saves a public mission to find it again and removes it; when a saved
//! mission closes (filled, cancelled, or its window ended) each member who saved it is told
//! by email, in the language they saved it in, in the closing transaction.

use crate::mail::Recipient;
use crate::mail::emails::SavedMissionClosed;
use crate::{Failure, Scope};
use jsap_domain::{Locale, MissionId};
use jsap_store::{Account, Accounts, Connection, Favourites, MissionEdits, Missions, StoreError};

/// Why a mission was not saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FavouriteRefusal {
    /// No public mission of this site has that id (another site's, a draft, a closed one).
    NotFound,
}

/// `who` saves public mission `id` from a page in `locale`: true when newly saved, false when
/// it was saved already.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, mission.id = %id))]
pub async fn save(
    scope: &Scope<'_>,
    who: &Account,
    id: MissionId,
    locale: Locale,
) -> Result<Result<bool, FavouriteRefusal>, Failure> {
    let id = id.get();
    let tx = scope.store.begin().await?;
    if Missions::for_tenant(&tx, scope.tenant)
        .published(id, locale.as_str())
        .await?
        .is_none()
    {
        return Ok(Err(FavouriteRefusal::NotFound));
    }
    let saved = Favourites::for_tenant(&tx, scope.tenant)
        .save(who.id, id, locale.as_str(), scope.clock.now())
        .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(saved))
}

/// `who` forgets mission `id` (open or closed); false when they had not saved it.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, mission.id = %id))]
pub async fn remove(scope: &Scope<'_>, who: &Account, id: MissionId) -> Result<bool, Failure> {
    Ok(Favourites::for_tenant(scope.store.conn(), scope.tenant)
        .remove(who.id, id.get())
        .await?)
}

/// Queues, in `conn`'s transaction, the email saying mission `mission_id` closed for
/// `reason` to each member who saved it (not blocked), with its title in their language where
/// it has one; returns how many. The mission is read only when someone saved it (the daily
/// expiry closes many nobody saved).
pub(crate) async fn tell_savers<C: Connection>(
    conn: &C,
    scope: &Scope<'_>,
    mission_id: i64,
    reason: &str,
) -> Result<usize, Failure> {
    let tenant = scope.tenant;
    let savers = Favourites::for_tenant(conn, tenant)
        .savers(mission_id)
        .await?;
    if savers.is_empty() {
        return Ok(0);
    }
    let Some(mission) = MissionEdits::for_tenant(conn, tenant)
        .find(mission_id)
        .await?
    else {
        return Ok(0);
    };
    let accounts = Accounts::for_tenant(conn, tenant);
    let mailer = scope.mailer(conn);
    let mut told = 0;
    for (user_id, locale) in savers {
        let Some(member) = accounts.find(user_id).await?.filter(|a| !a.blocked) else {
            continue;
        };
        let locale: Locale = locale.parse().unwrap_or(tenant.default_locale);
        let email = SavedMissionClosed {
            mission_title: mission
                .text(locale.as_str())
                .map_or("", |t| t.title.as_str()),
            reason,
        };
        mailer
            .send(Recipient::account(&member, locale), &email)
            .await?;
        told += 1;
    }
    Ok(told)
}
