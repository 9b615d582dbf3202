//! Worker pools: claim jobs of a queue up to a concurrency, run their handlers under a lease
//! kept alive by heartbeats, honour cancellation, and keep periodic jobs scheduled.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use revenge_core::Id;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::entity;
use crate::queue::{JobQueue, JobState, NewJob};

/// What a handler returns: `Err` with a message to retry (or fail, after the last attempt).
pub type JobResult = Result<(), String>;

/// Runs jobs of one kind. Handlers must be idempotent: a job whose worker died runs again, and
/// a cancelled job stops at whatever `.await` it was at.
pub trait JobHandler: Send + Sync + 'static {
    /// Runs one job.
    fn run(&self, ctx: JobContext) -> Pin<Box<dyn Future<Output = JobResult> + Send + 'static>>;
}

impl<F, Fut> JobHandler for F
where
    F: Fn(JobContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = JobResult> + Send + 'static,
{
    fn run(&self, ctx: JobContext) -> Pin<Box<dyn Future<Output = JobResult> + Send + 'static>> {
        Box::pin(self(ctx))
    }
}

/// What a running handler knows and can do.
#[derive(Debug, Clone)]
pub struct JobContext {
    queue: JobQueue,
    job: Arc<entity::Model>,
    payload: serde_json::Value,
    cancel: CancellationToken,
}

impl JobContext {
    /// The job's id.
    pub fn id(&self) -> Id {
        self.job.id
    }

    /// Which attempt this is (1 for the first).
    pub fn attempt(&self) -> i32 {
        self.job.attempts
    }

    /// Whether this is the last attempt the job gets.
    pub fn is_last_attempt(&self) -> bool {
        self.job.attempts >= self.job.max_attempts
    }

    /// The job's kind.
    pub fn kind(&self) -> &str {
        &self.job.kind
    }

    /// The job's input.
    pub fn payload(&self) -> &serde_json::Value {
        &self.payload
    }

    /// Whether cancellation was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Resolves when cancellation is asked for.
    pub async fn cancelled(&self) {
        self.cancel.cancelled().await;
    }

    /// Reports progress, readable through the jobs API.
    pub async fn progress(&self, done: i64, total: Option<i64>, message: Option<&str>) {
        if let Err(e) = self.queue.progress(self.job.id, done, total, message).await {
            tracing::warn!(job = self.job.id, error = %e, "cannot record job progress");
        }
    }
}

/// A job enqueued again and again: `every` after the previous run finished.
#[derive(Debug, Clone)]
pub struct Periodic {
    /// The handler's kind.
    pub kind: String,
    /// The queue.
    pub queue: String,
    /// The interval.
    pub every: Duration,
    /// The input.
    pub payload: serde_json::Value,
}

/// Builds the worker pools of one process.
pub struct Workers {
    queue: JobQueue,
    handlers: HashMap<String, Arc<dyn JobHandler>>,
    pools: Vec<(String, usize)>,
    periodic: Vec<Periodic>,
}

impl std::fmt::Debug for Workers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workers")
            .field("handlers", &self.handlers.keys().collect::<Vec<_>>())
            .field("pools", &self.pools)
            .field("periodic", &self.periodic)
            .finish()
    }
}

impl Workers {
    /// No pools, no handlers yet.
    pub fn new(queue: JobQueue) -> Self {
        Self {
            queue,
            handlers: HashMap::new(),
            pools: Vec::new(),
            periodic: Vec::new(),
        }
    }

    /// Runs jobs of `kind` with `handler`.
    pub fn handler(mut self, kind: &str, handler: impl JobHandler) -> Self {
        self.handlers.insert(kind.to_owned(), Arc::new(handler));
        self
    }

    /// Takes jobs of `queue`, at most `concurrency` at once.
    pub fn pool(mut self, queue: &str, concurrency: usize) -> Self {
        self.pools.push((queue.to_owned(), concurrency.max(1)));
        self
    }

    /// Keeps a periodic job scheduled.
    pub fn periodic(mut self, periodic: Periodic) -> Self {
        self.periodic.push(periodic);
        self
    }

