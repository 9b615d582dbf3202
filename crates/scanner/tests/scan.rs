//! The scanner against a real folder and database, with a stand-in module: incremental
//! rescans, moves keeping their items, removals, and refusing to wipe an unmounted library.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails by panicking, helpers included"
)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use revenge_core::{EventBus, FileToImport, Id, ImportFuture, Imported, Importer, ItemRef};
use revenge_scanner::{ScanError, ScanProgress, ScanReport, Scanner};
use sea_orm::DatabaseConnection;
use tokio::sync::watch;

/// Records what the scanner asks of a module.
#[derive(Default)]
struct Recorder {
    next: AtomicI64,
    imports: AtomicUsize,
    removed: Mutex<Vec<Id>>,
    /// The page cache size of the connection each import wrote through.
    cache_sizes: Mutex<Vec<i64>>,
}

/// SQLite's `cache_size` of the connection `db` runs on.
async fn cache_size(db: &impl sea_orm::ConnectionTrait) -> i64 {
    let statement =
        sea_orm::Statement::from_string(sea_orm::DbBackend::Sqlite, "PRAGMA cache_size");
    let row = db.query_one_raw(statement).await.unwrap().unwrap();
    row.try_get_by_index(0).unwrap()
}

struct Fake(Arc<Recorder>);

impl Importer for Fake {
    fn extensions(&self) -> &'static [&'static str] {
        &["mkv", "mp4"]
    }

    fn import<'a>(
        &'a self,
        db: &'a sea_orm::DatabaseTransaction,
        file: &'a FileToImport,
        _prepared: revenge_core::Prepared,
        _batch: &'a mut revenge_core::ImportBatch,
    ) -> ImportFuture<'a, Imported> {
        Box::pin(async move {
            self.0.imports.fetch_add(1, Ordering::SeqCst);
            let size = cache_size(db).await;
            self.0.cache_sizes.lock().unwrap().push(size);
            if file.rel_path.contains("sample") {
                return Ok(Imported::Skipped {
                    reason: "sample".to_owned(),
                });
            }
            let (item_id, created) = match file.item_id {
                Some(id) => (id, false),
                None => (self.0.next.fetch_add(1, Ordering::SeqCst) + 1, true),
            };
            Ok(Imported::Item {
                item: ItemRef {
                    module: "movie".to_owned(),
                    item_id,
                    library_id: file.library_id,
                    title: file.rel_path.clone(),
                    rating_level: None,
                },
                created,
            })
        })
    }

    fn remove<'a>(
        &'a self,
        _db: &'a sea_orm::DatabaseTransaction,
        item_id: Id,
    ) -> ImportFuture<'a, Option<ItemRef>> {
        Box::pin(async move {
            self.0.removed.lock().unwrap().push(item_id);
            Ok(None)
        })
    }
}

async fn setup(root: &Path) -> (Scanner, Arc<Recorder>, Id, DatabaseConnection) {
    setup_with(root, None).await
}

async fn setup_with(
    root: &Path,
    ffprobe: Option<PathBuf>,
) -> (Scanner, Arc<Recorder>, Id, DatabaseConnection) {
    let db = revenge_db::open_in_memory(Vec::new()).await.unwrap();
    let library = revenge_library::repo::create(&db.conn, "movie", "Films")
        .await
        .unwrap();
    revenge_library::repo::set_folders(&db.conn, library.id, &[root.display().to_string()])
        .await
        .unwrap();
    let recorder = Arc::new(Recorder::default());
    let importers: HashMap<String, Arc<dyn Importer>> = HashMap::from([(
        "movie".to_owned(),
        Arc::new(Fake(recorder.clone())) as Arc<dyn Importer>,
    )]);
    let scanner = Scanner::new(db.conn.clone(), EventBus::new(), importers, ffprobe);
    (scanner, recorder, library.id, db.conn)
}

async fn scan(scanner: &Scanner, library: Id) -> Result<ScanReport, ScanError> {
    let (progress, _) = watch::channel(ScanProgress::default());
    scanner.scan(library, &progress).await
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

async fn item_of(db: &DatabaseConnection, rel: &str) -> Option<Id> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    revenge_scanner::entity::Entity::find()
        .filter(revenge_scanner::entity::Column::RelPath.eq(rel))
        .one(db)
        .await
        .unwrap()
        .and_then(|f| f.item_id)
}

