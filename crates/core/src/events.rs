//! Typed domain events, published in-process by whatever emits them. Subscribers (the event
//! stream, webhooks, script hooks) arrive with their issue; a publish with no subscriber is
//! simply dropped.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::broadcast;
use utoipa::ToSchema;

use crate::{Id, Viewer};

/// Something that happened. Each variant carries what is needed to decide who may hear of it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(tag = "type", content = "payload")]
pub enum Event {
    /// A library scan began.
    #[serde(rename = "library.scan.started")]
    ScanStarted {
        /// The library.
        library_id: Id,
    },
    /// A library scan finished.
    #[serde(rename = "library.scan.completed")]
    ScanCompleted {
        /// The library.
        library_id: Id,
        /// Items added.
        added: u64,
        /// Items changed.
        updated: u64,
        /// Items removed.
        removed: u64,
    },
    /// A library scan failed.
    #[serde(rename = "library.scan.failed")]
    ScanFailed {
        /// The library.
        library_id: Id,
        /// Why.
        error: String,
    },
    /// An item appeared.
    #[serde(rename = "item.added")]
    ItemAdded(ItemRef),
    /// An item changed.
    #[serde(rename = "item.updated")]
    ItemUpdated(ItemRef),
    /// An item went away.
    #[serde(rename = "item.removed")]
    ItemRemoved(ItemRef),
    /// Someone started playing an item.
    #[serde(rename = "playback.started")]
    PlaybackStarted {
        /// Who.
        user_id: Id,
        /// What.
        item: ItemRef,
    },
    /// Someone stopped playing an item.
    #[serde(rename = "playback.stopped")]
    PlaybackStopped {
        /// Who.
        user_id: Id,
        /// What.
        item: ItemRef,
        /// Where they stopped, in seconds.
        position_secs: f64,
    },
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
        reason: String,
    },
    /// A background job failed for good (no retries left).
    #[serde(rename = "job.failed")]
    JobFailed {
        /// The job.
        job_id: Id,
        /// Its kind.
        kind: String,
        /// The last error.
        error: String,
    },
}

/// The item an event is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ItemRef {
    /// The module it belongs to (`movie`, `tvshow`, …).
    pub module: String,
    /// Its id within the module.
    pub item_id: Id,
    /// Its library.
    pub library_id: Id,
    /// Its title, for people reading the event.
    pub title: String,
    /// Its rating level, for parental limits.
    pub rating_level: Option<i32>,
}

/// Every event type name, as webhooks and hooks subscribe to them.
pub const EVENT_TYPES: &[&str] = &[
    "library.scan.started",
    "library.scan.completed",
    "library.scan.failed",
    "item.added",
    "item.updated",
    "item.removed",
    "playback.started",
    "playback.stopped",
    "user.login.succeeded",
    "user.login.failed",
    "job.failed",
];

impl Event {
    /// The event's type name (`item.added`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::ScanStarted { .. } => "library.scan.started",
            Event::ScanCompleted { .. } => "library.scan.completed",
            Event::ScanFailed { .. } => "library.scan.failed",
            Event::ItemAdded(_) => "item.added",
            Event::ItemUpdated(_) => "item.updated",
            Event::ItemRemoved(_) => "item.removed",
            Event::PlaybackStarted { .. } => "playback.started",
            Event::PlaybackStopped { .. } => "playback.stopped",
            Event::LoginSucceeded { .. } => "user.login.succeeded",
            Event::LoginFailed { .. } => "user.login.failed",
            Event::JobFailed { .. } => "job.failed",
        }
    }

    /// Whether `viewer` may hear of this event: library and item events follow library access
    /// and parental limits; playback and sign-ins concern their user (and administrators);
    /// failed sign-ins and jobs are for administrators.
    pub fn visible_to(&self, viewer: &Viewer) -> bool {
        match self {
            Event::ScanStarted { library_id }
            | Event::ScanCompleted { library_id, .. }
            | Event::ScanFailed { library_id, .. } => viewer.can_see_library(*library_id),
            Event::ItemAdded(item) | Event::ItemUpdated(item) | Event::ItemRemoved(item) => {
                viewer.can_see(item.library_id, item.rating_level)
            }
            Event::PlaybackStarted { user_id, item }
            | Event::PlaybackStopped { user_id, item, .. } => {
                (viewer.is_admin || viewer.user_id == *user_id)
                    && viewer.can_see(item.library_id, item.rating_level)
            }
            Event::LoginSucceeded { user_id, .. } => viewer.is_admin || viewer.user_id == *user_id,
            Event::LoginFailed { .. } | Event::JobFailed { .. } => viewer.is_admin,
        }
    }
}

