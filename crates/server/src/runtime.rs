//! Starting and stopping the server: open and migrate the database, bind, serve until told to
//! stop, then drain in-flight requests within the grace period.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use revenge_auth::{AuthService, AuthSettings};
use revenge_config::Config;
use revenge_core::EventBus;
use revenge_db::{ConnectOptions, Database, migrate, settings};
use revenge_hooks::HookRunner;
use std::collections::HashMap;
use std::path::PathBuf;

use revenge_jobs::{JobContext, JobQueue, NewJob, Periodic, QueueSettings, WorkerPool, Workers};
use revenge_scanner::{FolderWatcher, Scanner};

/// How long file changes settle before the watcher queues a scan.
const WATCH_DEBOUNCE: Duration = Duration::from_secs(2);
use revenge_webhooks::{DELIVER_JOB, WebhookSpec, Webhooks};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::app::{self, AppState};
use crate::{ServerError, build_info, modules};

/// A server that is listening.
#[derive(Debug)]
pub struct RunningServer {
    setup_token: Option<String>,
    events: EventBus,
    jobs: JobQueue,
    hooks: HookRunner,
    workers: Option<WorkerPool>,
    watcher: Option<FolderWatcher>,
    listeners: Vec<JoinHandle<()>>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), ServerError>>,
    grace: Duration,
    db: Database,
}

impl RunningServer {
    /// The address it listens on (useful with `server.port: 0`).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The one-time setup token, if the database had no user at start-up.
    pub fn setup_token(&self) -> Option<&str> {
        self.setup_token.as_deref()
    }

    /// The server's event bus (to observe what it publishes).
    pub fn events(&self) -> &EventBus {
        &self.events
    }

    /// The job queue.
    pub fn jobs(&self) -> &JobQueue {
        &self.jobs
    }

    /// The script hooks.
    pub fn hooks(&self) -> &HookRunner {
        &self.hooks
    }

    /// `http://host:port`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets in-flight requests finish within the grace period, closes the
    /// database.
    pub async fn stop(mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.finish().await
    }

    /// Stops at once, as a crash would: nothing is drained, running jobs keep their leases
    /// (another worker runs them again once those run out). For crash-recovery tests.
    pub async fn kill(mut self) {
        self.task.abort();
        if let Some(watcher) = self.watcher.take() {
            watcher.stop().await;
        }
        if let Some(workers) = self.workers.take() {
            workers.shutdown(Duration::ZERO).await;
        }
        for listener in self.listeners.drain(..) {
            listener.abort();
        }
        let _ = self.db.close().await;
    }

    /// Serves until `signal` resolves, then stops as [`RunningServer::stop`] does.
    pub async fn run_until(mut self, signal: impl Future<Output = ()>) -> Result<(), ServerError> {
        let ended = tokio::select! {
            () = signal => None,
            // The serve task ended on its own: report why.
            result = &mut self.task => Some(result),
        };
        match ended {
            None => {
                tracing::info!("shutting down");
                self.stop().await
            }
            Some(result) => {
                self.stop_background().await;
                self.db.close().await?;
                flatten(result)
            }
        }
    }

    async fn finish(mut self) -> Result<(), ServerError> {
        let result = match tokio::time::timeout(self.grace, &mut self.task).await {
            Ok(result) => flatten(result),
            Err(_) => {
                tracing::warn!(grace = ?self.grace, "requests still running after the grace period; closing");
                Ok(())
            }
        };
        self.stop_background().await;
        self.db.close().await?;
        result
    }

    /// Stops job workers (running jobs get the grace period) and event listeners.
    async fn stop_background(&mut self) {
        if let Some(watcher) = self.watcher.take() {
            watcher.stop().await;
        }
        if let Some(workers) = self.workers.take() {
            workers.shutdown(self.grace).await;
        }
        for listener in self.listeners.drain(..) {
            listener.abort();
        }
    }
}

/// Tries per webhook delivery: with the default backoff (10 s doubling, at most an hour) the
/// last one comes about nine hours after the first.
const WEBHOOK_ATTEMPTS: i32 = 12;

