//! The job queue on the real database: retries, deduplication, no double runs across worker
//! pools, lease expiry after a dead worker, periodic jobs, cancellation and progress.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use revenge_core::{Event, EventBus, PageParams};
use revenge_jobs::{
    JobContext, JobFilter, JobQueue, JobState, NewJob, Periodic, QueueSettings, Workers,
};
use revenge_tests::TestEnv;
use serde_json::json;

fn fast() -> QueueSettings {
    QueueSettings {
        lease: Duration::from_millis(800),
        heartbeat: Duration::from_millis(100),
        poll_interval: Duration::from_millis(50),
        retry_base: Duration::from_millis(50),
        retry_max: Duration::from_millis(200),
    }
}

async fn queue(env: &TestEnv, events: EventBus) -> JobQueue {
    let db = env.connect().await;
    revenge_db::migrate::up(&db.conn, &revenge_server::modules::migration_sets())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    JobQueue::new(db.conn, fast(), events)
}

/// Waits (bounded) until `check` holds.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

async fn state(queue: &JobQueue, id: i64) -> String {
    queue.get(id).await.map(|j| j.state).unwrap_or_default()
}

#[tokio::test]
async fn failing_jobs_are_retried_then_succeed_or_fail_for_good() {
    let env = TestEnv::new().await;
    let events = EventBus::new();
    let mut rx = events.subscribe();
    let queue = queue(&env, events).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let workers = Workers::new(queue.clone())
        .handler("flaky", move |_ctx: JobContext| {
            let counter = counter.clone();
            async move {
                if counter.fetch_add(1, Ordering::SeqCst) < 2 {
                    Err("not yet".to_owned())
                } else {
                    Ok(())
                }
            }
        })
        .handler("doomed", |_ctx: JobContext| async {
            Err("always broken".to_owned())
        })
        .pool("default", 2)
        .start();
    let flaky = queue
        .enqueue(NewJob::new("flaky", json!({})))
        .await
        .unwrap();
    let doomed = queue
        .enqueue(NewJob::new("doomed", json!({})).attempts(2))
        .await
        .unwrap();
    eventually("flaky succeeds", || async {
        state(&queue, flaky.id).await == "succeeded"
    })
    .await;
    eventually("doomed fails", || async {
        state(&queue, doomed.id).await == "failed"
    })
    .await;
    let flaky = queue.get(flaky.id).await.unwrap();
    assert_eq!(flaky.attempts, 3);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    let doomed = queue.get(doomed.id).await.unwrap();
    assert_eq!(doomed.attempts, 2);
    assert_eq!(doomed.last_error.as_deref(), Some("always broken"));
    let mut failed_events = 0;
    while let Ok(envelope) = rx.try_recv() {
        if let Event::JobFailed { kind, .. } = &envelope.event {
            assert_eq!(kind, "doomed");
            failed_events += 1;
        }
    }
    assert_eq!(failed_events, 1, "job.failed once, after the last attempt");
    workers.shutdown(Duration::from_secs(2)).await;
}

/// A whole-library scan asked for while a watcher's scan of one path waits is not answered
/// by the narrower job: the waiting job takes the wider payload.
#[tokio::test]
async fn a_job_asked_for_with_a_wider_payload_takes_it() {
    let env = TestEnv::new().await;
    let queue = queue(&env, EventBus::new()).await;
    let narrow = queue
        .enqueue(NewJob::new("scan", json!({"library": 1, "paths": ["/a"]})).unique("scan:1"))
        .await
        .unwrap();
    let plain = queue
        .enqueue(NewJob::new("scan", json!({"library": 1, "paths": ["/b"]})).unique("scan:1"))
        .await
        .unwrap();
    assert_eq!((plain.id, plain.created), (narrow.id, false));
    let kept: serde_json::Value =
        serde_json::from_str(&queue.get(narrow.id).await.unwrap().payload).unwrap();
    assert_eq!(
        kept,
        json!({"library": 1, "paths": ["/a"]}),
        "only when asked"
    );
    let wide = queue
        .enqueue(
            NewJob::new("scan", json!({"library": 1}))
                .unique("scan:1")
                .replacing_payload(),
        )
        .await
        .unwrap();
    assert_eq!((wide.id, wide.created), (narrow.id, false));
    let payload: serde_json::Value =
        serde_json::from_str(&queue.get(narrow.id).await.unwrap().payload).unwrap();
    assert_eq!(payload, json!({"library": 1}));
}

