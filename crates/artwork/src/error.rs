//! Errors of serving artwork.

use http::StatusCode;
use revenge_core::ErrorCode;

/// What can go wrong serving a picture.
#[derive(Debug, thiserror::Error)]
pub enum ArtworkError {
    /// The image id is not `<module>.<item>.<kind>`.
    #[error("id: `{0}` is not an image id (<module>.<item>.<poster|backdrop|logo|thumb>)")]
    BadId(String),
    /// No such picture, or none the caller may see.
    #[error("image not found")]
    NotFound,
    /// The width is out of range.
    #[error("width: must be 1 to {max}")]
    BadWidth {
        /// The largest width served.
        max: u32,
    },
    /// The picture file could not be read or decoded.
    #[error("cannot read the picture {path}: {reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The module failed to answer.
    #[error("{0}")]
    Module(String),
}

impl ErrorCode for ArtworkError {
    fn status(&self) -> StatusCode {
        match self {
            ArtworkError::BadId(_) | ArtworkError::BadWidth { .. } => StatusCode::BAD_REQUEST,
            ArtworkError::NotFound => StatusCode::NOT_FOUND,
            ArtworkError::Unreadable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ArtworkError::Module(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ArtworkError::BadId(_) | ArtworkError::BadWidth { .. } => "invalid_request",
            ArtworkError::NotFound => "not_found",
            ArtworkError::Unreadable { .. } => "unreadable_image",
            ArtworkError::Module(_) => "artwork_failed",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            ArtworkError::BadId(_) => Some("id"),
            ArtworkError::BadWidth { .. } => Some("width"),
            _ => None,
        }
    }
}
