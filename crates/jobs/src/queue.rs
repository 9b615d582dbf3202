//! The queue's storage operations: enqueue with deduplication, claim under a lease, heartbeat,
//! finish, retry with backoff, reap expired leases, cancel, list.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use revenge_core::{Event, EventBus, Id, Page, PageParams};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, Set, Statement,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use utoipa::{IntoParams, ToSchema};

use crate::JobError;
use crate::entity::{self, Column};

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for `run_at` and a free worker.
    Queued,
    /// A worker holds it.
    Running,
    /// Done.
    Succeeded,
    /// Failed with no retries left.
    Failed,
    /// Cancelled before it finished.
    Cancelled,
}

impl JobState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Which handler runs it.
    pub kind: String,
    /// Which worker pool takes it.
    pub queue: String,
    /// The handler's input.
    pub payload: serde_json::Value,
    /// Higher runs first.
    pub priority: i32,
    /// Not before this time (now when absent).
    pub run_at: Option<DateTime<Utc>>,
    /// At most one queued-or-running job per key.
    pub unique_key: Option<String>,
    /// Attempts before it fails for good.
    pub max_attempts: i32,
    /// When the unique key's job is already running: have it run once more when it ends.
    pub rerun_if_running: bool,
    /// When the unique key's job is already queued or running: its (next) run takes this
    /// payload instead of its own.
    pub replace_payload: bool,
}

impl NewJob {
    /// A job of `kind` on the `default` queue, five attempts.
    pub fn new(kind: &str, payload: serde_json::Value) -> Self {
        Self {
            kind: kind.to_owned(),
            queue: "default".to_owned(),
            payload,
            priority: 0,
            run_at: None,
            unique_key: None,
            max_attempts: 5,
            rerun_if_running: false,
            replace_payload: false,
        }
    }

    /// On another queue.
    pub fn on_queue(mut self, queue: &str) -> Self {
        self.queue = queue.to_owned();
        self
    }

    /// Deduplicated by `key`.
    pub fn unique(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }

    /// Deduplicated by `key`, but a job with that key that is already running runs once more
    /// when it ends: whoever asks sees the state after their request, not one the running job
    /// may already have walked past.
    pub fn unique_rerun(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self.rerun_if_running = true;
        self
    }

    /// With a unique key: a job of that key already queued or running takes this payload for
    /// its next run. A whole-library scan asked for while a watcher's scan of a few paths
    /// waits must cover the library, not be answered by the narrower job.
    pub fn replacing_payload(mut self) -> Self {
        self.replace_payload = true;
        self
    }

    /// With this many attempts.
    pub fn attempts(mut self, max: i32) -> Self {
        self.max_attempts = Ord::max(max, 1);
        self
    }

    /// Not before `at`.
    pub fn at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }
}

/// What `enqueue` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enqueued {
    /// The job's id (the existing one when deduplicated).
    pub id: Id,
    /// False when an active job with the same unique key already existed.
    pub created: bool,
}

/// Timing of leases and retries.
#[derive(Debug, Clone)]
pub struct QueueSettings {
    /// A claimed job belongs to its worker this long without a heartbeat.
    pub lease: Duration,
    /// How often a running job's lease is renewed (and cancellation checked).
    pub heartbeat: Duration,
    /// How often idle workers look for work queued by other processes.
    pub poll_interval: Duration,
    /// The first retry waits this long; each further one twice as long.
    pub retry_base: Duration,
    /// Retries never wait longer than this.
    pub retry_max: Duration,
}

impl Default for QueueSettings {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(30),
            heartbeat: Duration::from_secs(5),
            poll_interval: Duration::from_secs(1),
            retry_base: Duration::from_secs(5),
            retry_max: Duration::from_secs(3600),
        }
    }
}

/// `GET /api/v1/jobs` filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobFilter {
    /// Only jobs in this state.
    #[param(inline)]
    pub state: Option<JobState>,
    /// Only jobs of this kind.
    pub kind: Option<String>,
}

