//! Personal access tokens: a member with a confirmed address creates, names and revokes
//! them; a token acts for its member on its tenant only, with the member's roles as they are
//! when it is used (a role removed is a right removed).

use crate::{Failure, Scope};
use jsap_domain::TokenId;
use jsap_store::{AccessTokens, Account, Accounts, StoreError, TokenRecord};

/// The longest token name.
pub const NAME_MAX: usize = 80;
/// How many live tokens a member may hold.
pub const LIVE_MAX: usize = 20;

/// Why a token was not created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefusal {
    /// The member has not confirmed their address.
    Unverified,
    /// The name is empty or longer than `NAME_MAX`.
    Name,
    /// The member holds `LIVE_MAX` live tokens already.
    TooMany,
}

/// Creates a token named `name` for `who`: the token (to show once) and its record.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = who.id))]
pub async fn create(
    scope: &Scope<'_>,
    who: &Account,
    name: &str,
) -> Result<Result<(String, TokenRecord), TokenRefusal>, Failure> {
    if !who.email_verified {
        return Ok(Err(TokenRefusal::Unverified));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        return Ok(Err(TokenRefusal::Name));
    }
    let tx = scope.store.begin().await?;
    let tokens = AccessTokens::for_tenant(&tx, scope.tenant);
    let live = tokens
        .of_user(who.id)
        .await?
        .iter()
        .filter(|t| t.revoked_at.is_none())
        .count();
    if live >= LIVE_MAX {
        return Ok(Err(TokenRefusal::TooMany));
    }
    let created = tokens.create(who.id, name, scope.clock.now()).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Ok(created))
}

/// Revokes token `id` of `who`; false when it is not one of their live tokens.
#[tracing::instrument(skip_all, fields(tenant.code = %scope.tenant.code, account.id = who.id))]
pub async fn revoke(scope: &Scope<'_>, who: &Account, id: TokenId) -> Result<bool, Failure> {
    let id = id.get();
    Ok(AccessTokens::for_tenant(scope.store.conn(), scope.tenant)
        .revoke(who.id, id, scope.clock.now())
        .await?)
}

/// The account a live `token` of this tenant acts for (its address confirmed, not blocked),
/// if any.
pub async fn authenticate(scope: &Scope<'_>, token: &str) -> Result<Option<Account>, Failure> {
    let conn = scope.store.conn();
    let Some(user) = AccessTokens::for_tenant(conn, scope.tenant)
        .authenticate(token, scope.clock.now())
        .await?
    else {
        return Ok(None);
    };
    Ok(Accounts::for_tenant(conn, scope.tenant)
        .find(user)
        .await?
        .filter(|a| a.email_verified && !a.blocked))
}