#[tokio::test]
async fn a_unique_key_allows_one_active_job() {
    let env = TestEnv::new().await;
    let queue = queue(&env, EventBus::new()).await;
    let first = queue
        .enqueue(NewJob::new("scan", json!({"library": 1})).unique("scan:1"))
        .await
        .unwrap();
    let second = queue
        .enqueue(NewJob::new("scan", json!({"library": 1})).unique("scan:1"))
        .await
        .unwrap();
    assert!(first.created && !second.created);
    assert_eq!(first.id, second.id);
    let other = queue
        .enqueue(NewJob::new("scan", json!({"library": 2})).unique("scan:2"))
        .await
        .unwrap();
    assert!(other.created);
    // Once finished, the key is free again.
    queue.cancel(first.id).await.unwrap();
    let third = queue
        .enqueue(NewJob::new("scan", json!({"library": 1})).unique("scan:1"))
        .await
        .unwrap();
    assert!(third.created && third.id != first.id);
    let page = queue
        .list(
            &JobFilter {
                state: Some(JobState::Cancelled),
                kind: Some("scan".to_owned()),
            },
            PageParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(page.total, 1);
}

#[tokio::test]
async fn a_job_asked_for_while_running_runs_once_more() {
    let env = TestEnv::new().await;
    let queue = queue(&env, EventBus::new()).await;
    let runs = Arc::new(AtomicUsize::new(0));
    let release = Arc::new(tokio::sync::Notify::new());
    let handler = {
        let runs = runs.clone();
        let release = release.clone();
        move |_ctx: JobContext| {
            let runs = runs.clone();
            let release = release.clone();
            async move {
                // Only the first run waits, so the test can ask again while it runs.
                if runs.fetch_add(1, Ordering::SeqCst) == 0 {
                    release.notified().await;
                }
                Ok(())
            }
        }
    };
    let workers = Workers::new(queue.clone())
        .handler("scan", handler)
        .pool("default", 1)
        .start();
    let first = queue
        .enqueue(NewJob::new("scan", json!({})).unique_rerun("scan:1"))
        .await
        .unwrap();
    eventually("the first run starts", || async {
        runs.load(Ordering::SeqCst) == 1
    })
    .await;
    let again = queue
        .enqueue(NewJob::new("scan", json!({})).unique_rerun("scan:1"))
        .await
        .unwrap();
    let plain = queue
        .enqueue(NewJob::new("scan", json!({})).unique("scan:1"))
        .await
        .unwrap();
    assert_eq!((again.id, again.created), (first.id, false));
    assert_eq!(plain.id, first.id);
    assert!(queue.get(first.id).await.unwrap().rerun_requested);
    release.notify_one();
    eventually("the job ran twice and succeeded", || async {
        runs.load(Ordering::SeqCst) == 2 && state(&queue, first.id).await == "succeeded"
    })
    .await;
    let job = queue.get(first.id).await.unwrap();
    assert!(!job.rerun_requested);
    // A finished job is not run again: the next request queues a new one.
    let next = queue
        .enqueue(NewJob::new("scan", json!({})).unique_rerun("scan:1"))
        .await
        .unwrap();
    assert!(next.created && next.id != first.id);
    workers.shutdown(Duration::from_secs(2)).await;
}

#[tokio::test]
async fn two_worker_pools_never_run_a_job_twice() {
    let env = TestEnv::new().await;
    // Two independent queues and pools on one database, as two processes would have.
    let first = queue(&env, EventBus::new()).await;
    let second = JobQueue::new(env.connect().await.conn, fast(), EventBus::new());
    let in_flight = Arc::new(Mutex::new(HashSet::new()));
    let runs = Arc::new(Mutex::new(Vec::new()));
    let overlaps = Arc::new(AtomicUsize::new(0));
    let handler = {
        let (in_flight, runs, overlaps) = (in_flight.clone(), runs.clone(), overlaps.clone());
        move |ctx: JobContext| {
            let (in_flight, runs, overlaps) = (in_flight.clone(), runs.clone(), overlaps.clone());
            async move {
                let id = ctx.id();
                if !in_flight.lock().unwrap().insert(id) {
                    overlaps.fetch_add(1, Ordering::SeqCst);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
                in_flight.lock().unwrap().remove(&id);
                runs.lock().unwrap().push(id);
                Ok(())
            }
        }
    };
    let total = 120;
    let mut ids = Vec::new();
    for n in 0..total {
        ids.push(
            first
                .enqueue(NewJob::new("work", json!({"n": n})))
                .await
                .unwrap()
                .id,
        );
    }
    let a = Workers::new(first.clone())
        .handler("work", handler.clone())
        .pool("default", 4)
        .start();
    let b = Workers::new(second)
        .handler("work", handler)
        .pool("default", 4)
        .start();
    eventually("every job ran", || async {
        runs.lock().unwrap().len() >= total
    })
    .await;
    a.shutdown(Duration::from_secs(2)).await;
    b.shutdown(Duration::from_secs(2)).await;
    let runs = runs.lock().unwrap().clone();
    let unique: HashSet<_> = runs.iter().copied().collect();
    assert_eq!(runs.len(), total, "each job ran exactly once");
    assert_eq!(unique.len(), total);
    assert_eq!(overlaps.load(Ordering::SeqCst), 0);
    for id in ids {
        assert_eq!(state(&first, id).await, "succeeded");
    }
}

#[tokio::test]
async fn a_job_whose_worker_died_runs_again() {
    let env = TestEnv::new().await;
    let queue = queue(&env, EventBus::new()).await;
    let started = Arc::new(AtomicUsize::new(0));
    let hang = {
        let started = started.clone();
        move |_ctx: JobContext| {
            let started = started.clone();
            async move {
                started.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Ok(())
            }
        }
    };
    let job = queue.enqueue(NewJob::new("task", json!({}))).await.unwrap();
    let dying = Workers::new(queue.clone())
        .handler("task", hang)
        .pool("default", 1)
        .start();
    eventually("the first worker took it", || async {
        started.load(Ordering::SeqCst) == 1
    })
    .await;
    // The worker goes away without finishing: no grace, its lease is left to run out.
    dying.shutdown(Duration::ZERO).await;
    assert_eq!(state(&queue, job.id).await, "running");

    let done = Arc::new(AtomicUsize::new(0));
    let finish = {
        let done = done.clone();
        move |_ctx: JobContext| {
            let done = done.clone();
            async move {
                done.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        }
    };
    let rescuer = Workers::new(queue.clone())
        .handler("task", finish)
        .pool("default", 1)
        .start();
    eventually("the job ran again", || async {
        state(&queue, job.id).await == "succeeded"
    })
    .await;
    assert_eq!(done.load(Ordering::SeqCst), 1);
    assert_eq!(queue.get(job.id).await.unwrap().attempts, 2);
    rescuer.shutdown(Duration::from_secs(2)).await;
}

#[tokio::test]
async fn periodic_jobs_run_at_their_interval() {
    let env = TestEnv::new().await;
    let queue = queue(&env, EventBus::new()).await;
    let runs = Arc::new(Mutex::new(Vec::new()));
    let tick = {
        let runs = runs.clone();
        move |_ctx: JobContext| {
            let runs = runs.clone();
            async move {
                runs.lock().unwrap().push(std::time::Instant::now());
                Ok(())
            }
        }
    };
    let workers = Workers::new(queue.clone())
        .handler("cleanup", tick)
        .pool("default", 1)
        .periodic(Periodic {
            kind: "cleanup".to_owned(),
            queue: "default".to_owned(),
            every: Duration::from_millis(400),
            payload: json!({}),
        })
        .start();
    eventually("three runs", || async { runs.lock().unwrap().len() >= 3 }).await;
    workers.shutdown(Duration::from_secs(2)).await;
    let runs = runs.lock().unwrap().clone();
    for pair in runs.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            gap >= Duration::from_millis(390),
            "runs {gap:?} apart, interval 400 ms"
        );
    }
}

#[tokio::test]
async fn cancelling_stops_a_running_job_and_progress_is_visible() {
    let env = TestEnv::new().await;
    let queue = queue(&env, EventBus::new()).await;
    let ticks = Arc::new(AtomicUsize::new(0));
    let endless = {
        let ticks = ticks.clone();
        move |ctx: JobContext| {
            let ticks = ticks.clone();
            async move {
                for n in 0.. {
                    ticks.fetch_add(1, Ordering::SeqCst);
                    ctx.progress(n, Some(1_000_000), Some("counting")).await;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Ok(())
            }
        }
    };
    let workers = Workers::new(queue.clone())
        .handler("endless", endless)
        .pool("default", 1)
        .start();
    let job = queue
        .enqueue(NewJob::new("endless", json!({})))
        .await
        .unwrap();
    eventually("progress is recorded", || async {
        queue
            .get(job.id)
            .await
            .map(|j| j.progress_done > 3 && j.progress_message.as_deref() == Some("counting"))
            .unwrap_or(false)
    })
    .await;
    let cancelled = queue.cancel(job.id).await.unwrap();
    assert!(cancelled.cancel_requested);
    eventually("the job is cancelled", || async {
        state(&queue, job.id).await == "cancelled"
    })
    .await;
    let after = ticks.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(ticks.load(Ordering::SeqCst), after, "the handler stopped");
    assert!(
        queue.cancel(job.id).await.is_err(),
        "a finished job cannot be cancelled"
    );
    workers.shutdown(Duration::from_secs(2)).await;
}
