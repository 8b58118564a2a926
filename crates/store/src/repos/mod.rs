/// Declares a repository of one tenant's rows: a connection and the tenant's `Scope`, got
/// only from `for_tenant`, so that every repository carries a tenant from birth.
macro_rules! tenant_repository {
    ($(#[$attr:meta])* $name:ident) => {
        $(#[$attr])*
        pub struct $name<'a, C> {
            conn: $crate::rls::Scoped<'a, C>,
            scope: $crate::repos::Scope,
        }

        impl<'a, C: $crate::Connection> $name<'a, C> {
            pub fn for_tenant(conn: &'a C, tenant: &jsap_tenancy::Tenant) -> Self {
                Self {
                    conn: $crate::rls::Scoped::tenant(conn, tenant.code.as_str()),
                    scope: $crate::repos::Scope::of(tenant),
                }
            }
        }
    };
}

pub(crate) mod access_tokens;
pub(crate) mod accounts;
pub(crate) mod audit;
pub(crate) mod catalogue;
pub(crate) mod cities;
pub(crate) mod digests;
pub(crate) mod exports;
pub(crate) mod favourites;
pub(crate) mod invitations;
pub(crate) mod members;
pub(crate) mod mission_edits;
pub(crate) mod missions;
pub(crate) mod news;
pub(crate) mod organisations;
pub(crate) mod outbox;
pub(crate) mod overview;
pub(crate) mod pages;
pub(crate) mod photos;
pub(crate) mod profiles;
pub(crate) mod proposals;
pub(crate) mod recommend;
pub(crate) mod reports;
pub(crate) mod requests;
pub(crate) mod search;
pub(crate) mod statistics;
pub(crate) mod sync;
pub(crate) mod translations;
pub(crate) mod users;

use crate::StoreError;
use crate::entities::TenantOwned;
use jsap_tenancy::Tenant;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TryGetableMany,
};
use std::collections::HashMap;
use std::hash::Hash;

/// The tenant a repository is bound to. Built only from a `Tenant`, so each repository
/// carries a tenant from birth.
#[derive(Debug, Clone)]
pub(crate) struct Scope(String);

impl Scope {
    pub(crate) fn of(tenant: &Tenant) -> Self {
        Self(tenant.code.as_str().to_owned())
    }

    pub(crate) fn id(&self) -> &str {
        &self.0
    }

    /// `SELECT` of this tenant's rows of `E`: the start of every repository query.
    pub(crate) fn all<E: TenantOwned>(&self) -> sea_orm::Select<E> {
        E::find().filter(E::tenant_column().eq(self.id()))
    }

    /// `UPDATE` of this tenant's rows of `E` (add the columns and any further filter).
    pub(crate) fn update<E: TenantOwned>(&self) -> sea_orm::UpdateMany<E> {
        E::update_many().filter(E::tenant_column().eq(self.id()))
    }

    /// `DELETE` of this tenant's rows of `E` (add any further filter).
    pub(crate) fn delete<E: TenantOwned>(&self) -> sea_orm::DeleteMany<E> {
        E::delete_many().filter(E::tenant_column().eq(self.id()))
    }
}

/// `key → value` for the rows `select` reads, two columns only (an id to a name, say).
pub(crate) async fn pairs<E, K, V, C>(
    conn: &C,
    select: sea_orm::Select<E>,
    key: E::Column,
    value: E::Column,
) -> Result<HashMap<K, V>, StoreError>
where
    E: EntityTrait,
    C: ConnectionTrait,
    K: Eq + Hash,
    (K, V): TryGetableMany,
{
    Ok(select
        .select_only()
        .column(key)
        .column(value)
        .into_tuple::<(K, V)>()
        .all(conn)
        .await?
        .into_iter()
        .collect())
}

/// `id → column` of the tenant's users among `ids` (an email, a display name); no query for
/// no ids.
pub(crate) async fn user_values<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    ids: Vec<i64>,
    column: crate::entities::user::Column,
) -> Result<HashMap<i64, String>, StoreError> {
    use crate::entities::user;
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    pairs(
        conn,
        scope
            .all::<user::Entity>()
            .filter(user::Column::Id.is_in(ids)),
        user::Column::Id,
        column,
    )
    .await
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn bare_queries(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("repos folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                bare_queries(&path, found);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source");
            // String literals (this test's own) are not queries.
            for line in text.lines().filter(|l| !l.trim_start().starts_with('"')) {
                for bare in [
                    "Entity::find()",
                    "Entity::update_many()",
                    "Entity::delete_many()",
                ] {
                    if line.contains(bare) {
                        let name = path.file_name().expect("name").to_string_lossy();
                        found.push(format!("{name}: {}", line.trim()));
                    }
                }
            }
        }
    }

    /// Every repository query starts from `Scope::all`, `Scope::update` or `Scope::delete`,
    /// which add the tenant. The only bare ones are the outbox delivery's (its sending and its
    /// backlog for the metrics), which works across tenants by design and says so in its
    /// constructor (`across_all_tenants`), and the staff
    /// console's journal of every tenant (`StaffAuditLog`).
    #[test]
    fn no_repository_queries_a_table_without_its_tenant() {
        let mut found = Vec::new();
        bare_queries(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/repos"),
            &mut found,
        );
        found.sort();
        assert_eq!(
            found,
            [
                "audit.rs: page(&self.conn, audit_entry::Entity::find(), asked).await",
                "outbox.rs: Ok(row::Entity::find()",
                "outbox.rs: let claimed = row::Entity::update_many()",
                "outbox.rs: row::Entity::find().filter(row::Column::Status.eq(OutboxStatus::Pending.as_str()));",
            ]
        );
    }
}
