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
    /// The server stopped the statement before it finished: it ran past the login's
    /// statement_timeout, or someone cancelled it. Nothing of it was kept.
    #[error("the database stopped this request before it finished (it took too long, or an administrator cancelled it); nothing of it was kept, your input is, try again")]
    Cancelled,
    /// The server lacks the room to do it (class 53: its disk full, out of memory or
    /// connections): nothing was written, and it is the server's keeper's to fix.
    #[error(
        "{0}; nothing was saved, your input is kept: tell whoever runs the server, then try again"
    )]
    OutOfRoom(&'static str),
    #[error("database error: {0}")]
    Other(String),
}

impl From<tokio_postgres::Error> for DbError {
    fn from(e: tokio_postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) => {
                let code = db.code();
                // The server going away tells the sessions it ends why (an administrator's or an
                // immediate shutdown, a crash, a lost connection: classes 57P and 08) before it
                // closes them: that is a lost connection too, not an error of the request's.
                if code.code().starts_with("08") || code.code().starts_with("57P") {
                    return DbError::Unreachable(db.message().to_string());
                }
                if *code == SqlState::QUERY_CANCELED {
                    return DbError::Cancelled;
                }
                if code.code().starts_with("53") {
                    return DbError::OutOfRoom(room_word(code));
                }
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

/// What ran out, in words (the server's message names its files, which the desk has no use for).
fn room_word(code: &SqlState) -> &'static str {
    match code.code() {
        "53100" => "the database server's disk is full",
        "53200" => "the database server is out of memory",
        "53300" => "the database server takes no more connections",
        _ => "the database server is out of resources",
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