/// An event as it travels: with an id (unique, for receivers to drop duplicates) and a time.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Envelope {
    /// Unique id of this occurrence.
    pub id: String,
    /// When it happened.
    pub timestamp: DateTime<Utc>,
    /// What happened (`type` and `payload` at the top level).
    #[serde(flatten)]
    pub event: Event,
}

/// The in-process bus events travel on. Cloning shares the bus.
#[derive(Debug, Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<Envelope>>,
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
        let envelope = Envelope {
            id: uuid::Uuid::now_v7().simple().to_string(),
            timestamp: Utc::now(),
            event,
        };
        tracing::debug!(kind = envelope.event.kind(), id = %envelope.id, "event");
        // No subscriber is not an error: nobody is listening yet.
        let _ = self.sender.send(Arc::new(envelope));
    }

    /// Receives every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Envelope>> {
        self.sender.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Capabilities, LibraryScope};

    fn viewer(user_id: Id, admin: bool, libraries: Vec<Id>, max: Option<i32>) -> Viewer {
        Viewer {
            user_id,
            is_admin: admin,
            libraries: if admin {
                LibraryScope::All
            } else {
                LibraryScope::Only(libraries)
            },
            max_rating_level: max,
            capabilities: Capabilities::default(),
            can_write: true,
        }
    }

    fn item(library_id: Id, rating_level: Option<i32>) -> ItemRef {
        ItemRef {
            module: "movie".to_owned(),
            item_id: 1,
            library_id,
            title: "x".to_owned(),
            rating_level,
        }
    }

    #[test]
    fn events_reach_only_those_who_may_see_them() {
        let admin = viewer(1, true, vec![], None);
        let kid = viewer(2, false, vec![10], Some(12));
        let added = Event::ItemAdded(item(10, Some(7)));
        let mature = Event::ItemAdded(item(10, Some(17)));
        let elsewhere = Event::ItemAdded(item(11, Some(0)));
        assert!(added.visible_to(&kid) && added.visible_to(&admin));
        assert!(!mature.visible_to(&kid), "above the parental limit");
        assert!(!elsewhere.visible_to(&kid), "library not granted");
        let scan = Event::ScanStarted { library_id: 11 };
        assert!(!scan.visible_to(&kid) && scan.visible_to(&admin));
        let failed = Event::JobFailed {
            job_id: 1,
            kind: "scan".to_owned(),
            error: "e".to_owned(),
        };
        assert!(!failed.visible_to(&kid) && failed.visible_to(&admin));
        let someone_else = Event::PlaybackStarted {
            user_id: 3,
            item: item(10, Some(0)),
        };
        assert!(!someone_else.visible_to(&kid));
        let own = Event::PlaybackStarted {
            user_id: 2,
            item: item(10, Some(0)),
        };
        assert!(own.visible_to(&kid));
    }

    #[test]
    fn envelopes_serialize_flat_with_type_and_payload() {
        let bus = EventBus::new();
        let mut rx = bus.subscribe();
        bus.publish(Event::ScanStarted { library_id: 4 });
        let envelope = rx.try_recv().unwrap();
        let json = serde_json::to_value(envelope.as_ref()).unwrap();
        assert_eq!(json["type"], "library.scan.started");
        assert_eq!(json["payload"]["library_id"], 4);
        assert_eq!(json["id"].as_str().map(str::len), Some(32));
        assert!(json["timestamp"].is_string());
        for kind in EVENT_TYPES {
            assert!(kind.contains('.'));
        }
    }
}
