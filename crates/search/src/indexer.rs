//! Indexing follows the database through jobs: item events become `search.index` jobs on the
//! `search` queue (batched, retried for days while the engine is down), and `search.reindex` /
//! `search.reconcile` rebuild or repair the whole index.

use std::time::Duration;

use revenge_core::{Event, EventBus, Id};
use revenge_jobs::{Enqueued, JobContext, JobQueue, NewJob, Workers};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

use crate::{Search, SearchError};

/// The queue search jobs run on.
pub const QUEUE: &str = "search";
/// Brings named items up to date in the index.
pub const INDEX_JOB: &str = "search.index";
/// Writes every document again and removes orphans.
pub const REINDEX_JOB: &str = "search.reindex";
/// Repairs drift: missing, stale and orphaned documents.
pub const RECONCILE_JOB: &str = "search.reconcile";
/// Tries per index job: with the queue's backoff (doubling, at most an hour) an update waits
/// about two days for the engine to come back before it is given up (and the next
/// reconciliation repairs it).
pub const INDEX_ATTEMPTS: i32 = 50;
/// Items per index job.
const BATCH: usize = 256;
/// How long the listener gathers events into one job.
const GATHER: Duration = Duration::from_millis(200);

#[derive(Debug, Deserialize)]
struct IndexPayload {
    items: Vec<(String, Id)>,
}

impl Search {
    /// Queues index jobs for item events (in batches) and a reconciliation when events were
    /// missed (the bus overflowed) or a removal may leave a parent orphaned.
    pub fn listen(&self, events: &EventBus, jobs: &JobQueue) -> JoinHandle<()> {
        let mut rx = events.subscribe();
        let search = self.clone();
        let jobs = jobs.clone();
        tokio::spawn(async move {
            loop {
                let mut items: Vec<(String, Id)> = Vec::new();
                let mut reconcile = false;
                let mut closed = false;
                // Wait for the first event, then gather for a moment.
                let first = rx.recv().await;
                let mut next = Some(first);
                let deadline = tokio::time::Instant::now() + GATHER;
                while let Some(received) = next.take() {
                    match received {
                        Ok(envelope) => match &envelope.event {
                            Event::ItemAdded(item) | Event::ItemUpdated(item) => {
                                items.push((item.module.clone(), item.item_id));
                            }
                            Event::ItemRemoved(item) => {
                                reconcile |= search.has_parents(&item.module);
                                items.push((item.module.clone(), item.item_id));
                            }
                            _ => {}
                        },
                        Err(RecvError::Lagged(missed)) => {
                            tracing::warn!(
                                missed,
                                "search missed events; a reconciliation follows"
                            );
                            reconcile = true;
                        }
                        Err(RecvError::Closed) => {
                            closed = true;
                            break;
                        }
                    }
                    if items.len() >= BATCH {
                        break;
                    }
                    next = tokio::time::timeout_at(deadline, rx.recv()).await.ok();
                }
                if !items.is_empty() {
                    items.sort();
                    items.dedup();
                    queue_index(&jobs, &items).await;
                }
                if reconcile && let Err(e) = queue_reconcile(&jobs).await {
                    tracing::warn!(error = %e, "cannot queue a search reconciliation");
                }
                if closed {
                    return;
                }
            }
        })
    }

    /// Adds the search job handlers and the `search` queue's pool (`concurrency` workers).
    pub fn register(&self, workers: Workers, concurrency: usize) -> Workers {
        let index = {
            let search = self.clone();
            move |ctx: JobContext| {
                let search = search.clone();
                async move { search.run_index(ctx).await }
            }
        };
        let reindex = {
            let search = self.clone();
            move |ctx: JobContext| {
                let search = search.clone();
                async move { search.run_reconcile(ctx, true).await }
            }
        };
        let reconcile = {
            let search = self.clone();
            move |ctx: JobContext| {
                let search = search.clone();
                async move { search.run_reconcile(ctx, false).await }
            }
        };
        workers
            .handler(INDEX_JOB, index)
            .handler(REINDEX_JOB, reindex)
            .handler(RECONCILE_JOB, reconcile)
            .pool(QUEUE, concurrency)
    }

    async fn run_index(&self, ctx: JobContext) -> Result<(), String> {
        let payload: IndexPayload = serde_json::from_value(ctx.payload().clone())
            .map_err(|e| format!("bad payload: {e}"))?;
        let (upserted, deleted) = self
            .index_items(&payload.items)
            .await
            .map_err(|e| e.to_string())?;
        tracing::debug!(upserted, deleted, "search index updated");
        Ok(())
    }

    async fn run_reconcile(&self, ctx: JobContext, force: bool) -> Result<(), String> {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(u64, u64)>();
        let reporter = {
            let ctx = ctx.clone();
            tokio::spawn(async move {
                while let Some((done, total)) = rx.recv().await {
                    let done = i64::try_from(done).unwrap_or(i64::MAX);
                    let total = i64::try_from(total).ok();
                    ctx.progress(done, total, Some("writing documents")).await;
                }
            })
        };
        let result = self
            .reconcile_with(force, |done, total| {
                let _ = tx.send((done, total));
            })
            .await;
        drop(tx);
        let _ = reporter.await;
        let report = result.map_err(|e| e.to_string())?;
        let done = i64::try_from(report.documents).unwrap_or(i64::MAX);
        ctx.progress(done, Some(done), Some(&report.to_string()))
            .await;
        tracing::info!(%report, kind = ctx.kind(), "search job done");
        Ok(())
    }
}

async fn queue_index(jobs: &JobQueue, items: &[(String, Id)]) {
    for chunk in items.chunks(BATCH) {
        let job = NewJob::new(INDEX_JOB, serde_json::json!({ "items": chunk }))
            .on_queue(QUEUE)
            .attempts(INDEX_ATTEMPTS);
        if let Err(e) = jobs.enqueue(job).await {
            // The next reconciliation repairs what this loses.
            tracing::warn!(error = %e, "cannot queue a search index job");
        }
    }
}

/// Queues a full reindex (one at a time).
pub async fn queue_reindex(jobs: &JobQueue) -> Result<Enqueued, SearchError> {
    let job = NewJob::new(REINDEX_JOB, serde_json::json!({}))
        .on_queue(QUEUE)
        .unique(REINDEX_JOB)
        .attempts(INDEX_ATTEMPTS);
    jobs.enqueue(job)
        .await
        .map_err(|e| SearchError::Jobs(e.to_string()))
}

/// Queues a reconciliation (one at a time).
pub async fn queue_reconcile(jobs: &JobQueue) -> Result<Enqueued, SearchError> {
    let job = NewJob::new(RECONCILE_JOB, serde_json::json!({}))
        .on_queue(QUEUE)
        .unique(RECONCILE_JOB)
        .attempts(INDEX_ATTEMPTS);
    jobs.enqueue(job)
        .await
        .map_err(|e| SearchError::Jobs(e.to_string()))
}
