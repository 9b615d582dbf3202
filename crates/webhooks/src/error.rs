//! Errors of the webhooks crate.

use http::StatusCode;
use revenge_core::{ErrorCode, Id};

/// What can go wrong with webhooks.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// No webhook with that id.
    #[error("webhook {0} not found")]
    NotFound(Id),
    /// A field is invalid.
    #[error("{field}: {message}")]
    Invalid {
        /// The field at fault.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The webhook comes from the config file.
    #[error("webhook {0} is defined in the config file; change it there")]
    FromConfig(Id),
    /// The name is taken.
    #[error("name: a webhook named `{0}` exists")]
    NameTaken(String),
    /// The job queue failed.
    #[error(transparent)]
    Jobs(#[from] revenge_jobs::JobError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

impl ErrorCode for WebhookError {
    fn status(&self) -> StatusCode {
        match self {
            WebhookError::NotFound(_) => StatusCode::NOT_FOUND,
            WebhookError::Invalid { .. } => StatusCode::BAD_REQUEST,
            WebhookError::FromConfig(_) | WebhookError::NameTaken(_) => StatusCode::CONFLICT,
            WebhookError::Jobs(_) | WebhookError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            WebhookError::NotFound(_) => "not_found",
            WebhookError::Invalid { .. } => "invalid_request",
            WebhookError::FromConfig(_) => "defined_in_config",
            WebhookError::NameTaken(_) => "name_taken",
            WebhookError::Jobs(_) => "job_error",
            WebhookError::Db(_) => "database_error",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            WebhookError::Invalid { field, .. } => Some(field),
            WebhookError::NameTaken(_) => Some("name"),
            _ => None,
        }
    }
}
