//! A fast content fingerprint — size plus a hash of the first and last 64 KiB — to recognise
//! a file that moved across file systems (where its inode changes).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use sha2::{Digest, Sha256};

const CHUNK: u64 = 64 * 1024;

/// The fingerprint of the file at `path` of length `size`.
pub fn fingerprint(path: &Path, size: u64) -> std::io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    hasher.update(size.to_le_bytes());
    let mut buf = vec![0u8; usize::try_from(CHUNK.min(size)).unwrap_or(0)];
    file.read_exact(&mut buf)?;
    hasher.update(&buf);
    if size > CHUNK {
        let tail = CHUNK.min(size - CHUNK);
        file.seek(SeekFrom::Start(size - tail))?;
        let mut buf = vec![0u8; usize::try_from(tail).unwrap_or(0)];
        file.read_exact(&mut buf)?;
        hasher.update(&buf);
    }
    Ok(hex::encode(&hasher.finalize()[..16]))
}
