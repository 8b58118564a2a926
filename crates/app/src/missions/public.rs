//! What a mission's public page reads from the database.

use crate::{Failure, Scope};
use jsap_domain::Locale;
use jsap_store::{Connection, MissionDetail, MissionPhotos, Missions, PhotoRecord, StoreError};

/// A published mission as its public page shows it.
pub struct PublicMission {
    /// Its facts and its texts in the language asked for (or the one it has).
    pub detail: MissionDetail,
    /// Its photos, in their order.
    pub photos: Vec<PhotoRecord>,
}

/// Published mission `id` of this tenant in `locale`, with its photos; `None` when it is not
/// public here. On PostgreSQL the reads share one transaction: on a pooled connection each
/// read alone is four round trips (`BEGIN`, row-level security's setting, the read, `COMMIT`).
/// SQLite reads on the plain connection, where a transaction would only add two hand-offs.
pub async fn public_mission(
    scope: &Scope<'_>,
    id: i64,
    locale: Locale,
) -> Result<Option<PublicMission>, Failure> {
    if scope.store.backend_name() != "postgresql" {
        return Ok(read(scope.store.conn(), scope, id, locale).await?);
    }
    let tx = scope.store.begin().await?;
    let found = read(&tx, scope, id, locale).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(found)
}

async fn read<C: Connection>(
    conn: &C,
    scope: &Scope<'_>,
    id: i64,
    locale: Locale,
) -> Result<Option<PublicMission>, StoreError> {
    let Some(detail) = Missions::for_tenant(conn, scope.tenant)
        .published(id, locale.as_str())
        .await?
    else {
        return Ok(None);
    };
    let photos = MissionPhotos::for_tenant(conn, scope.tenant)
        .of_mission(detail.mission.id)
        .await?;
    Ok(Some(PublicMission { detail, photos }))
}
