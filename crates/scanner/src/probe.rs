//! ffprobe, after the scan, for the files the in-process header readers rejected (a container
//! they do not read, or a broken file). A scan only marks them (`media_file.probe_pending`):
//! spawning a process per such file inside the scan made the 1 % of broken files cost more than
//! all the others. The job here works from the marks, so a crash before it ran loses nothing.

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use chrono::Utc;
use futures_util::stream::{self, StreamExt};
use revenge_core::Id;
use revenge_jobs::{JobContext, NewJob};
use revenge_library::repo as library_repo;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use crate::ScanError;
use crate::entity::{self as media_file, Column};
use crate::scan::{Scanner, library_of, with_sidecars};

/// The job kind that runs ffprobe on a library's marked files (`{"library_id": N}`).
pub const PROBE_JOB: &str = "library.probe";

/// Files taken from the database at a time.
const PAGE: u64 = 64;

/// At most one probe job per library queued or running.
pub fn probe_key(library_id: Id) -> String {
    format!("library.probe:{library_id}")
}

/// What a probe run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProbeReport {
    /// Files ffprobe read.
    pub read: u64,
    /// Files ffprobe could not read either (they keep the in-process readers' error).
    pub failed: u64,
    /// Files changed or gone since the scan: the next scan reads them again.
    pub stale: u64,
}

impl ProbeReport {
    /// Files handled.
    pub fn total(&self) -> u64 {
        self.read + self.failed + self.stale
    }
}

/// What one file came to.
enum Outcome {
    Read,
    Failed,
    Stale,
}

impl Scanner {
    /// How many files of a library wait for ffprobe.
    pub async fn pending_probes(&self, library_id: Id) -> Result<u64, ScanError> {
        Ok(media_file::Entity::find()
            .filter(Column::LibraryId.eq(library_id))
            .filter(Column::ProbePending.eq(true))
            .count(&self.db)
            .await?)
    }

    /// Queues the probe job of a library when some of its files wait and a job queue was
    /// given ([`Scanner::with_jobs`]). Failing to queue is logged: the marks stay for the next
    /// scan to queue again.
    pub(crate) async fn queue_probes(&self, library_id: Id) {
        let Some(jobs) = &self.jobs else { return };
        if self.ffprobe.is_none() {
            return;
        }
        match self.pending_probes(library_id).await {
            Ok(0) => {}
            Ok(waiting) => {
                tracing::info!(
                    library = library_id,
                    waiting,
                    "files the in-process readers rejected wait for ffprobe"
                );
                let job = NewJob::new(PROBE_JOB, serde_json::json!({ "library_id": library_id }))
                    .unique_rerun(probe_key(library_id))
                    .attempts(3);
                if let Err(e) = jobs.enqueue(job).await {
                    tracing::warn!(library = library_id, error = %e, "cannot queue the probe job");
                }
            }
            Err(e) => {
                tracing::warn!(library = library_id, error = %e, "cannot count files to probe")
            }
        }
    }

    /// The job handler of `library.probe` jobs. Only files ffprobe read changed what clients
    /// see (`ProbeReport::read`).
    pub async fn run_probe_job(&self, ctx: JobContext) -> Result<ProbeReport, String> {
        let library_id = library_of(&ctx)?;
        let total = self
            .pending_probes(library_id)
            .await
            .map_err(|e| e.to_string())?;
        let report = self
            .probe_pending_with(library_id, |done| {
                let ctx = ctx.clone();
                async move {
                    let done = i64::try_from(done).unwrap_or(i64::MAX);
                    let total = i64::try_from(total).unwrap_or(i64::MAX);
                    ctx.progress(done, Some(total), Some("files probed with ffprobe"))
                        .await;
                    !ctx.is_cancelled()
                }
            })
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!(library = library_id, ?report, "probe job done");
        Ok(report)
    }

    /// Runs ffprobe on every file of a library that waits for it, a few at a time (one per
    /// core: each is a process that decodes headers). Returns what became of them.
    pub async fn probe_pending(&self, library_id: Id) -> Result<ProbeReport, ScanError> {
        self.probe_pending_with(library_id, |_| async { true })
            .await
    }

