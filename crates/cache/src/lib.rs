//! The cache of Revenge: one [`Cache`] handle over two backends. In-process (moka) by default;
//! with `cache.url`, Redis (or Dragonfly, Valkey) shared by every instance, with the in-process
//! level kept in front of it.
//!
//! Correctness never rests on an entry being deleted in time. What must not be served stale is
//! validated against a **generation**: a random number per name (`user:7`, `module:movie`) that
//! every write which changes the name's data replaces, after its database write. Generations are
//! read from the authoritative store on every use (the process in memory mode, Redis when
//! shared), never from the in-process level, so an entry filled before a change is never
//! accepted after it, on any instance. Entries themselves may sit in the in-process level: they
//! are either keyed by the generation they were filled under, or carry it.
//!
//! When Redis fails, the cache steps aside: every lookup misses (callers load from the
//! database), a warning is logged once, [`Cache::status`] reports `degraded`, and a background
//! task reconnects. On recovery the in-process level is cleared and, if an invalidation could
//! not be written meanwhile, every key of the installation's prefix is deleted.

mod error;
pub mod http;
mod local;
#[cfg(feature = "redis")]
mod remote;
mod settings;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use error::CacheError;
pub use settings::CacheSettings;

use local::Local;

/// The pub/sub channel on which instances tell each other which keys to drop (without the
/// installation's key prefix, which comes first).
pub const INVALIDATE_CHANNEL: &str = "invalidate";

/// The generation every cached sign-in carries besides its user's: replaced when something
/// all of them depend on changes (libraries, which grants name).
pub const AUTH_GENERATION: &str = "auth";

/// The generation of everything cached about one user (sign-ins, their principal).
pub fn user_generation(user_id: i64) -> String {
    format!("user:{user_id}")
}

/// The cache. Cloning shares it.
#[derive(Clone)]
pub struct Cache {
    inner: Arc<Inner>,
}

struct Inner {
    settings: CacheSettings,
    backend: Backend,
}

enum Backend {
    /// Caches nothing: every lookup misses.
    Disabled,
    /// In-process only; generations live in a map that never evicts.
    Memory {
        local: Local,
        generations: Mutex<HashMap<String, u64>>,
    },
    /// Redis with the in-process level in front.
    #[cfg(feature = "redis")]
    Redis(remote::Remote),
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("backend", &self.status().backend)
            .finish_non_exhaustive()
    }
}

/// How the cache is doing, for `/health/ready`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheStatus {
    /// `disabled`, `memory` or `redis`.
    pub backend: &'static str,
    /// Whether the shared backend is unreachable (requests go to the database meanwhile).
    pub degraded: bool,
    /// Why, while degraded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A random 64-bit value: a new generation never equals an earlier one, even after the stored
/// counter was lost (an evicted key, a restarted Redis).
pub(crate) fn random_generation() -> u64 {
    let mut buf = [0u8; 8];
    if getrandom::fill(&mut buf).is_err() {
        // No randomness: the clock still changes between writes.
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        return u64::try_from(nanos & u128::from(u64::MAX)).unwrap_or_default();
    }
    u64::from_le_bytes(buf)
}

/// Milliseconds since the epoch.
#[cfg(feature = "redis")]
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or_default()
}

/// A short, fixed-length key part for arbitrary text (query strings, scopes).
pub fn digest(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hex::encode(&hasher.finalize()[..16])
}

impl Cache {
    /// A cache that stores nothing (tools, tests of other crates).
    pub fn disabled() -> Self {
        Self {
            inner: Arc::new(Inner {
                settings: CacheSettings::default(),
                backend: Backend::Disabled,
            }),
        }
    }

    /// The in-process cache, whatever `settings.url` says.
    pub fn memory(settings: CacheSettings) -> Self {
        let local = Local::new(settings.max_memory_bytes);
        Self {
            inner: Arc::new(Inner {
                settings,
                backend: Backend::Memory {
                    local,
                    generations: Mutex::new(HashMap::new()),
                },
            }),
        }
    }

    /// The cache the settings describe: shared through Redis when `url` is set, in-process
    /// otherwise. An unreachable Redis is not an error: the cache starts degraded and
    /// connects in the background. Needs the Tokio runtime.
    pub async fn connect(settings: CacheSettings) -> Result<Self, CacheError> {
        match settings.url.clone() {
            None => Ok(Self::memory(settings)),
            Some(url) => Self::connect_redis(&url, settings).await,
        }
    }

    #[cfg(feature = "redis")]
    async fn connect_redis(url: &str, settings: CacheSettings) -> Result<Self, CacheError> {
        let local = Local::new(settings.max_memory_bytes);
        let remote = remote::Remote::connect(url, settings.key_prefix.clone(), local).await?;
        Ok(Self {
            inner: Arc::new(Inner {
                settings,
                backend: Backend::Redis(remote),
            }),
        })
    }