/// The queue's timing from the `jobs:` section.
pub fn queue_settings(config: &Config) -> QueueSettings {
    let jobs = &config.jobs;
    QueueSettings {
        lease: Duration::from_secs(jobs.lease_secs),
        heartbeat: Duration::from_secs(jobs.heartbeat_secs),
        poll_interval: Duration::from_millis(jobs.poll_interval_ms),
        retry_base: Duration::from_secs(jobs.retry_base_secs),
        retry_max: Duration::from_secs(jobs.retry_max_secs),
    }
}

/// The job kind that queues a scan of every library (periodic rescans).
const RESCAN_ALL_JOB: &str = "library.rescan_all";

/// A library from the config (or `--library`), and whether to scan it now.
pub(crate) struct Configured {
    id: revenge_core::Id,
    scan_on_start: bool,
}

/// The scanner over every compiled-in, enabled module that has files.
pub fn scanner(config: &Config, db: &Database, events: &EventBus) -> Scanner {
    let importers: HashMap<String, Arc<dyn revenge_core::Importer>> = modules::compiled()
        .into_iter()
        .filter(|m| config.module_enabled(m.id()))
        .filter_map(|m| m.importer().map(|i| (m.id().to_owned(), i)))
        .collect();
    let ffprobe = config
        .scan
        .ffprobe
        .clone()
        .map(PathBuf::from)
        .or_else(|| find_on_path("ffprobe"));
    Scanner::new(db.conn.clone(), events.clone(), importers, ffprobe)
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}

/// Creates or updates the config's libraries; new ones, and those named in `scan_now`
/// (`--library`), are scanned at once.
pub(crate) async fn sync_libraries(
    config: &Config,
    db: &Database,
    scan_now: &[(String, String)],
) -> Result<Vec<Configured>, ServerError> {
    let specs: Vec<revenge_library::LibrarySpec> = config
        .libraries
        .iter()
        .map(|l| revenge_library::LibrarySpec {
            name: l.name.clone(),
            module: l.module.clone(),
            folders: l.folders.clone(),
        })
        .collect();
    let synced = revenge_library::repo::sync_config(&db.conn, &specs)
        .await
        .map_err(|e| ServerError::Library(e.to_string()))?;
    Ok(synced
        .into_iter()
        .map(|(library, created)| Configured {
            id: library.id,
            scan_on_start: created
                || scan_now
                    .iter()
                    .any(|(module, name)| *module == library.module && *name == library.name),
        })
        .collect())
}

async fn queue_scan(jobs: &JobQueue, library_id: revenge_core::Id) {
    let job = NewJob::new(
        revenge_library::SCAN_JOB,
        serde_json::json!({ "library_id": library_id }),
    )
    .unique(revenge_library::scan_key(library_id))
    .replacing_payload()
    .attempts(1);
    if let Err(e) = jobs.enqueue(job).await {
        tracing::warn!(library = library_id, error = %e, "cannot queue a scan");
    }
}

