//! Errors of the job queue.

use http::StatusCode;
use revenge_core::{ErrorCode, Id};

/// What can go wrong with jobs.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// No job with that id.
    #[error("job {0} not found")]
    NotFound(Id),
    /// The job already finished.
    #[error("job {0} has already finished")]
    Finished(Id),
    /// The payload does not serialize.
    #[error("job payload: {0}")]
    Payload(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl ErrorCode for JobError {
    fn status(&self) -> StatusCode {
        match self {
            JobError::NotFound(_) => StatusCode::NOT_FOUND,
            JobError::Finished(_) => StatusCode::CONFLICT,
            JobError::Payload(_) => StatusCode::BAD_REQUEST,
            JobError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            JobError::NotFound(_) => "not_found",
            JobError::Finished(_) => "job_finished",
            JobError::Payload(_) => "invalid_request",
            JobError::Db(_) => "database_error",
        }
    }
}
