#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
}

impl StoreError {
    /// A unique key was violated: e.g. the same email signed up twice at the same moment.
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Db(e)
            if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))))
    }

    /// The database cannot be reached right now (no connection within the pool's wait, a
    /// broken connection): worth a "try again in a minute", not a 500.
    pub fn is_unavailable(&self) -> bool {
        use sea_orm::{DbErr, RuntimeErr};
        let io = |e: &RuntimeErr| match e {
            RuntimeErr::SqlxError(e) => matches!(
                e.as_ref(),
                sea_orm::sqlx::Error::Io(_)
                    | sea_orm::sqlx::Error::PoolTimedOut
                    | sea_orm::sqlx::Error::PoolClosed
                    | sea_orm::sqlx::Error::WorkerCrashed
            ),
            _ => false,
        };
        match self {
            StoreError::Db(DbErr::ConnectionAcquire(_) | DbErr::Conn(_)) => true,
            StoreError::Db(DbErr::Exec(e) | DbErr::Query(e)) => io(e),
            _ => false,
        }
    }
}
