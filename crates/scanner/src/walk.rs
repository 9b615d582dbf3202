//! The parallel directory walk: hidden files, NAS metadata folders and `.revengeignore`
//! patterns are skipped; symlinks are followed, with loops detected and reported.

use std::collections::HashSet;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

/// Folders that are never media: Synology thumbnails, recycle bins, macOS metadata.
const SKIPPED_DIRS: &[&str] = &["@eaDir", "#recycle", "#snapshot", "lost+found", ".Trashes"];
/// Longest file name most file systems allow; longer names are reported, not imported.
const MAX_NAME_BYTES: usize = 255;

/// A media file found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundFile {
    /// Its absolute path.
    pub path: PathBuf,
    /// Its path below the folder, as raw bytes.
    pub rel_bytes: Vec<u8>,
    /// The same for people (lossy where not UTF-8).
    pub rel_display: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time, nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// Its inode.
    pub inode: u64,
    /// Its device.
    pub device: u64,
}

/// Something the walk could not handle, reported rather than fatal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkIssue {
    /// Where (may be empty when the walker does not know).
    pub path: String,
    /// What happened.
    pub message: String,
}

/// Walks `root`, returning the files whose extension (lower case) is in `extensions`.
pub fn walk(root: &Path, extensions: &HashSet<String>) -> (Vec<FoundFile>, Vec<WalkIssue>) {
    walk_from(root, root, None, extensions)
}

/// Walks only what `paths` (absolute, below `root`) name: a folder with everything in it, a
/// file alone; paths that no longer exist yield nothing. What a full walk would skip (hidden or
/// NAS folders on the way, `.revengeignore` patterns of the folders above) is skipped here too.
pub fn walk_paths(
    root: &Path,
    paths: &[PathBuf],
    extensions: &HashSet<String>,
) -> (Vec<FoundFile>, Vec<WalkIssue>) {
    let mut files: Vec<FoundFile> = Vec::new();
    let mut issues = Vec::new();
    for path in paths {
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        if rel.components().any(|c| skipped_name(c.as_os_str())) {
            continue;
        }
        let Ok(meta) = std::fs::metadata(path) else {
            continue;
        };
        let (found, found_issues) = if meta.is_dir() {
            walk_from(root, path, None, extensions)
        } else {
            // The file's folder, one level deep, so the ignore patterns that name it apply.
            let Some(parent) = path.parent() else {
                continue;
            };
            let (found, found_issues) = walk_from(root, parent, Some(1), extensions);
            let only: Vec<FoundFile> = found.into_iter().filter(|f| &f.path == path).collect();
            (only, found_issues)
        };
        files.extend(found);
        issues.extend(found_issues);
    }
    files.sort_by(|a, b| a.rel_bytes.cmp(&b.rel_bytes));
    files.dedup_by(|a, b| a.rel_bytes == b.rel_bytes);
    (files, issues)
}

/// Whether a path component is one a walk never enters: hidden, or a NAS/OS metadata folder.
fn skipped_name(name: &std::ffi::OsStr) -> bool {
    name.as_bytes().first() == Some(&b'.')
        || SKIPPED_DIRS
            .iter()
            .any(|skip| name.to_string_lossy().eq_ignore_ascii_case(skip))
}

/// Walks `root` one folder at a time, each in name order, handing over every file as it is
/// found: for a folder without records, whose files can be read while the walk goes on. Stops
/// early when `found` returns `false`. The same files are found, and skipped, as by [`walk`].
pub fn walk_each(
    root: &Path,
    extensions: &HashSet<String>,
    mut found: impl FnMut(FoundFile) -> bool,
) -> Vec<WalkIssue> {
    let mut issues = Vec::new();
    let walker = builder(root, root, None)
        .sort_by_file_name(std::cmp::Ord::cmp)
        .build();
    for entry in walker {
        let more = match visit(root, entry, extensions) {
            Some(Ok(file)) => found(file),
            Some(Err(issue)) => {
                issues.push(issue);
                true
            }
            None => true,
        };
        if !more {
            break;
        }
    }
    issues
}

