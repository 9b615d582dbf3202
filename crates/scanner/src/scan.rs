//! One scan of one library: walk every folder, compare with the records, import, move, remove.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use revenge_core::{Event, EventBus, FileToImport, Id, Imported, Importer};
use revenge_jobs::JobContext;
use revenge_library::{entity as library, folder, repo as library_repo};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, Set,
};
use serde::Serialize;
use tokio::sync::watch;

use crate::ScanError;
use crate::entity::{self as media_file, Column};
use crate::fingerprint::fingerprint;
use crate::walk::{FoundFile, walk};

/// Where a scan is, for progress bars and the jobs API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScanProgress {
    /// Files found so far.
    pub seen: u64,
    /// Files handled so far.
    pub done: u64,
    /// Files to handle (known once the walk is over).
    pub total: Option<u64>,
}

/// What a scan did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScanReport {
    /// Files found.
    pub seen: u64,
    /// Untouched files.
    pub unchanged: u64,
    /// New files.
    pub added: u64,
    /// Changed files, read again.
    pub updated: u64,
    /// Files found under a new path, keeping their item.
    pub moved: u64,
    /// Files gone.
    pub removed: u64,
    /// Files or folders that could not be handled (each is logged with its path).
    pub errors: u64,
}

/// Scans libraries. Cloning shares it.
#[derive(Clone)]
pub struct Scanner {
    db: DatabaseConnection,
    events: EventBus,
    importers: Arc<HashMap<String, Arc<dyn Importer>>>,
    ffprobe: Option<PathBuf>,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("modules", &self.importers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Scanner {
    /// A scanner for the modules whose importers are given (by module id).
    pub fn new(
        db: DatabaseConnection,
        events: EventBus,
        importers: HashMap<String, Arc<dyn Importer>>,
        ffprobe: Option<PathBuf>,
    ) -> Self {
        Self {
            db,
            events,
            importers: Arc::new(importers),
            ffprobe,
        }
    }

    /// The job handler of `library.scan` jobs (`{"library_id": N}`).
    pub async fn run_job(&self, ctx: JobContext) -> Result<(), String> {
        let library_id = ctx
            .payload()
            .get("library_id")
            .and_then(serde_json::Value::as_i64)
            .ok_or("the scan job has no library_id")?;
        let (sender, mut receiver) = watch::channel(ScanProgress::default());
        let reporter = {
            let ctx = ctx.clone();
            tokio::spawn(async move {
                while receiver.changed().await.is_ok() {
                    let progress = receiver.borrow_and_update().clone();
                    let total = progress.total.map(|t| i64::try_from(t).unwrap_or(i64::MAX));
                    let done = i64::try_from(progress.done).unwrap_or(i64::MAX);
                    let message = format!("{} files seen", progress.seen);
                    ctx.progress(done, total, Some(&message)).await;
                    // At most a few updates a second: progress is for people.
                    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                }
            })
        };
        let result = self.scan(library_id, &sender).await;
        drop(sender);
        let _ = reporter.await;
        result.map(|_| ()).map_err(|e| e.to_string())
    }

    /// Scans one library, publishing `library.scan.*` and `item.*` events.
    pub async fn scan(
        &self,
        library_id: Id,
        progress: &watch::Sender<ScanProgress>,
    ) -> Result<ScanReport, ScanError> {
        self.events.publish(Event::ScanStarted { library_id });
        let result = self.scan_inner(library_id, progress).await;
        match &result {
            Ok(report) => {
                tracing::info!(library = library_id, ?report, "scan completed");
                self.events.publish(Event::ScanCompleted {
                    library_id,
                    added: report.added,
                    updated: report.updated,
                    removed: report.removed,
                });
            }
            Err(e) => {
                tracing::warn!(library = library_id, error = %e, "scan failed");
                self.events.publish(Event::ScanFailed {
                    library_id,
                    error: e.to_string(),
                });
            }
        }
        result
    }

    async fn scan_inner(
        &self,
        library_id: Id,
        progress: &watch::Sender<ScanProgress>,
    ) -> Result<ScanReport, ScanError> {
        let library = library::Entity::find_by_id(library_id)
            .one(&self.db)
            .await?
            .ok_or(ScanError::LibraryNotFound(library_id))?;
        let importer = self
            .importers
            .get(&library.module)
            .cloned()
            .ok_or_else(|| ScanError::ModuleUnavailable {
                library: library_id,
                module: library.module.clone(),
            })?;
        let extensions: HashSet<String> = importer
            .extensions()
            .iter()
            .map(|e| (*e).to_owned())
            .collect();
        let folders = library_repo::folders(&self.db, library_id).await?;

        // Walk every folder first, so an unreachable one stops the scan before anything
        // changes anywhere.
        let mut walked = Vec::new();
        for folder in &folders {
            let root = PathBuf::from(&folder.path);
            check_reachable(&root)?;
            let walk_root = root.clone();
            let exts = extensions.clone();
            let (found, issues) = tokio::task::spawn_blocking(move || walk(&walk_root, &exts))
                .await
                .map_err(|e| ScanError::FolderUnreachable {
                    path: folder.path.clone(),
                    reason: e.to_string(),
                })?;
            let known = media_file::Entity::find()
                .filter(Column::FolderId.eq(folder.id))
                .count(&self.db)
                .await?;
            if found.is_empty() && known > 0 && dir_is_empty(&root) {
                return Err(ScanError::FolderEmptied {
                    path: folder.path.clone(),
                    known: usize::try_from(known).unwrap_or(usize::MAX),
                });
            }
            for issue in &issues {
                tracing::warn!(library = library_id, path = %issue.path, "{}", issue.message);
            }
            walked.push((folder.clone(), found, issues.len()));
        }

        let mut report = ScanReport::default();
        let total: usize = walked.iter().map(|(_, found, _)| found.len()).sum();
        report.seen = total as u64;
        progress.send_replace(ScanProgress {
            seen: report.seen,
            done: 0,
            total: Some(report.seen),
        });
        for (folder, found, issues) in walked {
            report.errors += issues as u64;
            self.scan_folder(&library, &folder, found, &*importer, &mut report, progress)
                .await?;
        }
        Ok(report)
    }

    async fn scan_folder(
        &self,
        library: &library::Model,
        folder: &folder::Model,
        found: Vec<FoundFile>,
        importer: &dyn Importer,
        report: &mut ScanReport,
        progress: &watch::Sender<ScanProgress>,
    ) -> Result<(), ScanError> {
        let records = media_file::Entity::find()
            .filter(Column::FolderId.eq(folder.id))
            .all(&self.db)
            .await?;
        let on_disk: HashSet<&[u8]> = found.iter().map(|f| f.rel_bytes.as_slice()).collect();
        let mut by_path: HashMap<Vec<u8>, media_file::Model> = HashMap::new();
        // Records whose file is no longer where it was: candidates for a move, else removed.
        let mut missing: Vec<media_file::Model> = Vec::new();
        for record in records {
            if on_disk.contains(record.path_bytes.as_slice()) {
                by_path.insert(record.path_bytes.clone(), record);
            } else {
                missing.push(record);
            }
        }

        for file in &found {
            let outcome = match by_path.get(&file.rel_bytes) {
                Some(record)
                    if record.size == to_i64(file.size) && record.mtime_ns == file.mtime_ns =>
                {
                    report.unchanged += 1;
                    Ok(())
                }
                Some(record) => {
                    report.updated += 1;
                    self.update(library, record, file, importer).await
                }
                None => match take_moved(&mut missing, file) {
                    Some(record) => {
                        report.moved += 1;
                        self.relocate(record, file).await
                    }
                    None => {
                        report.added += 1;
                        self.add(library, folder, file, importer).await
                    }
                },
            };
            if let Err(e) = outcome {
                report.errors += 1;
                tracing::warn!(path = %file.path.display(), error = %e, "cannot import file");
            }
            progress.send_modify(|p| p.done += 1);
        }

        for record in missing {
            report.removed += 1;
            if let Err(e) = self.remove(&record, importer).await {
                report.errors += 1;
                tracing::warn!(path = %record.rel_path, error = %e, "cannot remove file");
            }
        }
        Ok(())
    }

    async fn probe(&self, path: &Path) -> (Option<String>, Option<String>) {
        match revenge_mediainfo::probe_any(path, self.ffprobe.as_deref()).await {
            Ok(info) => (serde_json::to_string(&info).ok(), None),
            Err(e) => (None, Some(e.to_string())),
        }
    }

    async fn add(
        &self,
        library: &library::Model,
        folder: &folder::Model,
        file: &FoundFile,
        importer: &dyn Importer,
    ) -> Result<(), String> {
        let (info, error) = self.probe(&file.path).await;
        let print = fingerprint(&file.path, file.size).ok();
        let imported = importer
            .import(
                &self.db,
                &FileToImport {
                    library_id: library.id,
                    path: file.path.clone(),
                    rel_path: file.rel_display.clone(),
                    item_id: None,
                },
            )
            .await?;
        let (kind, item_id) = self.announce(imported, error.is_some());
        let now = Utc::now();
        media_file::ActiveModel {
            library_id: Set(library.id),
            folder_id: Set(folder.id),
            module: Set(library.module.clone()),
            path_bytes: Set(file.rel_bytes.clone()),
            rel_path: Set(file.rel_display.clone()),
            size: Set(to_i64(file.size)),
            mtime_ns: Set(file.mtime_ns),
            inode: Set(Some(to_i64(file.inode))),
            device: Set(Some(to_i64(file.device))),
            fingerprint: Set(print),
            kind: Set(kind.to_owned()),
            item_id: Set(item_id),
            info: Set(info),
            error: Set(error),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| e.to_string())?;
        Ok(())
    }

    async fn update(
        &self,
        library: &library::Model,
        record: &media_file::Model,
        file: &FoundFile,
        importer: &dyn Importer,
    ) -> Result<(), String> {
        let (info, error) = self.probe(&file.path).await;
        let imported = importer
            .import(
                &self.db,
                &FileToImport {
                    library_id: library.id,
                    path: file.path.clone(),
                    rel_path: file.rel_display.clone(),
                    item_id: record.item_id,
                },
            )
            .await?;
        let (kind, item_id) = self.announce(imported, error.is_some());
        let mut model = record.clone().into_active_model();
        model.size = Set(to_i64(file.size));
        model.mtime_ns = Set(file.mtime_ns);
        model.inode = Set(Some(to_i64(file.inode)));
        model.device = Set(Some(to_i64(file.device)));
        model.fingerprint = Set(fingerprint(&file.path, file.size).ok());
        model.kind = Set(kind.to_owned());
        model.item_id = Set(item_id);
        model.info = Set(info);
        model.error = Set(error);
        model.updated_at = Set(Utc::now());
        model.update(&self.db).await.map_err(|e| e.to_string())?;
        Ok(())
    }

    /// A file found under a new path keeps its record, and so its item.
    async fn relocate(&self, record: media_file::Model, file: &FoundFile) -> Result<(), String> {
        tracing::info!(from = %record.rel_path, to = %file.rel_display, "file moved");
        let mut model = record.into_active_model();
        model.path_bytes = Set(file.rel_bytes.clone());
        model.rel_path = Set(file.rel_display.clone());
        model.size = Set(to_i64(file.size));
        model.mtime_ns = Set(file.mtime_ns);
        model.inode = Set(Some(to_i64(file.inode)));
        model.device = Set(Some(to_i64(file.device)));
        model.updated_at = Set(Utc::now());
        model.update(&self.db).await.map_err(|e| e.to_string())?;
        Ok(())
    }

    /// A file is gone: its record goes, and its item too once no file of it is left.
    async fn remove(
        &self,
        record: &media_file::Model,
        importer: &dyn Importer,
    ) -> Result<(), String> {
        if let Some(item_id) = record.item_id {
            let others = media_file::Entity::find()
                .filter(Column::Module.eq(record.module.as_str()))
                .filter(Column::ItemId.eq(item_id))
                .filter(Column::Id.ne(record.id))
                .count(&self.db)
                .await
                .map_err(|e| e.to_string())?;
            if others == 0 {
                // The item first: a crash right after leaves a record pointing at nothing,
                // which the next scan removes; never an item without its file.
                if let Some(item) = importer.remove(&self.db, item_id).await? {
                    self.events.publish(Event::ItemRemoved(item));
                }
            }
        }
        media_file::Entity::delete_by_id(record.id)
            .exec(&self.db)
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Publishes `item.added`/`item.updated`; returns the record's kind and item.
    fn announce(&self, imported: Imported, unreadable: bool) -> (&'static str, Option<Id>) {
        match imported {
            Imported::Item { item, created } => {
                let id = item.item_id;
                self.events.publish(if created {
                    Event::ItemAdded(item)
                } else {
                    Event::ItemUpdated(item)
                });
                (if unreadable { "error" } else { "item" }, Some(id))
            }
            Imported::Skipped { reason } => {
                tracing::debug!(reason, "file recorded without an item");
                ("skipped", None)
            }
        }
    }
}

/// Takes the record of a missing file that `file` is, moved: same inode on the same device,
/// else the same size and content fingerprint.
fn take_moved(missing: &mut Vec<media_file::Model>, file: &FoundFile) -> Option<media_file::Model> {
    let by_inode = missing
        .iter()
        .position(|r| r.inode == Some(to_i64(file.inode)) && r.device == Some(to_i64(file.device)));
    let position = by_inode.or_else(|| {
        let size = to_i64(file.size);
        if !missing.iter().any(|r| r.size == size) {
            return None;
        }
        let print = fingerprint(&file.path, file.size).ok()?;
        missing
            .iter()
            .position(|r| r.size == size && r.fingerprint.as_deref() == Some(print.as_str()))
    })?;
    Some(missing.swap_remove(position))
}

fn check_reachable(root: &Path) -> Result<(), ScanError> {
    let unreachable = |reason: String| ScanError::FolderUnreachable {
        path: root.display().to_string(),
        reason,
    };
    let meta = std::fs::metadata(root).map_err(|e| unreachable(e.to_string()))?;
    if !meta.is_dir() {
        return Err(unreachable("not a folder".to_owned()));
    }
    std::fs::read_dir(root).map_err(|e| unreachable(e.to_string()))?;
    Ok(())
}

fn dir_is_empty(root: &Path) -> bool {
    std::fs::read_dir(root).is_ok_and(|mut entries| entries.next().is_none())
}

fn to_i64(value: u64) -> i64 {
    // Inode and device numbers use all 64 bits; stored as the same bits, compared alike.
    i64::from_ne_bytes(value.to_ne_bytes())
}
