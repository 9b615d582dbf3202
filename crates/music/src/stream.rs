//! Audio delivery: original bytes with range support, or ffmpeg's output when a format or a
//! lower bitrate is asked for. Transcoding is one function, to move to the shared transcode
//! crate when there is one.

use std::path::Path;
use std::process::Stdio;

use axum::body::Body;

/// Where ffmpeg is.
pub const FFMPEG: &str = "/usr/bin/ffmpeg";

/// What a transcode produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// ffmpeg's muxer.
    pub muxer: &'static str,
    /// ffmpeg's encoder.
    pub codec: &'static str,
    /// The response's content type.
    pub mime: &'static str,
    /// The file suffix clients see.
    pub suffix: &'static str,
}

/// The target for a Subsonic `format` name (`mp3` when unknown, as other servers do).
pub fn target(format: &str) -> Target {
    match format {
        "opus" => Target {
            muxer: "ogg",
            codec: "libopus",
            mime: "audio/ogg",
            suffix: "opus",
        },
        "ogg" | "oga" | "vorbis" => Target {
            muxer: "ogg",
            codec: "libvorbis",
            mime: "audio/ogg",
            suffix: "ogg",
        },
        "aac" | "m4a" => Target {
            muxer: "adts",
            codec: "aac",
            mime: "audio/aac",
            suffix: "aac",
        },
        "flac" => Target {
            muxer: "flac",
            codec: "flac",
            mime: "audio/flac",
            suffix: "flac",
        },
        _ => Target {
            muxer: "mp3",
            codec: "libmp3lame",
            mime: "audio/mpeg",
            suffix: "mp3",
        },
    }
}

/// Starts ffmpeg on `path` and returns its output as a body. The process ends when the body
/// is dropped (its stdout closes) and is reaped by a background task.
pub fn transcode(
    path: &Path,
    target: Target,
    kbps: Option<u32>,
    offset_secs: Option<u32>,
) -> std::io::Result<Body> {
    let mut command = tokio::process::Command::new(FFMPEG);
    command.args(["-nostdin", "-hide_banner", "-loglevel", "error"]);
    if let Some(offset) = offset_secs.filter(|o| *o > 0) {
        command.args(["-ss", &offset.to_string()]);
    }
    command.arg("-i").arg(path);
    command.args(["-map", "0:a:0", "-vn", "-c:a", target.codec]);
    if let Some(kbps) = kbps.filter(|k| *k > 0) {
        command.args(["-b:a", &format!("{kbps}k")]);
    }
    command.args(["-f", target.muxer, "pipe:1"]);
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let mut child = command.spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| std::io::Error::other("ffmpeg has no stdout"))?;
    tokio::spawn(async move {
        let _ = child.wait().await;
    });
    Ok(Body::from_stream(tokio_util::io::ReaderStream::new(stdout)))
}

/// The MIME type of an audio file suffix.
pub fn mime_of(suffix: &str) -> &'static str {
    match suffix {
        "mp3" => "audio/mpeg",
        "flac" => "audio/flac",
        "ogg" | "oga" | "opus" | "spx" => "audio/ogg",
        "m4a" | "m4b" | "mp4a" | "alac" => "audio/mp4",
        "aac" => "audio/aac",
        "wav" => "audio/wav",
        "aif" | "aiff" | "aifc" => "audio/aiff",
        "ape" => "audio/x-ape",
        "wv" => "audio/x-wavpack",
        "mpc" => "audio/x-musepack",
        _ => "application/octet-stream",
    }
}