/// The walk's rules, from `start` (`root` or a folder below it).
fn builder(root: &Path, start: &Path, max_depth: Option<usize>) -> WalkBuilder {
    let mut builder = WalkBuilder::new(start);
    builder
        .max_depth(max_depth)
        .hidden(true)
        .follow_links(true)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .ignore(false)
        // From a folder below the root, the patterns of the folders above still apply.
        .parents(start != root)
        .add_custom_ignore_filename(".revengeignore")
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            !SKIPPED_DIRS
                .iter()
                .any(|skip| name.eq_ignore_ascii_case(skip))
        });
    builder
}

fn walk_from(
    root: &Path,
    start: &Path,
    max_depth: Option<usize>,
    extensions: &HashSet<String>,
) -> (Vec<FoundFile>, Vec<WalkIssue>) {
    let files = Mutex::new(Vec::new());
    let issues = Mutex::new(Vec::new());
    let walker = builder(root, start, max_depth).build_parallel();
    walker.run(|| {
        let files = &files;
        let issues = &issues;
        Box::new(move |entry| {
            match visit(root, entry, extensions) {
                Some(Ok(found)) => {
                    if let Ok(mut files) = files.lock() {
                        files.push(found);
                    }
                }
                Some(Err(issue)) => {
                    if let Ok(mut issues) = issues.lock() {
                        issues.push(issue);
                    }
                }
                None => {}
            }
            WalkState::Continue
        })
    });
    let mut files = files.into_inner().unwrap_or_default();
    // Parallel walks return in any order; sorting makes scans (and their logs) repeatable.
    files.sort_by(|a, b| a.rel_bytes.cmp(&b.rel_bytes));
    (files, issues.into_inner().unwrap_or_default())
}

/// What one entry of a walk is: a media file, something to report (an unreadable folder, a
/// symlink loop, a file vanishing mid-walk, an overlong name), or nothing to take in.
fn visit(
    root: &Path,
    entry: Result<ignore::DirEntry, ignore::Error>,
    extensions: &HashSet<String>,
) -> Option<Result<FoundFile, WalkIssue>> {
    match entry {
        Ok(entry) => {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return None;
            }
            inspect(root, entry.path(), extensions).transpose()
        }
        Err(error) => Some(Err(WalkIssue {
            path: String::new(),
            message: error.to_string(),
        })),
    }
}