    /// Starts the pools and the scheduler.
    pub fn start(self) -> WorkerPool {
        let worker = format!(
            "worker-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        let stop = CancellationToken::new();
        let abort = CancellationToken::new();
        let handlers = Arc::new(self.handlers);
        let mut tasks = Vec::new();
        let mut slots = Vec::new();
        for (queue_name, concurrency) in self.pools {
            let semaphore = Arc::new(Semaphore::new(concurrency));
            slots.push((semaphore.clone(), concurrency));
            let run = PoolRun {
                queue: self.queue.clone(),
                queue_name,
                worker: worker.clone(),
                handlers: handlers.clone(),
                semaphore,
                stop: stop.clone(),
                abort: abort.clone(),
            };
            tasks.push(tokio::spawn(run.run()));
        }
        tasks.push(tokio::spawn(maintain(
            self.queue.clone(),
            self.periodic,
            stop.clone(),
        )));
        tracing::info!(%worker, "job workers started");
        WorkerPool {
            stop,
            abort,
            tasks,
            slots,
        }
    }
}

/// Running worker pools.
#[derive(Debug)]
pub struct WorkerPool {
    stop: CancellationToken,
    abort: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
    slots: Vec<(Arc<Semaphore>, usize)>,
}

impl WorkerPool {
    /// Stops claiming, gives running jobs `grace` to finish, then abandons the rest (their
    /// leases run out and another worker, or the next start, runs them again).
    pub async fn shutdown(self, grace: Duration) {
        self.stop.cancel();
        let drained = async {
            for (semaphore, permits) in &self.slots {
                let permits = u32::try_from(*permits).unwrap_or(u32::MAX);
                let _ = semaphore.acquire_many(permits).await;
            }
        };
        if tokio::time::timeout(grace, drained).await.is_err() {
            tracing::warn!("jobs still running at shutdown; they will run again");
        }
        self.abort.cancel();
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

struct PoolRun {
    queue: JobQueue,
    queue_name: String,
    worker: String,
    handlers: Arc<HashMap<String, Arc<dyn JobHandler>>>,
    semaphore: Arc<Semaphore>,
    stop: CancellationToken,
    abort: CancellationToken,
}

impl PoolRun {
    async fn run(self) {
        let poll = self.queue.settings().poll_interval;
        loop {
            let permit = tokio::select! {
                permit = self.semaphore.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => return,
                },
                () = self.stop.cancelled() => return,
            };
            match self.queue.claim(&self.queue_name, &self.worker).await {
                Ok(Some(job)) => {
                    let run = JobRun {
                        queue: self.queue.clone(),
                        worker: self.worker.clone(),
                        handler: self.handlers.get(&job.kind).cloned(),
                        abort: self.abort.clone(),
                    };
                    tokio::spawn(async move {
                        run.run(job).await;
                        drop(permit);
                    });
                }
                Ok(None) => {
                    drop(permit);
                    tokio::select! {
                        () = tokio::time::sleep(poll) => {}
                        () = self.queue.woken() => {}
                        () = self.stop.cancelled() => return,
                    }
                }
                Err(e) => {
                    drop(permit);
                    tracing::warn!(queue = %self.queue_name, error = %e, "cannot claim a job");
                    tokio::select! {
                        () = tokio::time::sleep(poll) => {}
                        () = self.stop.cancelled() => return,
                    }
                }
            }
        }
    }
}

struct JobRun {
    queue: JobQueue,
    worker: String,
    handler: Option<Arc<dyn JobHandler>>,
    abort: CancellationToken,
}

enum Outcome {
    Finished(Result<JobResult, tokio::task::JoinError>),
    Cancelled,
    /// The lease was lost or the process is going down: leave the row to the reaper.
    Abandoned,
}

impl JobRun {
    async fn run(self, job: entity::Model) {
        let id = job.id;
        let Some(handler) = self.handler.clone() else {
            let error = format!("no handler for job kind `{}` in this build", job.kind);
            self.settle(&job, Outcome::Finished(Ok(Err(error)))).await;
            return;
        };
        let payload = serde_json::from_str(&job.payload).unwrap_or(serde_json::Value::Null);
        let cancel = CancellationToken::new();
        self.queue.track(id, cancel.clone());
        let ctx = JobContext {
            queue: self.queue.clone(),
            job: Arc::new(job.clone()),
            payload,
            cancel: cancel.clone(),
        };
        tracing::debug!(job = id, kind = %job.kind, attempt = job.attempts, "job started");
        let mut task = tokio::spawn(handler.run(ctx));
        let mut beat = tokio::time::interval(self.queue.settings().heartbeat);
        beat.tick().await;
        let outcome = loop {
            tokio::select! {
                result = &mut task => break Outcome::Finished(result),
                () = cancel.cancelled() => {
                    task.abort();
                    break Outcome::Cancelled;
                }
                () = self.abort.cancelled() => {
                    task.abort();
                    break Outcome::Abandoned;
                }
                _ = beat.tick() => match self.queue.heartbeat(id, &self.worker).await {
                    Ok(Some(true)) => cancel.cancel(),
                    Ok(Some(false)) => {}
                    Ok(None) => {
                        tracing::warn!(job = id, "lost the job's lease; another worker has it");
                        task.abort();
                        break Outcome::Abandoned;
                    }
                    Err(e) => tracing::warn!(job = id, error = %e, "job heartbeat failed"),
                },
            }
        };
        self.queue.untrack(id);
        self.settle(&job, outcome).await;
    }

