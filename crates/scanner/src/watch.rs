//! Real-time changes: a debounced file watcher over every library folder queues an (incremental)
//! scan of the library whose folder changed. Folders are re-read periodically, so libraries made
//! or changed later are watched too.

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
    let mut resync = tokio::time::interval(RESYNC);
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
                let mut libraries: Vec<Id> = paths
                    .iter()
                    .filter_map(|changed| {
                        watched
                            .iter()
                            .filter(|(_, root)| changed.starts_with(root))
                            .max_by_key(|(_, root)| root.as_os_str().len())
                            .map(|(library, _)| *library)
                    })
                    .collect();
                libraries.sort_unstable();
                libraries.dedup();
                for library in libraries {
                    let job = NewJob::new(revenge_library::SCAN_JOB, serde_json::json!({ "library_id": library }))
                        .unique(revenge_library::scan_key(library))
                        .attempts(1);
                    match jobs.enqueue(job).await {
                        Ok(_) => tracing::debug!(library, "files changed; scan queued"),
                        Err(e) => tracing::warn!(library, error = %e, "cannot queue a scan after a change"),
                    }
                }
            }
            () = stop.cancelled() => return,
        }
    }
}
