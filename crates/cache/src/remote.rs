//! The shared backend: Redis (or Dragonfly, Valkey) through a connection manager, a pub/sub
//! subscriber that drops what other instances invalidate from the in-process level, and a
//! monitor that notices recovery.
//!
//! Layout: every key starts with the installation's prefix; values are 8 bytes of expiry (ms
//! since the epoch, big-endian) then the payload; generations are `<prefix>gen:<name>` holding
//! a decimal u64; invalidations are published on `<prefix>invalidate` (a key, or `*` for all).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::watch;

use crate::local::Local;
use crate::{CacheError, INVALIDATE_CHANNEL, now_ms, random_generation};

/// How long one command may take before Redis counts as unreachable.
const COMMAND_TIMEOUT: Duration = Duration::from_millis(500);
/// How often a degraded cache tries again.
const RETRY_EVERY: Duration = Duration::from_millis(250);

/// Redis with the in-process level in front. Dropping it stops its background tasks.
pub(crate) struct Remote {
    shared: Arc<Shared>,
    _stop: watch::Sender<()>,
}

struct Shared {
    conn: ConnectionManager,
    prefix: String,
    local: Local,
    /// `Some(reason)` while degraded.
    degraded: Mutex<Option<String>>,
    /// Quick check of `degraded` on every lookup.
    is_degraded: AtomicBool,
    /// An invalidation (bump, delete) could not be written: on recovery every key of the
    /// prefix is deleted.
    lost_write: AtomicBool,
    /// Whether the subscriber listens (without it, another instance's invalidation could be
    /// missed by the in-process level).
    subscribed: watch::Sender<bool>,
}