/// The worker pools of this process, with every job kind the server knows.
fn start_workers(
    config: &Config,
    db: &revenge_db::DatabaseConnection,
    jobs: &JobQueue,
    webhooks: &Webhooks,
    scanner: &Scanner,
    search: &revenge_search::Search,
    invalidation: &revenge_cache::http::WriteInvalidation,
) -> WorkerPool {
    let history = Duration::from_secs(config.jobs.history_days.saturating_mul(86_400));
    let deliver = {
        let webhooks = webhooks.clone();
        move |ctx: JobContext| {
            let webhooks = webhooks.clone();
            async move { webhooks.deliver(ctx).await }
        }
    };
    let purge = {
        let jobs = jobs.clone();
        move |_ctx: JobContext| {
            let jobs = jobs.clone();
            async move {
                let purged = jobs
                    .purge_finished(history)
                    .await
                    .map_err(|e| e.to_string())?;
                tracing::info!(purged, "purged finished jobs");
                Ok(())
            }
        }
    };
    // Scans and their ffprobe passes. Before such a job counts as done, caches are dropped (if
    // it changed anything), so whoever waits for it sees fresh lists and file details; and its
    // peak's memory, garbage now, goes back to the system instead of staying with an idle
    // server.
    let library_job = |probe: bool| {
        let scanner = scanner.clone();
        let invalidation = invalidation.clone();
        move |ctx: JobContext| {
            let (scanner, invalidation) = (scanner.clone(), invalidation.clone());
            async move {
                let (result, changed) = if probe {
                    match scanner.run_probe_job(ctx).await {
                        Ok(report) => (Ok(()), report.read > 0),
                        Err(e) => (Err(e), true),
                    }
                } else {
                    (scanner.run_job(ctx).await, true)
                };
                if changed {
                    invalidation.invalidate_modules().await;
                }
                revenge_core::memory::release_free_heap();
                result
            }
        }
    };
    let rescan_all = {
        let jobs = jobs.clone();
        let db = db.clone();
        move |_ctx: JobContext| {
            let (jobs, db) = (jobs.clone(), db.clone());
            async move {
                let ids = revenge_library::repo::all_ids(&db)
                    .await
                    .map_err(|e| e.to_string())?;
                for id in ids {
                    queue_scan(&jobs, id).await;
                }
                Ok(())
            }
        }
    };
    let mut workers = Workers::new(jobs.clone())
        .handler(DELIVER_JOB, deliver)
        .handler(PURGE_JOB, purge)
        .handler(revenge_library::SCAN_JOB, library_job(false))
        .handler(revenge_scanner::PROBE_JOB, library_job(true))
        .handler(RESCAN_ALL_JOB, rescan_all)
        .periodic(Periodic {
            kind: PURGE_JOB.to_owned(),
            queue: "default".to_owned(),
            every: Duration::from_secs(config.jobs.purge_interval_secs),
            payload: serde_json::json!({}),
        });
    if config.scan.interval_secs > 0 {
        workers = workers.periodic(Periodic {
            kind: RESCAN_ALL_JOB.to_owned(),
            queue: "default".to_owned(),
            every: Duration::from_secs(config.scan.interval_secs),
            payload: serde_json::json!({}),
        });
    }
    // --- search (issue #8): index, reindex and reconcile jobs on the `search` queue.
    let search_workers = config
        .jobs
        .concurrency
        .get(revenge_search::indexer::QUEUE)
        .copied()
        .unwrap_or(1);
    workers = search.register(workers, search_workers);
    for (queue, concurrency) in &config.jobs.concurrency {
        if queue != revenge_search::indexer::QUEUE {
            workers = workers.pool(queue, *concurrency);
        }
    }
    workers.start()
}

/// The job kind that deletes old finished jobs.
const PURGE_JOB: &str = "jobs.purge";

fn flatten(
    result: Result<Result<(), ServerError>, tokio::task::JoinError>,
) -> Result<(), ServerError> {
    result.unwrap_or_else(|join| Err(ServerError::Serve(std::io::Error::other(join.to_string()))))
}

/// What `start` does beyond the config.
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    /// Libraries (module, name) to scan right after start (`serve --library`).
    pub scan_now: Vec<(String, String)>,
    /// Replaces the config's `cache:` section (tests that need one cache setting per server).
    pub cache: Option<revenge_cache::CacheSettings>,
}

/// Validates the config, opens and migrates the database, binds and starts serving.
pub async fn start(config: Config) -> Result<RunningServer, ServerError> {
    start_with(config, StartOptions::default()).await
}

