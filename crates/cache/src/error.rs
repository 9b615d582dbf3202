//! Errors of the cache. Only construction and the test helpers return them: at request time a
//! cache failure is never an error, the caller falls back to the database.

use http::StatusCode;
use revenge_core::ErrorCode;

/// What can go wrong setting the cache up.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The settings are wrong (a bad URL, a backend this build lacks).
    #[error("cache settings: {0}")]
    Settings(String),
    /// The shared backend refused a command.
    #[error("cache backend: {0}")]
    Backend(String),
}

impl ErrorCode for CacheError {
    fn status(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    fn code(&self) -> &'static str {
        match self {
            CacheError::Settings(_) => "cache_settings",
            CacheError::Backend(_) => "cache_failed",
        }
    }
}
