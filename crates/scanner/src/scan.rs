//! One scan of one library: walk every folder, compare with the records, import, move, remove.

use std::collections::{HashMap, HashSet};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use futures_util::TryStreamExt;
use revenge_core::batch_write::{insert_refs, rows_per_statement};
use revenge_core::{
    Event, EventBus, FileToImport, FolderListing, Id, ImportBatch, Imported, Importer, OpenedFile,
    Prepared,
};
use revenge_jobs::{JobContext, JobQueue};
use revenge_library::{entity as library, folder, repo as library_repo};
use revenge_mediainfo::ProbeError;
use sea_orm::ActiveValue::{self, Unchanged};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    DbBackend, EntityTrait, FromQueryResult, Iterable, PaginatorTrait, QueryFilter, QuerySelect,
    Set, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use serde::Serialize;
use tokio::sync::watch;

use crate::ScanError;
use crate::entity::{self as media_file, Column};
use crate::fingerprint::{Candidate, fingerprint_of, read_head};
use crate::walk::{FoundFile, WalkIssue, walk, walk_each, walk_paths};

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
    pub(crate) db: DatabaseConnection,
    events: EventBus,
    importers: Arc<HashMap<String, Arc<dyn Importer>>>,
    pub(crate) ffprobe: Option<PathBuf>,
    /// Where the probe job is queued after a scan; without it (`revenge scan`) the caller
    /// runs [`Scanner::probe_pending`] itself.
    pub(crate) jobs: Option<JobQueue>,
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
            jobs: None,
        }
    }

    /// Queues the probe job on `jobs` after each scan job that leaves files waiting for ffprobe.
    #[must_use]
    pub fn with_jobs(mut self, jobs: JobQueue) -> Self {
        self.jobs = Some(jobs);
        self
    }

    /// The job handler of `library.scan` jobs (`{"library_id": N}`).
    pub async fn run_job(&self, ctx: JobContext) -> Result<(), String> {
        let library_id = library_of(&ctx)?;
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
        // A watcher's job names the paths that changed; any other scan covers the library.
        let paths: Option<Vec<PathBuf>> = ctx
            .payload()
            .get("paths")
            .and_then(serde_json::Value::as_array)
            .map(|paths| {
                paths
                    .iter()
                    .filter_map(serde_json::Value::as_str)
                    .map(PathBuf::from)
                    .collect()
            });
        let result = self
            .scan_scoped(library_id, paths.as_deref(), &sender)
            .await;
        drop(sender);
        let _ = reporter.await;
        // Also after a failed scan: files an earlier scan marked may still wait.
        self.queue_probes(library_id).await;
        result.map(|_| ()).map_err(|e| e.to_string())
    }

    /// Scans one library, publishing `library.scan.*` and `item.*` events.
    pub async fn scan(
        &self,
        library_id: Id,
        progress: &watch::Sender<ScanProgress>,
    ) -> Result<ScanReport, ScanError> {
        self.scan_scoped(library_id, None, progress).await
    }

    /// Scans only what `paths` name (absolute paths of files or folders, existing or gone)
    /// when given, else the whole library.
    pub async fn scan_scoped(
        &self,
        library_id: Id,
        paths: Option<&[PathBuf]>,
        progress: &watch::Sender<ScanProgress>,
    ) -> Result<ScanReport, ScanError> {
        self.events.publish(Event::ScanStarted { library_id });
        let result = self.scan_inner(library_id, paths, progress).await;
        match &result {
            Ok(report) => {
                tracing::info!(library = library_id, ?report, "scan completed");
                if report.added + report.updated + report.moved + report.removed > 0
                    && let Err(error) = revenge_db::refresh_statistics(&self.db).await
                {
                    // The scan's work stands; queries only plan as they did before.
                    tracing::warn!(library = library_id, %error, "cannot refresh the database's statistics");
                }
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
        scope: Option<&[PathBuf]>,
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

        // Walk every folder with records first, so an unreachable or emptied one stops the
        // scan before anything changes anywhere. A folder without records (a new library) has
        // nothing to lose: it is walked while its files are read and written.
        let mut walked = Vec::new();
        for folder in &folders {
            let root = PathBuf::from(&folder.path);
            let within: Option<Vec<PathBuf>> = scope.map(|paths| {
                paths
                    .iter()
                    .filter(|p| p.starts_with(&root))
                    .cloned()
                    .collect()
            });
            if within.as_ref().is_some_and(Vec::is_empty) {
                continue;
            }
            check_reachable(&root)?;
            let known = media_file::Entity::find()
                .filter(Column::FolderId.eq(folder.id))
                .count(&self.db)
                .await?;
            if within.is_none() && known == 0 {
                walked.push((folder.clone(), Source::Fresh, None));
                continue;
            }
            let walk_root = root.clone();
            let exts = extensions.clone();
            let walk_scope = within.clone();
            let (found, issues) = tokio::task::spawn_blocking(move || match walk_scope {
                Some(paths) => walk_paths(&walk_root, &paths, &exts),
                None => walk(&walk_root, &exts),
            })
            .await
            .map_err(|e| ScanError::FolderUnreachable {
                path: folder.path.clone(),
                reason: e.to_string(),
            })?;
            let prefixes: Option<Vec<Vec<u8>>> = within.map(|paths| {
                paths
                    .iter()
                    .filter_map(|p| p.strip_prefix(&root).ok())
                    .map(|rel| rel.as_os_str().as_bytes().to_vec())
                    .collect()
            });
            if prefixes.is_none() && found.is_empty() && known > 0 && dir_is_empty(&root) {
                return Err(ScanError::FolderEmptied {
                    path: folder.path.clone(),
                    known: usize::try_from(known).unwrap_or(usize::MAX),
                });
            }
            log_issues(library_id, &issues);
            walked.push((folder.clone(), Source::Found(found, issues.len()), prefixes));
        }

        let mut report = ScanReport::default();
        let found: usize = walked
            .iter()
            .map(|(_, source, _)| match source {
                Source::Found(found, _) => found.len(),
                Source::Fresh => 0,
            })
            .sum();
        let fresh = walked
            .iter()
            .filter(|(_, source, _)| matches!(source, Source::Fresh))
            .count();
        report.seen = found as u64;
        progress.send_replace(ScanProgress {
            seen: report.seen,
            done: 0,
            // Known once the last walk is over.
            total: (fresh == 0).then_some(report.seen),
        });
        let mut walking = fresh;
        for (folder, source, prefixes) in walked {
            let target = Target {
                library: &library,
                folder: &folder,
                importer: &*importer,
                shared: importer.clone(),
                extensions: &extensions,
            };
            let is_fresh = matches!(source, Source::Fresh);
            self.scan_folder(&target, source, prefixes.as_deref(), &mut report, progress)
                .await?;
            if is_fresh {
                walking -= 1;
                if walking == 0 {
                    progress.send_modify(|p| p.total = Some(p.seen));
                }
            }
        }
        Ok(report)
    }

    /// Brings one folder's records in line with what is on disk: the files walked (`Found`),
    /// of which with `scope` (paths below the folder) only the records at or below those paths
    /// are compared; or, for a folder without records (`Fresh`), the files as the walk finds them.
    async fn scan_folder(
        &self,
        target: &Target<'_>,
        source: Source,
        scope: Option<&[Vec<u8>]>,
        report: &mut ScanReport,
        progress: &watch::Sender<ScanProgress>,
    ) -> Result<(), ScanError> {
        let importer = target.importer;
        let (chunks, missing, walker) = match source {
            Source::Found(found, issues) => {
                report.errors += issues as u64;
                let (chunks, missing) = self.compare(target.folder, found, scope).await?;
                (chunks, missing, None)
            }
            Source::Fresh => {
                let (chunks, walker) = walk_fresh(target);
                (chunks, Vec::new(), Some(walker))
            }
        };
        // A walk cannot be aborted (a blocking task): it stops at its next batch when the scan
        // has stopped, as nobody takes the batch. Its files are seen as they come.
        let walking = walker.is_some();

        let savepoints = self.db.get_database_backend() == DbBackend::Postgres;
        // Batches are read one after another while earlier ones are written, up to
        // `READ_AHEAD` finished ahead of the writer: reading and writing a batch take about as
        // long, and a reader that waited for each batch's commit before starting the next
        // idled whenever its batch happened to be the quicker one.
        let (ready, mut reads_in) = tokio::sync::mpsc::channel(READ_AHEAD);
        let reader = tokio::spawn(read_ahead(
            target.shared.clone(),
            self.ffprobe.is_some(),
            target.library.id,
            chunks,
            ready,
        ));
        // The reader stops with the scan, whichever way the scan ends.
        let _reading = AbortOnDrop(reader.abort_handle());
        // The module's state after a committed batch, handed to the next one.
        let mut carried: Option<ImportBatch> = None;
        while let Some((chunk, reads)) = reads_in.recv().await {
            let Chunk { files, steps } = chunk;
            if walking {
                report.seen += files.len() as u64;
                progress.send_modify(|p| p.seen += files.len() as u64);
            }
            let work: Vec<(&FoundFile, Step)> = files.iter().zip(steps).collect();
            if work.iter().all(|(_, step)| matches!(step, Step::Unchanged)) {
                // A rescan that finds nothing new opens no transaction at all.
                report.unchanged += work.len() as u64;
                progress.send_modify(|p| p.done += files.len() as u64);
                continue;
            }
            let mut reads = reads.into_iter();
            let reads: Vec<Option<FileRead>> =
                work.iter().map(|_| reads.next().flatten()).collect();
            // One transaction per batch (commits are the other slow part). On PostgreSQL a
            // failed statement aborts its transaction, so each file gets a savepoint there; SQLite
            // carries on after a failed statement and is spared the extra round trips.
            let WriteTxn { txn, restore } = self.begin_write().await?;
            let mut events = Vec::new();
            let mut batch = match carried.take() {
                Some(previous) => importer.next_batch(previous),
                None => importer.batch(),
            };
            let mut rows = Vec::new();
            if let Err(e) = importer.prefetch(&txn, target.library.id, &mut batch).await {
                // Each file looks up what it needs instead.
                tracing::warn!(error = %e, "cannot look up a batch's shared items ahead");
                batch = importer.batch();
            }
            for ((file, step), read) in work.into_iter().zip(reads) {
                if matches!(step, Step::Unchanged) {
                    report.unchanged += 1;
                    continue;
                }
                match &step {
                    Step::Move(_) => report.moved += 1,
                    Step::Update(_) => report.updated += 1,
                    _ => report.added += 1,
                }
                let result = if savepoints {
                    let sp = txn.begin().await?;
                    let mut out = Out {
                        batch: &mut batch,
                        events: &mut events,
                        rows: &mut rows,
                    };
                    let result = apply(&sp, target, file, step, read, &mut out).await;
                    settle(sp, result).await
                } else {
                    let mut out = Out {
                        batch: &mut batch,
                        events: &mut events,
                        rows: &mut rows,
                    };
                    apply(&txn, target, file, step, read, &mut out).await
                };
                if let Err(e) = result {
                    // What the module remembers may have been rolled back with the file; what it
                    // gathered from the files before is written first.
                    report.errors +=
                        flush(&txn, target, &mut batch, &mut rows, &mut events).await?;
                    batch = importer.batch();
                    report.errors += 1;
                    tracing::warn!(path = %file.path.display(), error = %e, "cannot import file");
                }
            }
            report.errors += flush(&txn, target, &mut batch, &mut rows, &mut events).await?;
            report.errors += insert_rows(&txn, rows, savepoints).await?;
            commit(txn, restore).await?;
            carried = Some(batch);
            for event in events {
                self.events.publish(event);
            }
            progress.send_modify(|p| p.done += files.len() as u64);
        }
        // Only a runtime shutting down stops the reader early (it catches a reader's panic per
        // file): the files it did not hand over are still unrecorded, so the next scan takes
        // them in.
        if let Err(e) = reader.await {
            tracing::warn!(error = %e, "reading files stopped");
        }
        if let Some(walker) = walker {
            match walker.await {
                Ok(issues) => {
                    log_issues(target.library.id, &issues);
                    report.errors += issues.len() as u64;
                }
                Err(e) => tracing::warn!(error = %e, "walking a folder stopped"),
            }
        }

        if !missing.is_empty() {
            let WriteTxn { txn, restore } = self.begin_write().await?;
            let mut events = Vec::new();
            for record in missing {
                report.removed += 1;
                let sp = txn.begin().await?;
                let result = remove(&sp, &record, importer, &mut events).await;
                if let Err(e) = settle(sp, result).await {
                    report.errors += 1;
                    tracing::warn!(path = %record.rel_path, error = %e, "cannot remove file");
                }
            }
            commit(txn, restore).await?;
            for event in events {
                self.events.publish(event);
            }
        }
        Ok(())
    }
}

impl Scanner {
    /// Compares the files walked in `folder` with its records (those within `scope`): each
    /// file's step, in batches, and the records whose file is gone.
    async fn compare(
        &self,
        folder: &folder::Model,
        found: Vec<FoundFile>,
        scope: Option<&[Vec<u8>]>,
    ) -> Result<(Chunks, Vec<FileState>), ScanError> {
        // Only what comparing needs (the stored metadata of 100,000 files would cost hundreds
        // of megabytes), streamed straight to the file it belongs to: collecting the rows first
        // doubled a rescan's peak memory.
        let on_disk: HashMap<&[u8], usize> = found
            .iter()
            .enumerate()
            .map(|(i, f)| (f.rel_bytes.as_slice(), i))
            .collect();
        let mut matched: Vec<Option<FileState>> = Vec::new();
        matched.resize_with(found.len(), || None);
        // Records whose file is no longer where it was: candidates for a move, else removed.
        let mut missing: Vec<FileState> = Vec::new();
        let mut records = media_file::Entity::find()
            .select_only()
            .columns([
                Column::Id,
                Column::Module,
                Column::PathBytes,
                Column::RelPath,
                Column::Size,
                Column::MtimeNs,
                Column::Inode,
                Column::Device,
                Column::Fingerprint,
                Column::ItemId,
            ])
            .filter(Column::FolderId.eq(folder.id))
            .into_model::<FileState>()
            .stream(&self.db)
            .await?;
        while let Some(record) = records.try_next().await? {
            if !scope.is_none_or(|scope| in_scope(&record.path_bytes, scope)) {
                continue;
            }
            match on_disk.get(record.path_bytes.as_slice()) {
                Some(&i) => matched[i] = Some(record),
                None => missing.push(record),
            }
        }
        drop(records);
        drop(on_disk);

        let steps: Vec<Step> = found
            .iter()
            .zip(matched)
            .map(|(file, record)| match record {
                Some(record)
                    if record.size == to_i64(file.size) && record.mtime_ns == file.mtime_ns =>
                {
                    Step::Unchanged
                }
                Some(record) => Step::Update(record),
                None => match take_moved(&mut missing, file) {
                    Some(record) => Step::Move(record),
                    None => Step::Add,
                },
            })
            .collect();
        let (sender, chunks) = tokio::sync::mpsc::unbounded_channel();
        let mut files = found.into_iter();
        let mut steps = steps.into_iter();
        loop {
            let files: Vec<FoundFile> = files.by_ref().take(BATCH).collect();
            if files.is_empty() {
                break;
            }
            let steps: Vec<Step> = steps.by_ref().take(files.len()).collect();
            // The receiver is still here: it cannot be gone.
            let _ = sender.send(Chunk { files, steps });
        }
        Ok((chunks, missing))
    }

    /// A transaction that writes. IMMEDIATE on SQLite: it holds the write lock from its start,
    /// so modules may number new rows themselves (`IdBlock`), and a read it makes before
    /// writing cannot go stale under another writer (the probe job, another library's scan),
    /// which would fail its first write with `SQLITE_BUSY` instead of waiting.
    async fn begin_write(&self) -> Result<WriteTxn, ScanError> {
        let txn = self
            .db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            })
            .await?;
        let restore = widen_cache(&txn).await;
        Ok(WriteTxn { txn, restore })
    }
}

