//! The ffmpeg command lines: HLS renditions (copy or encode, with hardware acceleration and
//! burned-in subtitles), audio for streaming, and subtitles to WebVTT. Pure builders, tested
//! without running ffmpeg.

use std::ffi::OsString;
use std::path::Path;

use crate::settings::HwAccel;

/// What ffmpeg reads: a local file, or a URL (a remote transcoder reads the server's stream
/// with HTTP ranges).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A path on this machine.
    Path(std::path::PathBuf),
    /// An HTTP(S) URL.
    Url(String),
}

impl Source {
    fn arg(&self) -> OsString {
        match self {
            Source::Path(path) => path.as_os_str().to_owned(),
            Source::Url(url) => OsString::from(url),
        }
    }

    /// How the input shows in ffmpeg's messages, to be masked before they reach a client.
    pub(crate) fn display(&self) -> String {
        match self {
            Source::Path(path) => path.display().to_string(),
            Source::Url(url) => url.clone(),
        }
    }
}

/// One rendition's encoding.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encode {
    /// Copy the video stream untouched (the original-quality rendition).
    Copy,
    /// Encode H.264 at this height and bitrate.
    H264 {
        /// Output height.
        height: u32,
        /// Video bitrate in kbit/s.
        kbps: u32,
    },
}

/// Everything one ffmpeg run for one rendition needs.
#[derive(Debug, Clone)]
pub struct HlsJob<'a> {
    /// The input.
    pub source: &'a Source,
    /// The rendition's encoding.
    pub encode: &'a Encode,
    /// The audio track (index among audio tracks).
    pub audio_track: u32,
    /// A subtitle stream (absolute stream index) to burn into the picture.
    pub burn_subtitle: Option<u32>,
    /// The first segment to produce.
    pub start_segment: u64,
    /// Segment length in seconds.
    pub segment_secs: u32,
    /// Hardware acceleration.
    pub hwaccel: HwAccel,
    /// The rendition's directory.
    pub dir: &'a Path,
    /// ffmpeg's own playlist (read to learn which segments are complete).
    pub playlist: &'a Path,
}

fn push(args: &mut Vec<OsString>, items: &[&str]) {
    args.extend(items.iter().map(OsString::from));
}