fn inspect(
    root: &Path,
    path: &Path,
    extensions: &HashSet<String>,
) -> Result<Option<FoundFile>, WalkIssue> {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if !extensions.contains(&extension) {
        return Ok(None);
    }
    let issue = |message: String| WalkIssue {
        path: path.to_string_lossy().into_owned(),
        message,
    };
    if path
        .file_name()
        .is_some_and(|name| name.as_bytes().len() > MAX_NAME_BYTES)
    {
        return Err(issue(format!(
            "file name longer than {MAX_NAME_BYTES} bytes"
        )));
    }
    // Following the link: a symlinked file is imported as what it points to.
    let meta = std::fs::metadata(path).map_err(|e| issue(e.to_string()))?;
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mtime_ns = meta
        .mtime()
        .saturating_mul(1_000_000_000)
        .saturating_add(meta.mtime_nsec());
    Ok(Some(FoundFile {
        path: path.to_path_buf(),
        rel_bytes: rel.as_os_str().as_bytes().to_vec(),
        rel_display: rel.to_string_lossy().into_owned(),
        size: meta.len(),
        mtime_ns,
        inode: meta.ino(),
        device: meta.dev(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exts() -> HashSet<String> {
        ["mkv", "mp4"].into_iter().map(str::to_owned).collect()
    }

    /// Writes a one-byte file at each of `paths` below `root`.
    fn make_files(root: &Path, paths: &[&str]) {
        for path in paths {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, b"x").unwrap();
        }
    }

    #[test]
    fn skips_hidden_ignored_and_foreign_files_and_survives_loops() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        make_files(
            root,
            &[
                "Heat (1995)/Heat (1995).mkv",
                "Alien (1979)/Alien.MP4",
                "Alien (1979)/notes.txt",
                ".hidden/Secret.mkv",
                "@eaDir/thumb.mkv",
                "skip-me/Skipped.mkv",
            ],
        );
        std::fs::write(root.join(".revengeignore"), "skip-me/\n").unwrap();
        std::os::unix::fs::symlink(root, root.join("loop")).unwrap();
        let bad_name = std::ffi::OsStr::from_bytes(b"Caf\xe9.mkv");
        std::fs::write(root.join(bad_name), b"x").unwrap();

        let (files, issues) = walk(root, &exts());
        let names: Vec<&str> = files.iter().map(|f| f.rel_display.as_str()).collect();
        assert_eq!(
            names,
            [
                "Alien (1979)/Alien.MP4",
                "Caf\u{fffd}.mkv",
                "Heat (1995)/Heat (1995).mkv"
            ]
        );
        assert_eq!(files[1].rel_bytes, b"Caf\xe9.mkv", "raw bytes are kept");
        assert!(
            issues
                .iter()
                .any(|i| i.message.to_lowercase().contains("loop")),
            "the symlink loop is reported: {issues:?}"
        );
    }

    #[test]
    fn walking_file_by_file_finds_what_a_full_walk_finds_in_name_order_and_can_stop() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        make_files(
            root,
            &[
                "b/Two.mkv",
                "a/One.mkv",
                "a/c/Three.mp4",
                "a/notes.txt",
                ".hidden/Secret.mkv",
                "#recycle/Gone.mkv",
                "skip-me/Skipped.mkv",
            ],
        );
        std::fs::write(root.join(".revengeignore"), "skip-me/\n").unwrap();
        std::os::unix::fs::symlink(root, root.join("a/loop")).unwrap();

        let mut each = Vec::new();
        let issues = walk_each(root, &exts(), |file| {
            each.push(file);
            true
        });
        let names: Vec<&str> = each.iter().map(|f| f.rel_display.as_str()).collect();
        assert_eq!(names, ["a/One.mkv", "a/c/Three.mp4", "b/Two.mkv"]);
        let (all, _) = walk(root, &exts());
        let mut sorted = each.clone();
        sorted.sort_by(|a, b| a.rel_bytes.cmp(&b.rel_bytes));
        assert_eq!(sorted, all, "the same files, with the same sizes and times");
        assert!(
            issues
                .iter()
                .any(|i| i.message.to_lowercase().contains("loop")),
            "the symlink loop is reported: {issues:?}"
        );

        let mut first = Vec::new();
        walk_each(root, &exts(), |file| {
            first.push(file);
            false
        });
        assert_eq!(first.len(), 1, "the walk stops when told");
    }

    #[test]
    fn walks_only_the_named_paths_and_keeps_the_rules_of_a_full_walk() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        make_files(
            root,
            &[
                "Heat (1995)/Heat (1995).mkv",
                "Heat (1995)/Extras/Making of.mkv",
                "Alien (1979)/Alien.mkv",
                "Alien (1979)/Alien.skip.mkv",
                ".hidden/Secret.mkv",
                "Loose.mp4",
            ],
        );
        std::fs::write(root.join(".revengeignore"), "*.skip.mkv\n").unwrap();
        let paths = [
            root.join("Heat (1995)"),
            root.join("Alien (1979)/Alien.skip.mkv"),
            root.join("Loose.mp4"),
            root.join(".hidden/Secret.mkv"),
            root.join("Gone (2001)/Gone.mkv"),
            PathBuf::from("/elsewhere/Other.mkv"),
        ];
        let (files, issues) = walk_paths(root, &paths, &exts());
        let names: Vec<&str> = files.iter().map(|f| f.rel_display.as_str()).collect();
        assert_eq!(
            names,
            [
                "Heat (1995)/Extras/Making of.mkv",
                "Heat (1995)/Heat (1995).mkv",
                "Loose.mp4"
            ]
        );
        assert!(issues.is_empty(), "{issues:?}");
    }
}
