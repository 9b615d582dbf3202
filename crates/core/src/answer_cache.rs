//! The response cache as modules see it, for protocols they answer outside the server's
//! response-cache layer (Subsonic's `/rest` authenticates in its own handler, so the layer,
//! which keys on the signed-in viewer, never sees who asks).
//!
//! Entries are keyed by the module's **generation**, the same one the layer uses: any item
//! event of the module, a scan, a library change or a write through the module's routes
//! replaces it, and an answer computed before a write is then filed under a dead key. Sign-ins
//! such a protocol keeps follow the **account generations** the server's own sign-in cache
//! follows, replaced by every revocation.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use axum::body::Bytes;

/// What [`AnswerCache`] methods return.
pub type AnswerFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The server's cache, handed to modules in `ModuleContext::answers`.
pub trait AnswerCache: std::fmt::Debug + Send + Sync + 'static {
    /// The current generation of `module`'s answers; `None` while the cache cannot be trusted
    /// (disabled, or its shared store unreachable): then nothing may be read or stored.
    fn generation<'a>(&'a self, module: &'a str) -> AnswerFuture<'a, Option<u64>>;

    /// The answer stored under `key`.
    fn get<'a>(&'a self, key: &'a str) -> AnswerFuture<'a, Option<Bytes>>;

    /// Stores an answer under `key` for the cache's list lifetime.
    fn put<'a>(&'a self, key: &'a str, answer: Bytes) -> AnswerFuture<'a, ()>;

    /// Replaces `module`'s generation: call it after a write that changes its answers.
    fn invalidate<'a>(&'a self, module: &'a str) -> AnswerFuture<'a, ()>;

    /// The generations a sign-in of account `user_id` is valid under (the account's own and
    /// the one every sign-in carries), read from the authoritative store; `None` while the
    /// cache cannot be trusted.
    fn account_generations<'a>(&'a self, user_id: crate::Id) -> AnswerFuture<'a, Option<Vec<u64>>>;

    /// Replaces the account's generation: call it after a write that changes how it signs in.
    fn invalidate_account<'a>(&'a self, user_id: crate::Id) -> AnswerFuture<'a, ()>;

    /// How long a kept sign-in may be used at most: changes made by another process without a
    /// server (the command line) replace no generation.
    fn sign_in_ttl(&self) -> Duration;
}
