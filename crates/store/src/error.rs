#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("not found")]
    NotFound,
    /// Another account of the tenant holds this address.
    #[error("the address is already in use")]
    EmailTaken,
    /// The address belongs to an account the caller did not create and may not take over.
    #[error(
        "an account with the address {0} already exists and is not staff: it may have been registered by someone else"
    )]
    AccountNotOurs(String),
    /// A city (by slug or id) that is not one of the tenant's.
    #[error("no city {0} on this site")]
    UnknownCity(String),
    /// A write the data's own rules refuse (a mission ending before it starts, a photo of a
    /// type or size not accepted, the portal where a country is needed).
    #[error("{0}")]
    Refused(String),
    /// A row the code cannot read back (a role it does not know, a missing search key): the
    /// database holds something it should not.
    #[error("unexpected data: {0}")]
    Corrupt(String),
    /// The database did not answer in time.
    #[error("no answer within {0} ms")]
    Timeout(u64),
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
