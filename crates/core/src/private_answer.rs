//! Answers that belong to one user rather than to everyone who may see the same libraries
//! (next-up, random picks): marked `Cache-Control: private, no-store`, so that neither the
//! server's response cache nor a proxy keeps them for anyone else.

use axum::http::header::{CACHE_CONTROL, HeaderName};

/// The header part of a private answer: `(PRIVATE_ANSWER, Json(...))`.
pub type PrivateAnswer = [(HeaderName, &'static str); 1];

/// `Cache-Control: private, no-store`.
pub const PRIVATE_ANSWER: PrivateAnswer = [(CACHE_CONTROL, "private, no-store")];