/// A scan's write transaction, and the page cache size to give its connection back.
struct WriteTxn {
    txn: DatabaseTransaction,
    restore: Option<i64>,
}

/// SQLite page cache (KiB) a scan's write transaction works with. The connections' own is
/// small (see `revenge-db`), and a batch's inserts into five tables and their indexes touch
/// several megabytes of pages: at 512 KiB each batch read most of them from the system's page
/// cache several times over (59,000 reads for the bench's 20,000 tracks, 16 MiB of database).
const SCAN_CACHE_KIB: i64 = 16 * 1024;

/// Gives the transaction's connection a [`SCAN_CACHE_KIB`] page cache while the transaction
/// lasts (SQLite); returns the size to restore. Only an optimisation: a failure is ignored.
async fn widen_cache(txn: &DatabaseTransaction) -> Option<i64> {
    if txn.get_database_backend() != DbBackend::Sqlite {
        return None;
    }
    let statement = |sql: String| Statement::from_string(DbBackend::Sqlite, sql);
    let row = txn
        .query_one_raw(statement("PRAGMA cache_size".to_owned()))
        .await
        .ok()??;
    let current: i64 = row.try_get_by_index(0).ok()?;
    // Negative: KiB; positive: pages (of 4 KiB, SQLite's default page size).
    let kib = if current < 0 { -current } else { current * 4 };
    if kib >= SCAN_CACHE_KIB {
        return None;
    }
    txn.execute_unprepared(&format!("PRAGMA cache_size = -{SCAN_CACHE_KIB}"))
        .await
        .ok()?;
    Some(current)
}