    async fn settle(&self, job: &entity::Model, outcome: Outcome) {
        let result = match outcome {
            Outcome::Finished(Ok(Ok(()))) => {
                tracing::debug!(job = job.id, kind = %job.kind, "job succeeded");
                self.queue
                    .finish(job.id, &self.worker, JobState::Succeeded, None)
                    .await
                    .map(|_| ())
            }
            Outcome::Finished(Ok(Err(error))) => self
                .queue
                .retry_or_fail(job, &self.worker, &error)
                .await
                .map(|_| ()),
            Outcome::Finished(Err(join)) => {
                let error = if join.is_panic() {
                    "the job's handler panicked".to_owned()
                } else {
                    join.to_string()
                };
                self.queue
                    .retry_or_fail(job, &self.worker, &error)
                    .await
                    .map(|_| ())
            }
            Outcome::Cancelled => {
                tracing::info!(job = job.id, kind = %job.kind, "job cancelled");
                self.queue
                    .finish(job.id, &self.worker, JobState::Cancelled, Some("cancelled"))
                    .await
                    .map(|_| ())
            }
            Outcome::Abandoned => Ok(()),
        };
        if let Err(e) = result {
            tracing::warn!(job = job.id, error = %e, "cannot record the job's outcome");
        }
    }
}

/// Reaps expired leases and keeps periodic jobs scheduled, until stopped.
async fn maintain(queue: JobQueue, periodic: Vec<Periodic>, stop: CancellationToken) {
    let every = queue.settings().heartbeat;
    loop {
        if let Err(e) = queue.reap().await {
            tracing::warn!(error = %e, "cannot reap expired jobs");
        }
        for job in &periodic {
            if let Err(e) = schedule(&queue, job).await {
                tracing::warn!(kind = %job.kind, error = %e, "cannot schedule a periodic job");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = stop.cancelled() => return,
        }
    }
}

async fn schedule(queue: &JobQueue, periodic: &Periodic) -> Result<(), crate::JobError> {
    let key = format!("periodic:{}", periodic.kind);
    // Checking for an active run first matters: reading the last finish time while a run is
    // still going would schedule the next one from the run before it.
    if queue.has_active(&key).await? {
        return Ok(());
    }
    let run_at = match queue.last_finished(&key).await? {
        Some(last) => last + periodic.every,
        None => chrono::Utc::now(),
    };
    // The unique key makes this a no-op while the next run is already queued or running,
    // across every process sharing the database.
    queue
        .enqueue(
            NewJob::new(&periodic.kind, periodic.payload.clone())
                .on_queue(&periodic.queue)
                .unique(key)
                .attempts(1)
                .at(run_at),
        )
        .await?;
    Ok(())
}