#[tokio::test]
async fn rescans_are_incremental_moves_keep_items_and_deletes_remove() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Heat (1995)/Heat (1995).mkv", b"heat-bytes");
    write(root, "Alien (1979)/Alien (1979).mp4", b"alien-bytes");
    write(root, "Alien (1979)/alien-sample.mkv", b"sample-bytes");
    write(root, "Alien (1979)/poster.jpg", b"not media");
    let (scanner, recorder, library, db) = setup(root).await;

    let first = scan(&scanner, library).await.unwrap();
    assert_eq!((first.seen, first.added, first.unchanged), (3, 3, 0));
    assert_eq!(recorder.imports.load(Ordering::SeqCst), 3);
    let heat = item_of(&db, "Heat (1995)/Heat (1995).mkv").await.unwrap();

    let again = scan(&scanner, library).await.unwrap();
    assert_eq!((again.unchanged, again.added, again.updated), (3, 0, 0));
    assert_eq!(
        recorder.imports.load(Ordering::SeqCst),
        3,
        "unchanged files are not read again"
    );

    std::fs::rename(root.join("Heat (1995)"), root.join("Heat")).unwrap();
    let moved = scan(&scanner, library).await.unwrap();
    assert_eq!((moved.moved, moved.added, moved.removed), (1, 0, 0));
    assert_eq!(
        item_of(&db, "Heat/Heat (1995).mkv").await,
        Some(heat),
        "the item is kept"
    );

    write(
        root,
        "Alien (1979)/Alien (1979).mp4",
        b"alien-bytes, remastered",
    );
    let changed = scan(&scanner, library).await.unwrap();
    assert_eq!(changed.updated, 1);

    std::fs::remove_file(root.join("Heat/Heat (1995).mkv")).unwrap();
    let removed = scan(&scanner, library).await.unwrap();
    assert_eq!(removed.removed, 1);
    assert_eq!(recorder.removed.lock().unwrap().clone(), [heat]);
}

#[tokio::test]
async fn a_scan_writes_with_a_larger_page_cache_and_gives_the_connection_its_own_back() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Heat (1995)/Heat (1995).mkv", b"heat-bytes");
    let (scanner, recorder, library, db) = setup(dir.path()).await;
    let before = cache_size(&db).await;
    assert!(before < 0, "the connection's cache is set in KiB: {before}");

    scan(&scanner, library).await.unwrap();
    let during = recorder.cache_sizes.lock().unwrap().clone();
    assert_eq!(during.len(), 1);
    assert!(
        during[0] < before && during[0] <= -8 * 1024,
        "the batch wrote with {} KiB of page cache, the connection has {} KiB",
        -during[0],
        -before
    );
    assert_eq!(
        cache_size(&db).await,
        before,
        "the connection's own size is back"
    );
}

/// The tables SQLite holds planner statistics for.
async fn analyzed_tables(db: &DatabaseConnection) -> Vec<String> {
    use sea_orm::ConnectionTrait;
    let statement = sea_orm::Statement::from_string(
        sea_orm::DbBackend::Sqlite,
        "SELECT name FROM sqlite_schema WHERE name = 'sqlite_stat1'",
    );
    if db.query_one_raw(statement).await.unwrap().is_none() {
        return Vec::new();
    }
    let statement = sea_orm::Statement::from_string(
        sea_orm::DbBackend::Sqlite,
        "SELECT DISTINCT tbl FROM sqlite_stat1 ORDER BY tbl",
    );
    let rows = db.query_all_raw(statement).await.unwrap();
    rows.iter()
        .map(|row| row.try_get_by_index(0).unwrap())
        .collect()
}

#[tokio::test]
async fn a_scan_that_changed_files_leaves_the_planner_statistics_of_them() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Heat (1995)/Heat (1995).mkv", b"heat-bytes");
    let (scanner, _recorder, library, db) = setup(dir.path()).await;
    assert!(
        !analyzed_tables(&db)
            .await
            .contains(&"media_file".to_owned()),
        "a new database has none"
    );

    scan(&scanner, library).await.unwrap();
    let analyzed = analyzed_tables(&db).await;
    assert!(
        analyzed.contains(&"media_file".to_owned()),
        "after the scan: {analyzed:?}"
    );
}

