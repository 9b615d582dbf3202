//! Errors of transcoding. Their messages name the cause (the limit, a missing ffmpeg, how
//! ffmpeg failed), because a client told only "internal error" cannot do anything about it.

use http::StatusCode;
use revenge_core::{ErrorCode, Problem};

/// What can go wrong transcoding.
#[derive(Debug, thiserror::Error)]
pub enum TranscodeError {
    /// The concurrent-transcode limit is reached.
    #[error("the server is already running {0} transcodes, its limit; try again later")]
    Busy(usize),
    /// ffmpeg could not be started.
    #[error("transcoding is unavailable: ffmpeg could not be started ({0})")]
    FfmpegMissing(String),
    /// ffmpeg ran and failed.
    #[error("ffmpeg failed: {0}")]
    FfmpegFailed(String),
    /// ffmpeg did not produce a segment in time.
    #[error("ffmpeg did not produce segment {segment} of {variant} within {secs} s")]
    Timeout {
        /// The rendition.
        variant: String,
        /// The segment.
        segment: u64,
        /// How long we waited.
        secs: u64,
    },
    /// No such session (ended, timed out, or someone else's).
    #[error("transcode session not found")]
    SessionNotFound,
    /// No such rendition or segment.
    #[error("{0} not found")]
    NotFound(String),
    /// A request field is invalid.
    #[error("{0}")]
    Invalid(String),
    /// The remote transcoder failed or could not be reached.
    #[error("the remote transcoder failed: {0}")]
    Remote(String),
    /// The remote transcoder refused our secret, or a caller sent a wrong one.
    #[error("wrong transcoder secret")]
    Unauthorized,
    /// A file operation failed.
    #[error("transcode files: {0}")]
    Io(#[from] std::io::Error),
}

impl ErrorCode for TranscodeError {
    fn status(&self) -> StatusCode {
        match self {
            TranscodeError::Busy(_)
            | TranscodeError::FfmpegMissing(_)
            | TranscodeError::Remote(_) => StatusCode::SERVICE_UNAVAILABLE,
            TranscodeError::FfmpegFailed(_) | TranscodeError::Io(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            TranscodeError::Timeout { .. } => StatusCode::GATEWAY_TIMEOUT,
            TranscodeError::SessionNotFound | TranscodeError::NotFound(_) => StatusCode::NOT_FOUND,
            TranscodeError::Invalid(_) => StatusCode::BAD_REQUEST,
            TranscodeError::Unauthorized => StatusCode::UNAUTHORIZED,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            TranscodeError::Busy(_) => "transcode_limit",
            TranscodeError::FfmpegMissing(_) => "ffmpeg_missing",
            TranscodeError::FfmpegFailed(_) => "ffmpeg_failed",
            TranscodeError::Timeout { .. } => "transcode_timeout",
            TranscodeError::SessionNotFound | TranscodeError::NotFound(_) => "not_found",
            TranscodeError::Invalid(_) => "invalid_request",
            TranscodeError::Remote(_) => "remote_transcoder_failed",
            TranscodeError::Unauthorized => "unauthorized",
            TranscodeError::Io(_) => "io_error",
        }
    }
}

impl TranscodeError {
    /// The problem to answer with. The generic mapping hides every 5xx detail; here the causes
    /// a client or administrator can act on keep their message, which by construction names no
    /// server path (ffmpeg's own lines have the input path replaced).
    pub fn into_problem(self) -> Problem {
        match &self {
            TranscodeError::Busy(_)
            | TranscodeError::FfmpegMissing(_)
            | TranscodeError::FfmpegFailed(_)
            | TranscodeError::Timeout { .. }
            | TranscodeError::Remote(_) => {
                tracing::warn!(code = self.code(), error = %self, "transcode refused or failed");
                Problem::new(self.status(), self.code(), self.to_string())
            }
            _ => Problem::from(self),
        }
    }
}
