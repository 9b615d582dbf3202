//! The durable job queue: jobs live in the main database (SQLite or PostgreSQL), are claimed
//! under a lease that a heartbeat extends, retried with exponential backoff, deduplicated by a
//! unique key, scheduled periodically and cancellable. Several processes on one PostgreSQL
//! database share the work (`FOR UPDATE SKIP LOCKED`); a job whose worker died is picked up
//! again when its lease runs out, so handlers must be idempotent.

mod api;
pub mod entity;
mod error;
mod queue;
mod worker;

pub use api::router;
pub use error::JobError;
pub use queue::{Enqueued, JobFilter, JobQueue, JobState, NewJob, QueueSettings};
pub use worker::{JobContext, JobHandler, Periodic, WorkerPool, Workers};
