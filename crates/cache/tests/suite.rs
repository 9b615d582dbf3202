//! One suite, run against the in-process cache and against Redis at 127.0.0.1:6379 (or
//! `TEST_REDIS_URL`). Under `CI=true` an unreachable Redis fails; elsewhere its half is reported
//! and skipped.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use std::time::Duration;

use bytes::Bytes;
use revenge_cache::{Cache, CacheSettings};

fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

fn unique_prefix() -> String {
    format!(
        "revenge-test:{}:",
        revenge_cache::digest(&[
            &format!("{:?}", std::time::SystemTime::now()),
            &std::process::id().to_string()
        ])
    )
}

async fn memory() -> Cache {
    Cache::memory(CacheSettings::default())
}

async fn redis() -> Option<Cache> {
    let settings = CacheSettings {
        url: Some(redis_url()),
        key_prefix: unique_prefix(),
        ..CacheSettings::default()
    };
    let cache = Cache::connect(settings).await.unwrap();
    if cache.wait_healthy(Duration::from_secs(3)).await {
        return Some(cache);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "Redis at {} is unreachable under CI",
        redis_url()
    );
    eprintln!(
        "Redis at {} is unreachable: its half is skipped",
        redis_url()
    );
    None
}

/// Polls until `check` holds, for at most ten seconds.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..500 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("never: {what}");
}

async fn suite(cache: Cache) {
    // Bytes, with a TTL.
    assert_eq!(cache.get("a").await, None);
    cache
        .set("a", Bytes::from_static(b"one"), Duration::from_secs(60))
        .await;
    assert_eq!(cache.get("a").await, Some(Bytes::from_static(b"one")));
    cache
        .set("a", Bytes::from_static(b"two"), Duration::from_secs(60))
        .await;
    assert_eq!(cache.get("a").await, Some(Bytes::from_static(b"two")));

    // Expiry.
    cache
        .set(
            "short",
            Bytes::from_static(b"x"),
            Duration::from_millis(200),
        )
        .await;
    eventually("a short entry expires", || async {
        cache.get("short").await.is_none()
    })
    .await;
    assert_eq!(cache.get("a").await, Some(Bytes::from_static(b"two")));

    // Delete.
    cache.delete("a").await;
    assert_eq!(cache.get("a").await, None);

    // JSON.
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Thing {
        id: i64,
        name: String,
    }
    let thing = Thing {
        id: 7,
        name: "seven".into(),
    };
    cache
        .set_json("thing", &thing, Duration::from_secs(60))
        .await;
    assert_eq!(cache.get_json::<Thing>("thing").await, Some(thing));
    assert_eq!(
        cache.get_json::<Vec<u8>>("thing").await,
        None,
        "wrong type is a miss"
    );

    // Generations: stable until bumped, then new; independent per name.
    let first = cache.generations(&["user:1", "user:2"]).await.unwrap();
    assert_eq!(
        cache.generations(&["user:1", "user:2"]).await.unwrap(),
        first
    );
    cache.bump(&["user:1"]).await;
    let second = cache.generations(&["user:1", "user:2"]).await.unwrap();
    assert_ne!(second[0], first[0]);
    assert_eq!(second[1], first[1]);
    assert_eq!(cache.generation("user:1").await, Some(second[0]));

    assert!(!cache.status().degraded);
}

#[tokio::test]
async fn memory_backend() {
    let cache = memory().await;
    assert_eq!(cache.status().backend, "memory");
    suite(cache).await;
}

#[tokio::test]
async fn redis_backend() {
    let Some(cache) = redis().await else { return };
    assert_eq!(cache.status().backend, "redis");
    suite(cache).await;
}

#[tokio::test]
async fn redis_instances_share_generations_and_deletes() {
    let Some(a) = redis().await else { return };
    let settings = a.settings().clone();
    let b = Cache::connect(settings).await.unwrap();
    assert!(b.wait_healthy(Duration::from_secs(3)).await);

    // A value set on A is read (and kept in its in-process level) by B; a delete on A drops
    // B's copy too.
    a.set("k", Bytes::from_static(b"v"), Duration::from_secs(60))
        .await;
    assert_eq!(b.get("k").await, Some(Bytes::from_static(b"v")));
    a.delete("k").await;
    eventually("B drops its copy", || async { b.get("k").await.is_none() }).await;

    // A bump on A is seen by B at once (generations are never kept in-process).
    let before = b.generation("user:9").await.unwrap();
    assert_eq!(a.generation("user:9").await.unwrap(), before);
    a.bump(&["user:9"]).await;
    assert_ne!(b.generation("user:9").await.unwrap(), before);
}

#[tokio::test]
async fn disabled_caches_nothing() {
    let cache = Cache::disabled();
    cache
        .set("a", Bytes::from_static(b"one"), Duration::from_secs(60))
        .await;
    assert_eq!(cache.get("a").await, None);
    assert_eq!(cache.generation("x").await, None);
}

#[tokio::test]
async fn an_unreachable_redis_degrades_instead_of_failing() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cache = Cache::connect(CacheSettings {
        url: Some(format!("redis://127.0.0.1:{port}")),
        key_prefix: unique_prefix(),
        ..CacheSettings::default()
    })
    .await
    .unwrap();
    let status = cache.status();
    assert!(status.degraded, "{status:?}");
    assert!(status.reason.is_some());
    cache
        .set("a", Bytes::from_static(b"one"), Duration::from_secs(60))
        .await;
    assert_eq!(cache.get("a").await, None);
    assert_eq!(cache.generation("x").await, None);
}
