//! The ffprobe fallback, for containers the in-process readers do not know (AVI, MPEG-TS, …) and
//! for files they reject. One process per file, killed when it overruns its time or the caller
//! stops waiting.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;
use tokio::io::AsyncReadExt;
use tokio::process::Command;

use crate::codec;
use crate::error::ProbeError;
use crate::info::{
    AudioTrack, Chapter, MediaInfo, ProbeSource, SubtitleTrack, VideoTrack, finish_chapters,
    normalize_language, normalize_title, title_words,
};

/// How long one ffprobe may run; network mounts can be slow, but not this slow.
pub(crate) const TIME_LIMIT: Duration = Duration::from_secs(30);
/// ffprobe's JSON grows with chapters and tags; more than this is not a real file's.
const MAX_OUTPUT: u64 = 32 * 1024 * 1024;
const MAX_MESSAGE: usize = 500;

/// Runs ffprobe on `path` and reads its JSON, giving up after `limit`.
pub(crate) async fn run(
    path: &Path,
    ffprobe: &Path,
    limit: Duration,
) -> Result<MediaInfo, ProbeError> {
    // `file:` keeps names with a colon or a leading dash from being read as a protocol or an
    // option.
    let mut input = OsString::from("file:");
    input.push(path.as_os_str());
    let mut child = Command::new(ffprobe)
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "-show_chapters",
            "-i",
        ])
        .arg(&input)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
                ProbeError::FfprobeMissing {
                    ffprobe: ffprobe.to_path_buf(),
                    path: path.to_path_buf(),
                }
            }
            _ => ProbeError::Io {
                path: path.to_path_buf(),
                source,
            },
        })?;

    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let finished = tokio::time::timeout(limit, async {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let read_out = async {
            if let Some(pipe) = stdout.as_mut() {
                pipe.take(MAX_OUTPUT).read_to_end(&mut out).await?;
            }
            Ok::<_, std::io::Error>(())
        };
        let read_err = async {
            if let Some(pipe) = stderr.as_mut() {
                pipe.take(MAX_OUTPUT).read_to_end(&mut err).await?;
            }
            Ok::<_, std::io::Error>(())
        };
        let (read_out, read_err) = tokio::join!(read_out, read_err);
        read_out?;
        read_err?;
        let status = child.wait().await?;
        Ok::<_, std::io::Error>((status, out, err))
    })
    .await;
    // Dropping the child on timeout kills it (`kill_on_drop`).
    let (status, out, err) = match finished {
        Err(_) => {
            return Err(ProbeError::TimedOut {
                path: path.to_path_buf(),
            });
        }
        Ok(Err(source)) => {
            return Err(ProbeError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
        Ok(Ok(done)) => done,
    };
    if !status.success() {
        let message = String::from_utf8_lossy(&err);
        let message = message.trim();
        let message = if message.is_empty() {
            format!("ffprobe exited with {status}")
        } else {
            message.chars().take(MAX_MESSAGE).collect()
        };
        return Err(ProbeError::FfprobeFailed {
            path: path.to_path_buf(),
            message,
        });
    }
    parse(&out, path)
}

#[derive(Debug, Deserialize)]
struct Output {
    #[serde(default)]
    streams: Vec<Stream>,
    #[serde(default)]
    chapters: Vec<OutChapter>,
    format: Option<Format>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Stream {
    index: Option<u32>,
    codec_type: Option<String>,
    codec_name: Option<String>,
    codec_tag_string: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    avg_frame_rate: Option<String>,
    r_frame_rate: Option<String>,
    pix_fmt: Option<String>,
    bits_per_raw_sample: Option<String>,
    color_transfer: Option<String>,
    side_data_list: Vec<SideData>,
    channels: Option<u32>,
    sample_rate: Option<String>,
    disposition: HashMap<String, serde_json::Value>,
    tags: HashMap<String, serde_json::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SideData {
    side_data_type: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Format {
    format_name: Option<String>,
    duration: Option<String>,
    bit_rate: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OutChapter {
    start_time: Option<String>,
    end_time: Option<String>,
    tags: HashMap<String, serde_json::Value>,
}

/// A tag by name, whatever its case (Matroska tags come in upper case).
fn tag<'a>(tags: &'a HashMap<String, serde_json::Value>, name: &str) -> Option<&'a str> {
    tags.iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .and_then(|(_, value)| value.as_str())
}

fn disposition(stream: &Stream, name: &str) -> bool {
    stream
        .disposition
        .get(name)
        .and_then(serde_json::Value::as_i64)
        .is_some_and(|v| v != 0)
}

fn number<T: std::str::FromStr>(text: Option<&str>) -> Option<T> {
    text?.trim().parse().ok()
}

/// `"24000/1001"` as a number; ffprobe writes `0/0` when it does not know.
fn ratio(text: Option<&str>) -> Option<f64> {
    let (num, den) = text?.split_once('/')?;
    let (num, den): (f64, f64) = (num.trim().parse().ok()?, den.trim().parse().ok()?);
    let value = num / den;
    (value.is_finite() && value > 0.0).then_some(value)
}

/// Our container names: ffprobe's demuxer names Matroska and MP4 by families.
fn container(format_name: &str, path: &Path) -> String {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let first = format_name.split(',').next().unwrap_or(format_name);
    if format_name.starts_with("matroska") {
        return if extension.as_deref() == Some("webm") {
            "webm"
        } else {
            "matroska"
        }
        .to_owned();
    }
    if first == "mov" {
        return if extension.as_deref() == Some("mov") {
            "mov"
        } else {
            "mp4"
        }
        .to_owned();
    }
    first.to_owned()
}

fn bit_depth(stream: &Stream) -> Option<u8> {
    if let Some(bits) = number::<u8>(stream.bits_per_raw_sample.as_deref()).filter(|b| *b > 0) {
        return Some(bits);
    }
    let pix_fmt = stream.pix_fmt.as_deref()?;
    for depth in [16u8, 14, 12, 10, 9] {
        if pix_fmt.contains(&format!("p{depth}")) {
            return Some(depth);
        }
    }
    Some(8)
}

fn hdr(stream: &Stream) -> Option<String> {
    let dolby_vision = stream
        .side_data_list
        .iter()
        .any(|s| s.side_data_type.as_deref() == Some("DOVI configuration record"))
        || matches!(
            stream.codec_tag_string.as_deref(),
            Some("dvh1" | "dvhe" | "dav1" | "dvav" | "dva1")
        );
    if dolby_vision {
        return Some("Dolby Vision".to_owned());
    }
    let transfer = match stream.color_transfer.as_deref()? {
        "smpte2084" => 16,
        "arib-std-b67" => 18,
        _ => return None,
    };
    codec::hdr_from_transfer(transfer).map(str::to_owned)
}

/// Turns ffprobe's JSON into media info.
pub(crate) fn parse(json: &[u8], path: &Path) -> Result<MediaInfo, ProbeError> {
    let output: Output = serde_json::from_slice(json).map_err(|e| ProbeError::FfprobeFailed {
        path: path.to_path_buf(),
        message: format!("unreadable ffprobe output: {e}"),
    })?;
    let format = output.format.unwrap_or_default();
    let duration = number::<f64>(format.duration.as_deref()).filter(|d| d.is_finite() && *d >= 0.0);
    let mut media = MediaInfo {
        container: container(format.format_name.as_deref().unwrap_or("unknown"), path),
        duration_secs: duration,
        bitrate: number(format.bit_rate.as_deref()),
        video: Vec::new(),
        audio: Vec::new(),
        subtitles: Vec::new(),
        chapters: Vec::new(),
        source: ProbeSource::Ffprobe,
    };
    for (position, stream) in output.streams.iter().enumerate() {
        let index = stream
            .index
            .unwrap_or_else(|| u32::try_from(position).unwrap_or(u32::MAX));
        let codec = stream
            .codec_name
            .clone()
            .unwrap_or_else(|| "unknown".to_owned());
        let title = tag(&stream.tags, "title").and_then(normalize_title);
        let language = tag(&stream.tags, "language").and_then(normalize_language);
        let marks = title_words(title.as_deref());
        match stream.codec_type.as_deref() {
            // Cover art is a picture, not the film.
            Some("video") if !disposition(stream, "attached_pic") => media.video.push(VideoTrack {
                index,
                codec,
                width: stream.width.filter(|w| *w > 0),
                height: stream.height.filter(|h| *h > 0),
                frame_rate: ratio(stream.avg_frame_rate.as_deref())
                    .or_else(|| ratio(stream.r_frame_rate.as_deref())),
                hdr: hdr(stream),
                bit_depth: bit_depth(stream),
                default: disposition(stream, "default"),
            }),
            Some("audio") => media.audio.push(AudioTrack {
                index,
                codec,
                channels: stream.channels.filter(|c| *c > 0),
                sample_rate: number(stream.sample_rate.as_deref()).filter(|r: &u32| *r > 0),
                language,
                title,
                default: disposition(stream, "default"),
                forced: disposition(stream, "forced") || marks.forced,
            }),
            Some("subtitle") => media.subtitles.push(SubtitleTrack {
                index,
                codec,
                language,
                title,
                default: disposition(stream, "default"),
                forced: disposition(stream, "forced") || marks.forced,
                sdh: disposition(stream, "hearing_impaired")
                    || disposition(stream, "captions")
                    || marks.sdh,
            }),
            _ => {}
        }
    }
    for chapter in &output.chapters {
        let Some(start) = number::<f64>(chapter.start_time.as_deref()).filter(|s| s.is_finite())
        else {
            continue;
        };
        media.chapters.push(Chapter {
            start_secs: start,
            end_secs: number::<f64>(chapter.end_time.as_deref())
                .filter(|e| e.is_finite() && *e >= start),
            title: tag(&chapter.tags, "title").and_then(normalize_title),
        });
    }
    finish_chapters(&mut media.chapters, duration);
    Ok(media)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    const SAMPLE: &str = r#"{
        "streams": [
            {"index": 0, "codec_type": "video", "codec_name": "hevc", "width": 3840, "height": 2160,
             "avg_frame_rate": "24000/1001", "pix_fmt": "yuv420p10le", "color_transfer": "smpte2084",
             "disposition": {"default": 1, "attached_pic": 0}},
            {"index": 1, "codec_type": "audio", "codec_name": "eac3", "channels": 6,
             "sample_rate": "48000", "disposition": {"default": 1, "forced": 0},
             "tags": {"language": "ger", "title": "Deutsch"}},
            {"index": 2, "codec_type": "subtitle", "codec_name": "subrip",
             "disposition": {"default": 0, "forced": 0, "hearing_impaired": 0},
             "tags": {"LANGUAGE": "eng", "title": "English SDH"}},
            {"index": 3, "codec_type": "video", "codec_name": "mjpeg",
             "disposition": {"attached_pic": 1}}
        ],
        "chapters": [{"start_time": "0.000000", "end_time": "60.000000", "tags": {"title": "One"}}],
        "format": {"format_name": "matroska,webm", "duration": "5400.5", "bit_rate": "8000000"}
    }"#;

    #[test]
    fn parses_ffprobe_json() {
        let media = parse(SAMPLE.as_bytes(), Path::new("/m/film.mkv")).unwrap();
        assert_eq!(media.container, "matroska");
        assert_eq!(media.duration_secs, Some(5400.5));
        assert_eq!(media.bitrate, Some(8_000_000));
        assert_eq!(media.video.len(), 1, "cover art is not a video track");
        let video = &media.video[0];
        assert_eq!(video.bit_depth, Some(10));
        assert_eq!(video.hdr.as_deref(), Some("HDR10"));
        assert!((video.frame_rate.unwrap() - 23.976).abs() < 0.001);
        assert_eq!(media.audio[0].language.as_deref(), Some("ger"));
        assert_eq!(media.audio[0].channels, Some(6));
        assert_eq!(media.subtitles[0].language.as_deref(), Some("eng"));
        assert!(media.subtitles[0].sdh);
        assert_eq!(media.chapters[0].title.as_deref(), Some("One"));
        assert_eq!(media.source, ProbeSource::Ffprobe);
    }

    #[test]
    fn bad_json_is_a_failure_naming_the_file() {
        let error = parse(b"not json", Path::new("/m/film.avi")).unwrap_err();
        assert!(matches!(error, ProbeError::FfprobeFailed { .. }));
        assert!(error.to_string().contains("/m/film.avi"));
    }

    #[test]
    fn container_names() {
        assert_eq!(container("matroska,webm", Path::new("a.webm")), "webm");
        assert_eq!(
            container("mov,mp4,m4a,3gp,3g2,mj2", Path::new("a.m4v")),
            "mp4"
        );
        assert_eq!(
            container("mov,mp4,m4a,3gp,3g2,mj2", Path::new("a.MOV")),
            "mov"
        );
        assert_eq!(container("avi", Path::new("a.avi")), "avi");
    }

    /// One test for every case that starts a process: a script written in one test while another
    /// test's thread forks could fail to start with "text file busy".
    #[tokio::test]
    async fn ffprobe_that_hangs_fails_or_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let fake = |name: &str, body: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            path
        };
        let hang = fake("hang", "exec sleep 30");
        let fail = fake("fail", "echo 'Invalid data found' >&2; exit 1");
        let media = Path::new("/m/a.avi");

        let started = std::time::Instant::now();
        let error = run(media, &hang, Duration::from_millis(200))
            .await
            .unwrap_err();
        assert!(matches!(error, ProbeError::TimedOut { .. }), "{error}");
        assert!(started.elapsed() < Duration::from_secs(10));

        match run(media, &fail, TIME_LIMIT).await.unwrap_err() {
            ProbeError::FfprobeFailed { message, .. } => assert!(message.contains("Invalid data")),
            other => panic!("unexpected {other}"),
        }

        let missing = run(media, Path::new("/nonexistent/ffprobe"), TIME_LIMIT).await;
        assert!(
            matches!(missing, Err(ProbeError::FfprobeMissing { .. })),
            "{missing:?}"
        );
    }
}