#[tokio::test]
async fn an_unreachable_or_emptied_folder_removes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("disk");
    write(&root, "Heat.mkv", b"heat");
    write(&root, "Alien.mkv", b"alien");
    let (scanner, recorder, library, db) = setup(&root).await;
    scan(&scanner, library).await.unwrap();

    // The disk is unmounted: the mount point is an empty folder.
    std::fs::remove_file(root.join("Heat.mkv")).unwrap();
    std::fs::remove_file(root.join("Alien.mkv")).unwrap();
    let emptied = scan(&scanner, library).await.unwrap_err();
    assert!(
        matches!(emptied, ScanError::FolderEmptied { known: 2, .. }),
        "{emptied}"
    );
    assert!(emptied.to_string().contains("mounted"));

    std::fs::remove_dir(&root).unwrap();
    let gone = scan(&scanner, library).await.unwrap_err();
    assert!(
        matches!(gone, ScanError::FolderUnreachable { .. }),
        "{gone}"
    );
    assert!(
        recorder.removed.lock().unwrap().is_empty(),
        "nothing was removed"
    );
    assert!(item_of(&db, "Heat.mkv").await.is_some());
}

#[tokio::test]
async fn corrupt_files_are_imported_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Broken (2001).mkv", b"");
    write(root, "Garbage (2002).mp4", &[0xff; 4096]);
    let (scanner, _, library, db) = setup(root).await;
    let report = scan(&scanner, library).await.unwrap();
    assert_eq!(report.added, 2);
    use sea_orm::EntityTrait;
    let files = revenge_scanner::entity::Entity::find()
        .all(&db)
        .await
        .unwrap();
    for file in files {
        assert_eq!(file.kind, "error", "{}", file.rel_path);
        assert!(
            file.error.is_some_and(|e| e.contains(&file.rel_path[..5])),
            "the error names the file"
        );
        assert!(file.item_id.is_some(), "still imported");
    }
}

/// The machine's ffprobe (`.ci/run` installs it; these tests fail without it).
fn real_ffprobe() -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join("ffprobe"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("ffprobe is needed by this test (apt-get install ffmpeg)"))
}

/// A one-second AVI made with ffmpeg: a container the in-process readers leave to ffprobe.
fn avi(root: &Path, rel: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi"])
        .args(["-i", "testsrc=size=64x48:rate=5", "-t", "1"])
        .args(["-c:v", "mpeg4", "-f", "avi"])
        .arg(&path)
        .status()
        .unwrap_or_else(|e| panic!("ffmpeg is needed by this test (apt-get install ffmpeg): {e}"));
    assert!(status.success(), "ffmpeg could not make {rel}");
}

