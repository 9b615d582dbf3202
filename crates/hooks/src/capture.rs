//! Capture of a hook's stdout or stderr: each line is logged as it arrives, tagged with the hook
//! name, and memory stays bounded however much a hook writes.

use tokio::io::{AsyncRead, AsyncReadExt};

/// How much of each stream is kept and logged; the rest is read and discarded so a chatty hook
/// cannot fill the pipe and stall, nor fill the log or memory.
pub(crate) const CAPTURE_LIMIT: usize = 64 * 1024;

/// How much of the end of a stream is remembered beyond the cap: a failing hook's reason is
/// usually its last words, even when it wrote far more before them.
const TAIL_LIMIT: usize = 4 * 1024;

/// One captured output stream of one hook run.
#[derive(Debug)]
pub(crate) struct Capture<'a> {
    hook: &'a str,
    stream: &'static str,
    /// The start of the stream, up to [`CAPTURE_LIMIT`].
    head: Vec<u8>,
    /// Where in `head` the line not yet logged begins.
    unlogged: usize,
    /// Bytes read beyond the cap.
    discarded: u64,
    /// The end of the stream, a little over [`TAIL_LIMIT`] while reading.
    tail: Vec<u8>,
    /// Whether `tail` lost its beginning, so its first line may be partial.
    tail_cut: bool,
}

impl<'a> Capture<'a> {
    pub(crate) fn new(hook: &'a str, stream: &'static str) -> Self {
        Self {
            hook,
            stream,
            head: Vec::new(),
            unlogged: 0,
            discarded: 0,
            tail: Vec::new(),
            tail_cut: false,
        }
    }

    /// Reads `reader` to its end, logging as it goes. Cancel-safe: whatever was read before the
    /// future is dropped stays captured, which matters when a hook is killed mid-output.
    pub(crate) async fn drain<R: AsyncRead + Unpin>(&mut self, reader: Option<R>) {
        let Some(mut reader) = reader else { return };
        let mut buffer = [0_u8; 8192];
        loop {
            match reader.read(&mut buffer).await {
                Ok(0) => break,
                Ok(read) => self.push(&buffer[..read]),
                Err(error) => {
                    tracing::debug!(hook = self.hook, stream = self.stream, %error, "reading hook output failed");
                    break;
                }
            }
        }
    }

    fn push(&mut self, chunk: &[u8]) {
        self.tail.extend_from_slice(chunk);
        // Trimmed in batches rather than per chunk so the copying stays linear.
        if self.tail.len() > 2 * TAIL_LIMIT {
            self.trim_tail();
        }

        let room = CAPTURE_LIMIT - self.head.len();
        let kept = room.min(chunk.len());
        self.head.extend_from_slice(&chunk[..kept]);
        self.log_complete_lines();
        if kept < chunk.len() {
            if self.discarded == 0 {
                self.log_rest();
                tracing::warn!(
                    hook = self.hook,
                    stream = self.stream,
                    "hook wrote more than {} KiB; the rest is not logged",
                    CAPTURE_LIMIT / 1024
                );
            }
            self.discarded += (chunk.len() - kept) as u64;
        }
    }

    /// Logs what is left of an unterminated last line; called once the stream has ended.
    pub(crate) fn finish(&mut self) {
        self.log_rest();
        self.trim_tail();
    }

    fn trim_tail(&mut self) {
        if self.tail.len() > TAIL_LIMIT {
            let cut = self.tail.len() - TAIL_LIMIT;
            self.tail.drain(..cut);
            self.tail_cut = true;
        }
    }

    fn log_complete_lines(&mut self) {
        while let Some(end) = self.head[self.unlogged..].iter().position(|b| *b == b'\n') {
            let line = self.unlogged..self.unlogged + end;
            self.unlogged += end + 1;
            self.log(line);
        }
    }

    fn log_rest(&mut self) {
        if self.unlogged < self.head.len() {
            let line = self.unlogged..self.head.len();
            self.unlogged = self.head.len();
            self.log(line);
        }
    }

    fn log(&self, line: std::ops::Range<usize>) {
        let text = String::from_utf8_lossy(&self.head[line]);
        let text = text.trim_end_matches('\r');
        tracing::info!(hook = self.hook, stream = self.stream, "{text}");
    }

    /// The captured start of the stream (at most [`CAPTURE_LIMIT`] bytes), as text.
    #[cfg(test)]
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.head).into_owned()
    }

    /// The last whole lines of the stream (at most about [`TAIL_LIMIT`] bytes), as text.
    pub(crate) fn tail(&self) -> String {
        let mut tail = self.tail.as_slice();
        if self.tail_cut || self.tail.len() > TAIL_LIMIT {
            // The first line lost its beginning; a fragment would read as a wrong reason.
            let start = tail.len().saturating_sub(TAIL_LIMIT);
            tail = &tail[start..];
            if let Some(newline) = tail.iter().position(|b| *b == b'\n') {
                tail = &tail[newline + 1..];
            }
        }
        String::from_utf8_lossy(tail).trim_end().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn output_is_capped_but_its_end_is_remembered() {
        let mut output = b"first line\n".to_vec();
        for n in 0..20_000 {
            output.extend_from_slice(format!("filler line {n}\n").as_bytes());
        }
        output.extend_from_slice(b"last words");
        let mut capture = Capture::new("post_scan", "stderr");
        capture.drain(Some(output.as_slice())).await;
        capture.finish();

        assert_eq!(capture.head.len(), CAPTURE_LIMIT);
        assert!(capture.text().starts_with("first line\nfiller line 0\n"));
        assert_eq!(
            capture.discarded as usize,
            output.len() - CAPTURE_LIMIT,
            "everything was read, so the hook never blocks on a full pipe"
        );
        let tail = capture.tail();
        assert!(tail.len() <= TAIL_LIMIT);
        assert!(tail.ends_with("filler line 19999\nlast words"), "{tail}");
        assert!(
            tail.starts_with("filler line "),
            "no partial first line: {tail}"
        );
    }
}