    /// [`Scanner::probe_pending`], calling `progress` with the files done after each page;
    /// it answers whether to go on.
    async fn probe_pending_with<F, Fut>(
        &self,
        library_id: Id,
        progress: F,
    ) -> Result<ProbeReport, ScanError>
    where
        F: Fn(u64) -> Fut,
        Fut: Future<Output = bool>,
    {
        let mut report = ProbeReport::default();
        let Some(ffprobe) = self.ffprobe.clone() else {
            return Ok(report);
        };
        let folders: Vec<(Id, PathBuf)> = library_repo::folders(&self.db, library_id)
            .await?
            .into_iter()
            .map(|f| (f.id, PathBuf::from(f.path)))
            .collect();
        let parallel = std::thread::available_parallelism().map_or(2, usize::from);
        // Ids only grow, so a file that stays marked (its update lost to a concurrent scan)
        // is not taken again in this run.
        let mut after: Id = 0;
        loop {
            let page = media_file::Entity::find()
                .filter(Column::LibraryId.eq(library_id))
                .filter(Column::ProbePending.eq(true))
                .filter(Column::Id.gt(after))
                .order_by_asc(Column::Id)
                .limit(PAGE)
                .all(&self.db)
                .await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            let outcomes: Vec<Result<Outcome, ScanError>> = stream::iter(page)
                .map(|file| {
                    let root = folders
                        .iter()
                        .find(|(id, _)| *id == file.folder_id)
                        .map(|(_, root)| root.clone());
                    self.probe_one(file, root, &ffprobe)
                })
                .buffer_unordered(parallel)
                .collect()
                .await;
            for outcome in outcomes {
                match outcome? {
                    Outcome::Read => report.read += 1,
                    Outcome::Failed => report.failed += 1,
                    Outcome::Stale => report.stale += 1,
                }
            }
            if !progress(report.total()).await {
                break;
            }
        }
        Ok(report)
    }

    async fn probe_one(
        &self,
        file: media_file::Model,
        root: Option<PathBuf>,
        ffprobe: &Path,
    ) -> Result<Outcome, ScanError> {
        let path = root.map(|root| root.join(std::ffi::OsStr::from_bytes(&file.path_bytes)));
        let unchanged = path
            .as_deref()
            .and_then(|p| std::fs::metadata(p).ok())
            .is_some_and(|m| {
                let mtime_ns = m
                    .mtime()
                    .saturating_mul(1_000_000_000)
                    .saturating_add(m.mtime_nsec());
                i64::try_from(m.len()).ok() == Some(file.size) && mtime_ns == file.mtime_ns
            });
        let (path, outcome, info, error, kind) = match path {
            Some(path) if unchanged => match revenge_mediainfo::probe_with_ffprobe(&path, ffprobe)
                .await
            {
                Ok(media) => {
                    let video = path.clone();
                    let info = tokio::task::spawn_blocking(move || with_sidecars(&video, &media))
                        .await
                        .ok()
                        .flatten();
                    // The file's item stood under an error only because it was unreadable.
                    let kind = if file.kind == "error" && file.item_id.is_some() {
                        "item".to_owned()
                    } else {
                        file.kind.clone()
                    };
                    (path, Outcome::Read, info, None, kind)
                }
                // The readers' error stays: it is what the scan showed, and no cached answer
                // goes stale for a file nobody could read.
                Err(e) => {
                    tracing::info!(path = %path.display(), error = %e, "ffprobe cannot read it either");
                    (
                        path,
                        Outcome::Failed,
                        None,
                        file.error.clone(),
                        file.kind.clone(),
                    )
                }
            },
            // Changed or gone: only the mark goes; the next scan reads it again.
            _ => {
                media_file::Entity::update_many()
                    .col_expr(Column::ProbePending, Expr::value(false))
                    .filter(Column::Id.eq(file.id))
                    .filter(Column::ProbePending.eq(true))
                    .exec(&self.db)
                    .await?;
                return Ok(Outcome::Stale);
            }
        };
        // Only if no scan rewrote the record meanwhile.
        let updated = media_file::Entity::update_many()
            .col_expr(Column::Info, Expr::value(info))
            .col_expr(Column::Error, Expr::value(error))
            .col_expr(Column::Kind, Expr::value(kind))
            .col_expr(Column::ProbePending, Expr::value(false))
            .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(Column::Id.eq(file.id))
            .filter(Column::ProbePending.eq(true))
            .filter(Column::Size.eq(file.size))
            .filter(Column::MtimeNs.eq(file.mtime_ns))
            .exec(&self.db)
            .await?;
        if updated.rows_affected == 0 {
            tracing::debug!(path = %path.display(), "rescanned while probing; result dropped");
            return Ok(Outcome::Stale);
        }
        Ok(outcome)
    }
}
