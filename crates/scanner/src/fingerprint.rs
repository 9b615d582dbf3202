//! A fast content fingerprint — size plus a hash of the first and last 64 KiB — to recognise
//! a file that moved across file systems (where its inode changes).
//!
//! Fingerprints are written as `x3:` and 32 hex digits (XXH3-128). Records from before that
//! hold 32 bare hex digits (the first half of a SHA-256 of the same bytes): they are still
//! matched, by hashing the candidate the old way, so an upgrade does not lose a moved file's
//! item. A cryptographic hash is not needed here (a match also needs the same size, and the
//! file's record is only reused, never trusted), and SHA-256 of 128 KiB cost more than reading
//! a track's tags.

use std::cell::OnceCell;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

use sha2::{Digest, Sha256};
use xxhash_rust::xxh3::Xxh3;

const CHUNK: u64 = 64 * 1024;
const PREFIX: &str = "x3:";

/// The fingerprint of the file at `path` of length `size`.
pub fn fingerprint(path: &Path, size: u64) -> std::io::Result<String> {
    let file = File::open(path)?;
    fingerprint_of(&file, size, &read_head(&file, size)?)
}

/// The first bytes of `file` (of length `size`) that its fingerprint covers: the scanner
/// hands them on to the module with the open file, so they are read once.
pub fn read_head(file: &File, size: u64) -> std::io::Result<Vec<u8>> {
    let mut head = vec![0u8; usize::try_from(CHUNK.min(size)).unwrap_or(0)];
    file.read_exact_at(&mut head, 0)?;
    Ok(head)
}

/// The fingerprint of `file`, of length `size`, whose [`read_head`] is `head`. Reads at
/// offsets: the file's position is left where it was.
pub fn fingerprint_of(file: &File, size: u64, head: &[u8]) -> std::io::Result<String> {
    let mut hasher = Xxh3::new();
    hash_ends_of(file, size, head, |bytes| hasher.update(bytes))?;
    Ok(format!("{PREFIX}{:032x}", hasher.digest128()))
}

/// A file compared with stored fingerprints; each kind of fingerprint is made at most once,
/// when first needed.
#[derive(Debug)]
pub struct Candidate<'a> {
    path: &'a Path,
    size: u64,
    current: OnceCell<Option<String>>,
    legacy: OnceCell<Option<String>>,
}

impl<'a> Candidate<'a> {
    pub fn new(path: &'a Path, size: u64) -> Self {
        Self {
            path,
            size,
            current: OnceCell::new(),
            legacy: OnceCell::new(),
        }
    }

    /// Whether the file has the fingerprint `stored`, whichever way `stored` was made (an
    /// unreadable file matches nothing).
    pub fn matches(&self, stored: &str) -> bool {
        let made = if stored.starts_with(PREFIX) {
            self.current
                .get_or_init(|| fingerprint(self.path, self.size).ok())
        } else {
            self.legacy.get_or_init(|| {
                let mut hasher = Sha256::new();
                hash_ends(self.path, self.size, |bytes| hasher.update(bytes)).ok()?;
                Some(hex::encode(&hasher.finalize()[..16]))
            })
        };
        made.as_deref() == Some(stored)
    }
}

/// Feeds the size, the first 64 KiB and the last 64 KiB (when there are more) to `update`.
fn hash_ends(path: &Path, size: u64, update: impl FnMut(&[u8])) -> std::io::Result<()> {
    let file = File::open(path)?;
    hash_ends_of(&file, size, &read_head(&file, size)?, update)
}

fn hash_ends_of(
    file: &File,
    size: u64,
    head: &[u8],
    mut update: impl FnMut(&[u8]),
) -> std::io::Result<()> {
    update(&size.to_le_bytes());
    update(head);
    if size > CHUNK {
        let tail = CHUNK.min(size - CHUNK);
        let mut buf = vec![0u8; usize::try_from(tail).unwrap_or(0)];
        file.read_exact_at(&mut buf, size - tail)?;
        update(&buf);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_of(len: usize, seed: u8) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        let bytes: Vec<u8> = (0..len)
            .map(|i| (i as u8).wrapping_mul(31) ^ seed)
            .collect();
        std::io::Write::write_all(&mut file, &bytes).expect("write");
        file
    }

    fn legacy(path: &Path, size: u64) -> String {
        let mut hasher = Sha256::new();
        hash_ends(path, size, |bytes| hasher.update(bytes)).expect("hash");
        hex::encode(&hasher.finalize()[..16])
    }

    #[test]
    fn the_same_bytes_match_and_other_bytes_do_not() {
        for len in [0, 10, 64 * 1024, 200 * 1024] {
            let a = file_of(len, 1);
            let b = file_of(len, 2);
            let size = len as u64;
            let print = fingerprint(a.path(), size).expect("print");
            assert!(print.starts_with(PREFIX));
            assert!(Candidate::new(a.path(), size).matches(&print));
            assert_eq!(Candidate::new(b.path(), size).matches(&print), len == 0);
            assert!(!Candidate::new(a.path(), size + 1).matches(&print));
        }
    }

    #[test]
    fn an_open_file_prints_as_its_path_does_and_stays_at_its_start() {
        use std::io::Read;
        for len in [0, 10, 200 * 1024] {
            let a = file_of(len, 3);
            let size = len as u64;
            let mut opened = File::open(a.path()).expect("open");
            let head = read_head(&opened, size).expect("head");
            assert_eq!(head.len() as u64, size.min(CHUNK));
            let print = fingerprint_of(&opened, size, &head).expect("print");
            assert_eq!(print, fingerprint(a.path(), size).expect("print"));
            let mut all = Vec::new();
            opened.read_to_end(&mut all).expect("read");
            assert_eq!(all.len(), len, "the module reads the whole file after");
        }
    }

    #[test]
    fn fingerprints_stored_before_xxh3_still_match() {
        let a = file_of(150 * 1024, 7);
        let b = file_of(150 * 1024, 8);
        let old = legacy(a.path(), 150 * 1024);
        assert_eq!(old.len(), 32);
        assert!(Candidate::new(a.path(), 150 * 1024).matches(&old));
        assert!(!Candidate::new(b.path(), 150 * 1024).matches(&old));
    }
}
