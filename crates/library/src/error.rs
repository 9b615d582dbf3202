//! Errors of the library crate.

use http::StatusCode;
use revenge_core::{ErrorCode, Id};

/// What can go wrong with libraries.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// No library with that id, or none the caller may see.
    #[error("library {0} not found")]
    NotFound(Id),
    /// A field is invalid.
    #[error("{field}: {message}")]
    Invalid {
        /// The field at fault.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The caller lacks the manage-libraries capability.
    #[error("this needs the manage-libraries capability")]
    Forbidden,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl ErrorCode for LibraryError {
    fn status(&self) -> StatusCode {
        match self {
            LibraryError::NotFound(_) => StatusCode::NOT_FOUND,
            LibraryError::Invalid { .. } => StatusCode::BAD_REQUEST,
            LibraryError::Forbidden => StatusCode::FORBIDDEN,
            LibraryError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            LibraryError::NotFound(_) => "not_found",
            LibraryError::Invalid { .. } => "invalid_request",
            LibraryError::Forbidden => "forbidden",
            LibraryError::Db(_) => "database_error",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            LibraryError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}
