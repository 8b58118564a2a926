//! PostgreSQL's row-level security, statement by statement: every statement a repository
//! runs on PostgreSQL runs in a transaction that first names its tenant
//! (`set_config('app.tenant_id', <code>, true)`), or says that it crosses tenants
//! (`app.all_tenants`), the settings the policies of `m0028_row_level_security` read. Local
//! settings hold to the end of their transaction and no further, so they hold through
//! PgBouncer in transaction mode and never leak to the next user of a pooled connection.
//!
//! On a pooled connection a statement becomes `BEGIN`, the setting, the statement and
//! `COMMIT`; inside a transaction, the setting and the statement (the setting is made again
//! before each one, so two repositories of different tenants may share a transaction). SQLite
//! has no row-level security: statements pass through unchanged.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, Statement, TransactionSession, TransactionTrait,
};

/// A connection or a transaction: what every repository runs on. Use cases name this, never
/// sea-orm, so the store's database library stays its own business.
pub trait Connection: ConnectionTrait + TransactionTrait {
    /// Whether its statements share one transaction, so a local setting holds for the next.
    fn in_transaction(&self) -> bool;
}

impl Connection for DatabaseConnection {
    fn in_transaction(&self) -> bool {
        false
    }
}

impl Connection for DatabaseTransaction {
    fn in_transaction(&self) -> bool {
        true
    }
}

/// Whose rows the statements of a [`Scoped`] connection may see and write.
#[derive(Debug, Clone)]
enum Rows {
    Tenant(String),
    /// Work that crosses tenants by design (the outbox's delivery, the staff's figures).
    AllTenants,
}

/// A connection whose statements carry their tenant to PostgreSQL's policies.
#[derive(Debug)]
pub(crate) struct Scoped<'a, C> {
    inner: &'a C,
    rows: Rows,
}

impl<C> Clone for Scoped<'_, C> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner,
            rows: self.rows.clone(),
        }
    }
}

impl<'a, C: Connection> Scoped<'a, C> {
    /// Statements that see and write the rows of the tenant `code` only.
    pub(crate) fn tenant(inner: &'a C, code: &str) -> Self {
        Self {
            inner,
            rows: Rows::Tenant(code.to_owned()),
        }
    }

    /// Statements of work that crosses tenants: name it where it is built.
    pub(crate) fn all_tenants(inner: &'a C) -> Self {
        Self {
            inner,
            rows: Rows::AllTenants,
        }
    }

    fn setting(&self) -> Statement {
        let (tenant, all) = match &self.rows {
            Rows::Tenant(code) => (code.as_str(), "off"),
            Rows::AllTenants => ("", "on"),
        };
        Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT set_config('app.tenant_id', $1, true), set_config('app.all_tenants', $2, true)",
            [tenant.into(), all.into()],
        )
    }

    fn postgres(&self) -> bool {
        self.inner.get_database_backend() == DbBackend::Postgres
    }
}

/// Runs `$op($arg)` on the inner connection, inside a transaction that carries the setting
/// on PostgreSQL.
macro_rules! scoped {
    ($self:ident, $op:ident($arg:expr)) => {{
        if !$self.postgres() {
            return $self.inner.$op($arg).await;
        }
        if $self.inner.in_transaction() {
            $self.inner.execute_raw($self.setting()).await?;
            return $self.inner.$op($arg).await;
        }
        let tx = $self.inner.begin().await?;
        tx.execute_raw($self.setting()).await?;
        let out = tx.$op($arg).await?;
        tx.commit().await?;
        Ok(out)
    }};
}

#[async_trait::async_trait]
impl<C: Connection> ConnectionTrait for Scoped<'_, C> {
    fn get_database_backend(&self) -> DbBackend {
        self.inner.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        scoped!(self, execute_raw(stmt))
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        scoped!(self, execute_unprepared(sql))
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        scoped!(self, query_one_raw(stmt))
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        scoped!(self, query_all_raw(stmt))
    }

    fn support_returning(&self) -> bool {
        self.inner.support_returning()
    }
}

impl<C: Connection> Connection for Scoped<'_, C> {
    fn in_transaction(&self) -> bool {
        self.inner.in_transaction()
    }
}

/// A transaction begun from a scoped connection starts with its setting.
#[async_trait::async_trait]
impl<C: Connection> TransactionTrait for Scoped<'_, C> {
    type Transaction = C::Transaction;

    async fn begin(&self) -> Result<Self::Transaction, DbErr> {
        self.set_in(self.inner.begin().await?).await
    }

    async fn begin_with_config(
        &self,
        isolation_level: Option<sea_orm::IsolationLevel>,
        access_mode: Option<sea_orm::AccessMode>,
    ) -> Result<Self::Transaction, DbErr> {
        let tx = self
            .inner
            .begin_with_config(isolation_level, access_mode)
            .await?;
        self.set_in(tx).await
    }

    async fn begin_with_options(
        &self,
        options: sea_orm::TransactionOptions,
    ) -> Result<Self::Transaction, DbErr> {
        self.set_in(self.inner.begin_with_options(options).await?)
            .await
    }

    async fn transaction<F, T, E>(&self, callback: F) -> Result<T, sea_orm::TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c Self::Transaction,
            ) -> std::pin::Pin<
                Box<dyn std::future::Future<Output = Result<T, E>> + Send + 'c>,
            > + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        self.transaction_with_config(callback, None, None).await
    }

    async fn transaction_with_config<F, T, E>(
        &self,
        callback: F,
        isolation_level: Option<sea_orm::IsolationLevel>,
        access_mode: Option<sea_orm::AccessMode>,
    ) -> Result<T, sea_orm::TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c Self::Transaction,
            ) -> std::pin::Pin<
                Box<dyn std::future::Future<Output = Result<T, E>> + Send + 'c>,
            > + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        let tx = self
            .begin_with_config(isolation_level, access_mode)
            .await
            .map_err(sea_orm::TransactionError::Connection)?;
        match callback(&tx).await {
            Ok(out) => {
                tx.commit()
                    .await
                    .map_err(sea_orm::TransactionError::Connection)?;
                Ok(out)
            }
            Err(e) => {
                tx.rollback()
                    .await
                    .map_err(sea_orm::TransactionError::Connection)?;
                Err(sea_orm::TransactionError::Transaction(e))
            }
        }
    }
}

impl<C: Connection> Scoped<'_, C> {
    async fn set_in<T: ConnectionTrait>(&self, tx: T) -> Result<T, DbErr> {
        if self.postgres() {
            tx.execute_raw(self.setting()).await?;
        }
        Ok(tx)
    }
}
