//! Errors of the hooks crate.

use http::StatusCode;
use revenge_core::ErrorCode;

/// What can go wrong with a hook.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// The hook configuration is invalid.
    #[error("hook {hook}: {message}")]
    Config {
        /// The configured hook name at fault.
        hook: String,
        /// What is wrong.
        message: String,
    },
    /// The hook's command could not be started.
    #[error("hook {hook}: cannot start {command}: {source}")]
    Spawn {
        /// The hook.
        hook: String,
        /// The program (only argv\[0\]: arguments may hold secrets).
        command: String,
        /// Why.
        source: std::io::Error,
    },
    /// The hook ran past its time limit and was killed.
    #[error("hook {hook} did not finish within {secs} s and was killed")]
    TimedOut {
        /// The hook.
        hook: String,
        /// The time limit, in seconds (rounded up).
        secs: u64,
    },
    /// Waiting for the hook's process failed.
    #[error("hook {hook}: {source}")]
    Io {
        /// The hook.
        hook: String,
        /// Why.
        source: std::io::Error,
    },
    /// The `pre_transcode` hook said no.
    #[error("transcode refused: {message}")]
    Refused {
        /// The hook's exit status (`None` when a signal ended it).
        status: Option<i32>,
        /// The hook's reason: the last line it wrote to stderr.
        message: String,
    },
}

impl ErrorCode for HookError {
    fn status(&self) -> StatusCode {
        match self {
            HookError::Refused { .. } => StatusCode::FORBIDDEN,
            HookError::Config { .. }
            | HookError::Spawn { .. }
            | HookError::TimedOut { .. }
            | HookError::Io { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            HookError::Refused { .. } => "hook_refused",
            HookError::Config { .. } => "invalid_config",
            HookError::Spawn { .. } | HookError::TimedOut { .. } | HookError::Io { .. } => {
                "hook_failed"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use revenge_core::Problem;

    #[test]
    fn refusals_reach_the_client_and_failures_do_not() {
        let refused = Problem::from(HookError::Refused {
            status: Some(3),
            message: "GPU busy".to_owned(),
        });
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(refused.code, "hook_refused");
        assert!(refused.detail.contains("GPU busy"), "{}", refused.detail);

        let failed = Problem::from(HookError::Spawn {
            hook: "pre_transcode".to_owned(),
            command: "/secret/path".to_owned(),
            source: std::io::ErrorKind::NotFound.into(),
        });
        assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(failed.code, "hook_failed");
        assert!(!failed.detail.contains("/secret/path"));
    }
}
