//! The search crate's errors and their problem codes.

use http::StatusCode;
use revenge_core::ErrorCode;

/// What can go wrong in search.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The search engine cannot be reached (Typesense down): the caller may retry later.
    #[error("the search engine is unavailable ({0}); try again shortly")]
    Unavailable(String),
    /// The embedded index failed.
    #[error("search index error: {0}")]
    Index(String),
    /// The engine answered something we did not expect.
    #[error("search engine error: {0}")]
    Engine(String),
    /// Loading documents from the database failed.
    #[error("cannot load search documents: {0}")]
    Load(String),
    /// The settings cannot work.
    #[error("search settings: {0}")]
    Settings(String),
    /// A request parameter is wrong.
    #[error("{message}")]
    BadRequest {
        /// The parameter.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Queueing a job failed.
    #[error("cannot queue a search job: {0}")]
    Jobs(String),
}

impl ErrorCode for SearchError {
    fn status(&self) -> StatusCode {
        match self {
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Index(_)
            | Self::Engine(_)
            | Self::Load(_)
            | Self::Settings(_)
            | Self::Jobs(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::Unavailable(_) => "search_unavailable",
            Self::BadRequest { .. } => "invalid_request",
            Self::Index(_) => "search_index_error",
            Self::Engine(_) => "search_engine_error",
            Self::Load(_) => "search_load_error",
            Self::Settings(_) => "search_settings",
            Self::Jobs(_) => "job_error",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            Self::BadRequest { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        Self::Index(e.to_string())
    }
}
