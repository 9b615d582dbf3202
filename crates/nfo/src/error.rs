//! The ways reading an NFO file can fail. Broken XML is not one of them: that is reported as
//! warnings on a successful parse, because Kodi users' files are broken often enough that refusing
//! them would throw away metadata the user still expects to see.

use std::io;
use std::path::PathBuf;

use http::StatusCode;
use revenge_core::ErrorCode;

/// Why an NFO file gave no metadata at all.
#[derive(Debug, thiserror::Error)]
pub enum NfoError {
    /// The file could not be opened or read.
    #[error("reading {}: {source}", path.display())]
    Io {
        /// The NFO file.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// The file is over the size cap; a real NFO is a few kilobytes, so this is something else
    /// misnamed, and reading it whole would only waste memory.
    #[error("{} is larger than {} bytes, too large for an NFO file", path.display(), crate::MAX_NFO_BYTES)]
    TooLarge {
        /// The NFO file.
        path: PathBuf,
    },
    /// Neither XML nor a line with a recognised IMDb, TMDb or TVDb URL.
    #[error("not an NFO file: {reason}")]
    NotXml {
        /// What was found instead.
        reason: String,
    },
}

impl ErrorCode for NfoError {
    fn status(&self) -> StatusCode {
        StatusCode::UNPROCESSABLE_ENTITY
    }

    fn code(&self) -> &'static str {
        "invalid_nfo"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use revenge_core::Problem;

    #[test]
    fn every_error_is_a_422_invalid_nfo_problem() {
        let errors = [
            NfoError::Io {
                path: "/m/movie.nfo".into(),
                source: io::Error::new(io::ErrorKind::PermissionDenied, "denied"),
            },
            NfoError::TooLarge {
                path: "/m/movie.nfo".into(),
            },
            NfoError::NotXml {
                reason: "empty file".into(),
            },
        ];
        for error in errors {
            let detail = error.to_string();
            let problem = Problem::from(error);
            assert_eq!(problem.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(problem.code, "invalid_nfo");
            assert_eq!(problem.detail, detail);
        }
    }
}
