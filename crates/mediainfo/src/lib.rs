//! Technical metadata of media files: container, duration, video/audio/subtitle tracks and
//! chapters. Matroska/WebM and MP4/QuickTime are read in-process from their headers alone, so a
//! library scan costs a few small reads per file instead of a process; anything else, and any
//! file our readers reject, goes to ffprobe.

mod codec;
mod error;
mod ffprobe;
mod info;
mod matroska;
mod mp4;
mod reader;
mod sidecar;

use std::fs::File;
use std::path::Path;

pub use error::ProbeError;
pub use info::{AudioTrack, Chapter, MediaInfo, ProbeSource, SubtitleTrack, VideoTrack};
pub use sidecar::{SidecarSubtitle, sidecar_subtitles, sidecar_subtitles_among};

use crate::error::Fault;
use crate::reader::Reader;

/// Reads a file's metadata in-process. Matroska (`.mkv`, `.webm`, `.mka`, `.mk3d`) and MP4 or
/// QuickTime (`.mp4`, `.m4v`, `.mov`, `.m4a`) are recognised by their first bytes; anything else
/// is [`ProbeError::Unsupported`]. Blocking: call it from a blocking thread in async code.
pub fn probe(path: &Path) -> Result<MediaInfo, ProbeError> {
    let io = |source| ProbeError::Io {
        path: path.to_path_buf(),
        source,
    };
    // Checked before opening: opening a named pipe would block until something writes to it.
    let metadata = std::fs::metadata(path).map_err(io)?;
    if !metadata.is_file() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        )));
    }
    let file = File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len == 0 {
        return Err(ProbeError::Empty {
            path: path.to_path_buf(),
        });
    }
    read(Reader::new(file, len), path).map_err(|fault| fault.at(path))
}

fn read(mut r: Reader<File>, path: &Path) -> Result<MediaInfo, Fault> {
    let mut magic = [0u8; 16];
    let got = r.read_up_to(&mut magic)?;
    let magic = magic.get(..got).unwrap_or_default();
    r.seek_to(0)?;
    if matroska::sniff(magic) {
        return matroska::read(&mut r);
    }
    if mp4::sniff(magic) {
        return mp4::read(&mut r);
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let recognised = other_container(magic);
    match (extension.as_str(), recognised) {
        // A known container under a Matroska or MP4 name is still worth handing to ffprobe.
        (_, Some(container)) => Err(Fault::Unsupported(container.to_owned())),
        ("mkv" | "webm" | "mka" | "mk3d", None) => {
            Err(Fault::corrupt("no EBML header, so not Matroska"))
        }
        ("mp4" | "m4v" | "mov" | "m4a" | "m4b" | "3gp", None) => {
            Err(Fault::corrupt("no ftyp or moov box, so not MP4"))
        }
        ("", None) => Err(Fault::Unsupported("unknown".to_owned())),
        (other, None) => Err(Fault::Unsupported(other.to_owned())),
    }
}

/// Names the containers we leave to ffprobe, for the error and the logs.
fn other_container(magic: &[u8]) -> Option<&'static str> {
    let riff_kind = magic.get(8..12);
    if magic.starts_with(b"RIFF") && riff_kind == Some(b"AVI ") {
        return Some("avi");
    }
    if magic.starts_with(b"RIFF") && riff_kind == Some(b"WAVE") {
        return Some("wav");
    }
    if magic.first() == Some(&0x47) {
        return Some("mpegts");
    }
    if magic.starts_with(&[0, 0, 1, 0xBA]) {
        return Some("mpeg");
    }
    if magic.starts_with(b"FLV") {
        return Some("flv");
    }
    if magic.starts_with(b"OggS") {
        return Some("ogg");
    }
    if magic.starts_with(&[0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11]) {
        return Some("asf");
    }
    if magic.starts_with(b"fLaC") {
        return Some("flac");
    }
    if magic.starts_with(b"ID3") {
        return Some("mp3");
    }
    None
}

/// Reads a file's metadata with ffprobe (`-show_format -show_streams -show_chapters`), giving up
/// after 30 seconds; the process is killed if this future is dropped.
pub async fn probe_with_ffprobe(path: &Path, ffprobe: &Path) -> Result<MediaInfo, ProbeError> {
    ffprobe::run(path, ffprobe, ffprobe::TIME_LIMIT).await
}

/// Reads in-process on a blocking thread, and falls back to ffprobe (when given) for containers
/// the in-process readers do not know or files they reject. Empty and unreadable files are not
/// handed to ffprobe: it could do no better.
pub async fn probe_any(path: &Path, ffprobe: Option<&Path>) -> Result<MediaInfo, ProbeError> {
    let owned = path.to_path_buf();
    let in_process = tokio::task::spawn_blocking(move || probe(&owned))
        .await
        .unwrap_or_else(|join| {
            Err(ProbeError::Corrupt {
                path: path.to_path_buf(),
                reason: format!("in-process reader stopped: {join}"),
            })
        });
    let error = match in_process {
        Ok(media) => return Ok(media),
        Err(error @ (ProbeError::Empty { .. } | ProbeError::Io { .. })) => return Err(error),
        Err(error) => error,
    };
    let Some(ffprobe) = ffprobe else {
        return Err(error);
    };
    tracing::debug!(path = %path.display(), error = %error, "probing with ffprobe");
    match probe_with_ffprobe(path, ffprobe).await {
        Ok(media) => Ok(media),
        // ffprobe's word on a container we do not read is the one that counts.
        Err(fallback) if matches!(error, ProbeError::Unsupported { .. }) => Err(fallback),
        Err(fallback) => {
            tracing::debug!(path = %path.display(), error = %fallback, "ffprobe failed too");
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_other_containers() {
        assert_eq!(other_container(b"RIFF\0\0\0\0AVI LIST"), Some("avi"));
        assert_eq!(other_container(&[0x47, 0x40, 0, 0x10]), Some("mpegts"));
        assert_eq!(other_container(b"hello"), None);
        assert_eq!(other_container(b""), None);
    }
}
