//! Errors of the music module.

use http::StatusCode;
use revenge_core::ErrorCode;

/// What can go wrong in the music module.
#[derive(Debug, thiserror::Error)]
pub enum MusicError {
    /// No such artist, album, track or playlist (or the caller may not see it).
    #[error("{0} not found")]
    NotFound(String),
    /// A request the module cannot take.
    #[error("{message}")]
    Invalid {
        /// The field at fault.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Reading a file failed.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl MusicError {
    /// A not-found error naming what was looked for.
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        MusicError::NotFound(what.to_string())
    }
}

impl ErrorCode for MusicError {
    fn status(&self) -> StatusCode {
        match self {
            MusicError::NotFound(_) => StatusCode::NOT_FOUND,
            MusicError::Invalid { .. } => StatusCode::BAD_REQUEST,
            MusicError::Forbidden(_) => StatusCode::FORBIDDEN,
            MusicError::Io { .. } | MusicError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            MusicError::NotFound(_) => "not_found",
            MusicError::Invalid { .. } => "invalid_request",
            MusicError::Forbidden(_) => "forbidden",
            MusicError::Io { .. } => "io_error",
            MusicError::Db(_) => "database_error",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            MusicError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}