    #[cfg(not(feature = "redis"))]
    async fn connect_redis(_url: &str, _settings: CacheSettings) -> Result<Self, CacheError> {
        Err(CacheError::Settings(
            "cache.url is set but this build has no Redis support (feature `redis`)".into(),
        ))
    }

    /// Whether lookups may hit now: not disabled, not degraded.
    pub fn usable(&self) -> bool {
        !matches!(self.inner.backend, Backend::Disabled) && !self.status().degraded
    }

    /// The settings (TTLs).
    pub fn settings(&self) -> &CacheSettings {
        &self.inner.settings
    }

    /// Backend and health.
    pub fn status(&self) -> CacheStatus {
        match &self.inner.backend {
            Backend::Disabled => CacheStatus {
                backend: "disabled",
                degraded: false,
                reason: None,
            },
            Backend::Memory { .. } => CacheStatus {
                backend: "memory",
                degraded: false,
                reason: None,
            },
            #[cfg(feature = "redis")]
            Backend::Redis(remote) => {
                let reason = remote.degraded_reason();
                CacheStatus {
                    backend: "redis",
                    degraded: reason.is_some(),
                    reason,
                }
            }
        }
    }

    /// The value under `key`, if cached and not expired. `None` too while degraded.
    pub async fn get(&self, key: &str) -> Option<Bytes> {
        match &self.inner.backend {
            Backend::Disabled => None,
            Backend::Memory { local, .. } => local.get(key).await,
            #[cfg(feature = "redis")]
            Backend::Redis(remote) => remote.get(key).await,
        }
    }

    /// Stores `value` under `key` for `ttl`. Failures are logged by the backend, never
    /// returned: the next lookup simply misses.
    pub async fn set(&self, key: &str, value: Bytes, ttl: Duration) {
        if ttl.is_zero() {
            return;
        }
        match &self.inner.backend {
            Backend::Disabled => {}
            Backend::Memory { local, .. } => local.insert(key, value, ttl).await,
            #[cfg(feature = "redis")]
            Backend::Redis(remote) => remote.set(key, value, ttl).await,
        }
    }

    /// The JSON value under `key`; one that no longer deserializes is a miss.
    pub async fn get_json<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let bytes = self.get(key).await?;
        match serde_json::from_slice(&bytes) {
            Ok(value) => Some(value),
            Err(e) => {
                tracing::debug!(key, error = %e, "cached value no longer reads; ignored");
                None
            }
        }
    }

    /// Stores `value` as JSON.
    pub async fn set_json<T: Serialize>(&self, key: &str, value: &T, ttl: Duration) {
        match serde_json::to_vec(value) {
            Ok(bytes) => self.set(key, Bytes::from(bytes), ttl).await,
            Err(e) => tracing::warn!(key, error = %e, "cannot cache a value"),
        }
    }

    /// Deletes `key` here and, when shared, in Redis and in every instance's in-process level
    /// (pub/sub). Best effort: what must never be stale is guarded by generations instead.
    pub async fn delete(&self, key: &str) {
        match &self.inner.backend {
            Backend::Disabled => {}
            Backend::Memory { local, .. } => local.remove(key).await,
            #[cfg(feature = "redis")]
            Backend::Redis(remote) => remote.delete(key).await,
        }
    }

    /// The current generations of `names`, read from the authoritative store. `None` when the
    /// cache cannot be trusted now (disabled or degraded): the caller must neither read nor
    /// fill entries that depend on them.
    pub async fn generations(&self, names: &[&str]) -> Option<Vec<u64>> {
        match &self.inner.backend {
            Backend::Disabled => None,
            Backend::Memory { generations, .. } => {
                let mut map = generations.lock().ok()?;
                Some(
                    names
                        .iter()
                        .map(|name| {
                            *map.entry((*name).to_owned())
                                .or_insert_with(random_generation)
                        })
                        .collect(),
                )
            }
            #[cfg(feature = "redis")]
            Backend::Redis(remote) => remote.generations(names).await,
        }
    }

    /// The current generation of one name.
    pub async fn generation(&self, name: &str) -> Option<u64> {
        self.generations(&[name])
            .await
            .and_then(|g| g.first().copied())
    }

    /// Replaces the generations of `names`: every entry filled under the old ones is dead, on
    /// every instance, once this returns. Call it after the database write it stands for.
    pub async fn bump(&self, names: &[&str]) {
        match &self.inner.backend {
            Backend::Disabled => {}
            Backend::Memory { generations, .. } => {
                if let Ok(mut map) = generations.lock() {
                    for name in names {
                        map.insert((*name).to_owned(), random_generation());
                    }
                }
            }
            #[cfg(feature = "redis")]
            Backend::Redis(remote) => remote.bump(names).await,
        }
    }

    /// Waits until the cache is not degraded, up to `limit`; whether it is healthy. For
    /// start-up and tests.
    pub async fn wait_healthy(&self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if !self.status().degraded {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
