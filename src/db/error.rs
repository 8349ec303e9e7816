//! Database errors, and their translation into words a receptionist understands.

use tokio_postgres::error::SqlState;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database refused: the role may not do this.
    #[error("you are not allowed to do that")]
    Forbidden,
    /// Someone else changed or took the thing first.
    #[error("{0}")]
    Conflict(String),
    /// A rule of the clinic's data was broken (a constraint), in words.
    #[error("{0}")]
    Invalid(String),
    /// The server could not be reached or the connection dropped.
    #[error("the database cannot be reached right now ({0}); your input is kept, try again")]
    Unreachable(String),
    #[error("database error: {0}")]
    Other(String),
}

impl From<tokio_postgres::Error> for DbError {
    fn from(e: tokio_postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) => {
                let code = db.code();
                if *code == SqlState::INSUFFICIENT_PRIVILEGE {
                    DbError::Forbidden
                } else if *code == SqlState::EXCLUSION_VIOLATION
                    || *code == SqlState::UNIQUE_VIOLATION
                    || *code == SqlState::T_R_SERIALIZATION_FAILURE
                {
                    DbError::Conflict(db.message().to_string())
                } else if code.code().starts_with("23")
                    || code.code().starts_with("22")
                    || *code == SqlState::RAISE_EXCEPTION
                {
                    DbError::Invalid(db.message().to_string())
                } else {
                    DbError::Other(db.message().to_string())
                }
            }
            None if e.is_closed() => DbError::Unreachable("connection closed".into()),
            None => DbError::Unreachable(e.to_string()),
        }
    }
}

impl From<deadpool_postgres::PoolError> for DbError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => e.into(),
            other => DbError::Unreachable(other.to_string()),
        }
    }
}
