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
}