/// [`start`] with options.
pub async fn start_with(
    config: Config,
    options: StartOptions,
) -> Result<RunningServer, ServerError> {
    let build = build_info();
    revenge_config::validate(&config, &build.as_build())?;

    let data_dir = config.data_dir();
    std::fs::create_dir_all(&data_dir).map_err(|source| ServerError::DataDir {
        path: data_dir.display().to_string(),
        source,
    })?;

    let db = open_database(&config).await?;
    let applied = migrate::up(&db.conn, &modules::migration_sets()).await?;
    if !applied.is_empty() {
        tracing::info!(count = applied.len(), "database migrated");
    }
    let server_id = settings::server_id(&db.conn).await?;
    let events = EventBus::new();
    let cache_settings = options
        .cache
        .clone()
        .unwrap_or_else(|| config.cache.clone());
    let cache = revenge_cache::Cache::connect(cache_settings).await?;
    let auth = AuthService::with_cache(
        db.conn.clone(),
        auth_settings(&config),
        events.clone(),
        cache.clone(),
    )
    .await
    .map_err(ServerError::Auth)?;
    let setup_token = auth.setup_token();
    if let Some(token) = &setup_token {
        // The one secret we print, on purpose: it is single-use, dies with setup, and only
        // someone who can read this log (the machine's owner) should create the first admin.
        tracing::warn!(
            "no users yet: create the first administrator with POST /api/v1/setup \
             using setup token {token} (or run `revenge user create --admin NAME`)"
        );
    }

    let jobs = JobQueue::new(db.conn.clone(), queue_settings(&config), events.clone());
    let webhooks = Webhooks::new(db.conn.clone(), jobs.clone(), WEBHOOK_ATTEMPTS);
    let specs: Vec<WebhookSpec> = config
        .webhooks
        .iter()
        .map(|w| WebhookSpec {
            name: w.name.clone(),
            url: w.url.clone(),
            events: w.events.clone(),
            secret: w.secret.clone(),
            headers: w.headers.clone(),
        })
        .collect();
    revenge_webhooks::sync_config(&db.conn, &specs).await?;
    let hooks = HookRunner::new(
        config.hooks.commands(),
        Duration::from_secs(config.hooks.timeout_secs),
    )?;
    let invalidation = revenge_cache::http::WriteInvalidation {
        cache: cache.clone(),
        modules: app::module_statuses(&config)
            .iter()
            .filter(|m| m.enabled)
            .map(|m| m.id)
            .collect(),
    };
    // Listeners subscribe before anything can publish, so no event is missed.
    let mut listeners = vec![
        webhooks.listen(&events),
        hooks.listen(&events),
        revenge_cache::http::listen(&events, invalidation.clone()),
    ];
    // --- search (issue #8): open the engine, follow item events, repair drift at start-up.
    let search = open_search(&config, &data_dir, &db)?;
    listeners.push(search.listen(&events, &jobs));
    if let Err(e) = revenge_search::queue_reconcile(&jobs).await {
        tracing::warn!(error = %e, "cannot queue a search reconciliation");
    }
    let scanner = scanner(&config, &db, &events).with_jobs(jobs.clone());
    let configured = sync_libraries(&config, &db, &options.scan_now).await?;
    // The config may have changed libraries that other instances have cached answers about.
    invalidation.invalidate_all().await;
    let workers = start_workers(
        &config,
        &db.conn,
        &jobs,
        &webhooks,
        &scanner,
        &search,
        &invalidation,
    );
    for library in configured.iter().filter(|l| l.scan_on_start) {
        queue_scan(&jobs, library.id).await;
    }
    let watcher = config
        .scan
        .watch
        .then(|| FolderWatcher::start(db.conn.clone(), jobs.clone(), WATCH_DEBOUNCE));
    let requeued = webhooks.requeue_pending().await?;
    if requeued > 0 {
        tracing::info!(
            requeued,
            "webhook deliveries pending from before are queued again"
        );
    }

    let mut transcoding = config.transcoding.clone();
    if transcoding.temp_dir.is_none() {
        transcoding.temp_dir = Some(data_dir.join("cache").join("transcode"));
    }
    let transcoder = revenge_transcode::Transcoder::new(transcoding)?;
    let state = AppState {
        transcoder,
        db: db.clone(),
        auth,
        cache,
        events: events.clone(),
        jobs: jobs.clone(),
        webhooks,
        hooks: hooks.clone(),
        modules: Arc::new(app::module_statuses(&config)),
        server_id: server_id.into(),
        search: Some(search),
    };
    let router = app::router(state, &config)?;

    let addr = format!("{}:{}", config.server.host, config.server.port);
    let listener = TcpListener::bind(&addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: addr.clone(),
            source,
        })?;
    let local_addr = listener.local_addr().map_err(|source| ServerError::Bind {
        addr: addr.clone(),
        source,
    })?;
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = stop_rx.await;
        })
        .await
        .map_err(ServerError::Serve)
    });
    let enabled: Vec<&str> = app::module_statuses(&config)
        .iter()
        .filter(|m| m.enabled)
        .map(|m| m.id)
        .collect();
    tracing::info!(
        addr = %local_addr,
        database = db.backend.as_str(),
        modules = ?enabled,
        data_dir = %data_dir.display(),
        "revenge is listening"
    );
    Ok(RunningServer {
        setup_token,
        events,
        jobs,
        hooks,
        workers: Some(workers),
        watcher,
        listeners,
        addr: local_addr,
        stop: Some(stop_tx),
        task,
        grace: Duration::from_secs(config.server.shutdown_grace_secs),
        db,
    })
}

// --- search (issue #8)
/// The search settings: the config's `search:` section.
fn search_settings(config: &Config) -> revenge_search::SearchSettings {
    config.search.clone()
}

