//! Errors of the movie module.

use http::StatusCode;
use revenge_core::{ErrorCode, Id};

/// What can go wrong in the movie module.
#[derive(Debug, thiserror::Error)]
pub enum MovieError {
    /// No movie has that id.
    #[error("movie {0} not found")]
    NotFound(Id),
    /// A new movie without a title.
    #[error("a movie needs a non-empty title")]
    EmptyTitle,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl ErrorCode for MovieError {
    fn status(&self) -> StatusCode {
        match self {
            MovieError::NotFound(_) => StatusCode::NOT_FOUND,
            MovieError::EmptyTitle => StatusCode::BAD_REQUEST,
            MovieError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            MovieError::NotFound(_) => "not_found",
            MovieError::EmptyTitle => "invalid_request",
            MovieError::Db(_) => "database_error",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            MovieError::EmptyTitle => Some("title"),
            _ => None,
        }
    }
}
