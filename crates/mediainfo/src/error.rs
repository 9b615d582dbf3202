//! Errors of probing, each naming the file, and the internal fault type the readers raise before
//! they know which file they are reading.

use std::io;
use std::path::{Path, PathBuf};

use http::StatusCode;
use revenge_core::ErrorCode;

/// Why a file's technical metadata could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The file could not be opened or read.
    #[error("reading {}: {source}", path.display())]
    Io {
        /// The media file.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// The file has no bytes at all.
    #[error("{} is empty", path.display())]
    Empty {
        /// The media file.
        path: PathBuf,
    },
    /// The file ends before its headers do: an incomplete copy or download.
    #[error("{} is truncated", path.display())]
    Truncated {
        /// The media file.
        path: PathBuf,
    },
    /// The headers contradict themselves or the file.
    #[error("{} is corrupt: {reason}", path.display())]
    Corrupt {
        /// The media file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The in-process readers do not read this container.
    #[error("{} is {container}, which is not read in-process", path.display())]
    Unsupported {
        /// The media file.
        path: PathBuf,
        /// The container as recognised from its first bytes, or its extension.
        container: String,
    },
    /// The ffprobe binary could not be started.
    #[error("ffprobe {} is missing or not executable (probing {})", ffprobe.display(), path.display())]
    FfprobeMissing {
        /// The ffprobe that was asked for.
        ffprobe: PathBuf,
        /// The media file.
        path: PathBuf,
    },
    /// ffprobe ran but could not read the file, or said something we could not understand.
    #[error("ffprobe failed on {}: {message}", path.display())]
    FfprobeFailed {
        /// The media file.
        path: PathBuf,
        /// ffprobe's own message, shortened.
        message: String,
    },
    /// ffprobe did not finish in time and was killed.
    #[error("ffprobe timed out on {}", path.display())]
    TimedOut {
        /// The media file.
        path: PathBuf,
    },
}

impl ProbeError {
    /// The media file this error is about.
    pub fn path(&self) -> &Path {
        match self {
            ProbeError::Io { path, .. }
            | ProbeError::Empty { path }
            | ProbeError::Truncated { path }
            | ProbeError::Corrupt { path, .. }
            | ProbeError::Unsupported { path, .. }
            | ProbeError::FfprobeMissing { path, .. }
            | ProbeError::FfprobeFailed { path, .. }
            | ProbeError::TimedOut { path } => path,
        }
    }

    /// Whether the fault lies with the file rather than with this server.
    pub fn is_unreadable_media(&self) -> bool {
        matches!(
            self,
            ProbeError::Empty { .. }
                | ProbeError::Truncated { .. }
                | ProbeError::Corrupt { .. }
                | ProbeError::Unsupported { .. }
                | ProbeError::FfprobeFailed { .. }
        )
    }
}

impl ErrorCode for ProbeError {
    fn status(&self) -> StatusCode {
        if self.is_unreadable_media() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }

    fn code(&self) -> &'static str {
        if self.is_unreadable_media() {
            "unreadable_media"
        } else {
            "probe_failed"
        }
    }
}

/// A failure inside a reader, which works on any byte source and so knows no path.
#[derive(Debug)]
pub(crate) enum Fault {
    Io(io::Error),
    Truncated,
    Corrupt(String),
    Unsupported(String),
}

impl Fault {
    pub(crate) fn corrupt(reason: impl Into<String>) -> Self {
        Fault::Corrupt(reason.into())
    }

    /// Names the file, turning the fault into the public error.
    pub(crate) fn at(self, path: &Path) -> ProbeError {
        let path = path.to_path_buf();
        match self {
            Fault::Io(source) => ProbeError::Io { path, source },
            Fault::Truncated => ProbeError::Truncated { path },
            Fault::Corrupt(reason) => ProbeError::Corrupt { path, reason },
            Fault::Unsupported(container) => ProbeError::Unsupported { path, container },
        }
    }
}

impl From<io::Error> for Fault {
    fn from(error: io::Error) -> Self {
        // A short read is the file ending early, which callers report as truncation.
        if error.kind() == io::ErrorKind::UnexpectedEof {
            Fault::Truncated
        } else {
            Fault::Io(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_faults_are_422_and_server_faults_500() {
        let path = PathBuf::from("/media/a.mkv");
        let corrupt = Fault::corrupt("bad").at(&path);
        assert_eq!(corrupt.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(corrupt.code(), "unreadable_media");
        assert!(corrupt.to_string().contains("/media/a.mkv"));

        let io = Fault::Io(io::Error::other("disk")).at(&path);
        assert_eq!(io.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(io.code(), "probe_failed");

        let missing = ProbeError::FfprobeMissing {
            ffprobe: PathBuf::from("/nope/ffprobe"),
            path: path.clone(),
        };
        assert_eq!(missing.code(), "probe_failed");
        assert!(missing.to_string().contains("/media/a.mkv"));
        let timed_out = ProbeError::TimedOut { path: path.clone() };
        assert_eq!(timed_out.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(timed_out.path(), path.as_path());
    }

    #[test]
    fn short_reads_are_truncation() {
        let fault = Fault::from(io::Error::from(io::ErrorKind::UnexpectedEof));
        assert!(matches!(fault, Fault::Truncated));
    }
}
