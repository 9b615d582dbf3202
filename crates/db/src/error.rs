//! Errors of the database layer.

use http::StatusCode;
use revenge_core::ErrorCode;

/// What can go wrong talking to the database or migrating it.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names a backend this build does not have.
    #[error(
        "database URL needs the `{backend}` backend, which is not compiled in; rebuild with `--features {backend}`"
    )]
    BackendNotCompiled {
        /// `sqlite` or `postgres`.
        backend: &'static str,
    },
    /// The URL is not one Revenge understands.
    #[error("unsupported database URL (expected sqlite: or postgres://): {0}")]
    UnsupportedUrl(String),
    /// The SQLite file's folder could not be created.
    #[error("cannot create the database folder {path}: {source}")]
    CreateDir {
        /// The folder.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// SQLite could not be initialised (it answered this result code).
    #[error("cannot initialise SQLite (result code {code})")]
    SqliteInit {
        /// SQLite's result code.
        code: i32,
    },
    /// Connecting failed.
    #[error("cannot connect to the {backend} database: {source}")]
    Connect {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// The driver's error.
        source: sea_orm::DbErr,
    },
    /// A migration failed; its transaction was rolled back.
    #[error("migration {owner}/{name} failed: {source}")]
    Migration {
        /// The set it belongs to.
        owner: String,
        /// The migration's name.
        name: String,
        /// The driver's error.
        source: sea_orm::DbErr,
    },
    /// `migrate down` reached a migration whose code this build lacks.
    #[error("cannot revert {owner}/{name}: the `{owner}` module is not compiled into this build")]
    MigrationNotCompiled {
        /// The set it belongs to.
        owner: String,
        /// The migration's name.
        name: String,
    },
    /// Any other query failed.
    #[error(transparent)]
    Query(#[from] sea_orm::DbErr),
}

impl ErrorCode for DbError {
    fn status(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    fn code(&self) -> &'static str {
        match self {
            DbError::BackendNotCompiled { .. } | DbError::UnsupportedUrl(_) => "database_config",
            DbError::CreateDir { .. } | DbError::SqliteInit { .. } | DbError::Connect { .. } => {
                "database_unavailable"
            }
            DbError::Migration { .. } | DbError::MigrationNotCompiled { .. } => "migration_failed",
            DbError::Query(_) => "database_error",
        }
    }
}
