//! The cache's settings: where the shared backend is, the key prefix, the TTL of each kind of
//! entry and the size of the in-process level.

use std::time::Duration;

use serde::Deserialize;

/// The `cache:` settings. Without `url` the cache is in-process only.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheSettings {
    /// `redis://host:port/db` (Redis, Dragonfly, Valkey): shared by every instance. `None`:
    /// in-process only, for a single instance.
    pub url: Option<String>,
    /// Prefix of every key this installation writes, so several can share one Redis.
    pub key_prefix: String,
    /// Seconds a session or API key lookup is reused. Short: sliding session expiry and
    /// `last_used_at` of keys are refreshed when it runs out.
    pub session_ttl_secs: u64,
    /// Seconds an item detail response is reused.
    pub item_ttl_secs: u64,
    /// Seconds a list response is reused.
    pub list_ttl_secs: u64,
    /// Seconds image metadata is reused.
    pub image_ttl_secs: u64,
    /// Bytes the in-process level may hold (keys and values).
    pub max_memory_bytes: u64,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            url: None,
            key_prefix: "revenge:".to_owned(),
            session_ttl_secs: 30,
            item_ttl_secs: 300,
            list_ttl_secs: 60,
            image_ttl_secs: 600,
            max_memory_bytes: 64 * 1024 * 1024,
        }
    }
}

impl CacheSettings {
    /// How long a session or API key lookup is reused.
    pub fn session_ttl(&self) -> Duration {
        Duration::from_secs(self.session_ttl_secs)
    }

    /// How long an item detail is reused.
    pub fn item_ttl(&self) -> Duration {
        Duration::from_secs(self.item_ttl_secs)
    }

    /// How long a list is reused.
    pub fn list_ttl(&self) -> Duration {
        Duration::from_secs(self.list_ttl_secs)
    }

    /// How long image metadata is reused.
    pub fn image_ttl(&self) -> Duration {
        Duration::from_secs(self.image_ttl_secs)
    }
}
