//! Libraries: named collections of one content module's media. Access is granted per library,
//! so every list and detail filters by them. Folders and scanning arrive with the scanning
//! issue.

mod api;
pub mod entity;
mod error;
pub mod folder;
pub mod repo;

pub use api::{LibraryState, router};
pub use repo::LibrarySpec;

/// The job kind that scans a library (`{"library_id": N}`); the scanner registers its handler.
pub const SCAN_JOB: &str = "library.scan";

/// The unique key of a library's scan: one scan per library at a time.
pub fn scan_key(library_id: revenge_core::Id) -> String {
    format!("library.scan:{library_id}")
}
pub use error::LibraryError;