/// Commits a scan's write transaction, first giving its connection its own page cache size
/// back (SQLite frees the pages above it as the commit leaves them clean). A transaction that
/// fails instead leaves its connection with the larger cache until the connection closes; so
/// does one whose size cannot be set back, which is still committed (the batch is not lost
/// for a cache size).
async fn commit(txn: DatabaseTransaction, restore: Option<i64>) -> Result<(), ScanError> {
    if let Some(size) = restore
        && let Err(e) = txn
            .execute_unprepared(&format!("PRAGMA cache_size = {size}"))
            .await
    {
        tracing::warn!(error = %e, "cannot give a connection its page cache size back");
    }
    txn.commit().await?;
    Ok(())
}

/// The stored metadata: what the headers say, plus subtitle files beside the video
/// (`Movie.en.forced.srt`), named without their folder so no server path reaches clients.
pub(crate) fn with_sidecars(video: &Path, info: &revenge_mediainfo::MediaInfo) -> Option<String> {
    let mut json = serde_json::to_value(info).ok()?;
    let sidecars: Vec<serde_json::Value> = revenge_mediainfo::sidecar_subtitles(video)
        .into_iter()
        .map(|s| {
            serde_json::json!({
                "file": s.path.file_name().map(|n| n.to_string_lossy().into_owned()),
                "format": s.format,
                "language": s.language,
                "forced": s.forced,
                "sdh": s.sdh,
                "default": s.default,
                "title": s.title,
            })
        })
        .collect();
    if let Some(object) = json.as_object_mut() {
        object.insert("external_subtitles".to_owned(), sidecars.into());
    }
    serde_json::to_string(&json).ok()
}