#[tokio::test]
async fn files_the_readers_reject_wait_for_ffprobe_after_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // AVI bytes under a Matroska name: the in-process reader says "avi", ffprobe reads it.
    avi(root, "Odd (2003).mkv");
    avi(root, "Later (2004).mkv");
    write(root, "Garbage (2002).mp4", &[0xff; 4096]);
    write(root, "Empty (2001).mkv", b"");
    let (scanner, _, library, db) = setup_with(root, Some(real_ffprobe())).await;
    let report = scan(&scanner, library).await.unwrap();
    assert_eq!(report.added, 4);
    assert_eq!(
        scanner.pending_probes(library).await.unwrap(),
        3,
        "an empty file is not worth a process"
    );
    let row = |name: &'static str| {
        let db = db.clone();
        async move {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            revenge_scanner::entity::Entity::find()
                .filter(revenge_scanner::entity::Column::RelPath.eq(name))
                .one(&db)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let waiting = row("Odd (2003).mkv").await;
    assert!(
        waiting.probe_pending && waiting.info.is_none(),
        "{waiting:?}"
    );
    assert_eq!(waiting.kind, "error", "unread until ffprobe has tried");
    assert!(waiting.item_id.is_some(), "already an item");

    // Changed after the scan: ffprobe leaves it to the next scan.
    let mut later = std::fs::OpenOptions::new()
        .append(true)
        .open(root.join("Later (2004).mkv"))
        .unwrap();
    std::io::Write::write_all(&mut later, b"more").unwrap();

    let probed = scanner.probe_pending(library).await.unwrap();
    assert_eq!((probed.read, probed.failed, probed.stale), (1, 1, 1));
    assert_eq!(scanner.pending_probes(library).await.unwrap(), 0);

    let odd = row("Odd (2003).mkv").await;
    let info: serde_json::Value = serde_json::from_str(odd.info.as_deref().unwrap()).unwrap();
    assert!(
        info["container"]
            .as_str()
            .unwrap_or_default()
            .contains("avi"),
        "{info}"
    );
    assert_eq!(info["video"][0]["width"], 64, "{info}");
    assert_eq!((odd.kind.as_str(), odd.error), ("item", None));
    let garbage = row("Garbage (2002).mp4").await;
    let error = garbage.error.unwrap_or_default();
    assert!(
        error.contains("Garbage (2002).mp4") && !garbage.probe_pending,
        "the readers' error, naming the file, and no more waiting: {error}"
    );
    assert_eq!(garbage.kind, "error");
    let stale = row("Later (2004).mkv").await;
    assert!(!stale.probe_pending && stale.info.is_none(), "{stale:?}");

    // The next scan reads the changed file again and marks it anew.
    let report = scan(&scanner, library).await.unwrap();
    assert_eq!(report.updated, 1);
    assert_eq!(scanner.pending_probes(library).await.unwrap(), 1);
}

/// A module that reads its own metadata: no header probe, a prepared value per file (its
/// length), and a per-batch count of the files it has taken in.
struct OwnReader {
    /// (file, prepared length, files before it in its batch) per import.
    seen: Mutex<Vec<(String, usize, usize)>>,
}

impl Importer for OwnReader {
    fn extensions(&self) -> &'static [&'static str] {
        &["mp3"]
    }

    fn probes_media(&self) -> bool {
        false
    }

    fn prepare(&self, file: &FileToImport) -> revenge_core::Prepared {
        Box::new(std::fs::read(&file.path).map_or(0, |b| b.len()))
    }

    fn batch(&self) -> revenge_core::ImportBatch {
        Box::new(0_usize)
    }

    fn import<'a>(
        &'a self,
        _db: &'a sea_orm::DatabaseTransaction,
        file: &'a FileToImport,
        prepared: revenge_core::Prepared,
        batch: &'a mut revenge_core::ImportBatch,
    ) -> ImportFuture<'a, Imported> {
        Box::pin(async move {
            let length = *prepared.downcast::<usize>().unwrap();
            let count = batch.downcast_mut::<usize>().unwrap();
            self.seen
                .lock()
                .unwrap()
                .push((file.rel_path.clone(), length, *count));
            *count += 1;
            Ok(Imported::Skipped {
                reason: "test".to_owned(),
            })
        })
    }

    fn remove<'a>(
        &'a self,
        _db: &'a sea_orm::DatabaseTransaction,
        _item_id: Id,
    ) -> ImportFuture<'a, Option<ItemRef>> {
        Box::pin(async { Ok(None) })
    }
}

