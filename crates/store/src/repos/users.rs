use super::Scope;
use crate::StoreError;
use crate::entities::user;
use crate::repos::accounts::end_sessions_and_links;
use jsap_domain::EmailAddress;
use jsap_tenancy::Tenant;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

/// What `StaffAccounts::upsert` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffUpsert {
    Created,
    /// An existing staff account got a new password; its sessions ended.
    PasswordReset,
    /// A portal account that was not staff became staff (`take_over`); its sessions ended.
    TookOver,
}

#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub is_staff: bool,
}

/// Platform staff accounts. Staff are global: their rows live under the portal tenant, the
/// only host where the staff console answers.
pub struct StaffAccounts<'a, C> {
    conn: crate::rls::Scoped<'a, C>,
    scope: Scope,
}

impl<'a, C: crate::Connection> StaffAccounts<'a, C> {
    /// `portal` must be the portal tenant.
    pub fn new(conn: &'a C, portal: &Tenant) -> Result<Self, StoreError> {
        if !portal.is_portal() {
            return Err(StoreError::Refused(format!(
                "{} is not the portal tenant",
                portal.code
            )));
        }
        Ok(Self {
            conn: crate::rls::Scoped::tenant(conn, portal.code.as_str()),
            scope: Scope::of(portal),
        })
    }

    /// Creates a staff account, or resets the password of an existing staff account.
    ///
    /// An account of the portal that is not staff is never adopted silently: anyone may have
    /// signed up with that address before it was given to a new hire. With `take_over` it is
    /// adopted, but only after every one of its sessions and pending links has ended. Every
    /// path that changes the password ends the account's sessions.
    pub async fn upsert(
        &self,
        email: &EmailAddress,
        display_name: &str,
        password_hash: &str,
        take_over: bool,
    ) -> Result<(UserRecord, StaffUpsert), StoreError> {
        let existing = self
            .scope
            .all::<user::Entity>()
            .filter(user::Column::Email.eq(email.as_str()))
            .one(&self.conn)
            .await?;
        let now = chrono::Utc::now();
        let (model, outcome) = match existing {
            Some(found) => {
                let outcome = if found.is_staff {
                    StaffUpsert::PasswordReset
                } else if take_over {
                    StaffUpsert::TookOver
                } else {
                    return Err(StoreError::AccountNotOurs(email.to_string()));
                };
                let id = found.id;
                let generation = found.session_generation;
                let mut active: user::ActiveModel = found.into();
                active.password_hash = Set(Some(password_hash.to_owned()));
                active.is_staff = Set(true);
                active.session_generation = Set(generation + 1);
                if outcome == StaffUpsert::TookOver {
                    // What the earlier holder chose is not the new staff member's.
                    active.display_name = Set(display_name.to_owned());
                    active.email_verified_at = Set(Some(now));
                }
                let model = sea_orm::ActiveModelTrait::update(active, &self.conn).await?;
                end_sessions_and_links(&self.conn, &self.scope, id).await?;
                (model, outcome)
            }
            None => {
                let active = user::ActiveModel {
                    tenant_id: Set(self.scope.id().to_owned()),
                    email: Set(email.to_string()),
                    password_hash: Set(Some(password_hash.to_owned())),
                    display_name: Set(display_name.to_owned()),
                    is_staff: Set(true),
                    email_verified_at: Set(Some(now)),
                    created_at: Set(now),
                    ..Default::default()
                };
                (
                    user::Entity::insert(active)
                        .exec_with_returning(&self.conn)
                        .await?,
                    StaffUpsert::Created,
                )
            }
        };
        Ok((
            UserRecord {
                id: model.id,
                email: model.email,
                display_name: model.display_name,
                is_staff: model.is_staff,
            },
            outcome,
        ))
    }

    pub async fn find(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<(UserRecord, Option<String>)>, StoreError> {
        Ok(self
            .scope
            .all::<user::Entity>()
            .filter(user::Column::Email.eq(email.as_str()))
            .filter(user::Column::IsStaff.eq(true))
            .one(&self.conn)
            .await?
            .map(|m| {
                (
                    UserRecord {
                        id: m.id,
                        email: m.email,
                        display_name: m.display_name,
                        is_staff: m.is_staff,
                    },
                    m.password_hash,
                )
            }))
    }
}
