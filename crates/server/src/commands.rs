//! The CLI commands other than `serve`.

use crate::config::Config;
use crate::startup::Services;
use anyhow::{Context, bail};
use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
use jsap_domain::EmailAddress;
use jsap_store::{StaffAccounts, StaffUpsert};
use rand::Rng;
use std::path::Path;

/// Validates every tenant file of `dir`. Prints `file: field: reason` per problem.
pub fn tenants_check(dir: &Path) -> anyhow::Result<()> {
    match jsap_tenancy::load_dir(dir) {
        Ok(tenants) => {
            println!(
                "{} tenant file(s) valid in {}",
                tenants.len(),
                dir.display()
            );
            Ok(())
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            bail!("{} problem(s) in {}", errors.len(), dir.display())
        }
    }
}

/// The tenant files of `dir`, or every problem they have.
fn load_tenants(dir: &Path) -> anyhow::Result<Vec<jsap_tenancy::Tenant>> {
    jsap_tenancy::load_dir(dir).map_err(|errors| {
        anyhow::anyhow!(
            "invalid tenant config (run `jesuisaupays tenants check`):\n{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

pub fn tenants_list(dir: &Path) -> anyhow::Result<()> {
    let tenants = load_tenants(dir)?;
    println!(
        "{:<8} {:<8} {:<28} {:<10} {:>6}  hosts",
        "code", "kind", "canonical domain", "locales", "cities"
    );
    for t in tenants {
        let locales: Vec<&str> = t.locales.iter().map(|l| l.as_str()).collect();
        let kind = if t.is_portal() { "portal" } else { "country" };
        let hosts: Vec<&str> = t.hosts().skip(1).collect();
        println!(
            "{:<8} {:<8} {:<28} {:<10} {:>6}  {}",
            t.code,
            kind,
            t.canonical_domain,
            locales.join(","),
            t.cities.len(),
            hosts.join(" ")
        );
    }
    Ok(())
}

/// A random 20-character password (no look-alike characters).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("Failed to hash the password: {e}"))
}

/// Creates (or resets) a platform staff account and prints its password once.
pub async fn create_staff(
    config: &Config,
    email: &str,
    name: Option<&str>,
    take_over: bool,
) -> anyhow::Result<()> {
    let email = EmailAddress::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let services = Services::connect(config).await?;
    services.sync_tenants().await?;
    let portal = services
        .registry
        .tenants()
        .iter()
        .find(|t| t.is_portal())
        .cloned()
        .context(
            "no portal tenant (kind = \"portal\") in TENANTS_DIR: staff accounts live there",
        )?;
    let password = generate_password();
    let display_name = name.unwrap_or("Équipe jesuisaupays");
    let upserted = StaffAccounts::new(services.store.conn(), &portal)?
        .upsert(&email, display_name, &hash_password(&password)?, take_over)
        .await;
    let (user, outcome) = match upserted {
        Err(reason @ jsap_store::StoreError::AccountNotOurs(_)) => anyhow::bail!(
            "create-staff: {reason}. Refused. Use another address, or run again with \
             --take-over-existing to end its sessions, replace its password and make it staff"
        ),
        other => other?,
    };
    println!(
        "{} staff account {} (id {}). Password, shown only once: {password}",
        match outcome {
            StaffUpsert::Created => "Created",
            StaffUpsert::PasswordReset => "Reset the password (every session ended) of",
            StaffUpsert::TookOver => "Took over (every session and link ended) as",
        },
        user.email,
        user.id
    );
    Ok(())
}

/// Whom a command is for: `--tenant`, `--email` and `--name`.
#[derive(Debug, Clone, Copy)]
pub struct Addressee<'a> {
    pub tenant: &'a str,
    pub email: &'a str,
    pub name: Option<&'a str>,
}

impl<'a> Addressee<'a> {
    pub fn new(tenant: &'a str, email: &'a str, name: Option<&'a str>) -> Self {
        Self {
            tenant,
            email,
            name,
        }
    }
}

/// Connects, syncs the tenant files and finds the tenant of `--tenant`.
/// `--email` checked, then the services and the tenant of `--tenant`.
async fn for_address(
    config: &Config,
    to: Addressee<'_>,
) -> anyhow::Result<(EmailAddress, Services, std::sync::Arc<jsap_tenancy::Tenant>)> {
    let email = EmailAddress::parse(to.email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let (services, tenant) = services_for(config, to.tenant).await?;
    Ok((email, services, tenant))
}

pub(crate) async fn services_for(
    config: &Config,
    code: &str,
) -> anyhow::Result<(Services, std::sync::Arc<jsap_tenancy::Tenant>)> {
    let services = Services::connect(config).await?;
    services.sync_tenants().await?;
    let tenant = services
        .registry
        .get(code)
        .cloned()
        .with_context(|| format!("--tenant: no tenant {code} in TENANTS_DIR"))?;
    Ok((services, tenant))
}

pub async fn seed_demo(config: &Config, missions: Option<usize>) -> anyhow::Result<()> {
    let services = Services::connect(config).await?;
    services.sync_tenants().await?;
    let started = std::time::Instant::now();
    let report = match missions {
        Some(n) => crate::seed::seed_synthetic(&services, n).await?,
        None => crate::seed::seed_demo(&services).await?,
    };
    println!(
        "Seeded {} tenant(s): {} organisation(s), {} mission(s) in {:.1} s",
        report.tenants,
        report.organisations,
        report.missions,
        started.elapsed().as_secs_f64()
    );
    if missions.is_none() {
        let accounts = crate::seed::seed_demo_accounts(&services).await?;
        print!("{}", crate::seed::accounts_table(&accounts));
    }
    Ok(())
}

/// Creates a focal-point invitation, or gives the existing one a fresh token, and queues its
/// email in the same transaction. The previous link of that invitation stops working.
pub async fn invite(config: &Config, to: Addressee<'_>, city: &str) -> anyhow::Result<()> {
    let (email, services, tenant) = for_address(config, to).await?;
    if !tenant.cities.iter().any(|c| c.slug.as_str() == city) {
        let slugs: Vec<&str> = tenant.cities.iter().map(|c| c.slug.as_str()).collect();
        bail!(
            "--city: {city} is not a city of {} ({})",
            tenant.code,
            slugs.join(", ")
        );
    }
    let city_id = jsap_store::Invitations::for_tenant(services.store.conn(), &tenant)
        .city_id(city)
        .await?;
    send_invitation(
        &services,
        &tenant,
        jsap_store::Grant::FocalPoint { city_id },
        to.name,
        &email,
        &format!("Invitation for {email} ({city}, {})", tenant.code),
    )
    .await
}

/// Invites `email` to `grant` and prints `what`, the queued email's number and the date the
/// link stops working.
async fn send_invitation(
    services: &Services,
    tenant: &jsap_tenancy::Tenant,
    grant: jsap_store::Grant,
    name: Option<&str>,
    email: &EmailAddress,
    what: &str,
) -> anyhow::Result<()> {
    let (invitation, id) = jsap_app::invitations::invite(
        &services.store,
        services.themes.clone(),
        tenant,
        grant,
        name,
        email,
        None,
    )
    .await?;
    println!(
        "{} queued as email #{id}; the link is valid until {}.",
        what,
        invitation.expires_at.format("%Y-%m-%d")
    );
    Ok(())
}

/// The role an invitation grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InviteRole {
    FocalPoint,
    CountryOperator,
}

/// Creates a country-operator invitation, or gives the existing one of this email a fresh
/// token, and queues its email in the same transaction.
pub async fn invite_operator(config: &Config, to: Addressee<'_>) -> anyhow::Result<()> {
    let (email, services, tenant) = for_address(config, to).await?;
    if tenant.is_portal() {
        bail!(
            "--tenant: {} is the portal; country operators belong to a country site",
            tenant.code
        );
    }
    send_invitation(
        &services,
        &tenant,
        jsap_store::Grant::CountryOperator,
        to.name,
        &email,
        &format!("Country-operator invitation for {email} ({})", tenant.code),
    )
    .await
}

/// `token create`: a personal access token for a member of `tenant`, printed once.
pub async fn token_create(config: &Config, to: Addressee<'_>) -> anyhow::Result<()> {
    let (email, services, tenant) = for_address(config, to).await?;
    let Some(account) = jsap_store::Accounts::for_tenant(services.store.conn(), &tenant)
        .find_by_email(&email)
        .await?
    else {
        bail!("--email: no account {email} on {}", tenant.code);
    };
    let clock = jsap_app::SystemClock;
    let scope = jsap_app::Scope::new(&services.store, services.themes.clone(), &tenant, &clock);
    match jsap_app::tokens::create(&scope, &account, to.name.unwrap_or("cli")).await? {
        Ok((token, record)) => {
            println!("{token}");
            eprintln!(
                "Token \"{}\" for {} on {} (shown once; revoke it from the account page).",
                record.name, account.email, tenant.code
            );
            Ok(())
        }
        Err(jsap_app::tokens::TokenRefusal::Unverified) => {
            bail!("--email: {email} has not confirmed its address yet")
        }
        Err(jsap_app::tokens::TokenRefusal::Name) => {
            bail!("--name: 1 to {} characters", jsap_app::tokens::NAME_MAX)
        }
        Err(jsap_app::tokens::TokenRefusal::TooMany) => bail!(
            "{email} holds {} live tokens already: revoke one first",
            jsap_app::tokens::LIVE_MAX
        ),
    }
}

/// The Kubernetes Ingress of every site: each tenant's canonical domain and aliases (never its
/// development hosts) routed to `service`, with one TLS entry per tenant. JSON, which
/// `kubectl apply -f` reads as it reads YAML; `deploy/k8s/ingress.json` is its output for
/// this repository's `tenants/`.
pub fn tenants_ingress(dir: &Path, service: &str, port: u16) -> anyhow::Result<()> {
    let tenants = load_tenants(dir)?;
    println!("{}", ingress(&tenants, service, port));
    Ok(())
}

/// The Ingress document of `tenants` (see [`tenants_ingress`]).
pub fn ingress(tenants: &[jsap_tenancy::Tenant], service: &str, port: u16) -> String {
    let mut tenants: Vec<&jsap_tenancy::Tenant> = tenants.iter().collect();
    tenants.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
    let public_hosts = |t: &jsap_tenancy::Tenant| -> Vec<String> {
        std::iter::once(t.canonical_domain.clone())
            .chain(t.aliases.iter().cloned())
            .collect()
    };
    let backend = serde_json::json!({
        "service": { "name": service, "port": { "number": port } }
    });
    let rules: Vec<serde_json::Value> = tenants
        .iter()
        .flat_map(|t| public_hosts(t))
        .map(|host| {
            serde_json::json!({
                "host": host,
                "http": { "paths": [{ "path": "/", "pathType": "Prefix", "backend": backend }] }
            })
        })
        .collect();
    let tls: Vec<serde_json::Value> = tenants
        .iter()
        .map(|t| {
            serde_json::json!({
                "hosts": public_hosts(t),
                "secretName": format!("tls-{}", t.code),
            })
        })
        .collect();
    let document = serde_json::json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": "jesuisaupays",
            "labels": { "app.kubernetes.io/name": "jesuisaupays" },
            "annotations": {
                "nginx.ingress.kubernetes.io/proxy-body-size": "12m"
            }
        },
        "spec": { "ingressClassName": "nginx", "tls": tls, "rules": rules }
    });
    serde_json::to_string_pretty(&document).unwrap_or_default()
}
