//! Errors of sign-in, sessions, API keys and user management.

use http::StatusCode;
use revenge_core::ErrorCode;

/// What can go wrong in the auth crate.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No or invalid credentials. The message never says which part was wrong.
    #[error("invalid or expired credentials")]
    Unauthenticated,
    /// Wrong user name or password at sign-in.
    #[error("invalid user name or password")]
    BadCredentials,
    /// The account exists and the password was right, but an administrator disabled it.
    #[error("this account is disabled")]
    Disabled,
    /// Too many failed sign-ins for the account or from the address.
    #[error("too many failed sign-ins; try again in {retry_after_secs} s")]
    Throttled {
        /// Seconds until the next attempt is accepted.
        retry_after_secs: u64,
    },
    /// Authenticated but not allowed.
    #[error("{0}")]
    Forbidden(&'static str),
    /// The thing does not exist, or the caller may not know that it does.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// `/setup` after the first administrator exists.
    #[error("setup is already complete")]
    SetupDone,
    /// A wrong setup token.
    #[error("the setup token is wrong (it is printed in the server log at start-up)")]
    BadSetupToken,
    /// A request field is invalid.
    #[error("{field}: {message}")]
    Invalid {
        /// The field at fault.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The user name is taken.
    #[error("username: `{0}` is taken")]
    UsernameTaken(String),
    /// The change would leave no enabled administrator.
    #[error("the last enabled administrator cannot be removed, disabled or demoted")]
    LastAdmin,
    /// Hashing failed (bad parameters).
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    /// The database layer failed.
    #[error(transparent)]
    Database(#[from] revenge_db::DbError),
}

impl AuthError {
    /// A validation error for `field`.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        AuthError::Invalid {
            field,
            message: message.into(),
        }
    }
}

impl ErrorCode for AuthError {
    fn status(&self) -> StatusCode {
        match self {
            AuthError::Unauthenticated | AuthError::BadCredentials => StatusCode::UNAUTHORIZED,
            AuthError::Disabled | AuthError::Forbidden(_) | AuthError::BadSetupToken => {
                StatusCode::FORBIDDEN
            }
            AuthError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AuthError::NotFound(_) => StatusCode::NOT_FOUND,
            AuthError::SetupDone | AuthError::UsernameTaken(_) | AuthError::LastAdmin => {
                StatusCode::CONFLICT
            }
            AuthError::Invalid { .. } => StatusCode::BAD_REQUEST,
            AuthError::Hash(_) | AuthError::Db(_) | AuthError::Database(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AuthError::Unauthenticated => "unauthorized",
            AuthError::BadCredentials => "bad_credentials",
            AuthError::Disabled => "account_disabled",
            AuthError::Throttled { .. } => "too_many_attempts",
            AuthError::Forbidden(_) => "forbidden",
            AuthError::NotFound(_) => "not_found",
            AuthError::SetupDone => "setup_complete",
            AuthError::BadSetupToken => "bad_setup_token",
            AuthError::Invalid { .. } => "invalid_request",
            AuthError::UsernameTaken(_) => "username_taken",
            AuthError::LastAdmin => "last_admin",
            AuthError::Hash(_) => "hash_failed",
            AuthError::Db(_) | AuthError::Database(_) => "database_error",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            AuthError::Invalid { field, .. } => Some(field),
            AuthError::UsernameTaken(_) => Some("username"),
            _ => None,
        }
    }
}
