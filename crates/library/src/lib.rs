//! Libraries: named collections of one content module's media. Access is granted per library,
//! so every list and detail filters by them. Folders and scanning arrive with the scanning
//! issue.

mod api;
pub mod entity;
mod error;
pub mod repo;

pub use api::{LibraryState, router};
pub use error::LibraryError;
