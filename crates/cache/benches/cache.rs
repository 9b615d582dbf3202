//! Cache hit latency: the in-process cache, and Redis (with its in-process level, so a hit
//! costs one generation read over the network) when one answers at 127.0.0.1:6379.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark fails loudly"
)]

use std::time::Duration;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use revenge_cache::{Cache, CacheSettings};

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let value = Bytes::from(vec![b'x'; 1024]);

    let memory = Cache::memory(CacheSettings::default());
    runtime.block_on(memory.set("item", value.clone(), Duration::from_secs(600)));
    c.bench_function("memory hit (1 KiB)", |b| {
        b.to_async(&runtime)
            .iter(|| async { memory.get("item").await.unwrap() });
    });
    c.bench_function("memory generation + hit", |b| {
        b.to_async(&runtime).iter(|| async {
            memory.generation("module:movie").await.unwrap();
            memory.get("item").await.unwrap()
        });
    });

    let redis = runtime.block_on(async {
        let cache = Cache::connect(CacheSettings {
            url: Some("redis://127.0.0.1:6379".to_owned()),
            key_prefix: format!("revenge-bench:{}:", std::process::id()),
            ..CacheSettings::default()
        })
        .await
        .ok()?;
        cache
            .wait_healthy(Duration::from_secs(2))
            .await
            .then_some(cache)
    });
    let Some(redis) = redis else {
        eprintln!("no Redis at 127.0.0.1:6379: Redis benchmarks skipped");
        return;
    };
    runtime.block_on(redis.set("item", value, Duration::from_secs(600)));
    c.bench_function("redis hit, in-process level (1 KiB)", |b| {
        b.to_async(&runtime)
            .iter(|| async { redis.get("item").await.unwrap() });
    });
    c.bench_function("redis generation + hit (one round trip)", |b| {
        b.to_async(&runtime).iter(|| async {
            redis.generation("module:movie").await.unwrap();
            redis.get("item").await.unwrap()
        });
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