impl Remote {
    pub(crate) async fn connect(
        url: &str,
        prefix: String,
        local: Local,
    ) -> Result<Self, CacheError> {
        let client = redis::Client::open(url)
            .map_err(|e| CacheError::Settings(format!("cache.url: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(COMMAND_TIMEOUT))
            .set_response_timeout(Some(COMMAND_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(RETRY_EVERY);
        let conn = ConnectionManager::new_lazy_with_config(client.clone(), config)
            .map_err(|e| CacheError::Settings(format!("cache.url: {e}")))?;
        let (subscribed, _) = watch::channel(false);
        let shared = Arc::new(Shared {
            conn,
            prefix,
            local,
            degraded: Mutex::new(Some("connecting to the cache".to_owned())),
            is_degraded: AtomicBool::new(true),
            lost_write: AtomicBool::new(false),
            subscribed,
        });
        let (stop, stopped) = watch::channel(());
        tokio::spawn(subscribe(client, Arc::downgrade(&shared), stopped.clone()));
        tokio::spawn(monitor(Arc::downgrade(&shared), stopped));
        // Start healthy when Redis answers at once; otherwise degraded, connecting meanwhile.
        let mut listening = shared.subscribed.subscribe();
        let ready = tokio::time::timeout(Duration::from_secs(2), async {
            let _ = listening.wait_for(|on| *on).await;
            shared.recover().await
        })
        .await
        .unwrap_or(false);
        if !ready {
            tracing::warn!(
                "the cache at {} does not answer; serving from the database until it does",
                redact(url)
            );
        }
        Ok(Self {
            shared,
            _stop: stop,
        })
    }

    pub(crate) fn degraded_reason(&self) -> Option<String> {
        self.shared.degraded.lock().ok().and_then(|r| r.clone())
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.shared.prefix)
    }

    pub(crate) async fn get(&self, key: &str) -> Option<Bytes> {
        if self.shared.is_degraded.load(Ordering::Acquire) {
            return None;
        }
        if let Some(value) = self.shared.local.get(key).await {
            return Some(value);
        }
        let mut conn = self.shared.conn.clone();
        let raw: Option<Vec<u8>> = match conn.get(self.key(key)).await {
            Ok(raw) => raw,
            Err(e) => {
                self.shared.fail("GET", &e, false);
                return None;
            }
        };
        let raw = raw?;
        let (head, payload) = raw.split_at_checked(8)?;
        let expires = u64::from_be_bytes(head.try_into().ok()?);
        let left = expires.checked_sub(now_ms()).filter(|ms| *ms > 0)?;
        let value = Bytes::copy_from_slice(payload);
        self.shared
            .local
            .insert(key, value.clone(), Duration::from_millis(left))
            .await;
        Some(value)
    }

    pub(crate) async fn set(&self, key: &str, value: Bytes, ttl: Duration) {
        if self.shared.is_degraded.load(Ordering::Acquire) {
            return;
        }
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let mut raw = Vec::with_capacity(8 + value.len());
        raw.extend_from_slice(&now_ms().saturating_add(ttl_ms).to_be_bytes());
        raw.extend_from_slice(&value);
        let mut conn = self.shared.conn.clone();
        let result: redis::RedisResult<()> = redis::cmd("SET")
            .arg(self.key(key))
            .arg(raw)
            .arg("PX")
            .arg(ttl_ms)
            .query_async(&mut conn)
            .await;
        match result {
            Ok(()) => self.shared.local.insert(key, value, ttl).await,
            Err(e) => self.shared.fail("SET", &e, false),
        }
    }

    pub(crate) async fn delete(&self, key: &str) {
        self.shared.local.remove(key).await;
        if self.shared.is_degraded.load(Ordering::Acquire) {
            // Not tried now: recovery deletes every key of the prefix instead.
            self.shared.lost_write.store(true, Ordering::Release);
            return;
        }
        let mut conn = self.shared.conn.clone();
        let result: redis::RedisResult<()> = redis::pipe()
            .del(self.key(key))
            .ignore()
            .publish(self.key(INVALIDATE_CHANNEL), key)
            .ignore()
            .query_async(&mut conn)
            .await;
        if let Err(e) = result {
            self.shared.fail("DEL", &e, true);
        }
    }

    pub(crate) async fn generations(&self, names: &[&str]) -> Option<Vec<u64>> {
        if self.shared.is_degraded.load(Ordering::Acquire) || names.is_empty() {
            return None;
        }
        let keys: Vec<String> = names.iter().map(|n| self.gen_key(n)).collect();
        let mut conn = self.shared.conn.clone();
        let mut found: Vec<Option<String>> =
            match redis::cmd("MGET").arg(&keys).query_async(&mut conn).await {
                Ok(found) => found,
                Err(e) => {
                    self.shared.fail("MGET", &e, false);
                    return None;
                }
            };
        if found.iter().any(Option::is_none) {
            // First use (or lost): create with NX so concurrent instances agree, then read.
            let mut pipe = redis::pipe();
            for (key, value) in keys.iter().zip(&found) {
                if value.is_none() {
                    pipe.cmd("SET")
                        .arg(key)
                        .arg(random_generation().to_string())
                        .arg("NX")
                        .ignore();
                }
            }
            pipe.cmd("MGET").arg(&keys);
            found = match pipe.query_async::<(Vec<Option<String>>,)>(&mut conn).await {
                Ok((found,)) => found,
                Err(e) => {
                    self.shared.fail("SET NX", &e, false);
                    return None;
                }
            };
        }
        found
            .into_iter()
            .map(|v| v.and_then(|v| v.parse().ok()))
            .collect()
    }

    pub(crate) async fn bump(&self, names: &[&str]) {
        if names.is_empty() {
            return;
        }
        if self.shared.is_degraded.load(Ordering::Acquire) {
            // Not tried now: recovery deletes every generation (with every other key) instead.
            self.shared.lost_write.store(true, Ordering::Release);
            return;
        }
        let mut pipe = redis::pipe();
        for name in names {
            pipe.set(self.gen_key(name), random_generation().to_string())
                .ignore();
        }
        let mut conn = self.shared.conn.clone();
        if let Err(e) = pipe.query_async::<()>(&mut conn).await {
            self.shared.fail("SET generation", &e, true);
        }
    }

    fn gen_key(&self, name: &str) -> String {
        format!("{}gen:{name}", self.shared.prefix)
    }
}

impl Shared {
    /// A command failed: degrade (warning once per outage).
    fn fail(&self, what: &str, error: &redis::RedisError, lost_write: bool) {
        if lost_write {
            self.lost_write.store(true, Ordering::Release);
        }
        self.degrade(format!("the cache failed ({what}): {error}"));
    }

    fn degrade(&self, reason: String) {
        if let Ok(mut degraded) = self.degraded.lock()
            && degraded.is_none()
        {
            tracing::warn!(
                reason,
                "cache degraded: serving from the database until it recovers"
            );
            *degraded = Some(reason);
        }
        self.is_degraded.store(true, Ordering::Release);
    }

    /// Tries to leave the degraded state: Redis answers and the subscriber listens. Clears the
    /// in-process level (invalidations may have been missed) and, after a lost write, every key
    /// of the prefix. Whether the cache is healthy now.
    async fn recover(&self) -> bool {
        if !self.is_degraded.load(Ordering::Acquire) {
            return true;
        }
        if !*self.subscribed.borrow() {
            return false;
        }
        let mut conn = self.conn.clone();
        if redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .is_err()
        {
            return false;
        }
        if self.lost_write.load(Ordering::Acquire) {
            if let Err(e) = self.flush(&mut conn).await {
                tracing::debug!(error = %e, "cache flush after an outage failed; retrying");
                return false;
            }
            self.lost_write.store(false, Ordering::Release);
        }
        self.local.clear();
        if let Ok(mut degraded) = self.degraded.lock()
            && let Some(reason) = degraded.take()
        {
            tracing::info!(was = reason, "cache recovered");
        }
        self.is_degraded.store(false, Ordering::Release);
        true
    }

    /// Deletes every key of the prefix and tells every instance to clear its in-process level.
    async fn flush(&self, conn: &mut ConnectionManager) -> redis::RedisResult<()> {
        let pattern = format!("{}*", glob_escape(&self.prefix));
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1000)
                .query_async(conn)
                .await?;
            if !keys.is_empty() {
                redis::cmd("DEL").arg(&keys).query_async::<()>(conn).await?;
            }
            if next == 0 {
                break;
            }
            cursor = next;
        }
        redis::cmd("PUBLISH")
            .arg(format!("{}{INVALIDATE_CHANNEL}", self.prefix))
            .arg("*")
            .query_async::<()>(conn)
            .await
    }
}

/// Keeps a subscription to the invalidation channel, reconnecting after a loss (and degrading
/// meanwhile).
async fn subscribe(
    client: redis::Client,
    shared: std::sync::Weak<Shared>,
    mut stop: watch::Receiver<()>,
) {
    loop {
        let Some(channel) = shared
            .upgrade()
            .map(|s| format!("{}{INVALIDATE_CHANNEL}", s.prefix))
        else {
            return;
        };
        let connected = tokio::time::timeout(COMMAND_TIMEOUT * 2, async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            Ok::<_, redis::RedisError>(pubsub)
        })
        .await;
        match connected {
            Ok(Ok(pubsub)) => {
                if let Some(s) = shared.upgrade() {
                    s.subscribed.send_replace(true);
                }
                let mut messages = pubsub.into_on_message();
                loop {
                    tokio::select! {
                        _ = stop.changed() => return,
                        message = messages.next() => {
                            let Some(message) = message else { break };
                            let Some(s) = shared.upgrade() else { return };
                            let key: String = message.get_payload().unwrap_or_default();
                            if key == "*" {
                                s.local.clear();
                            } else {
                                s.local.remove(&key).await;
                            }
                        }
                    }
                }
                let Some(s) = shared.upgrade() else { return };
                s.subscribed.send_replace(false);
                s.degrade("lost the cache's invalidation channel".to_owned());
            }
            Ok(Err(e)) => {
                if let Some(s) = shared.upgrade() {
                    s.degrade(format!("cannot subscribe to the cache: {e}"));
                }
            }
            Err(_) => {
                if let Some(s) = shared.upgrade() {
                    s.degrade("subscribing to the cache timed out".to_owned());
                }
            }
        }
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep(RETRY_EVERY) => {}
        }
    }
}

/// While degraded, tries to recover every [`RETRY_EVERY`].
async fn monitor(shared: std::sync::Weak<Shared>, mut stop: watch::Receiver<()>) {
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep(RETRY_EVERY) => {}
        }
        let Some(s) = shared.upgrade() else { return };
        if s.is_degraded.load(Ordering::Acquire) {
            s.recover().await;
        }
    }
}

fn glob_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The URL without its password.
fn redact(url: &str) -> String {
    match url.split_once('@') {
        Some((scheme_user, host)) => {
            let scheme = scheme_user.split("://").next().unwrap_or("redis");
            format!("{scheme}://…@{host}")
        }
        None => url.to_owned(),
    }
}
