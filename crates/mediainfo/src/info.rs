//! What a probe tells about a file: its container, duration, tracks and chapters, in one shape
//! whichever reader produced it.

use serde::{Deserialize, Serialize};

/// The technical metadata of one media file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaInfo {
    /// The container: `matroska`, `webm`, `mp4`, `mov`, or ffprobe's name for others (`avi`, …).
    pub container: String,
    /// Playing time in seconds, when the file says.
    pub duration_secs: Option<f64>,
    /// Overall bits per second (file size over duration when the container does not say).
    pub bitrate: Option<u64>,
    /// Video tracks in file order; cover art is not among them.
    pub video: Vec<VideoTrack>,
    /// Audio tracks in file order.
    pub audio: Vec<AudioTrack>,
    /// Embedded subtitle tracks in file order.
    pub subtitles: Vec<SubtitleTrack>,
    /// Chapters by start time.
    pub chapters: Vec<Chapter>,
    /// Which reader produced this.
    pub source: ProbeSource,
}

/// Which reader produced a [`MediaInfo`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeSource {
    /// Our own Matroska or MP4 header reader.
    InProcess,
    /// The ffprobe fallback.
    Ffprobe,
}

/// One video track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VideoTrack {
    /// The stream's index among all the file's tracks, as ffprobe counts them.
    pub index: u32,
    /// FFmpeg's codec name: `h264`, `hevc`, `av1`, `vp9`, `mpeg2video`, `mpeg4`, …
    pub codec: String,
    /// Coded width in pixels.
    pub width: Option<u32>,
    /// Coded height in pixels.
    pub height: Option<u32>,
    /// Frames per second, averaged where the container only gives a frame count.
    pub frame_rate: Option<f64>,
    /// `HDR10`, `HLG` or `Dolby Vision`, when the headers say so.
    pub hdr: Option<String>,
    /// Bits per sample of the luma plane.
    pub bit_depth: Option<u8>,
    /// Whether the file marks this track as the one to play.
    pub default: bool,
}

/// One audio track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioTrack {
    /// The stream's index among all the file's tracks.
    pub index: u32,
    /// FFmpeg's codec name: `aac`, `ac3`, `eac3`, `dts`, `truehd`, `flac`, `opus`, `vorbis`, `mp3`, …
    pub codec: String,
    /// Number of channels.
    pub channels: Option<u32>,
    /// Samples per second.
    pub sample_rate: Option<u32>,
    /// The language code as the file writes it (ISO 639-2 or BCP 47); none for `und`.
    pub language: Option<String>,
    /// The track's name.
    pub title: Option<String>,
    /// Whether the file marks this track as the one to play.
    pub default: bool,
    /// Whether the track must be played even when the viewer chose none.
    pub forced: bool,
}

/// One embedded subtitle track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubtitleTrack {
    /// The stream's index among all the file's tracks.
    pub index: u32,
    /// FFmpeg's codec name: `subrip`, `ass`, `webvtt`, `mov_text`, `hdmv_pgs_subtitle`, `dvd_subtitle`, …
    pub codec: String,
    /// The language code as the file writes it; none for `und`.
    pub language: Option<String>,
    /// The track's name.
    pub title: Option<String>,
    /// Whether the file marks this track as the one to show.
    pub default: bool,
    /// Whether the track is forced (foreign-language parts only).
    pub forced: bool,
    /// Subtitles for the deaf and hard of hearing, by flag or by `SDH`/`CC` in the title.
    pub sdh: bool,
}

/// One chapter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chapter {
    /// Start in seconds.
    pub start_secs: f64,
    /// End in seconds: as written, else the next chapter's start or the file's end.
    pub end_secs: Option<f64>,
    /// The chapter's name.
    pub title: Option<String>,
}

/// The language as the file writes it, or none for the codes that mean "not said".
pub(crate) fn normalize_language(raw: &str) -> Option<String> {
    let code = raw.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    if code.is_empty() || code.eq_ignore_ascii_case("und") || code.eq_ignore_ascii_case("zxx") {
        None
    } else {
        Some(code.to_owned())
    }
}

/// A title that is empty or blank says nothing.
pub(crate) fn normalize_title(raw: &str) -> Option<String> {
    let title = raw.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!title.is_empty()).then(|| title.to_owned())
}

/// Whether a track title marks it as forced or SDH, since many files say so only there.
pub(crate) fn title_words(title: Option<&str>) -> TitleMarks {
    let mut marks = TitleMarks::default();
    let Some(title) = title else { return marks };
    for word in title.split(|c: char| !c.is_alphanumeric()) {
        if word.eq_ignore_ascii_case("sdh") || word.eq_ignore_ascii_case("cc") {
            marks.sdh = true;
        } else if word.eq_ignore_ascii_case("forced") {
            marks.forced = true;
        }
    }
    marks
}

/// What a title says about a track.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct TitleMarks {
    pub(crate) forced: bool,
    pub(crate) sdh: bool,
}

/// Ends chapters that do not say where they end at the next one, and the last at the file's end,
/// as players and ffprobe do.
pub(crate) fn finish_chapters(chapters: &mut [Chapter], duration: Option<f64>) {
    chapters.sort_by(|a, b| a.start_secs.total_cmp(&b.start_secs));
    let starts: Vec<f64> = chapters.iter().map(|c| c.start_secs).collect();
    for (i, chapter) in chapters.iter_mut().enumerate() {
        if chapter.end_secs.is_none() {
            chapter.end_secs = starts.get(i + 1).copied().or(duration);
        }
    }
}

/// Bits per second from the file size, for containers that do not store a bitrate.
pub(crate) fn bitrate_from_size(len: u64, duration: Option<f64>) -> Option<u64> {
    let duration = duration.filter(|d| d.is_finite() && *d > 0.0)?;
    let bits = (len as f64) * 8.0 / duration;
    (bits.is_finite() && bits >= 0.0 && bits < u64::MAX as f64).then_some(bits as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undetermined_languages_are_none() {
        assert_eq!(normalize_language("und"), None);
        assert_eq!(normalize_language(""), None);
        assert_eq!(normalize_language("eng\0"), Some("eng".to_owned()));
        assert_eq!(normalize_language("pt-BR"), Some("pt-BR".to_owned()));
    }

    #[test]
    fn titles_mark_sdh_and_forced_by_whole_words() {
        let marks = title_words(Some("English (SDH)"));
        assert!(marks.sdh && !marks.forced);
        assert!(title_words(Some("English CC")).sdh);
        assert!(title_words(Some("Forced")).forced);
        assert!(!title_words(Some("Accent")).sdh);
        assert!(!title_words(None).sdh);
    }

    #[test]
    fn open_chapters_end_at_the_next_or_the_file_end() {
        let mut chapters = vec![
            Chapter {
                start_secs: 5.0,
                end_secs: None,
                title: None,
            },
            Chapter {
                start_secs: 0.0,
                end_secs: None,
                title: None,
            },
        ];
        finish_chapters(&mut chapters, Some(9.0));
        assert_eq!(chapters[0].end_secs, Some(5.0));
        assert_eq!(chapters[1].end_secs, Some(9.0));
    }

    #[test]
    fn bitrate_needs_a_positive_duration() {
        assert_eq!(bitrate_from_size(1000, Some(2.0)), Some(4000));
        assert_eq!(bitrate_from_size(1000, Some(0.0)), None);
        assert_eq!(bitrate_from_size(1000, Some(f64::NAN)), None);
        assert_eq!(bitrate_from_size(1000, None), None);
    }
}