/// The library a `library.*` job is for (`{"library_id": N}`).
pub(crate) fn library_of(ctx: &JobContext) -> Result<Id, String> {
    ctx.payload()
        .get("library_id")
        .and_then(serde_json::Value::as_i64)
        .ok_or_else(|| format!("the {} job has no library_id", ctx.kind()))
}

/// A new or changed file to read before its batch is written.
struct ReadJob {
    file: FileToImport,
}

/// Reads a batch's files: [`readers`] blocking tasks, each reading its share of the
/// batch in turn (a task per file cost more in thread hand-offs than reading a track's tags).
async fn read_batch(
    importer: Arc<dyn Importer>,
    defer_to_ffprobe: bool,
    batch: Vec<Option<ReadJob>>,
) -> Vec<Option<FileRead>> {
    let share = batch.len().div_ceil(readers()).max(1);
    let mut jobs = batch.into_iter();
    let mut tasks = Vec::new();
    loop {
        let part: Vec<Option<ReadJob>> = jobs.by_ref().take(share).collect();
        if part.is_empty() {
            break;
        }
        let importer = importer.clone();
        let len = part.len();
        let task = tokio::task::spawn_blocking(move || {
            let mut listings = Listings::default();
            let looks_beside = importer.looks_beside_files();
            part.into_iter()
                .map(|mut job| {
                    if looks_beside && let Some(ReadJob { file }) = &mut job {
                        file.beside = listings.of(&file.path);
                    }
                    read(&*importer, defer_to_ffprobe, job)
                })
                .collect::<Vec<_>>()
        });
        tasks.push((len, task));
    }
    let mut reads = Vec::new();
    for (len, task) in tasks {
        match task.await {
            Ok(part) => reads.extend(part),
            // Only a runtime shutting down gets here (a reader's panic is caught per file):
            // the module then reads in `import`.
            Err(e) => {
                tracing::warn!(error = %e, "reading files stopped");
                reads.extend((0..len).map(|_| None));
            }
        }
    }
    reads
}

