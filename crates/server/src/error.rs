//! Errors of starting and running the server.

use http::StatusCode;
use revenge_core::ErrorCode;

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The configuration was rejected.
    #[error(transparent)]
    Config(#[from] revenge_config::ConfigError),
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Db(#[from] revenge_db::DbError),
    /// The data directory could not be created.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The listener could not bind.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// host:port.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// The HTTP server failed while running.
    #[error("the HTTP server failed: {0}")]
    Serve(std::io::Error),
    /// Sign-in could not be set up, or a user command failed.
    #[error(transparent)]
    Auth(revenge_auth::AuthError),
    /// The hooks configuration was rejected.
    #[error(transparent)]
    Hooks(#[from] revenge_hooks::HookError),
    /// The webhooks configuration was rejected, or their store failed.
    #[error(transparent)]
    Webhooks(#[from] revenge_webhooks::WebhookError),
    /// The config's libraries could not be set up.
    #[error(transparent)]
    Search(#[from] revenge_search::SearchError),
    #[error("libraries: {0}")]
    Library(String),
    /// A scan from the command line failed.
    #[error(transparent)]
    Scan(#[from] revenge_scanner::ScanError),
    /// Reading paths from stdin failed.
    #[error("cannot read standard input: {0}")]
    Stdin(String),
    /// Reading the password from the terminal or stdin failed.
    #[error("cannot read the password: {0}")]
    Password(String),
    /// The log filter does not parse.
    #[error("log.level: {0}")]
    LogFilter(String),
    /// The transcoder could not be set up.
    #[error(transparent)]
    Transcode(#[from] revenge_transcode::TranscodeError),
    /// The cache settings were rejected.
    #[error(transparent)]
    Cache(#[from] revenge_cache::CacheError),
    /// The OpenAPI document could not be rendered.
    #[error("cannot render the OpenAPI document: {0}")]
    OpenApi(String),
}

impl ErrorCode for ServerError {
    fn status(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    fn code(&self) -> &'static str {
        match self {
            ServerError::Config(_) | ServerError::LogFilter(_) => "invalid_config",
            ServerError::Db(e) => e.code(),
            ServerError::Auth(e) => e.code(),
            _ => "server_error",
        }
    }
}
