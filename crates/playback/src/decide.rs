//! How to play a file on a given client: direct play, direct stream (the video copied into
//! HLS, audio converted) or a full transcode — a pure function of the file's stored technical
//! metadata and the client's capabilities.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a client can play.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ClientCapabilities {
    /// Containers it can open (`mp4`, `mkv`, `webm`, …).
    pub containers: Vec<String>,
    /// Video codecs it can decode (`h264`, `hevc`, `vp9`, `av1`, …; ffmpeg's names).
    pub video_codecs: Vec<String>,
    /// Audio codecs it can decode (`aac`, `mp3`, `opus`, `ac3`, …).
    pub audio_codecs: Vec<String>,
    /// The tallest picture it shows.
    pub max_height: Option<u32>,
    /// The highest bitrate it can take, in bits per second.
    pub max_bitrate: Option<u64>,
    /// Subtitle formats it renders itself (`vtt`, `srt`, `ass`, `pgs`).
    pub subtitle_formats: Vec<String>,
}

/// The three ways to play.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The original file over `/api/v1/stream/{id}`.
    DirectPlay,
    /// HLS with the video copied (only the container and audio change).
    DirectStream,
    /// HLS with the video re-encoded.
    Transcode,
}

/// The part of the stored metadata a decision reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FileInfo {
    /// Container (`matroska`, `mp4`, …).
    pub container: String,
    /// Overall bitrate.
    pub bitrate: Option<u64>,
    /// Duration in seconds.
    pub duration_secs: Option<f64>,
    /// Video tracks.
    pub video: Vec<Track>,
    /// Audio tracks.
    pub audio: Vec<Track>,
    /// Embedded subtitles.
    pub subtitles: Vec<Track>,
}

/// A track, as far as decisions go.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Track {
    /// The absolute stream index.
    pub index: u32,
    /// ffmpeg's codec name.
    pub codec: String,
    /// Picture width.
    pub width: Option<u32>,
    /// Picture height.
    pub height: Option<u32>,
}

/// Image subtitle codecs: they cannot become text, only be burned in.
pub const IMAGE_SUBTITLES: &[&str] = &["hdmv_pgs_subtitle", "dvd_subtitle", "dvb_subtitle", "xsub"];

/// A decision and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// How to play.
    pub method: Method,
    /// Why not a better method, for people.
    pub reasons: Vec<String>,
}

fn container_matches(file: &str, client: &str) -> bool {
    let canonical = |name: &str| match name.to_ascii_lowercase().as_str() {
        "mkv" | "matroska" => "matroska".to_owned(),
        "m4v" | "mp4" => "mp4".to_owned(),
        other => other.to_owned(),
    };
    canonical(file) == canonical(client)
}

fn listed(list: &[String], codec: &str) -> bool {
    list.iter().any(|c| c.eq_ignore_ascii_case(codec))
}

