//! Bounded reading: a buffered file reader that refuses to read past the file or to allocate more
//! than the caller allows, and a cursor over bytes already read. Every size in a media header is
//! untrusted, so nothing here allocates or seeks on a size before checking it.

use std::io::{BufReader, Read, Seek};

use crate::error::Fault;

/// Headers sit in the first few KiB of most files; a bigger buffer would only read more of the
/// media data we are about to skip.
const BUFFER: usize = 16 * 1024;

/// A buffered reader that knows the file's length and its own position, so skips inside the
/// buffer cost no system call and sizes can be checked against what is really there.
#[derive(Debug)]
pub(crate) struct Reader<R> {
    inner: BufReader<R>,
    pos: u64,
    len: u64,
}

impl<R: Read + Seek> Reader<R> {
    /// Wraps a source positioned at its start whose length is `len`.
    pub(crate) fn new(inner: R, len: u64) -> Self {
        Self {
            inner: BufReader::with_capacity(BUFFER, inner),
            pos: 0,
            len,
        }
    }

    pub(crate) fn pos(&self) -> u64 {
        self.pos
    }

    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Fills `buf` or fails with [`Fault::Truncated`] at the end of the file.
    pub(crate) fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), Fault> {
        let wanted = buf.len() as u64;
        if self.len.saturating_sub(self.pos) < wanted {
            return Err(Fault::Truncated);
        }
        self.inner.read_exact(buf)?;
        self.pos += wanted;
        Ok(())
    }

    /// Reads as much of `buf` as the file has, for sniffing the first bytes of short files.
    pub(crate) fn read_up_to(&mut self, buf: &mut [u8]) -> Result<usize, Fault> {
        let mut filled = 0;
        while let Some(rest) = buf.get_mut(filled..) {
            if rest.is_empty() {
                break;
            }
            match self.inner.read(rest) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Fault::Io(e)),
            }
        }
        self.pos += filled as u64;
        Ok(filled)
    }

    pub(crate) fn read_u8(&mut self) -> Result<u8, Fault> {
        let mut b = [0u8; 1];
        self.read_exact(&mut b)?;
        Ok(u8::from_be_bytes(b))
    }

    /// Reads `n` bytes into a new buffer, refusing sizes over `cap` before allocating.
    pub(crate) fn read_vec(&mut self, n: u64, cap: u64, what: &str) -> Result<Vec<u8>, Fault> {
        if n > cap {
            return Err(Fault::corrupt(format!(
                "{what} claims {n} bytes, more than the {cap} allowed"
            )));
        }
        if self.len.saturating_sub(self.pos) < n {
            return Err(Fault::Truncated);
        }
        let size = usize::try_from(n).map_err(|_| Fault::corrupt(format!("{what} too large")))?;
        let mut buf = vec![0u8; size];
        self.read_exact(&mut buf)?;
        Ok(buf)
    }

    /// Moves to an absolute offset no further than the end of the file.
    pub(crate) fn seek_to(&mut self, target: u64) -> Result<(), Fault> {
        if target > self.len {
            return Err(Fault::Truncated);
        }
        let delta = i64::try_from(i128::from(target) - i128::from(self.pos))
            .map_err(|_| Fault::corrupt("offset out of range"))?;
        // Relative seeks keep the buffer when the target is inside it: most skipped header
        // elements are.
        self.inner.seek_relative(delta)?;
        self.pos = target;
        Ok(())
    }

    /// Skips `n` bytes, failing if that would leave the file.
    pub(crate) fn skip(&mut self, n: u64) -> Result<(), Fault> {
        let target = self.pos.checked_add(n).ok_or(Fault::Truncated)?;
        self.seek_to(target)
    }
}

/// A cursor over bytes already in memory; every read is checked and yields `None` past the end,
/// so a short or lying structure simply leaves fields unknown.
#[derive(Debug, Clone)]
pub(crate) struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.data.len()
    }

    /// Everything not yet read.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.data
    }

    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.data.len() {
            return None;
        }
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        Some(head)
    }

    pub(crate) fn skip(&mut self, n: usize) -> Option<()> {
        self.take(n).map(|_| ())
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        let (&first, tail) = self.data.split_first()?;
        self.data = tail;
        Some(first)
    }

    pub(crate) fn be_u16(&mut self) -> Option<u16> {
        let b = self.take(2)?;
        Some(u16::from_be_bytes(b.try_into().ok()?))
    }

    pub(crate) fn be_u32(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        Some(u32::from_be_bytes(b.try_into().ok()?))
    }

    pub(crate) fn be_u64(&mut self) -> Option<u64> {
        let b = self.take(8)?;
        Some(u64::from_be_bytes(b.try_into().ok()?))
    }

    pub(crate) fn fourcc(&mut self) -> Option<[u8; 4]> {
        self.take(4)?.try_into().ok()
    }
}

/// Reads bit fields most significant bit first, for codec configuration records.
#[derive(Debug)]
pub(crate) struct Bits<'a> {
    data: &'a [u8],
    bit: usize,
}

impl<'a> Bits<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self { data, bit: 0 }
    }

    pub(crate) fn read(&mut self, count: u32) -> Option<u64> {
        if count > 64 {
            return None;
        }
        let mut value = 0u64;
        for _ in 0..count {
            let byte = *self.data.get(self.bit / 8)?;
            let shift = 7 - (self.bit % 8);
            value = (value << 1) | u64::from((byte >> shift) & 1);
            self.bit += 1;
        }
        Some(value)
    }

    /// An unsigned Exp-Golomb code, as H.264 parameter sets use.
    pub(crate) fn read_ue(&mut self) -> Option<u64> {
        let mut zeros = 0u32;
        while self.read(1)? == 0 {
            zeros += 1;
            if zeros > 31 {
                return None;
            }
        }
        let suffix = self.read(zeros)?;
        Some((1u64 << zeros) - 1 + suffix)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    #[test]
    fn reads_stop_at_the_end_of_the_file() {
        let mut r = Reader::new(Cursor::new(vec![1u8, 2, 3, 4]), 4);
        let mut two = [0u8; 2];
        r.read_exact(&mut two).unwrap();
        assert_eq!(two, [1, 2]);
        assert!(matches!(r.read_vec(3, 100, "x"), Err(Fault::Truncated)));
        assert!(matches!(r.read_vec(3, 2, "x"), Err(Fault::Corrupt(_))));
        assert!(matches!(r.skip(u64::MAX), Err(Fault::Truncated)));
        r.seek_to(0).unwrap();
        assert_eq!(r.read_u8().unwrap(), 1);
        r.skip(3).unwrap();
        assert!(matches!(r.read_u8(), Err(Fault::Truncated)));
    }

    #[test]
    fn byte_cursor_never_reads_past_the_end() {
        let mut b = Bytes::new(&[0, 1, 2]);
        assert_eq!(b.be_u16(), Some(1));
        assert_eq!(b.be_u32(), None);
        assert_eq!(b.u8(), Some(2));
        assert_eq!(b.u8(), None);
    }

    #[test]
    fn exp_golomb() {
        // 1 → 0, 010 → 1, 011 → 2, 00100 → 3
        let mut bits = Bits::new(&[0b1010_0110, 0b0100_0000]);
        assert_eq!(bits.read_ue(), Some(0));
        assert_eq!(bits.read_ue(), Some(1));
        assert_eq!(bits.read_ue(), Some(2));
        assert_eq!(bits.read_ue(), Some(3));
        assert_eq!(Bits::new(&[0, 0, 0, 0, 0]).read_ue(), None);
    }
}