/// The folder a reader listed last: a batch's files come folder by folder, so one listing
/// serves all the files of a folder.
#[derive(Default)]
struct Listings {
    last: Option<(PathBuf, Arc<FolderListing>)>,
}

impl Listings {
    /// The listing of `file`'s folder; `None` when it cannot be listed (the module then looks
    /// on disk, and finds what it would have).
    fn of(&mut self, file: &Path) -> Option<Arc<FolderListing>> {
        let folder = file.parent()?;
        match &self.last {
            Some((listed, listing)) if listed == folder => Some(Arc::clone(listing)),
            _ => {
                let listing = Arc::new(FolderListing::read(folder).ok()?);
                self.last = Some((folder.to_path_buf(), Arc::clone(&listing)));
                Some(listing)
            }
        }
    }
}

/// Reads a new or changed file (`None`: nothing to read): its headers unless the module reads
/// its own, its fingerprint, and what the module prepares (blocking).
/// A file the in-process readers reject is recorded with their error and, when there is an
/// ffprobe to try, marked for the probe job that runs after the scan: a process per broken or
/// unusual file would cost the scan more than all the other files together.
fn read(importer: &dyn Importer, defer_to_ffprobe: bool, job: Option<ReadJob>) -> Option<FileRead> {
    let ReadJob { file } = job?;
    let size = file.size;
    let probes = importer.probes_media();
    // A reader that panics on a hostile file costs that file only.
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let probed = probes.then(|| {
            revenge_mediainfo::probe(&file.path).map(|info| with_sidecars(&file.path, &info))
        });
        // One open and one read of the file's first bytes serve the fingerprint and the module.
        let (print, prepared) = match std::fs::File::open(&file.path) {
            Ok(opened) => {
                let head = read_head(&opened, size);
                let print = head
                    .as_ref()
                    .ok()
                    .and_then(|head| fingerprint_of(&opened, size, head).ok());
                let opened = OpenedFile::new(opened, size, head.unwrap_or_default());
                (print, importer.prepare_opened(&file, opened))
            }
            // The module records why it cannot read the file.
            Err(_) => (None, importer.prepare(&file)),
        };
        (probed, print, prepared)
    }));
    let Ok((probed, fingerprint, prepared)) = attempt else {
        return Some(FileRead {
            error: Some(format!(
                "reading {} stopped: its reader failed",
                file.path.display()
            )),
            file: Some(file),
            ..FileRead::default()
        });
    };
    let (info, error, probe_pending) = match probed {
        None => (None, None, false),
        Some(Ok(info)) => (info, None, false),
        // ffprobe could do no better with an empty or unreadable file.
        Some(Err(e @ (ProbeError::Empty { .. } | ProbeError::Io { .. }))) => {
            (None, Some(e.to_string()), false)
        }
        Some(Err(e)) => (None, Some(e.to_string()), defer_to_ffprobe),
    };
    Some(FileRead {
        info,
        error,
        probe_pending,
        fingerprint,
        prepared: Some(prepared),
        file: Some(file),
    })
}

/// Batches of files with their steps, in the order they are written.
type Chunks = tokio::sync::mpsc::UnboundedReceiver<Chunk>;

/// Where a folder's files come from.
enum Source {
    /// Walked before the scan changed anything, with the number of walk issues (logged).
    Found(Vec<FoundFile>, usize),
    /// A folder without records: walked as its files are read.
    Fresh,
}

/// One batch of a folder's files, each with its step.
struct Chunk {
    files: Vec<FoundFile>,
    steps: Vec<Step>,
}

/// Walks a folder without records on a blocking thread, handing its files on a batch at a
/// time, all of them new; the walk's issues are what the thread returns.
fn walk_fresh(target: &Target<'_>) -> (Chunks, tokio::task::JoinHandle<Vec<WalkIssue>>) {
    let (sender, chunks) = tokio::sync::mpsc::unbounded_channel();
    let root = PathBuf::from(&target.folder.path);
    let extensions = target.extensions.clone();
    let walker = tokio::task::spawn_blocking(move || {
        let send = |files: Vec<FoundFile>| {
            let steps = files.iter().map(|_| Step::Add).collect();
            sender.send(Chunk { files, steps }).is_ok()
        };
        let mut files = Vec::with_capacity(BATCH);
        let issues = walk_each(&root, &extensions, |file| {
            files.push(file);
            // A scan that stopped takes no more files: the walk stops too.
            files.len() < BATCH || send(std::mem::replace(&mut files, Vec::with_capacity(BATCH)))
        });
        if !files.is_empty() {
            send(files);
        }
        issues
    });
    (chunks, walker)
}

