//! The demo accounts of `seed-demo` (a member, a focal point, an organisation admin and a country operator per site), created once.

use super::*;
use jsap_store::Grant;

/// A demo account of `seed-demo`. `password` is `None` when the account already existed (its
/// password was shown by the run that created it, and is never shown again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub tenant: String,
    pub role: &'static str,
    pub email: String,
    pub password: Option<String>,
}

/// The demo accounts of a country site: (local part, role label, display name).
pub(super) const DEMO_ACCOUNTS: [(&str, &str, &str); 5] = [
    ("membre", "member", "Awa Membre"),
    ("admin-organisation", "organisation admin", "Paul Admin"),
    ("redaction", "organisation editor", "Inès Rédaction"),
    ("point-focal", "focal point", "Jean Point Focal"),
    ("operateur", "country operator", "Fatou Opératrice"),
];

/// Creates the demo accounts of every country site that has demo organisations (a member with
/// a profile and an upcoming stay, an admin and an editor of the organisation with the most
/// missions, the focal
/// point of the main city, a country operator) and one staff account on the portal, each with
/// a random password. Accounts that already exist are left as they are (listed without
/// password).
pub async fn seed_demo_accounts(services: &Services) -> anyhow::Result<Vec<DemoAccount>> {
    use jsap_domain::EmailAddress;
    use jsap_store::{Accounts, Profile, Profiles, StaffAccounts};
    let mut out = Vec::new();
    let today = Utc::now().date_naive();
    for tenant in services.registry.countries() {
        let tx = services.store.begin().await?;
        // The demo admin and editor get the organisation with the most missions, so that
        // their mission space has something to show.
        let mut org = None;
        let missions = jsap_store::Missions::for_tenant(&tx, tenant);
        for o in Organisations::for_tenant(&tx, tenant).list().await? {
            let n = missions.count_of_organisation(o.id).await?;
            if org.as_ref().is_none_or(|(best, _)| n > *best) {
                org = Some((n, o));
            }
        }
        let Some((_, org)) = org else {
            continue;
        };
        let cities = Cities::for_tenant(&tx, tenant).list().await?;
        let Some(main_city) = main_city(tenant, &cities) else {
            continue;
        };
        let accounts = Accounts::for_tenant(&tx, tenant);
        for (local, role, name) in DEMO_ACCOUNTS {
            let email = EmailAddress::parse(&format!("{local}@{}", tenant.canonical_domain))
                .map_err(|e| anyhow::anyhow!("demo email: {e}"))?;
            if accounts.find_by_email(&email).await?.is_some() {
                out.push(DemoAccount {
                    tenant: tenant.code.to_string(),
                    role,
                    email: email.to_string(),
                    password: None,
                });
                continue;
            }
            let password = crate::commands::generate_password();
            let hash = crate::commands::hash_password(&password)?;
            let account = accounts.create(&email, name, &hash, true).await?;
            match local {
                "membre" => {
                    let taxonomy = tenant.taxonomy();
                    let profile = Profile {
                        country_of_residence: "France".to_owned(),
                        home_city_id: Some(main_city.id),
                        skills: vec!["Gestion de projet".to_owned(), "Santé".to_owned()],
                        languages: vec!["Français".to_owned(), "Anglais".to_owned()],
                        domains: taxonomy
                            .domains
                            .iter()
                            .take(2)
                            .map(|d| d.slug.clone())
                            .collect(),
                        contributions: taxonomy
                            .contribution_types
                            .iter()
                            .take(2)
                            .map(|c| c.slug.clone())
                            .collect(),
                        ..Profile::default()
                    };
                    let profiles = Profiles::for_tenant(&tx, tenant);
                    profiles.save(account.id, &profile).await?;
                    profiles
                        .add_stay(
                            account.id,
                            today + Duration::days(30),
                            today + Duration::days(51),
                            &[main_city.id],
                        )
                        .await?;
                }
                "admin-organisation" => {
                    accounts
                        .grant(
                            account.id,
                            Grant::OrganisationAdmin {
                                organisation_id: org.id,
                            },
                        )
                        .await?
                }
                "redaction" => {
                    accounts
                        .grant(
                            account.id,
                            Grant::OrganisationEditor {
                                organisation_id: org.id,
                            },
                        )
                        .await?
                }
                "point-focal" => {
                    accounts
                        .grant(
                            account.id,
                            Grant::FocalPoint {
                                city_id: main_city.id,
                            },
                        )
                        .await?
                }
                _ => accounts.grant(account.id, Grant::CountryOperator).await?,
            }
            out.push(DemoAccount {
                tenant: tenant.code.to_string(),
                role,
                email: email.to_string(),
                password: Some(password),
            });
        }
        tx.commit().await?;
    }
    if let Some(portal) = services.registry.tenants().iter().find(|t| t.is_portal()) {
        let email = EmailAddress::parse(&format!("staff@{}", portal.canonical_domain))
            .map_err(|e| anyhow::anyhow!("demo email: {e}"))?;
        let staff = StaffAccounts::new(services.store.conn(), portal)?;
        let password = if staff.find(&email).await?.is_some() {
            None
        } else {
            let password = crate::commands::generate_password();
            staff
                .upsert(
                    &email,
                    "Équipe jesuisaupays",
                    &crate::commands::hash_password(&password)?,
                    false,
                )
                .await?;
            Some(password)
        };
        out.push(DemoAccount {
            tenant: portal.code.to_string(),
            role: "staff",
            email: email.to_string(),
            password,
        });
    }
    Ok(out)
}

/// The table `seed-demo` prints: passwords of the accounts it created (shown only once).
pub fn accounts_table(accounts: &[DemoAccount]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let created: Vec<&DemoAccount> = accounts.iter().filter(|a| a.password.is_some()).collect();
    let existing = accounts.len() - created.len();
    if !created.is_empty() {
        let width = created.iter().map(|a| a.email.len()).max().unwrap_or(0);
        let _ = writeln!(
            out,
            "Demo accounts (passwords shown only once):\n{:<8} {:<20} {:<width$} password",
            "tenant", "role", "email"
        );
        for a in &created {
            let _ = writeln!(
                out,
                "{:<8} {:<20} {:<width$} {}",
                a.tenant,
                a.role,
                a.email,
                a.password.as_deref().unwrap_or("")
            );
        }
    }
    if existing > 0 {
        let _ = writeln!(
            out,
            "{existing} demo account(s) already existed: left unchanged, passwords not shown again."
        );
    }
    out
}
