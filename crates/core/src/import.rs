//! How a content module takes in the media files the scanner finds: the scanner decides what
//! is new, changed, moved or gone; the module decides what each file *is* (a movie, an
//! episode of which series) and keeps its own tables.

use std::any::Any;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use sea_orm::DatabaseTransaction;

use crate::{Id, ItemRef};

/// Video containers films and episodes come in (lower case, without the dot).
pub const VIDEO_EXTENSIONS: &[&str] = &[
    "mkv", "mp4", "m4v", "mov", "avi", "webm", "ts", "m2ts", "mts", "wmv", "mpg", "mpeg", "vob",
    "flv", "ogv", "3gp",
];

/// A boxed future, so the trait stays object-safe.
pub type ImportFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, String>> + Send + 'a>>;

/// A file to take in.
#[derive(Debug, Clone)]
pub struct FileToImport {
    /// The library it was found in.
    pub library_id: Id,
    /// Its absolute path.
    pub path: PathBuf,
    /// Its path below the library folder (lossy where not UTF-8), what names are parsed from.
    pub rel_path: String,
    /// The item the file belonged to before (a changed file), if any.
    pub item_id: Option<Id>,
    /// Its size in bytes, as the scan found it.
    pub size: u64,
    /// Its folder's entries, when the scan listed them for a module that
    /// [`Importer::looks_beside_files`] (shared by the folder's files); `None`: look on disk.
    pub beside: Option<std::sync::Arc<crate::FolderListing>>,
}

/// What a file was taken in as.
#[derive(Debug, Clone)]
pub enum Imported {
    /// An item (new or existing); `created` when it did not exist before.
    Item {
        /// The item, for events.
        item: ItemRef,
        /// Whether the item was made for this file.
        created: bool,
    },
    /// Not an item of its own (a sample, a trailer, an unparseable name): recorded, not shown.
    Skipped {
        /// Why, for the log.
        reason: String,
    },
}

/// What a module read about one file before its transaction (tags, NFO, sidecars): its own
/// type, handed back to [`Importer::import`] unchanged.
pub type Prepared = Box<dyn Any + Send>;

/// A module's state for one batch of files written in one transaction (such as the ids of
/// the artists and albums it has already found), made by [`Importer::batch`].
pub type ImportBatch = Box<dyn Any + Send>;

/// A module's side of scanning. A scan reads every new or changed file first, in parallel and
/// outside any transaction ([`Importer::prepare`], plus the scanner's own header probe unless
/// [`Importer::probes_media`] says no), then writes a batch of files in one transaction, where
/// [`Importer::import`] should only write: a transaction waiting on file reads holds the
/// database's single writer (SQLite) for nothing.
pub trait Importer: Send + Sync + 'static {
    /// File extensions (lower case, without the dot) this module takes.
    fn extensions(&self) -> &'static [&'static str];

    /// Whether the scanner should read the file's technical metadata (containers, streams) for
    /// `media_file.info`. Modules that read their own (music: tags and stream properties)
    /// say no, so no file of theirs ever costs an ffprobe process.
    fn probes_media(&self) -> bool {
        true
    }

    /// Whether the module looks for files beside the media files (sidecars such as
    /// `Song.lrc`): the scan then lists each folder once for all its files
    /// ([`FileToImport::beside`]) instead of the module trying to open a sidecar per file.
    fn looks_beside_files(&self) -> bool {
        false
    }

    /// Reads what [`Importer::import`] will need from the file system (blocking I/O; the
    /// scanner calls it on a blocking thread, several files at once, before the transaction).
    /// Never fails: what cannot be read is the module's to record in its value.
    fn prepare(&self, file: &FileToImport) -> Prepared {
        let _ = file;
        Box::new(())
    }

    /// [`Importer::prepare`] from the file the scanner already opened and began to read (to
    /// fingerprint it), at its start: a module that reads the file itself saves opening it
    /// again and reading its first bytes again (a scan reads thousands of files). By default
    /// the file is closed and [`Importer::prepare`] reads by path.
    fn prepare_opened(&self, file: &FileToImport, opened: crate::OpenedFile) -> Prepared {
        drop(opened);
        self.prepare(file)
    }

    /// A fresh state for one batch of files (one transaction). The scanner starts a new one
    /// after a file fails, since that file's writes may have been rolled back (flushing the
    /// old one first).
    fn batch(&self) -> ImportBatch {
        Box::new(())
    }

    /// The state for the scan's next transaction, after `previous` was flushed and committed.
    /// Fresh by default; a module may carry over what is still true once committed (the rows
    /// it found or made), but never what holds only under one transaction's write lock.
    fn next_batch(&self, previous: ImportBatch) -> ImportBatch {
        drop(previous);
        self.batch()
    }

    /// Finds, before a batch's files of `library_id` are imported one by one, what many of
    /// them will look up (artists and albums shared by a folder of tracks), instead of a query
    /// per file. Only an optimisation: what it misses, `import` still looks up.
    fn prefetch<'a>(
        &'a self,
        db: &'a DatabaseTransaction,
        library_id: Id,
        batch: &'a mut ImportBatch,
    ) -> ImportFuture<'a, ()> {
        let _ = (db, library_id, batch);
        Box::pin(async { Ok(()) })
    }

    /// Takes a new or changed file in, creating or finding its item, from what
    /// [`Importer::prepare`] read.
    fn import<'a>(
        &'a self,
        db: &'a DatabaseTransaction,
        file: &'a FileToImport,
        prepared: Prepared,
        batch: &'a mut ImportBatch,
    ) -> ImportFuture<'a, Imported>;

    /// Writes what [`Importer::import`] gathered to insert together at the end of the batch,
    /// in the batch's transaction and before the scanner records the batch's files. Returns
    /// the items that could not be written, each with why: the scanner leaves their files
    /// unrecorded, so the next scan tries them again. An `Err` fails the whole batch.
    fn flush<'a>(
        &'a self,
        db: &'a DatabaseTransaction,
        batch: &'a mut ImportBatch,
    ) -> ImportFuture<'a, Vec<(Id, String)>> {
        let _ = (db, batch);
        Box::pin(async { Ok(Vec::new()) })
    }

    /// The last file of an item is gone: removes the item (and whatever becomes empty above
    /// it, such as a season), returning it for the `item.removed` event.
    fn remove<'a>(
        &'a self,
        db: &'a DatabaseTransaction,
        item_id: Id,
    ) -> ImportFuture<'a, Option<ItemRef>>;
}

/// Audio files music comes in (lower case, without the dot).
pub const AUDIO_EXTENSIONS: &[&str] = &[
    "mp3", "flac", "ogg", "oga", "opus", "m4a", "m4b", "mp4a", "alac", "aac", "wav", "aif", "aiff",
    "aifc", "ape", "wv", "mpc", "spx",
];