/// Reads each batch of `chunks` (one after another) and hands it on with what was read,
/// waiting while the writer is [`READ_AHEAD`] batches behind.
async fn read_ahead(
    importer: Arc<dyn Importer>,
    defer_to_ffprobe: bool,
    library_id: Id,
    mut chunks: Chunks,
    ready: tokio::sync::mpsc::Sender<(Chunk, Vec<Option<FileRead>>)>,
) {
    while let Some(chunk) = chunks.recv().await {
        let jobs: Vec<Option<ReadJob>> = chunk
            .files
            .iter()
            .zip(&chunk.steps)
            .map(|(file, step)| {
                let item_id = match step {
                    Step::Add => None,
                    Step::Update(record) => record.item_id,
                    Step::Unchanged | Step::Move(_) => return None,
                };
                Some(ReadJob {
                    file: to_import(file, library_id, item_id),
                })
            })
            .collect();
        let reads = read_batch(importer.clone(), defer_to_ffprobe, jobs).await;
        if ready.send((chunk, reads)).await.is_err() {
            // The scan stopped: nobody waits for the rest.
            break;
        }
    }
}

/// Logs what a walk could not handle.
fn log_issues(library_id: Id, issues: &[WalkIssue]) {
    for issue in issues {
        tracing::warn!(library = library_id, path = %issue.path, "{}", issue.message);
    }
}

/// Files handled per transaction. Measured (`revenge scan` of the bench's 20,000 tracks,
/// fat-LTO build, 2-core VM, runs alternated): 256 took 0.80-0.96 s, 512 0.76-0.92 s, 1,024
/// 0.71-0.87 s. 2,048 took 1.4-2.1 s while a batch's records went in one statement (over
/// SQLite's bound on values, so they were inserted a row at a time); with the records split
/// (`insert_rows`) it came out no quicker than 1,024 (ten rounds: 0.60-0.69 s against
/// 0.54-0.73 s, 1,024 the quicker in eight), nor did 4,096.
const BATCH: usize = 1024;
/// Batches read and waiting for the writer, at most, besides the one being read.
const READ_AHEAD: usize = 1;

/// Aborts a task when dropped (a task that has ended is left as it is).
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Blocking tasks reading a batch at once: one core fewer than the machine has, at least one.
/// The writer (this task and the database's thread, taking turns) is a scan's critical path;
/// readers only need to stay a batch ahead of it. Eight readers on two cores left the writer
/// waiting for a core at every hand-off (`revenge scan` of `cargo xtask bench music`'s 20,000
/// tracks, thin-LTO build, 2-core VM: 0.99-1.16 s with eight readers, 0.84-0.93 s with one).
/// Reading from a cold, slow disk would gain from more readers waiting at once; a warm page
/// cache, as on a rescan or a fast disk, is bound by the cores.
fn readers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get().saturating_sub(1))
        .max(1)
}

/// What to do with a found file.
enum Step {
    Unchanged,
    Update(FileState),
    Move(FileState),
    Add,
}

/// What a scan compares a found file with: a `media_file` row without its metadata.
#[derive(Debug, Clone, FromQueryResult)]
struct FileState {
    id: Id,
    module: String,
    path_bytes: Vec<u8>,
    rel_path: String,
    size: i64,
    mtime_ns: i64,
    inode: Option<i64>,
    device: Option<i64>,
    fingerprint: Option<String>,
    item_id: Option<Id>,
}

/// What was read from a new or changed file.
#[derive(Default)]
struct FileRead {
    info: Option<String>,
    error: Option<String>,
    /// The in-process readers failed; ffprobe tries after the scan.
    probe_pending: bool,
    fingerprint: Option<String>,
    /// What the module read (`None` when reading stopped; the module then reads in `import`).
    prepared: Option<Prepared>,
    /// The file as the module was given it, given it again by `import`.
    file: Option<FileToImport>,
}

/// Where a file goes.
struct Target<'a> {
    library: &'a library::Model,
    folder: &'a folder::Model,
    importer: &'a dyn Importer,
    /// The same importer, for the read tasks.
    shared: Arc<dyn Importer>,
    /// The file extensions the module takes (lower case).
    extensions: &'a HashSet<String>,
}

/// Where applying a batch's files puts what it produces.
struct Out<'a> {
    /// The module's state for the batch.
    batch: &'a mut ImportBatch,
    /// Events to publish once the batch is committed.
    events: &'a mut Vec<Event>,
    /// Records of new files, inserted together at the end of the batch.
    rows: &'a mut Vec<(media_file::ActiveModel, PathBuf)>,
}