/// The arguments (after the program) of one HLS run.
pub fn hls_args(job: &HlsJob<'_>) -> Vec<OsString> {
    let mut args = Vec::new();
    push(
        &mut args,
        &["-hide_banner", "-nostdin", "-loglevel", "error"],
    );
    let encoding = matches!(job.encode, Encode::H264 { .. });
    if encoding {
        match job.hwaccel {
            HwAccel::None => {}
            HwAccel::Vaapi => push(
                &mut args,
                &[
                    "-hwaccel",
                    "vaapi",
                    "-hwaccel_output_format",
                    "vaapi",
                    "-vaapi_device",
                    "/dev/dri/renderD128",
                ],
            ),
            HwAccel::Nvenc => push(&mut args, &["-hwaccel", "cuda"]),
            HwAccel::Qsv => push(&mut args, &["-hwaccel", "qsv"]),
        }
    }
    // Restarting at a segment seeks the input; the muxer's timestamps are shifted back to the
    // segment's place on the timeline, so numbering and timestamps match a run from the start.
    let start_secs = job.start_segment * u64::from(job.segment_secs);
    if start_secs > 0 {
        push(&mut args, &["-ss", &start_secs.to_string()]);
    }
    args.push("-i".into());
    args.push(job.source.arg());
    let audio_map = format!("0:a:{}?", job.audio_track);
    match (job.encode, job.burn_subtitle) {
        (Encode::H264 { height, .. }, Some(subtitle)) => {
            let graph = format!("[0:v:0][0:{subtitle}]overlay,scale=-2:{height}[v]");
            push(&mut args, &["-filter_complex", &graph, "-map", "[v]"]);
        }
        _ => push(&mut args, &["-map", "0:v:0"]),
    }
    push(&mut args, &["-map", &audio_map]);
    match job.encode {
        Encode::Copy => push(&mut args, &["-c:v", "copy"]),
        Encode::H264 { height, kbps } => {
            let (encoder, scale) = match job.hwaccel {
                HwAccel::None => ("libx264", format!("scale=-2:{height}")),
                HwAccel::Vaapi => ("h264_vaapi", format!("scale_vaapi=w=-2:h={height}")),
                HwAccel::Nvenc => ("h264_nvenc", format!("scale=-2:{height}")),
                HwAccel::Qsv => ("h264_qsv", format!("scale=-2:{height}")),
            };
            push(&mut args, &["-c:v", encoder]);
            if job.hwaccel == HwAccel::None {
                push(&mut args, &["-preset", "veryfast", "-pix_fmt", "yuv420p"]);
            }
            if job.burn_subtitle.is_none() {
                push(&mut args, &["-vf", &scale]);
            }
            let rate = format!("{kbps}k");
            let buffer = format!("{}k", kbps.saturating_mul(2));
            push(
                &mut args,
                &["-b:v", &rate, "-maxrate", &rate, "-bufsize", &buffer],
            );
            // Keyframes exactly at segment boundaries make every segment start decodable and
            // every segment the same length, whatever the source's GOP.
            let keys = format!("expr:gte(t,n_forced*{})", job.segment_secs);
            push(&mut args, &["-force_key_frames", &keys]);
        }
    }
    push(&mut args, &["-c:a", "aac", "-b:a", "160k", "-ac", "2"]);
    if start_secs > 0 {
        push(&mut args, &["-output_ts_offset", &start_secs.to_string()]);
    }
    let segment_pattern = job.dir.join("seg_%d.m4s");
    push(
        &mut args,
        &[
            "-f",
            "hls",
            "-hls_time",
            &job.segment_secs.to_string(),
            "-hls_segment_type",
            "fmp4",
            "-hls_fmp4_init_filename",
            "init.mp4",
            "-hls_list_size",
            "0",
            "-start_number",
            &job.start_segment.to_string(),
            "-hls_segment_filename",
        ],
    );
    args.push(segment_pattern.into_os_string());
    args.push(job.playlist.as_os_str().to_owned());
    args
}

/// An audio format for streamed audio transcodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AudioFormat {
    /// MP3 (libmp3lame).
    Mp3,
    /// Opus in Ogg.
    Opus,
    /// AAC in ADTS.
    Aac,
}

impl AudioFormat {
    /// The response's media type.
    pub fn content_type(self) -> &'static str {
        match self {
            AudioFormat::Mp3 => "audio/mpeg",
            AudioFormat::Opus => "audio/ogg",
            AudioFormat::Aac => "audio/aac",
        }
    }
}

/// The arguments of an audio transcode written to stdout.
pub fn audio_args(source: &Source, format: AudioFormat, kbps: u32) -> Vec<OsString> {
    let mut args = Vec::new();
    push(
        &mut args,
        &["-hide_banner", "-nostdin", "-loglevel", "error"],
    );
    args.push("-i".into());
    args.push(source.arg());
    let (codec, container) = match format {
        AudioFormat::Mp3 => ("libmp3lame", "mp3"),
        AudioFormat::Opus => ("libopus", "ogg"),
        AudioFormat::Aac => ("aac", "adts"),
    };
    let rate = format!("{kbps}k");
    push(
        &mut args,
        &[
            "-map", "0:a:0", "-vn", "-c:a", codec, "-b:a", &rate, "-f", container, "pipe:1",
        ],
    );
    args
}

