//! The setup every use-case test shares: a migrated SQLite file with the shipped tenants
//! synchronised, and the shipped themes.

#![allow(dead_code)]

use jsap_adapters::Themes;
use jsap_app::{Clock, Scope};
use jsap_domain::EmailAddress;
use jsap_store::Grant;
use jsap_store::{Account, Accounts, Cities, Outbox, Role, Store, sync_tenant};
use jsap_tenancy::Tenant;
use std::path::Path;
use std::sync::Arc;

pub struct World {
    pub store: Store,
    pub themes: Arc<Themes>,
    /// Cameroon, the tenant under test.
    pub cm: Tenant,
    /// Senegal, the second tenant that must see none of it.
    pub sn: Tenant,
    _dir: tempfile::TempDir,
}

fn repo(dir: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(dir)
}

pub async fn world() -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::connect(&format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("app.db").display()
    ))
    .await
    .expect("store");
    store.migrate().await.expect("migrate");
    let tenants = jsap_tenancy::load_dir(&repo("tenants")).expect("tenants");
    let pick = |code: &str| {
        tenants
            .iter()
            .find(|t| t.code.as_str() == code)
            .expect("tenant")
            .clone()
    };
    let (cm, sn) = (pick("cm"), pick("sn"));
    for t in [&cm, &sn] {
        sync_tenant(store.conn(), t).await.expect("sync");
    }
    World {
        store,
        themes: Arc::new(Themes::load(&repo("themes")).expect("themes")),
        cm,
        sn,
        _dir: dir,
    }
}

impl World {
    /// The use-case scope of `tenant` at `clock`'s time.
    pub fn scope<'a>(&'a self, tenant: &'a Tenant, clock: &'a dyn Clock) -> Scope<'a> {
        Scope::new(&self.store, self.themes.clone(), tenant, clock)
    }

    /// A verified account of `tenant` holding `roles` (role, city).
    pub async fn account(
        &self,
        tenant: &Tenant,
        email: &str,
        name: &str,
        roles: &[(Role, Option<i64>)],
    ) -> Account {
        let accounts = Accounts::for_tenant(self.store.conn(), tenant);
        let account = accounts
            .create(
                &EmailAddress::parse(email).expect("email"),
                name,
                "hash",
                true,
            )
            .await
            .expect("account");
        for (role, city) in roles {
            accounts
                .grant(account.id, Grant::new(*role, *city, None).expect("a grant"))
                .await
                .expect("grant");
        }
        account
    }

    /// The id of `tenant`'s city `slug`.
    pub async fn city(&self, tenant: &Tenant, slug: &str) -> i64 {
        Cities::for_tenant(self.store.conn(), tenant)
            .by_slug(slug)
            .await
            .expect("cities")
            .expect("city")
            .id
    }

    /// The path token of the last `kind` email queued on `tenant`, after `marker` in its text.
    pub async fn last_link_token(&self, tenant: &Tenant, kind: &str, marker: &str) -> String {
        let emails = Outbox::for_tenant(self.store.conn(), tenant)
            .list()
            .await
            .expect("outbox");
        let email = emails
            .iter()
            .rev()
            .find(|e| e.kind == kind)
            .unwrap_or_else(|| panic!("no {kind} email"));
        let start = email.text_body.find(marker).expect("link") + marker.len();
        email.text_body[start..]
            .split(|c: char| c.is_whitespace())
            .next()
            .expect("token")
            .to_owned()
    }

    /// How many `kind` emails are queued on `tenant`.
    pub async fn queued(&self, tenant: &Tenant, kind: &str) -> usize {
        Outbox::for_tenant(self.store.conn(), tenant)
            .list()
            .await
            .expect("outbox")
            .iter()
            .filter(|e| e.kind == kind)
            .count()
    }
}

/// The S3-compatible server's store when `TEST_S3_ENDPOINT` / `TEST_S3_BUCKET` are set (they
/// must be in CI); `None` (the test is skipped) elsewhere.
pub fn s3_store() -> Option<jsap_adapters::BlobStore> {
    let endpoint = std::env::var("TEST_S3_ENDPOINT")
        .ok()
        .filter(|v| !v.is_empty());
    let bucket = std::env::var("TEST_S3_BUCKET")
        .ok()
        .filter(|v| !v.is_empty());
    let (Some(endpoint), Some(bucket)) = (endpoint, bucket) else {
        assert!(
            std::env::var("CI").is_err(),
            "TEST_S3_ENDPOINT / TEST_S3_BUCKET must be set in CI"
        );
        eprintln!("skipped: TEST_S3_ENDPOINT / TEST_S3_BUCKET not set");
        return None;
    };
    Some(
        jsap_adapters::BlobStore::s3(&jsap_adapters::blob::S3Config {
            endpoint: Some(endpoint),
            bucket,
            region: "us-east-1".into(),
            access_key_id: "test".into(),
            secret_access_key: "testtest".into(),
        })
        .expect("s3 config"),
    )
}
