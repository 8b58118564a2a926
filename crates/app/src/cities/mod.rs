//! Cities a country operator adds from the console: live at once on the site (its page, the
//! search filters, the API, the sitemap) on every replica, kept when the tenant file is synced
//! again, with an invitation to its first focal point in the same transaction. Editing,
//! photos and retiring are in [`manage`], the city's focal points in [`focal_points`].

mod focal_points;
mod manage;

pub(crate) use focal_points::configured as configured_focal_points;
pub use focal_points::{invite as invite_focal_point, remove as remove_focal_point};
pub use manage::{PhotoRefusal, edit, set_photo, set_retired};

use crate::audit::{self, Done};
use crate::invitations::queue_email;
use crate::organisations::operator_or;
use crate::{Failure, Scope};
use jsap_domain::{EmailAddress, Slug, slugify};
use jsap_store::{Account, Cities, CityRecord, Grant, InvitationRecord, Invitations, NewCity};

/// What the operator fills in (already checked by the page: lengths, coordinates in range).
#[derive(Debug, Clone)]
pub struct CityDraft {
    pub name: String,
    pub region: String,
    pub latitude: f64,
    pub longitude: f64,
    pub description: String,
    /// The first focal point to invite: name and address.
    pub focal_point: Option<(String, EmailAddress)>,
}

/// Why a change to the cities was refused (nothing written then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CityRefusal {
    /// Only a country operator adds cities.
    NotOperator,
    /// The name gives no address for the city's page (no letter or digit in it).
    Name,
    /// The tenant has a city of that name (its page address is taken).
    Exists,
    /// The tenant has no city of that id.
    NotFound,
    /// The city still has this many missions on the site or waiting for review.
    HasMissions(u64),
    /// Nobody of that address is a focal point of the city or invited to be one.
    NoSuchFocalPoint,
}

/// `NotOperator` unless `who` is a country operator of the scope's tenant.
pub(crate) async fn operator_check(
    scope: &Scope<'_>,
    who: &Account,
) -> Result<Result<(), CityRefusal>, Failure> {
    operator_or(scope, who, CityRefusal::NotOperator).await
}

/// `who` (a country operator) adds `draft` as a city of the tenant, and invites its focal
/// point when one is given: the city and the invitation with its email, in one transaction.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = who.id))]
pub async fn add(
    scope: &Scope<'_>,
    who: &Account,
    draft: CityDraft,
) -> Result<Result<(CityRecord, Option<InvitationRecord>), CityRefusal>, Failure> {
    let tenant = scope.tenant;
    or_refuse!(operator_check(scope, who).await?);
    let Ok(slug) = Slug::parse(&slugify(&draft.name)) else {
        return Ok(Err(CityRefusal::Name));
    };
    let tx = scope.store.begin().await?;
    let cities = Cities::for_tenant(&tx, tenant);
    if cities.by_slug_any(slug.as_str()).await?.is_some() {
        return Ok(Err(CityRefusal::Exists));
    }
    let new = NewCity {
        slug,
        name: draft.name,
        region: draft.region,
        latitude: draft.latitude,
        longitude: draft.longitude,
        description: draft.description,
    };
    let city = match cities.add(&new).await {
        Ok(city) => city,
        // Another operator added the same city a moment ago.
        Err(e) if e.is_conflict() => return Ok(Err(CityRefusal::Exists)),
        Err(e) => return Err(e.into()),
    };
    let added = Done {
        action: "city_added",
        kind: "city",
        id: Some(city.id),
        target: &city.names.name,
        detail: &city.region,
    };
    audit::record(&tx, scope, Some(who), added).await?;
    let invitation = match &draft.focal_point {
        None => None,
        Some((name, email)) => {
            let grant = Grant::FocalPoint { city_id: city.id };
            let (invitation, token) = Invitations::for_tenant(&tx, tenant)
                .reissue(grant, name, email)
                .await?;
            queue_email(&tx, scope.themes.clone(), tenant, &invitation, &token).await?;
            let invited = Done {
                action: "focal_point_invited",
                kind: "city",
                id: Some(city.id),
                target: &city.names.name,
                detail: email.as_str(),
            };
            audit::record(&tx, scope, Some(who), invited).await?;
            Some(invitation)
        }
    };
    tx.commit().await.map_err(jsap_store::StoreError::from)?;
    tracing::info!(city = %city.slug, "city added");
    Ok(Ok((city, invitation)))
}
