//! `/api/v1/images/{id}`: a module item's local picture, resized on demand (`?width=`) and kept
//! in an on-disk cache keyed by the source file's path, size, modification time and the width.
//! Which picture, and whether the caller may see it, is the module's answer.

mod api;
mod error;
mod resize;

pub use api::{ArtworkState, router};
pub use error::ArtworkError;
pub use resize::{MAX_WIDTH, sized};
