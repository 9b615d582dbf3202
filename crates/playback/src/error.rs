//! Errors of playback: streams, decisions, progress and transcode sessions.

use http::StatusCode;
use revenge_core::{ErrorCode, Id, Problem};

/// What can go wrong playing something.
#[derive(Debug, thiserror::Error)]
pub enum PlaybackError {
    /// No such file, or one the caller may not see (the same answer, so ids cannot be probed).
    #[error("file {0} not found")]
    FileNotFound(Id),
    /// The file is known but gone from disk (an unmounted share, a deleted file).
    #[error("file {0} is not readable on the server")]
    FileMissing(Id),
    /// The caller may not download originals.
    #[error("this account may not play original files; ask for a transcode instead")]
    NoDownload,
    /// The caller may not have media transcoded.
    #[error("this account may not have media transcoded")]
    NoTranscode,
    /// The file has no item to keep progress for.
    #[error("file {0} belongs to no item")]
    NoItem(Id),
    /// A request field is invalid.
    #[error("{field}: {message}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The module owning the item failed to answer.
    #[error("{0}")]
    Module(String),
    /// Reading the file failed.
    #[error("cannot read file {id}: {source}")]
    Io {
        /// The file.
        id: Id,
        /// Why.
        source: std::io::Error,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl ErrorCode for PlaybackError {
    fn status(&self) -> StatusCode {
        match self {
            PlaybackError::FileNotFound(_) | PlaybackError::NoItem(_) => StatusCode::NOT_FOUND,
            PlaybackError::FileMissing(_) => StatusCode::GONE,
            PlaybackError::NoDownload | PlaybackError::NoTranscode => StatusCode::FORBIDDEN,
            PlaybackError::Invalid { .. } => StatusCode::BAD_REQUEST,
            PlaybackError::Module(_) | PlaybackError::Io { .. } | PlaybackError::Db(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn code(&self) -> &'static str {
        match self {
            PlaybackError::FileNotFound(_) | PlaybackError::NoItem(_) => "not_found",
            PlaybackError::FileMissing(_) => "file_missing",
            PlaybackError::NoDownload | PlaybackError::NoTranscode => "forbidden",
            PlaybackError::Invalid { .. } => "invalid_request",
            PlaybackError::Module(_) => "module_failed",
            PlaybackError::Io { .. } => "io_error",
            PlaybackError::Db(_) => "database_error",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            PlaybackError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// Transcode errors become problems through their own mapping, which keeps the cause of a
/// 503 (limit reached, ffmpeg missing or failing) in the answer.
pub(crate) fn transcode_problem(error: revenge_transcode::TranscodeError) -> Problem {
    error.into_problem()
}