/// The queue. Cloning shares it.
#[derive(Debug, Clone)]
pub struct JobQueue {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    db: DatabaseConnection,
    settings: QueueSettings,
    events: EventBus,
    /// Wakes this process's idle workers when it enqueues.
    wake: Notify,
    /// Cancellation tokens of the jobs running in this process, so a cancel takes effect at
    /// once here and at the next heartbeat elsewhere.
    running: Mutex<HashMap<Id, CancellationToken>>,
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

impl JobQueue {
    /// A queue over the database.
    pub fn new(db: DatabaseConnection, settings: QueueSettings, events: EventBus) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                settings,
                events,
                wake: Notify::new(),
                running: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The timing settings.
    pub fn settings(&self) -> &QueueSettings {
        &self.inner.settings
    }

    pub(crate) async fn woken(&self) {
        self.inner.wake.notified().await;
    }

    /// Adds a job. With a unique key that an active job already holds, returns that job.
    pub async fn enqueue(&self, job: NewJob) -> Result<Enqueued, JobError> {
        let db = &self.inner.db;
        let existing = match &job.unique_key {
            Some(key) => self.active_with_key(key).await?,
            None => None,
        };
        if let Some(existing) = existing {
            if job.replace_payload {
                self.replace_payload(existing.id, &job.payload).await?;
            }
            if job.rerun_if_running
                && existing.state == JobState::Running.as_str()
                && !self.request_rerun(existing.id).await?
            {
                // It ended between our look and the request: queue a fresh one.
                return Box::pin(self.enqueue(job)).await;
            }
            return Ok(Enqueued {
                id: existing.id,
                created: false,
            });
        }
        let payload =
            serde_json::to_string(&job.payload).map_err(|e| JobError::Payload(e.to_string()))?;
        let now = now();
        let insert = entity::ActiveModel {
            kind: Set(job.kind),
            queue: Set(job.queue),
            payload: Set(payload),
            priority: Set(job.priority),
            state: Set(JobState::Queued.as_str().to_owned()),
            attempts: Set(0),
            max_attempts: Set(Ord::max(job.max_attempts, 1)),
            run_at: Set(job.run_at.unwrap_or(now)),
            unique_key: Set(job.unique_key.clone()),
            locked_by: Set(None),
            lease_until: Set(None),
            cancel_requested: Set(false),
            rerun_requested: Set(false),
            last_error: Set(None),
            progress_done: Set(0),
            progress_total: Set(None),
            progress_message: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            finished_at: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await;
        match insert {
            Ok(model) => {
                self.inner.wake.notify_waiters();
                Ok(Enqueued {
                    id: model.id,
                    created: true,
                })
            }
            // Another process enqueued the same key between our check and insert.
            Err(e)
                if matches!(
                    e.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) =>
            {
                let key = job.unique_key.unwrap_or_default();
                let existing = self.active_with_key(&key).await?.ok_or(JobError::Db(e))?;
                Ok(Enqueued {
                    id: existing.id,
                    created: false,
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Gives an active job another payload, read when it is next claimed.
    async fn replace_payload(&self, id: Id, payload: &serde_json::Value) -> Result<(), JobError> {
        let payload =
            serde_json::to_string(payload).map_err(|e| JobError::Payload(e.to_string()))?;
        entity::Entity::update_many()
            .col_expr(Column::Payload, Expr::value(payload))
            .col_expr(Column::UpdatedAt, Expr::value(now()))
            .filter(Column::Id.eq(id))
            .filter(Column::State.is_in([JobState::Queued.as_str(), JobState::Running.as_str()]))
            .exec(&self.inner.db)
            .await?;
        Ok(())
    }

    /// Marks a running job to run again when it ends; false when it is no longer running.
    async fn request_rerun(&self, id: Id) -> Result<bool, JobError> {
        let updated = entity::Entity::update_many()
            .col_expr(Column::RerunRequested, Expr::value(true))
            .col_expr(Column::UpdatedAt, Expr::value(now()))
            .filter(Column::Id.eq(id))
            .filter(Column::State.eq(JobState::Running.as_str()))
            .exec(&self.inner.db)
            .await?;
        Ok(updated.rows_affected > 0)
    }

    async fn active_with_key(&self, key: &str) -> Result<Option<entity::Model>, JobError> {
        Ok(entity::Entity::find()
            .filter(Column::UniqueKey.eq(key))
            .filter(Column::State.is_in([JobState::Queued.as_str(), JobState::Running.as_str()]))
            .one(&self.inner.db)
            .await?)
    }

    /// Whether a job with this key is queued or running.
    pub async fn has_active(&self, key: &str) -> Result<bool, JobError> {
        Ok(self.active_with_key(key).await?.is_some())
    }

    /// One job.
    pub async fn get(&self, id: Id) -> Result<entity::Model, JobError> {
        entity::Entity::find_by_id(id)
            .one(&self.inner.db)
            .await?
            .ok_or(JobError::NotFound(id))
    }

    /// Jobs, newest first.
    pub async fn list(
        &self,
        filter: &JobFilter,
        page: PageParams,
    ) -> Result<Page<entity::Model>, JobError> {
        let mut query = entity::Entity::find();
        if let Some(state) = filter.state {
            query = query.filter(Column::State.eq(state.as_str()));
        }
        if let Some(kind) = &filter.kind {
            query = query.filter(Column::Kind.eq(kind.as_str()));
        }
        let query = query.order_by_desc(Column::Id);
        Ok(revenge_core::pagination::fetch_page(&self.inner.db, query, page).await?)
    }

    /// Cancels a job: a queued one at once; a running one is told to stop (here at once,
    /// in another process at its next heartbeat).
    pub async fn cancel(&self, id: Id) -> Result<entity::Model, JobError> {
        let job = self.get(id).await?;
        let now = now();
        match job.state.as_str() {
            "queued" => {
                entity::Entity::update_many()
                    .col_expr(Column::State, Expr::value(JobState::Cancelled.as_str()))
                    .col_expr(Column::FinishedAt, Expr::value(now))
                    .col_expr(Column::UpdatedAt, Expr::value(now))
                    .filter(Column::Id.eq(id))
                    .filter(Column::State.eq(JobState::Queued.as_str()))
                    .exec(&self.inner.db)
                    .await?;
            }
            "running" => {
                entity::Entity::update_many()
                    .col_expr(Column::CancelRequested, Expr::value(true))
                    .col_expr(Column::UpdatedAt, Expr::value(now))
                    .filter(Column::Id.eq(id))
                    .exec(&self.inner.db)
                    .await?;
                if let Some(token) = self.running_token(id) {
                    token.cancel();
                }
            }
            _ => return Err(JobError::Finished(id)),
        }
        self.get(id).await
    }

    fn running_token(&self, id: Id) -> Option<CancellationToken> {
        self.inner
            .running
            .lock()
            .ok()
            .and_then(|running| running.get(&id).cloned())
    }

    pub(crate) fn track(&self, id: Id, token: CancellationToken) {
        if let Ok(mut running) = self.inner.running.lock() {
            running.insert(id, token);
        }
    }

    pub(crate) fn untrack(&self, id: Id) {
        if let Ok(mut running) = self.inner.running.lock() {
            running.remove(&id);
        }
    }

    /// Takes the next due job of `queue` for `worker`, or nothing. On PostgreSQL concurrent
    /// claimers skip each other's locked rows; SQLite has one writer at a time, so the single
    /// UPDATE is atomic there.
    pub(crate) async fn claim(
        &self,
        queue: &str,
        worker: &str,
    ) -> Result<Option<entity::Model>, JobError> {
        let db = &self.inner.db;
        let backend = db.get_database_backend();
        let lock = match backend {
            DbBackend::Postgres => " FOR UPDATE SKIP LOCKED",
            _ => "",
        };
        let now = now();
        let lease_until = now + self.inner.settings.lease;
        let sql = placeholders(
            backend,
            &format!(
                "UPDATE job SET state = 'running', locked_by = ?, lease_until = ?, \
                 attempts = attempts + 1, cancel_requested = ?, updated_at = ? \
                 WHERE state = 'queued' AND id = (SELECT id FROM job \
                 WHERE queue = ? AND state = 'queued' AND run_at <= ? \
                 ORDER BY priority DESC, run_at, id LIMIT 1{lock}) RETURNING id"
            ),
        );
        let statement = Statement::from_sql_and_values(
            backend,
            sql,
            [
                worker.into(),
                lease_until.into(),
                false.into(),
                now.into(),
                queue.into(),
                now.into(),
            ],
        );
        let row = match db.query_one_raw(statement).await {
            Ok(row) => row,
            // SQLite answers "busy" when another writer holds the lock past the busy timeout;
            // the worker simply tries again at its next poll.
            Err(e) if backend == DbBackend::Sqlite && e.to_string().contains("locked") => {
                tracing::debug!(error = %e, "job claim found the database busy");
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        };
        match row {
            Some(row) => {
                let id: Id = row.try_get("", "id")?;
                Ok(Some(self.get(id).await?))
            }
            None => Ok(None),
        }
    }

    /// Renews the lease; returns whether cancellation was requested, or `None` when the job is
    /// no longer this worker's (its lease expired and someone else took it).
    pub(crate) async fn heartbeat(&self, id: Id, worker: &str) -> Result<Option<bool>, JobError> {
        let now = now();
        let updated = entity::Entity::update_many()
            .col_expr(
                Column::LeaseUntil,
                Expr::value(now + self.inner.settings.lease),
            )
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::Id.eq(id))
            .filter(Column::LockedBy.eq(worker))
            .filter(Column::State.eq(JobState::Running.as_str()))
            .exec(&self.inner.db)
            .await?;
        if updated.rows_affected == 0 {
            return Ok(None);
        }
        Ok(Some(self.get(id).await?.cancel_requested))
    }

    /// Records progress of a running job.
    pub(crate) async fn progress(
        &self,
        id: Id,
        done: i64,
        total: Option<i64>,
        message: Option<&str>,
    ) -> Result<(), JobError> {
        entity::Entity::update_many()
            .col_expr(Column::ProgressDone, Expr::value(done))
            .col_expr(Column::ProgressTotal, Expr::value(total))
            .col_expr(
                Column::ProgressMessage,
                Expr::value(message.map(str::to_owned)),
            )
            .col_expr(Column::UpdatedAt, Expr::value(now()))
            .filter(Column::Id.eq(id))
            .exec(&self.inner.db)
            .await?;
        Ok(())
    }

    /// Ends a job this worker holds in a final state — or, when a rerun was requested while it
    /// ran and it did not end by cancellation, queues it again at once. Returns whether it was
    /// queued again.
    pub(crate) async fn finish(
        &self,
        id: Id,
        worker: &str,
        state: JobState,
        error: Option<&str>,
    ) -> Result<bool, JobError> {
        // A rerun request can land between the two conditional updates; the second one only
        // ends the job while no request is pending, so looping once more picks it up.
        for _ in 0..3 {
            let now = now();
            if state != JobState::Cancelled {
                let requeued = entity::Entity::update_many()
                    .col_expr(Column::State, Expr::value(JobState::Queued.as_str()))
                    .col_expr(Column::RerunRequested, Expr::value(false))
                    .col_expr(Column::LockedBy, Expr::value(Option::<String>::None))
                    .col_expr(
                        Column::LeaseUntil,
                        Expr::value(Option::<DateTime<Utc>>::None),
                    )
                    .col_expr(Column::Attempts, Expr::value(0))
                    .col_expr(Column::RunAt, Expr::value(now))
                    .col_expr(Column::ProgressDone, Expr::value(0i64))
                    .col_expr(Column::ProgressTotal, Expr::value(Option::<i64>::None))
                    .col_expr(Column::ProgressMessage, Expr::value(Option::<String>::None))
                    .col_expr(Column::UpdatedAt, Expr::value(now))
                    .filter(Column::Id.eq(id))
                    .filter(Column::LockedBy.eq(worker))
                    .filter(Column::RerunRequested.eq(true))
                    .exec(&self.inner.db)
                    .await?;
                if requeued.rows_affected > 0 {
                    tracing::debug!(job = id, "job asked for again while running: queued again");
                    self.inner.wake.notify_waiters();
                    return Ok(true);
                }
            }
            let mut update = entity::Entity::update_many()
                .col_expr(Column::State, Expr::value(state.as_str()))
                .col_expr(Column::LockedBy, Expr::value(Option::<String>::None))
                .col_expr(
                    Column::LeaseUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(Column::FinishedAt, Expr::value(now))
                .col_expr(Column::UpdatedAt, Expr::value(now));
            if let Some(error) = error {
                update = update.col_expr(Column::LastError, Expr::value(error.to_owned()));
            }
            let mut update = update
                .filter(Column::Id.eq(id))
                .filter(Column::LockedBy.eq(worker));
            if state != JobState::Cancelled {
                update = update.filter(Column::RerunRequested.eq(false));
            }
            if update.exec(&self.inner.db).await?.rows_affected > 0
                || self.get(id).await?.locked_by.as_deref() != Some(worker)
            {
                return Ok(false);
            }
        }
        Ok(false)
    }

    /// After a failed attempt: back to the queue after a backoff, or failed for good.
    pub(crate) async fn retry_or_fail(
        &self,
        job: &entity::Model,
        worker: &str,
        error: &str,
    ) -> Result<JobState, JobError> {
        if job.attempts >= job.max_attempts {
            if self
                .finish(job.id, worker, JobState::Failed, Some(error))
                .await?
            {
                return Ok(JobState::Queued);
            }
            tracing::warn!(job = job.id, kind = %job.kind, error, "job failed for good");
            self.inner.events.publish(Event::JobFailed {
                job_id: job.id,
                kind: job.kind.clone(),
                error: error.to_owned(),
            });
            return Ok(JobState::Failed);
        }
        let delay = self.backoff(job.attempts);
        let now = now();
        entity::Entity::update_many()
            .col_expr(Column::State, Expr::value(JobState::Queued.as_str()))
            .col_expr(Column::LockedBy, Expr::value(Option::<String>::None))
            .col_expr(
                Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(Column::RunAt, Expr::value(now + delay))
            .col_expr(Column::LastError, Expr::value(error.to_owned()))
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::Id.eq(job.id))
            .filter(Column::LockedBy.eq(worker))
            .exec(&self.inner.db)
            .await?;
        tracing::info!(job = job.id, kind = %job.kind, attempt = job.attempts, ?delay, error, "job will be retried");
        Ok(JobState::Queued)
    }

    /// Exponential backoff: base × 2^(attempt−1), capped.
    pub fn backoff(&self, attempt: i32) -> Duration {
        let settings = &self.inner.settings;
        let exponent = u32::try_from(attempt.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
        settings
            .retry_base
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(settings.retry_max)
    }

    /// Requeues (or fails) running jobs whose lease ran out: their worker died.
    pub async fn reap(&self) -> Result<u64, JobError> {
        let now = now();
        let failed = entity::Entity::update_many()
            .col_expr(Column::State, Expr::value(JobState::Failed.as_str()))
            .col_expr(Column::LockedBy, Expr::value(Option::<String>::None))
            .col_expr(
                Column::LastError,
                Expr::value("the worker stopped without finishing"),
            )
            .col_expr(Column::FinishedAt, Expr::value(now))
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::State.eq(JobState::Running.as_str()))
            .filter(Column::LeaseUntil.lt(now))
            .filter(Expr::col(Column::Attempts).gte(Expr::col(Column::MaxAttempts)))
            .exec(&self.inner.db)
            .await?;
        let requeued = entity::Entity::update_many()
            .col_expr(Column::State, Expr::value(JobState::Queued.as_str()))
            .col_expr(Column::LockedBy, Expr::value(Option::<String>::None))
            .col_expr(
                Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::State.eq(JobState::Running.as_str()))
            .filter(Column::LeaseUntil.lt(now))
            .exec(&self.inner.db)
            .await?;
        let total = failed.rows_affected + requeued.rows_affected;
        if total > 0 {
            tracing::warn!(
                requeued = requeued.rows_affected,
                failed = failed.rows_affected,
                "reaped jobs whose worker died"
            );
        }
        Ok(total)
    }

    /// When the last job with this key finished, if any.
    pub(crate) async fn last_finished(&self, key: &str) -> Result<Option<DateTime<Utc>>, JobError> {
        Ok(entity::Entity::find()
            .filter(Column::UniqueKey.eq(key))
            .filter(Column::FinishedAt.is_not_null())
            .order_by_desc(Column::FinishedAt)
            .one(&self.inner.db)
            .await?
            .and_then(|job| job.finished_at))
    }

    /// Deletes finished jobs older than `age` (the history is kept that long).
    pub async fn purge_finished(&self, age: Duration) -> Result<u64, JobError> {
        let deleted = entity::Entity::delete_many()
            .filter(Column::FinishedAt.lt(now() - age))
            .filter(Column::State.is_in([
                JobState::Succeeded.as_str(),
                JobState::Failed.as_str(),
                JobState::Cancelled.as_str(),
            ]))
            .exec(&self.inner.db)
            .await?;
        Ok(deleted.rows_affected)
    }
}

/// Rewrites `?` placeholders as `$1, $2, …` for PostgreSQL.
fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}
