//! The in-process level: moka with a TTL per entry and a memory budget.

use std::time::{Duration, Instant};

use bytes::Bytes;
use moka::Expiry;

/// One cached value and when it dies.
#[derive(Clone)]
pub(crate) struct Entry {
    value: Bytes,
    expires_at: Instant,
}

struct PerEntry;

impl Expiry<String, Entry> for PerEntry {
    fn expire_after_create(&self, _key: &String, value: &Entry, now: Instant) -> Option<Duration> {
        Some(value.expires_at.saturating_duration_since(now))
    }

    fn expire_after_update(
        &self,
        _key: &String,
        value: &Entry,
        now: Instant,
        _current: Option<Duration>,
    ) -> Option<Duration> {
        Some(value.expires_at.saturating_duration_since(now))
    }
}

/// The moka cache. Cloning shares it.
#[derive(Clone)]
pub(crate) struct Local {
    cache: moka::future::Cache<String, Entry>,
}

impl Local {
    pub(crate) fn new(max_memory_bytes: u64) -> Self {
        let cache = moka::future::Cache::builder()
            .max_capacity(max_memory_bytes.max(1))
            .weigher(|key: &String, entry: &Entry| {
                u32::try_from(key.len() + entry.value.len() + 64).unwrap_or(u32::MAX)
            })
            .expire_after(PerEntry)
            .build();
        Self { cache }
    }

    pub(crate) async fn get(&self, key: &str) -> Option<Bytes> {
        let entry = self.cache.get(key).await?;
        // moka expires lazily on its own schedule; never hand out an expired value.
        (entry.expires_at > Instant::now()).then_some(entry.value)
    }

    pub(crate) async fn insert(&self, key: &str, value: Bytes, ttl: Duration) {
        let expires_at = Instant::now() + ttl;
        self.cache
            .insert(key.to_owned(), Entry { value, expires_at })
            .await;
    }

    pub(crate) async fn remove(&self, key: &str) {
        self.cache.invalidate(key).await;
    }

    #[cfg(feature = "redis")]
    pub(crate) fn clear(&self) {
        self.cache.invalidate_all();
    }
}