/// Has the module write what it gathered during the batch. The files of items it could not
/// write lose their new record and event (the next scan tries them again); returns how many.
async fn flush(
    txn: &DatabaseTransaction,
    target: &Target<'_>,
    batch: &mut ImportBatch,
    rows: &mut Vec<(media_file::ActiveModel, PathBuf)>,
    events: &mut Vec<Event>,
) -> Result<u64, ScanError> {
    let failed = target
        .importer
        .flush(txn, batch)
        .await
        .map_err(|message| ScanError::Import {
            module: target.library.module.clone(),
            message,
        })?;
    if failed.is_empty() {
        return Ok(0);
    }
    let failed: HashMap<Id, String> = failed.into_iter().collect();
    let before = rows.len();
    rows.retain(|(row, path)| {
        let error = match &row.item_id {
            ActiveValue::Set(Some(id)) => failed.get(id),
            _ => None,
        };
        if let Some(error) = error {
            tracing::warn!(path = %path.display(), error = %error, "cannot import file");
        }
        error.is_none()
    });
    events.retain(|event| match event {
        Event::ItemAdded(item) | Event::ItemUpdated(item) => !failed.contains_key(&item.item_id),
        _ => true,
    });
    Ok((before - rows.len()) as u64)
}

/// Inserts a batch's new records, as many to a statement as SQLite binds (a batch of 2,048 in
/// one went over, failed, and was recorded a row at a time: 1.5 s for a 20,000-track scan
/// instead of 0.6); when one fails, its records one by one (each in a savepoint where a failed statement would abort the
/// transaction), so one bad record costs only itself. Returns how many failed.
async fn insert_rows(
    txn: &DatabaseTransaction,
    rows: Vec<(media_file::ActiveModel, PathBuf)>,
    savepoints: bool,
) -> Result<u64, ScanError> {
    let mut failed = 0;
    let per_statement = rows_per_statement(media_file::Column::iter().count());
    for chunk in rows.chunks(per_statement) {
        failed += insert_chunk(txn, chunk, savepoints).await?;
    }
    Ok(failed)
}

/// [`insert_rows`] of one statement's worth of records.
async fn insert_chunk(
    txn: &DatabaseTransaction,
    rows: &[(media_file::ActiveModel, PathBuf)],
    savepoints: bool,
) -> Result<u64, ScanError> {
    let all: Vec<&media_file::ActiveModel> = rows.iter().map(|(row, _)| row).collect();
    let together = if savepoints {
        let sp = txn.begin().await?;
        let result = insert_refs(&sp, &all).await;
        match result {
            Ok(_) => sp.commit().await.map_err(ScanError::from),
            Err(e) => {
                sp.rollback().await?;
                Err(ScanError::from(e))
            }
        }
    } else {
        insert_refs(txn, &all).await.map_err(ScanError::from)
    };
    if together.is_ok() {
        return Ok(0);
    }
    let mut failed = 0;
    for (row, path) in rows {
        let insert = media_file::Entity::insert(row.clone());
        let result = if savepoints {
            let sp = txn.begin().await?;
            let result = insert
                .exec_without_returning(&sp)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string());
            settle(sp, result).await
        } else {
            insert
                .exec_without_returning(txn)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        if let Err(e) = result {
            failed += 1;
            tracing::warn!(path = %path.display(), error = %e, "cannot record file");
        }
    }
    Ok(failed)
}

/// Applies one file's step.
async fn apply(
    db: &DatabaseTransaction,
    target: &Target<'_>,
    file: &FoundFile,
    step: Step,
    read: Option<FileRead>,
    out: &mut Out<'_>,
) -> Result<(), String> {
    match (step, read) {
        (Step::Move(record), _) => relocate(db, record, file).await,
        (Step::Update(record), Some(read)) => {
            update(db, target.library, record, file, read, target.importer, out).await
        }
        (_, read) => {
            let read = read.unwrap_or_default();
            add(
                db,
                target.library,
                target.folder,
                file,
                read,
                target.importer,
                out,
            )
            .await
        }
    }
}

/// Ends a file's savepoint: kept when its step succeeded, rolled back when it failed.
async fn settle(sp: DatabaseTransaction, result: Result<(), String>) -> Result<(), String> {
    match result {
        Ok(()) => sp.commit().await.map_err(|e| e.to_string()),
        Err(e) => {
            let _ = sp.rollback().await;
            Err(e)
        }
    }
}

