//! One-shot transcodes that stream or return at once: audio (for music and audiobooks) as
//! ffmpeg's stdout, and text subtitles converted to WebVTT.

use std::process::Stdio;
use std::time::Duration;

use axum::body::Bytes;
use futures_util::Stream;
use tokio::process::{Child, Command};
use tokio_util::io::ReaderStream;

use crate::TranscodeError;
use crate::command::{AudioFormat, Source, SubtitleInput, audio_args, subtitle_args};

/// How long a subtitle conversion may take.
const SUBTITLE_LIMIT: Duration = Duration::from_secs(60);

/// ffmpeg's stdout as a byte stream; the process lives as long as the stream (dropping the
/// stream, as a client disconnect does, kills it).
#[derive(Debug)]
pub struct AudioStream {
    stdout: ReaderStream<tokio::process::ChildStdout>,
    _child: Child,
}

impl Stream for AudioStream {
    type Item = std::io::Result<Bytes>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::pin::Pin::new(&mut self.stdout).poll_next(cx)
    }
}

/// Starts an audio transcode of the first audio track at `kbps`.
pub async fn audio(
    ffmpeg: &std::path::Path,
    source: &Source,
    format: AudioFormat,
    kbps: u32,
) -> Result<AudioStream, TranscodeError> {
    if !(8..=512).contains(&kbps) {
        return Err(TranscodeError::Invalid(
            "bitrate: must be 8 to 512 kbit/s".to_owned(),
        ));
    }
    crate::engine::check_ffmpeg(ffmpeg).await?;
    let mut child = Command::new(ffmpeg)
        .args(audio_args(source, format, kbps))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| TranscodeError::FfmpegMissing(e.kind().to_string()))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| TranscodeError::FfmpegFailed("no output pipe".to_owned()))?;
    Ok(AudioStream {
        stdout: ReaderStream::with_capacity(stdout, 64 * 1024),
        _child: child,
    })
}

/// A text subtitle as WebVTT.
pub async fn webvtt(
    ffmpeg: &std::path::Path,
    input: &SubtitleInput<'_>,
) -> Result<String, TranscodeError> {
    let run = Command::new(ffmpeg)
        .args(subtitle_args(input))
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = match tokio::time::timeout(SUBTITLE_LIMIT, run).await {
        Ok(Ok(output)) => output,
        Ok(Err(e)) => return Err(TranscodeError::FfmpegMissing(e.kind().to_string())),
        Err(_) => {
            return Err(TranscodeError::FfmpegFailed(
                "the subtitle conversion took too long".to_owned(),
            ));
        }
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let cause = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message")
            .to_owned();
        let masked = match input {
            SubtitleInput::Embedded(source, _) => cause.replace(&source.display(), "<input>"),
            SubtitleInput::File(path) => cause.replace(&path.display().to_string(), "<input>"),
        };
        return Err(TranscodeError::FfmpegFailed(masked));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
