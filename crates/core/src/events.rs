//! Typed domain events, published in-process by whatever emits them. Subscribers (the event
//! stream, webhooks, script hooks) arrive with their issue; a publish with no subscriber is
//! simply dropped.

use std::sync::Arc;

use serde::Serialize;
use tokio::sync::broadcast;

use crate::Id;

/// Something that happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "payload")]
pub enum Event {
    /// A sign-in succeeded.
    #[serde(rename = "user.login.succeeded")]
    LoginSucceeded {
        /// Who signed in.
        user_id: Id,
        /// Their user name.
        username: String,
        /// The client's address.
        address: Option<String>,
        /// The client's user agent.
        user_agent: Option<String>,
    },
    /// A sign-in failed (wrong password, unknown or disabled user, or throttled).
    #[serde(rename = "user.login.failed")]
    LoginFailed {
        /// The user name that was tried.
        username: String,
        /// The client's address.
        address: Option<String>,
        /// The client's user agent.
        user_agent: Option<String>,
        /// Why, in a word: `bad_credentials`, `disabled`, `throttled`.
        reason: &'static str,
    },
}

/// The in-process bus events travel on. Cloning shares the bus.
#[derive(Debug, Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<Event>>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    /// A bus that buffers up to 1024 events per slow subscriber.
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(1024);
        Self { sender }
    }

    /// Publishes an event to every current subscriber.
    pub fn publish(&self, event: Event) {
        tracing::debug!(?event, "event");
        // No subscriber is not an error: nobody is listening yet.
        let _ = self.sender.send(Arc::new(event));
    }

    /// Receives every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }
}
