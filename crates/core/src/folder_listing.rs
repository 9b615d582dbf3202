//! The names in one folder, listed once by a scan for every media file in it, so a module
//! looking for a file beside each of them (`Song.lrc` beside `Song.mp3`) asks the list instead
//! of the file system: a failed open per track was a third of a music scan's path lookups.

use std::ffi::{OsStr, OsString};
use std::path::Path;

/// The names of the entries of one folder, as they were when it was listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderListing {
    /// Sorted, for look-ups by binary search.
    names: Vec<OsString>,
}

impl FolderListing {
    /// Lists `folder`. An entry that cannot be read is left out (as opening it would fail).
    pub fn read(folder: &Path) -> std::io::Result<Self> {
        let mut names: Vec<OsString> = std::fs::read_dir(folder)?
            .filter_map(|entry| entry.ok().map(|e| e.file_name()))
            .collect();
        names.sort_unstable();
        Ok(Self { names })
    }

    /// Whether the folder held an entry named exactly `name` (names are compared as bytes).
    pub fn contains(&self, name: &OsStr) -> bool {
        self.names
            .binary_search_by(|n| n.as_os_str().cmp(name))
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    use super::FolderListing;

    #[test]
    fn a_listing_holds_exactly_the_names_in_the_folder() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let odd = OsStr::from_bytes(b"caf\xe9.lrc");
        for name in [OsStr::new("Song.mp3"), OsStr::new("Song.lrc"), odd] {
            std::fs::write(dir.path().join(name), b"x").expect("a file");
        }
        std::fs::create_dir(dir.path().join("Disc 2")).expect("a folder");
        let listing = FolderListing::read(dir.path()).expect("a listing");
        for present in [OsStr::new("Song.mp3"), OsStr::new("Song.lrc"), odd] {
            assert!(listing.contains(present), "{present:?}");
        }
        assert!(listing.contains(OsStr::new("Disc 2")));
        for absent in ["song.lrc", "Song", "Other.lrc", ""] {
            assert!(!listing.contains(OsStr::new(absent)), "{absent:?}");
        }
        assert!(FolderListing::read(&dir.path().join("gone")).is_err());
    }
}
