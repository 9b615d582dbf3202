//! A file the scanner opened and began to read, handed on to the module that reads it next. It
//! keeps its own position and reads at offsets, a block at a time, starting from the bytes the
//! scanner already read: a tag reader's many small seeks and reads (and position queries, which
//! a `BufReader` passes to the system) then cost no system call at all.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;

/// Bytes read at once when a read falls outside what is held.
const BLOCK: usize = 64 * 1024;

/// An open file read through a block of it held in memory. Reads at offsets, so the handle's
/// own position is never used (nor moved).
#[derive(Debug)]
pub struct OpenedFile {
    file: File,
    len: u64,
    pos: u64,
    /// Where `held` starts in the file.
    start: u64,
    held: Vec<u8>,
}

impl OpenedFile {
    /// `file`, `len` bytes long (as the scan found it), whose first bytes are `head` (what the
    /// scanner read of it; may be empty).
    #[must_use]
    pub fn new(file: File, len: u64, head: Vec<u8>) -> Self {
        Self {
            file,
            len,
            pos: 0,
            start: 0,
            held: head,
        }
    }

    /// Opens the file at `path`, holding nothing yet.
    pub fn open(path: &std::path::Path) -> io::Result<Self> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(Self::new(file, len, Vec::new()))
    }

    /// The file's length, as given.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn holds(&self, pos: u64) -> bool {
        pos >= self.start && pos - self.start < self.held.len() as u64
    }
}

impl Read for OpenedFile {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        if !self.holds(self.pos) {
            let left = usize::try_from(self.len.saturating_sub(self.pos)).unwrap_or(usize::MAX);
            if out.len() >= BLOCK.min(left) {
                // Large reads (audio data), and reads at or past the end, go straight to the
                // caller's buffer: no block to fill for them.
                let n = self.file.read_at(out, self.pos)?;
                self.pos += n as u64;
                return Ok(n);
            }
            self.held.resize(BLOCK.min(left), 0);
            let n = match self.file.read_at(&mut self.held, self.pos) {
                Ok(n) => n,
                Err(e) => {
                    self.held.clear();
                    return Err(e);
                }
            };
            self.held.truncate(n);
            self.start = self.pos;
            if n == 0 {
                return Ok(0);
            }
        }
        let at = usize::try_from(self.pos - self.start).unwrap_or(usize::MAX);
        let available = self.held.get(at..).unwrap_or_default();
        let n = out.len().min(available.len());
        out[..n].copy_from_slice(&available[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for OpenedFile {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(by) => self.pos.checked_add_signed(by),
            SeekFrom::End(by) => self.len.checked_add_signed(by),
        };
        let target = target.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "a seek to before the start of the file",
            )
        })?;
        self.pos = target;
        Ok(target)
    }

    fn stream_position(&mut self) -> io::Result<u64> {
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_of(len: usize) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        std::io::Write::write_all(&mut file, &bytes).expect("write");
        file
    }

    /// The same steps on an `OpenedFile` and on a plain `File` read alike.
    #[test]
    fn reads_and_seeks_as_the_file_itself_does() {
        for (len, head) in [
            (0, 0),
            (10, 10),
            (1000, 100),
            (200_000, 65_536),
            (200_000, 0),
        ] {
            let temp = file_of(len);
            let mut plain = File::open(temp.path()).expect("open");
            let mut first = vec![0u8; head];
            plain.read_exact(&mut first).expect("head");
            plain.seek(SeekFrom::Start(0)).expect("rewind");
            let mut opened =
                OpenedFile::new(File::open(temp.path()).expect("open"), len as u64, first);
            // A fixed walk through the file: small reads, seeks both ways, one large read.
            let mut state = 7u64;
            for step in 0..400 {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                let pick = (state >> 33) as usize;
                if step % 3 == 0 {
                    let to = match pick % 3 {
                        0 => SeekFrom::Start((pick % (len + 10)) as u64),
                        1 => SeekFrom::Current(((pick % 2000) as i64) - 1000),
                        _ => SeekFrom::End(-((pick % (len + 1)) as i64)),
                    };
                    let a = plain.seek(to).ok();
                    let b = opened.seek(to).ok();
                    assert_eq!(a, b, "seek {to:?} at step {step}");
                    if a.is_none() {
                        // A refused seek leaves both where they were.
                        assert_eq!(plain.stream_position().ok(), opened.stream_position().ok());
                    }
                } else {
                    let size = if step == 200 { 100_000 } else { pick % 700 };
                    let mut a = vec![0u8; size];
                    let mut b = vec![0u8; size];
                    let read_a = read_fully(&mut plain, &mut a);
                    let read_b = read_fully(&mut opened, &mut b);
                    assert_eq!(read_a, read_b, "read {size} at step {step}");
                    assert_eq!(a[..read_a], b[..read_b]);
                }
                assert_eq!(
                    plain.stream_position().expect("position"),
                    opened.stream_position().expect("position")
                );
            }
        }
    }

    fn read_fully(reader: &mut impl Read, out: &mut [u8]) -> usize {
        let mut done = 0;
        while done < out.len() {
            match reader.read(&mut out[done..]) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) => panic!("read failed: {e}"),
            }
        }
        done
    }

    #[test]
    fn a_seek_before_the_start_is_refused() {
        let temp = file_of(100);
        let mut opened = OpenedFile::open(temp.path()).expect("open");
        assert_eq!(opened.len(), 100);
        assert!(opened.seek(SeekFrom::End(-101)).is_err());
        assert!(opened.seek(SeekFrom::Current(-1)).is_err());
        assert_eq!(opened.stream_position().expect("position"), 0);
    }
}