/// Where a text subtitle comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubtitleInput<'a> {
    /// An embedded track, by absolute stream index.
    Embedded(&'a Source, u32),
    /// A sidecar file (SRT, ASS, …).
    File(&'a Path),
}

/// The arguments converting a text subtitle to WebVTT on stdout.
pub fn subtitle_args(input: &SubtitleInput<'_>) -> Vec<OsString> {
    let mut args = Vec::new();
    push(
        &mut args,
        &["-hide_banner", "-nostdin", "-loglevel", "error"],
    );
    match input {
        SubtitleInput::Embedded(source, index) => {
            args.push("-i".into());
            args.push(source.arg());
            push(&mut args, &["-map", &format!("0:{index}")]);
        }
        SubtitleInput::File(path) => {
            args.push("-i".into());
            args.push(path.as_os_str().to_owned());
            push(&mut args, &["-map", "0:s:0"]);
        }
    }
    push(&mut args, &["-c:s", "webvtt", "-f", "webvtt", "pipe:1"]);
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[OsString]) -> Vec<String> {
        args.iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    fn job<'a>(source: &'a Source, encode: &'a Encode, start: u64, hw: HwAccel) -> HlsJob<'a> {
        HlsJob {
            source,
            encode,
            audio_track: 0,
            burn_subtitle: None,
            start_segment: start,
            segment_secs: 4,
            hwaccel: hw,
            dir: Path::new("/t/720p"),
            playlist: Path::new("/t/720p/run.m3u8"),
        }
    }

    #[test]
    fn a_restart_seeks_and_keeps_numbering_and_timestamps() {
        let source = Source::Path("/m/a.mkv".into());
        let encode = Encode::H264 {
            height: 720,
            kbps: 4000,
        };
        let args = strings(&hls_args(&job(&source, &encode, 5, HwAccel::None))).join(" ");
        assert!(args.contains("-ss 20 -i /m/a.mkv"), "{args}");
        assert!(args.contains("-start_number 5"), "{args}");
        assert!(args.contains("-output_ts_offset 20"), "{args}");
        assert!(args.contains("expr:gte(t,n_forced*4)"), "{args}");
        assert!(args.contains("libx264"), "{args}");
        let args = strings(&hls_args(&job(&source, &encode, 0, HwAccel::None))).join(" ");
        assert!(!args.contains("-ss"), "{args}");
    }

    #[test]
    fn hardware_acceleration_and_copy() {
        let source = Source::Url("http://s/api/v1/stream/1?mt=x".into());
        let encode = Encode::H264 {
            height: 720,
            kbps: 4000,
        };
        let vaapi = strings(&hls_args(&job(&source, &encode, 0, HwAccel::Vaapi))).join(" ");
        assert!(vaapi.contains("-hwaccel vaapi"), "{vaapi}");
        assert!(vaapi.contains("h264_vaapi"), "{vaapi}");
        assert!(vaapi.contains("scale_vaapi=w=-2:h=720"), "{vaapi}");
        let nvenc = strings(&hls_args(&job(&source, &encode, 0, HwAccel::Nvenc))).join(" ");
        assert!(nvenc.contains("-hwaccel cuda") && nvenc.contains("h264_nvenc"));
        let qsv = strings(&hls_args(&job(&source, &encode, 0, HwAccel::Qsv))).join(" ");
        assert!(qsv.contains("h264_qsv"));
        let copy = strings(&hls_args(&job(&source, &Encode::Copy, 0, HwAccel::Vaapi))).join(" ");
        assert!(
            copy.contains("-c:v copy") && !copy.contains("hwaccel"),
            "{copy}"
        );
    }

    #[test]
    fn burned_subtitles_use_an_overlay() {
        let source = Source::Path("/m/a.mkv".into());
        let encode = Encode::H264 {
            height: 480,
            kbps: 1500,
        };
        let mut j = job(&source, &encode, 0, HwAccel::None);
        j.burn_subtitle = Some(3);
        let args = strings(&hls_args(&j)).join(" ");
        assert!(
            args.contains("[0:v:0][0:3]overlay,scale=-2:480[v]"),
            "{args}"
        );
        assert!(args.contains("-map [v]"), "{args}");
    }
}
