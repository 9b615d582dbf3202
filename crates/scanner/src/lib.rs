//! The library scanner: walks a library's folders in parallel, compares what it finds with the
//! `media_file` records (an unchanged file costs one stat and no write), hands new and changed
//! files to the library's module, keeps the items of moved or renamed files, removes what is
//! gone — and refuses to remove anything when a folder is unreachable or suddenly empty.

mod error;
mod fingerprint;
mod probe;
mod scan;
mod walk;
mod watch;

pub use error::ScanError;
pub use probe::{PROBE_JOB, ProbeReport, probe_key};
/// The `media_file` table the scanner keeps.
pub use revenge_core::media_file as entity;
pub use scan::{ScanProgress, ScanReport, Scanner};
pub use walk::{FoundFile, WalkIssue, walk};
pub use watch::FolderWatcher;