/// Records `item.added`/`item.updated`; returns the record's kind and item.
fn announce(
    imported: Imported,
    unreadable: bool,
    events: &mut Vec<Event>,
) -> (&'static str, Option<Id>) {
    match imported {
        Imported::Item { item, created } => {
            let id = item.item_id;
            events.push(if created {
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

/// The file as its module is to import it: as it was handed to the reader, else (nothing was
/// read) made afresh.
fn given(
    read: &mut FileRead,
    library_id: Id,
    file: &FoundFile,
    item_id: Option<Id>,
) -> FileToImport {
    read.file
        .take()
        .unwrap_or_else(|| to_import(file, library_id, item_id))
}

/// A found file as its module is handed it (its folder not listed yet).
fn to_import(file: &FoundFile, library_id: Id, item_id: Option<Id>) -> FileToImport {
    FileToImport {
        library_id,
        path: file.path.clone(),
        rel_path: file.rel_display.clone(),
        item_id,
        size: file.size,
        beside: None,
    }
}

async fn add(
    db: &DatabaseTransaction,
    library: &library::Model,
    folder: &folder::Model,
    file: &FoundFile,
    mut read: FileRead,
    importer: &dyn Importer,
    out: &mut Out<'_>,
) -> Result<(), String> {
    let prepared = read.prepared.take().unwrap_or_else(|| Box::new(()));
    let imported = importer
        .import(
            db,
            &given(&mut read, library.id, file, None),
            prepared,
            out.batch,
        )
        .await?;
    let (kind, item_id) = announce(imported, read.error.is_some(), out.events);
    let now = Utc::now();
    let row = media_file::ActiveModel {
        library_id: Set(library.id),
        folder_id: Set(folder.id),
        module: Set(library.module.clone()),
        path_bytes: Set(file.rel_bytes.clone()),
        rel_path: Set(file.rel_display.clone()),
        size: Set(to_i64(file.size)),
        mtime_ns: Set(file.mtime_ns),
        inode: Set(Some(to_i64(file.inode))),
        device: Set(Some(to_i64(file.device))),
        fingerprint: Set(read.fingerprint),
        kind: Set(kind.to_owned()),
        item_id: Set(item_id),
        info: Set(read.info),
        error: Set(read.error),
        probe_pending: Set(read.probe_pending),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    // Written with the rest of the batch's new records, in one statement.
    out.rows.push((row, file.path.clone()));
    Ok(())
}

async fn update(
    db: &DatabaseTransaction,
    library: &library::Model,
    record: FileState,
    file: &FoundFile,
    mut read: FileRead,
    importer: &dyn Importer,
    out: &mut Out<'_>,
) -> Result<(), String> {
    let prepared = read.prepared.take().unwrap_or_else(|| Box::new(()));
    let imported = importer
        .import(
            db,
            &given(&mut read, library.id, file, record.item_id),
            prepared,
            out.batch,
        )
        .await?;
    let (kind, item_id) = announce(imported, read.error.is_some(), out.events);
    let mut model = media_file::ActiveModel {
        id: Unchanged(record.id),
        ..Default::default()
    };
    model.size = Set(to_i64(file.size));
    model.mtime_ns = Set(file.mtime_ns);
    model.inode = Set(Some(to_i64(file.inode)));
    model.device = Set(Some(to_i64(file.device)));
    model.fingerprint = Set(read.fingerprint);
    model.kind = Set(kind.to_owned());
    model.item_id = Set(item_id);
    model.info = Set(read.info);
    model.error = Set(read.error);
    model.probe_pending = Set(read.probe_pending);
    model.updated_at = Set(Utc::now());
    model.update(db).await.map_err(|e| e.to_string())?;
    Ok(())
}

/// A file found under a new path keeps its record, and so its item.
async fn relocate(
    db: &DatabaseTransaction,
    record: FileState,
    file: &FoundFile,
) -> Result<(), String> {
    tracing::info!(from = %record.rel_path, to = %file.rel_display, "file moved");
    let mut model = media_file::ActiveModel {
        id: Unchanged(record.id),
        ..Default::default()
    };
    model.path_bytes = Set(file.rel_bytes.clone());
    model.rel_path = Set(file.rel_display.clone());
    model.size = Set(to_i64(file.size));
    model.mtime_ns = Set(file.mtime_ns);
    model.inode = Set(Some(to_i64(file.inode)));
    model.device = Set(Some(to_i64(file.device)));
    model.updated_at = Set(Utc::now());
    model.update(db).await.map_err(|e| e.to_string())?;
    Ok(())
}

/// A file is gone: its record goes, and its item too once no file of it is left.
async fn remove(
    db: &DatabaseTransaction,
    record: &FileState,
    importer: &dyn Importer,
    events: &mut Vec<Event>,
) -> Result<(), String> {
    if let Some(item_id) = record.item_id {
        let others = media_file::Entity::find()
            .filter(Column::Module.eq(record.module.as_str()))
            .filter(Column::ItemId.eq(item_id))
            .filter(Column::Id.ne(record.id))
            .count(db)
            .await
            .map_err(|e| e.to_string())?;
        let removed = if others == 0 {
            importer.remove(db, item_id).await?
        } else {
            None
        };
        if let Some(item) = removed {
            events.push(Event::ItemRemoved(item));
        }
    }
    media_file::Entity::delete_by_id(record.id)
        .exec(db)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Takes the record of a missing file that `file` is, moved: same inode on the same device,
/// else the same size and content fingerprint.
fn take_moved(missing: &mut Vec<FileState>, file: &FoundFile) -> Option<FileState> {
    let by_inode = missing
        .iter()
        .position(|r| r.inode == Some(to_i64(file.inode)) && r.device == Some(to_i64(file.device)));
    let position = by_inode.or_else(|| {
        let size = to_i64(file.size);
        let candidate = Candidate::new(&file.path, file.size);
        missing.iter().position(|r| {
            r.size == size
                && r.fingerprint
                    .as_deref()
                    .is_some_and(|stored| candidate.matches(stored))
        })
    })?;
    Some(missing.swap_remove(position))
}

/// Whether a stored path is one of `scope` or below one of them.
fn in_scope(path: &[u8], scope: &[Vec<u8>]) -> bool {
    scope.iter().any(|prefix| {
        path.starts_with(prefix)
            && (path.len() == prefix.len() || path.get(prefix.len()) == Some(&b'/'))
    })
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