/// Opens the search engine over every compiled-in, enabled module's documents.
fn open_search(
    config: &Config,
    data_dir: &std::path::Path,
    db: &Database,
) -> Result<revenge_search::Search, ServerError> {
    let sources = modules::compiled()
        .into_iter()
        .filter(|m| config.module_enabled(m.id()))
        .filter_map(|m| {
            m.search().map(|searchable| revenge_search::Source {
                module: m.id().to_owned(),
                searchable,
            })
        })
        .collect();
    Ok(revenge_search::Search::open(
        &search_settings(config),
        data_dir,
        db.conn.clone(),
        sources,
    )?)
}

/// A remote transcoder that is listening (`revenge transcoder`).
#[derive(Debug)]
pub struct RunningTranscoder {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), ServerError>>,
}

impl RunningTranscoder {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://host:port`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting and waits for open connections to finish.
    pub async fn stop(mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        flatten((&mut self.task).await)
    }

    /// Serves until `signal` resolves.
    pub async fn run_until(self, signal: impl Future<Output = ()>) -> Result<(), ServerError> {
        signal.await;
        tracing::info!("shutting down");
        self.stop().await
    }
}

/// Starts a remote transcoder on `listen` with the config's `transcoding:` section; it needs
/// no database, only a shared secret (`transcoding.remote.secret`).
pub async fn start_transcoder(
    config: &Config,
    listen: &str,
) -> Result<RunningTranscoder, ServerError> {
    revenge_config::validate_transcoding(&config.transcoding)?;
    if config.transcoding.remote.secret.is_empty() {
        return Err(ServerError::Config(revenge_config::ConfigError::Value {
            key: "transcoding.remote.secret".to_owned(),
            message: "a transcoder needs the secret its servers send".to_owned(),
        }));
    }
    let router = revenge_transcode::transcoder_router(config.transcoding.clone());
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|source| ServerError::Bind {
            addr: listen.to_owned(),
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Bind {
        addr: listen.to_owned(),
        source,
    })?;
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stop_rx.await;
            })
            .await
            .map_err(ServerError::Serve)
    });
    Ok(RunningTranscoder {
        addr,
        stop: Some(stop_tx),
        task,
    })
}

/// The auth crate's settings from the `auth:` section.
pub fn auth_settings(config: &Config) -> AuthSettings {
    let auth = &config.auth;
    AuthSettings {
        hash: revenge_auth::password::HashParams {
            memory_kib: auth.argon2.memory_kib,
            iterations: auth.argon2.iterations,
            parallelism: auth.argon2.parallelism,
        },
        session_ttl: Duration::from_secs(auth.session_ttl_hours.saturating_mul(3600)),
        login_max_failures: auth.login_max_failures,
        login_window: Duration::from_secs(auth.login_window_secs),
        media_token_ttl: Duration::from_secs(auth.media_token_ttl_secs),
    }
}

/// Opens the configured database (without migrating it).
pub async fn open_database(config: &Config) -> Result<Database, ServerError> {
    let mut options = ConnectOptions::new(config.database_url());
    options.max_connections = config.database.max_connections;
    options.connect_timeout = Duration::from_secs(config.database.connect_timeout_secs);
    options.sqlite_busy_timeout = Duration::from_millis(config.database.sqlite_busy_timeout_ms);
    options.sqlite_mmap_size = config.database.sqlite_mmap_mib.saturating_mul(1 << 20);
    Ok(revenge_db::connect(&options).await?)
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

#[cfg(test)]
#[cfg(feature = "sqlite")]
mod tests {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    use super::open_database;

    async fn mmap_size(config: &revenge_config::Config) -> i64 {
        let db = open_database(config).await.expect("a database");
        let row = db
            .conn
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA mmap_size",
            ))
            .await
            .expect("a pragma query")
            .expect("a row");
        row.try_get_by_index::<i64>(0).expect("a number")
    }

    #[tokio::test]
    async fn the_configured_memory_map_reaches_sqlite() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut config = revenge_config::Config {
            data_dir: Some(dir.path().to_path_buf()),
            ..revenge_config::Config::default()
        };
        assert_eq!(mmap_size(&config).await, 256 << 20, "the default");
        config.database.sqlite_mmap_mib = 0;
        assert_eq!(mmap_size(&config).await, 0);
    }
}
