//! The members of an organisation (its admins and editors): listed, and removed without ever
//! leaving the organisation with no admin.

use super::Scope;
use super::accounts::{Account, Accounts, Role};
use crate::StoreError;
use crate::entities::{membership, user};
use jsap_tenancy::Tenant;
use sea_orm::{ColumnTrait, QueryFilter};

/// The members of one tenant's organisations.
pub struct OrganisationMembers<'a, C> {
    conn: crate::rls::Scoped<'a, C>,
    scope: Scope,
    accounts: Accounts<'a, C>,
}

impl<'a, C: crate::Connection> OrganisationMembers<'a, C> {
    pub fn for_tenant(conn: &'a C, tenant: &Tenant) -> Self {
        Self {
            conn: crate::rls::Scoped::tenant(conn, tenant.code.as_str()),
            scope: Scope::of(tenant),
            accounts: Accounts::for_tenant(conn, tenant),
        }
    }

    /// The members of `organisation_id` with their role, admins first, then by name (one
    /// query for the organisation's memberships, one for their accounts).
    pub async fn list(&self, organisation_id: i64) -> Result<Vec<(Account, Role)>, StoreError> {
        let rows = self
            .scope
            .all::<membership::Entity>()
            .filter(membership::Column::OrganisationId.eq(organisation_id))
            .all(&self.conn)
            .await?;
        let roles: Vec<(i64, Role)> = rows
            .iter()
            .filter_map(|m| Some((m.user_id, Role::parse(&m.role)?)))
            .filter(|(_, r)| matches!(r, Role::OrganisationAdmin | Role::OrganisationEditor))
            .collect();
        if roles.is_empty() {
            return Ok(Vec::new());
        }
        let accounts: Vec<Account> = self
            .scope
            .all::<user::Entity>()
            .filter(user::Column::Id.is_in(roles.iter().map(|(id, _)| *id)))
            .all(&self.conn)
            .await?
            .into_iter()
            .map(Account::from)
            .collect();
        let mut members = Vec::new();
        for role in [Role::OrganisationAdmin, Role::OrganisationEditor] {
            let mut holders: Vec<(Account, Role)> = accounts
                .iter()
                .filter(|a| roles.contains(&(a.id, role)))
                .map(|a| (a.clone(), role))
                .collect();
            holders.sort_by(|a, b| a.0.display_name.cmp(&b.0.display_name));
            members.extend(holders);
        }
        Ok(members)
    }

    /// Removes every role `user_id` holds on `organisation_id` and ends their sessions (their
    /// rights changed). `false` when they held none.
    pub async fn remove(&self, organisation_id: i64, user_id: i64) -> Result<bool, StoreError> {
        let deleted = self
            .scope
            .delete::<membership::Entity>()
            .filter(membership::Column::UserId.eq(user_id))
            .filter(membership::Column::OrganisationId.eq(organisation_id))
            .filter(membership::Column::Role.is_in([
                Role::OrganisationAdmin.as_str(),
                Role::OrganisationEditor.as_str(),
            ]))
            .exec(&self.conn)
            .await?;
        if deleted.rows_affected == 0 {
            return Ok(false);
        }
        self.accounts.end_sessions(user_id).await?;
        Ok(true)
    }
}
