//! Errors of a scan.

use http::StatusCode;
use revenge_core::{ErrorCode, Id};

/// Why a scan did not run or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// No such library.
    #[error("library {0} not found")]
    LibraryNotFound(Id),
    /// The library's module is not compiled in or not enabled.
    #[error("library {library}: its module `{module}` is not available in this server")]
    ModuleUnavailable {
        /// The library.
        library: Id,
        /// Its module.
        module: String,
    },
    /// A folder does not exist or cannot be read: nothing is removed.
    #[error("folder {path} is unreachable ({reason}); nothing was removed — is the disk mounted?")]
    FolderUnreachable {
        /// The folder.
        path: String,
        /// What the system said.
        reason: String,
    },
    /// A folder that had files is empty now: more likely an unmounted disk than a deliberate
    /// deletion of everything, so nothing is removed.
    #[error(
        "folder {path} is empty but had {known} files; nothing was removed — is the disk mounted?"
    )]
    FolderEmptied {
        /// The folder.
        path: String,
        /// How many files it had.
        known: usize,
    },
    /// A module could not write a batch's items.
    #[error("module `{module}` could not write its items: {message}")]
    Import {
        /// The module.
        module: String,
        /// What went wrong.
        message: String,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    /// Reading the library failed.
    #[error(transparent)]
    Library(#[from] revenge_library::LibraryError),
}

impl ErrorCode for ScanError {
    fn status(&self) -> StatusCode {
        match self {
            ScanError::LibraryNotFound(_) => StatusCode::NOT_FOUND,
            ScanError::ModuleUnavailable { .. } => StatusCode::CONFLICT,
            ScanError::FolderUnreachable { .. } | ScanError::FolderEmptied { .. } => {
                StatusCode::CONFLICT
            }
            ScanError::Import { .. } | ScanError::Db(_) | ScanError::Library(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ScanError::LibraryNotFound(_) => "not_found",
            ScanError::ModuleUnavailable { .. } => "module_unavailable",
            ScanError::FolderUnreachable { .. } => "folder_unreachable",
            ScanError::FolderEmptied { .. } => "folder_emptied",
            ScanError::Import { .. } | ScanError::Db(_) | ScanError::Library(_) => "scan_failed",
        }
    }
}
