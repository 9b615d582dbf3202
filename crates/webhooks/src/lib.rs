//! Webhooks: every event a webhook subscribes to becomes a delivery (logged in the database)
//! and a job that POSTs it, signed, with retries and backoff; deliveries pending when the
//! server stops are sent after it starts again.

mod api;
mod deliver;
pub mod entity;
mod error;
mod signature;
mod store;

pub use api::router;
pub use deliver::{DELIVER_JOB, Webhooks};
pub use error::WebhookError;
pub use signature::sign;
pub use store::{WebhookSpec, sync_config};
