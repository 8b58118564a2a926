//! Tenant config -> database, idempotently. Runs at every start-up: a second run adds nothing,
//! cities from the file are updated in place unless an operator edited them from the console,
//! and cities added (or retired) from the console are kept as they are.

use crate::StoreError;
use crate::entities::{city, tenant};
use crate::repos::catalogue::bump_version;
use crate::repos::invitations::{Invitations, NewInvitation};
use jsap_tenancy::{Tenant, TenantKind};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub tenant_created: bool,
    pub cities_added: usize,
    pub cities_updated: usize,
    /// Focal points invited for the first time: the caller emails each its link.
    pub new_invitations: Vec<NewInvitation>,
}

/// Upserts the tenant row, its config cities and one invitation per configured focal point.
/// Run it inside a transaction together with the invitation emails it asks for.
#[tracing::instrument(skip_all, fields(tenant.code = %cfg.code))]
pub async fn sync_tenant<C: crate::Connection>(
    conn: &C,
    cfg: &Tenant,
) -> Result<SyncReport, StoreError> {
    let conn = &crate::rls::Scoped::tenant(conn, cfg.code.as_str());
    let mut report = SyncReport::default();
    let now = chrono::Utc::now();
    let code = cfg.code.as_str();
    let kind = match cfg.kind {
        TenantKind::Country => "country",
        TenantKind::Portal => "portal",
    };
    let row = tenant::ActiveModel {
        code: Set(code.to_owned()),
        kind: Set(kind.to_owned()),
        name: Set(cfg.site_name.get(cfg.default_locale).to_owned()),
        canonical_domain: Set(cfg.canonical_domain.clone()),
        synced_at: Set(now),
    };
    match tenant::Entity::find_by_id(code.to_owned())
        .one(conn)
        .await?
    {
        Some(_) => {
            row.update(conn).await?;
        }
        None => {
            tenant::Entity::insert(row)
                .exec_without_returning(conn)
                .await?;
            report.tenant_created = true;
        }
    }

    let existing = super::Scope::of(cfg)
        .all::<city::Entity>()
        .all(conn)
        .await?;
    for (position, c) in cfg.cities.iter().enumerate() {
        let position = position as i32;
        match existing.iter().find(|e| e.slug == c.slug.as_str()) {
            // An operator edited it from the console: their words win over the file's.
            Some(found) if found.edited_at.is_some() => {}
            Some(found) => {
                let unchanged = found.name == c.name
                    && found.name_en == c.name_en
                    && found.name_ar == c.name_ar
                    && found.region == c.region
                    && found.latitude == c.latitude
                    && found.longitude == c.longitude
                    && found.position == position
                    && found.source == "config";
                if !unchanged {
                    let mut active: city::ActiveModel = found.clone().into();
                    active.name = Set(c.name.clone());
                    active.name_en = Set(c.name_en.clone());
                    active.name_ar = Set(c.name_ar.clone());
                    active.region = Set(c.region.clone());
                    active.latitude = Set(c.latitude);
                    active.longitude = Set(c.longitude);
                    active.position = Set(position);
                    active.source = Set("config".to_owned());
                    active.update(conn).await?;
                    report.cities_updated += 1;
                }
            }
            None => {
                city::Entity::insert(city::ActiveModel {
                    tenant_id: Set(code.to_owned()),
                    slug: Set(c.slug.to_string()),
                    name: Set(c.name.clone()),
                    name_en: Set(c.name_en.clone()),
                    name_ar: Set(c.name_ar.clone()),
                    region: Set(c.region.clone()),
                    latitude: Set(c.latitude),
                    longitude: Set(c.longitude),
                    position: Set(position),
                    source: Set("config".to_owned()),
                    created_at: Set(now),
                    ..Default::default()
                })
                .exec_without_returning(conn)
                .await?;
                report.cities_added += 1;
            }
        }
    }

    if report.cities_added > 0 || report.cities_updated > 0 {
        bump_version(conn, code).await?;
    }

    let invitations = Invitations::for_tenant(conn, cfg);
    for fp in &cfg.focal_points {
        if let Some(invitation) = invitations
            .invite_focal_point_if_new(fp.city.as_str(), &fp.name, &fp.email)
            .await?
        {
            report.new_invitations.push(invitation);
        }
    }
    Ok(report)
}
