//! Real-time changes: a debounced file watcher over every library folder queues a scan of just
//! the paths that changed (a file, a folder, or a path that is gone), once the library has no
//! other scan queued or running. Folders are re-read periodically, so libraries made or changed
//! later are watched too.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use notify_debouncer_full::notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use revenge_core::Id;
use revenge_jobs::{JobQueue, NewJob};
use sea_orm::{DatabaseConnection, EntityTrait};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How often the set of watched folders is brought up to date.
const RESYNC: Duration = Duration::from_secs(10);
/// Beyond this many changed paths a library gets one incremental scan of everything instead.
const MAX_PATHS: usize = 1_000;

/// Watches library folders until dropped or stopped.
#[derive(Debug)]
pub struct FolderWatcher {
    task: JoinHandle<()>,
    stop: CancellationToken,
}

impl FolderWatcher {
    /// Starts watching; changes settle for `debounce` before a scan is queued.
    pub fn start(db: DatabaseConnection, jobs: JobQueue, debounce: Duration) -> Self {
        let stop = CancellationToken::new();
        let task = tokio::spawn(run(db, jobs, debounce, stop.clone()));
        Self { task, stop }
    }

    /// Stops watching.
    pub async fn stop(self) {
        self.stop.cancel();
        let _ = self.task.await;
    }
}

async fn folders(db: &DatabaseConnection) -> Vec<(Id, PathBuf)> {
    match revenge_library::folder::Entity::find().all(db).await {
        Ok(folders) => folders
            .into_iter()
            .map(|f| (f.library_id, PathBuf::from(f.path)))
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read library folders to watch");
            Vec::new()
        }
    }
}

async fn run(db: DatabaseConnection, jobs: JobQueue, debounce: Duration, stop: CancellationToken) {
    let (sender, mut changes) = mpsc::unbounded_channel::<Vec<PathBuf>>();
    let handler = move |result: DebounceEventResult| match result {
        Ok(events) => {
            let paths = events.into_iter().flat_map(|e| e.event.paths).collect();
            let _ = sender.send(paths);
        }
        Err(errors) => {
            for error in errors {
                tracing::warn!(%error, "file watcher error");
            }
        }
    };
    let mut debouncer = match new_debouncer(debounce, None, handler) {
        Ok(debouncer) => debouncer,
        Err(e) => {
            tracing::warn!(error = %e, "cannot start the file watcher; periodic rescans remain");
            return;
        }
    };
    let mut watched: Vec<(Id, PathBuf)> = Vec::new();
    let mut pending: HashMap<Id, BTreeSet<PathBuf>> = HashMap::new();
    let mut resync = tokio::time::interval(RESYNC);
    let mut retry = tokio::time::interval(debounce.max(Duration::from_millis(100)));
    loop {
        tokio::select! {
            _ = resync.tick() => {
                let wanted = folders(&db).await;
                for (library, path) in &wanted {
                    if watched.iter().any(|(_, p)| p == path) {
                        continue;
                    }
                    match debouncer.watch(path, RecursiveMode::Recursive) {
                        Ok(()) => watched.push((*library, path.clone())),
                        Err(e) => tracing::debug!(path = %path.display(), error = %e, "cannot watch folder yet"),
                    }
                }
                watched.retain(|(_, path)| {
                    let keep = wanted.iter().any(|(_, p)| p == path);
                    if !keep {
                        let _ = debouncer.unwatch(path);
                    }
                    keep
                });
            }
            Some(paths) = changes.recv() => {
                for changed in paths {
                    let library = watched
                        .iter()
                        .filter(|(_, root)| changed.starts_with(root))
                        .max_by_key(|(_, root)| root.as_os_str().len())
                        .map(|(library, _)| *library);
                    if let Some(library) = library {
                        pending.entry(library).or_default().insert(changed);
                    }
                }
                flush(&jobs, &mut pending).await;
            }
            _ = retry.tick(), if !pending.is_empty() => flush(&jobs, &mut pending).await,
            () = stop.cancelled() => return,
        }
    }
}

/// Queues a scan of the changed paths of each library that has no scan queued or running. A
/// running scan may already have walked past the change, and a queued one's paths cannot be
/// widened, so changes wait (in `pending`) until the library's scan is over.
async fn flush(jobs: &JobQueue, pending: &mut HashMap<Id, BTreeSet<PathBuf>>) {
    let libraries: Vec<Id> = pending.keys().copied().collect();
    for library in libraries {
        let key = revenge_library::scan_key(library);
        match jobs.has_active(&key).await {
            Ok(false) => {}
            Ok(true) => continue,
            Err(e) => {
                tracing::warn!(library, error = %e, "cannot look for a running scan");
                continue;
            }
        }
        let Some(paths) = pending.get(&library) else {
            continue;
        };
        let payload = if paths.len() > MAX_PATHS {
            serde_json::json!({ "library_id": library })
        } else {
            let paths: Vec<String> = paths
                .iter()
                .filter_map(|p| p.to_str().map(str::to_owned))
                .collect();
            serde_json::json!({ "library_id": library, "paths": paths })
        };
        // A path that is not UTF-8 cannot travel in the JSON payload: scan everything then.
        let payload = if payload["paths"]
            .as_array()
            .is_some_and(|listed| listed.len() != paths.len())
        {
            serde_json::json!({ "library_id": library })
        } else {
            payload
        };
        let job = NewJob::new(revenge_library::SCAN_JOB, payload)
            .unique(key)
            .attempts(1);
        match jobs.enqueue(job).await {
            // Another instance got there first: try again once that scan is over.
            Ok(queued) if !queued.created => {}
            Ok(_) => {
                tracing::debug!(library, "files changed; scan of the changed paths queued");
                pending.remove(&library);
            }
            Err(e) => tracing::warn!(library, error = %e, "cannot queue a scan after a change"),
        }
    }
}