#[tokio::test]
async fn modules_reading_their_own_metadata_get_it_prepared_and_are_never_probed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("music");
    // Not a container the in-process reader knows: a probing scan would run ffprobe on them.
    write(&root, "a/01.mp3", &[0x55; 100]);
    write(&root, "a/02.mp3", &[0x55; 200]);
    write(&root, "b/01.mp3", &[0x55; 300]);
    let marker = dir.path().join("ffprobe-ran");
    let ffprobe = dir.path().join("ffprobe");
    std::fs::write(
        &ffprobe,
        format!("#!/bin/sh\ntouch '{}'\nexit 1\n", marker.display()),
    )
    .unwrap();
    std::fs::set_permissions(&ffprobe, std::fs::Permissions::from_mode(0o755)).unwrap();

    let db = revenge_db::open_in_memory(Vec::new()).await.unwrap();
    let library = revenge_library::repo::create(&db.conn, "music", "Music")
        .await
        .unwrap();
    revenge_library::repo::set_folders(&db.conn, library.id, &[root.display().to_string()])
        .await
        .unwrap();
    let reader = Arc::new(OwnReader {
        seen: Mutex::new(Vec::new()),
    });
    let importers: HashMap<String, Arc<dyn Importer>> =
        HashMap::from([("music".to_owned(), reader.clone() as Arc<dyn Importer>)]);
    let scanner = Scanner::new(db.conn.clone(), EventBus::new(), importers, Some(ffprobe));

    let report = scan(&scanner, library.id).await.unwrap();
    assert_eq!((report.added, report.errors), (3, 0));
    let mut seen = reader.seen.lock().unwrap().clone();
    seen.sort_by_key(|(_, length, _)| *length);
    let lengths: Vec<usize> = seen.iter().map(|(_, length, _)| *length).collect();
    assert_eq!(
        lengths,
        [100, 200, 300],
        "each import got its own prepared value"
    );
    let mut counts: Vec<usize> = seen.iter().map(|(_, _, count)| *count).collect();
    counts.sort_unstable();
    assert_eq!(counts, [0, 1, 2], "one batch state for the batch");
    assert!(!marker.exists(), "ffprobe never ran");

    use sea_orm::EntityTrait;
    let files = revenge_scanner::entity::Entity::find()
        .all(&db.conn)
        .await
        .unwrap();
    assert_eq!(files.len(), 3, "every file is recorded");
    for file in files {
        assert!(file.info.is_none() && file.error.is_none(), "{file:?}");
        assert!(file.fingerprint.is_some(), "moves are still recognised");
    }
}

#[tokio::test]
async fn a_new_folder_is_taken_in_as_it_is_walked_batch_after_batch() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // More than two of the scanner's batches (1,024 files each).
    let count = 2_500;
    for i in 0..count {
        write(root, &format!("Film {:02}/Film {i:04}.mkv", i % 40), b"x");
    }
    write(root, "Film 00/notes.txt", b"not media");
    let (scanner, recorder, library, db) = setup(root).await;

    let (progress, watched) = watch::channel(ScanProgress::default());
    let first = scanner.scan(library, &progress).await.unwrap();
    assert_eq!((first.seen, first.added, first.errors), (count, count, 0));
    assert_eq!(
        recorder.imports.load(Ordering::SeqCst),
        usize::try_from(count).unwrap()
    );
    assert_eq!(
        *watched.borrow(),
        ScanProgress {
            seen: count,
            done: count,
            total: Some(count),
        },
        "the total is known once the walk is over"
    );
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        revenge_scanner::entity::Entity::find()
            .count(&db)
            .await
            .unwrap(),
        count
    );

    let again = scan(&scanner, library).await.unwrap();
    assert_eq!(
        (again.seen, again.unchanged, again.added),
        (count, count, 0)
    );
}

#[tokio::test]
async fn a_new_folder_beside_an_unreachable_one_takes_nothing_in() {
    let dir = tempfile::tempdir().unwrap();
    let known = dir.path().join("known");
    let new = dir.path().join("new");
    write(&known, "Heat.mkv", b"heat");
    write(&new, "Alien.mkv", b"alien");
    let (scanner, recorder, library, db) = setup(&known).await;
    scan(&scanner, library).await.unwrap();

    let gone = dir.path().join("unmounted");
    revenge_library::repo::set_folders(
        &db,
        library,
        &[
            known.display().to_string(),
            new.display().to_string(),
            gone.display().to_string(),
        ],
    )
    .await
    .unwrap();
    let failed = scan(&scanner, library).await.unwrap_err();
    assert!(
        matches!(failed, ScanError::FolderUnreachable { .. }),
        "{failed}"
    );
    assert_eq!(
        item_of(&db, "Alien.mkv").await,
        None,
        "nothing was taken in"
    );
    assert_eq!(recorder.imports.load(Ordering::SeqCst), 1);

    std::fs::create_dir_all(&gone).unwrap();
    let report = scan(&scanner, library).await.unwrap();
    assert_eq!((report.added, report.unchanged), (1, 1));
    assert!(item_of(&db, "Alien.mkv").await.is_some());
}