/// Decides how `client` should play a file; `audio_track` is the chosen audio track (index
/// among audio tracks) and `burn_subtitle` whether an image subtitle must be burned in.
pub fn decide(
    info: &FileInfo,
    client: &ClientCapabilities,
    audio_track: usize,
    burn_subtitle: bool,
) -> Decision {
    let mut reasons = Vec::new();
    let video = info.video.first();
    let video_ok = match video {
        None => true,
        Some(video) => {
            let mut ok = true;
            if !listed(&client.video_codecs, &video.codec) {
                reasons.push(format!("video codec {} is not supported", video.codec));
                ok = false;
            }
            if let (Some(max), Some(height)) = (client.max_height, video.height)
                && height > max
            {
                reasons.push(format!("height {height} is above the client's {max}"));
                ok = false;
            }
            ok
        }
    };
    let bitrate_ok = match (client.max_bitrate, info.bitrate) {
        (Some(max), Some(rate)) if rate > max => {
            reasons.push(format!("bitrate {rate} is above the client's {max}"));
            false
        }
        _ => true,
    };
    let container_ok = client
        .containers
        .iter()
        .any(|c| container_matches(&info.container, c));
    if !container_ok {
        reasons.push(format!("container {} is not supported", info.container));
    }
    let audio_ok = match info.audio.get(audio_track).or_else(|| info.audio.first()) {
        None => true,
        Some(audio) if listed(&client.audio_codecs, &audio.codec) => true,
        Some(audio) => {
            reasons.push(format!("audio codec {} is not supported", audio.codec));
            false
        }
    };
    if burn_subtitle {
        reasons.push("an image subtitle is burned in".to_owned());
    }
    let method = if burn_subtitle || !video_ok || !bitrate_ok {
        Method::Transcode
    } else if !container_ok || !audio_ok {
        // Only HLS-compatible video can be copied into fMP4 segments.
        if video.is_none_or(|v| matches!(v.codec.as_str(), "h264" | "hevc" | "av1")) {
            Method::DirectStream
        } else {
            reasons.push("the video cannot be copied into HLS".to_owned());
            Method::Transcode
        }
    } else {
        Method::DirectPlay
    };
    Decision { method, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(container: &str, video: &str, height: u32, audio: &str) -> FileInfo {
        FileInfo {
            container: container.into(),
            bitrate: Some(5_000_000),
            duration_secs: Some(60.0),
            video: vec![Track {
                index: 0,
                codec: video.into(),
                width: Some(height * 16 / 9),
                height: Some(height),
            }],
            audio: vec![Track {
                index: 1,
                codec: audio.into(),
                ..Track::default()
            }],
            subtitles: Vec::new(),
        }
    }

    fn browser() -> ClientCapabilities {
        ClientCapabilities {
            containers: vec!["mp4".into(), "webm".into()],
            video_codecs: vec!["h264".into(), "vp9".into()],
            audio_codecs: vec!["aac".into(), "opus".into()],
            max_height: Some(1080),
            max_bitrate: Some(20_000_000),
            subtitle_formats: vec!["vtt".into()],
        }
    }

    #[test]
    fn a_compatible_file_plays_directly() {
        let d = decide(&file("mp4", "h264", 1080, "aac"), &browser(), 0, false);
        assert_eq!(d.method, Method::DirectPlay, "{:?}", d.reasons);
    }

    #[test]
    fn a_foreign_container_or_audio_is_remuxed() {
        let d = decide(&file("matroska", "h264", 1080, "aac"), &browser(), 0, false);
        assert_eq!(d.method, Method::DirectStream);
        let d = decide(&file("mp4", "h264", 1080, "dts"), &browser(), 0, false);
        assert_eq!(d.method, Method::DirectStream);
        assert!(d.reasons[0].contains("dts"));
        let mut mkv = browser();
        mkv.containers.push("mkv".into());
        let d = decide(&file("matroska", "h264", 720, "aac"), &mkv, 0, false);
        assert_eq!(d.method, Method::DirectPlay, "mkv and matroska are one");
    }

    #[test]
    fn codec_size_bitrate_and_burned_subtitles_transcode() {
        let client = browser();
        assert_eq!(
            decide(&file("mp4", "hevc", 1080, "aac"), &client, 0, false).method,
            Method::Transcode
        );
        assert_eq!(
            decide(&file("mp4", "h264", 2160, "aac"), &client, 0, false).method,
            Method::Transcode
        );
        let mut slow = client.clone();
        slow.max_bitrate = Some(1_000_000);
        assert_eq!(
            decide(&file("mp4", "h264", 720, "aac"), &slow, 0, false).method,
            Method::Transcode
        );
        assert_eq!(
            decide(&file("mp4", "h264", 720, "aac"), &client, 0, true).method,
            Method::Transcode
        );
        assert_eq!(
            decide(&file("avi", "mpeg4", 480, "mp3"), &client, 0, false).method,
            Method::Transcode
        );
    }
}
