//! The transcoder's settings, as the `transcoding:` section of the server's config holds them.

use std::path::PathBuf;

use serde::Deserialize;

/// Everything the transcoder can be told.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TranscodeSettings {
    /// The ffmpeg program (a path, or a name looked up on `PATH`).
    pub ffmpeg: PathBuf,
    /// Where sessions keep their segments; the system temp dir's `revenge-transcode` when unset.
    pub temp_dir: Option<PathBuf>,
    /// Transcodes running at once; the next one is refused with 503.
    pub max_concurrent: usize,
    /// A session nobody asked anything of for this long is stopped and its files deleted.
    pub idle_timeout_secs: u64,
    /// Length of one HLS segment. Fixed, so that segment numbers stay stable across restarts.
    pub segment_secs: u32,
    /// How long a request waits for ffmpeg to produce a segment before it fails.
    pub segment_wait_secs: u64,
    /// Hardware acceleration passed through to ffmpeg.
    pub hwaccel: HwAccel,
    /// The renditions offered besides the original-quality copy, largest first.
    pub variants: Vec<VariantSettings>,
    /// Transcode here or on a remote transcoder.
    pub backend: Backend,
    /// The remote transcoder, for `backend: remote`.
    pub remote: Option<RemoteSettings>,
}

impl Default for TranscodeSettings {
    fn default() -> Self {
        Self {
            ffmpeg: PathBuf::from("ffmpeg"),
            temp_dir: None,
            max_concurrent: 2,
            idle_timeout_secs: 60,
            segment_secs: 4,
            segment_wait_secs: 30,
            hwaccel: HwAccel::None,
            variants: vec![
                VariantSettings::new("1080p", 1080, 8000),
                VariantSettings::new("720p", 720, 4000),
                VariantSettings::new("480p", 480, 1500),
            ],
            backend: Backend::Local,
            remote: None,
        }
    }
}

impl TranscodeSettings {
    /// Where session directories go.
    pub fn temp_root(&self) -> PathBuf {
        self.temp_dir
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("revenge-transcode"))
    }
}

/// One rendition of the HLS ladder.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantSettings {
    /// Its name, also its URL segment (`720p`).
    pub name: String,
    /// Output height in pixels; the width follows the aspect ratio.
    pub height: u32,
    /// Video bitrate in kbit/s.
    pub video_kbps: u32,
}

impl VariantSettings {
    /// A rendition.
    pub fn new(name: &str, height: u32, video_kbps: u32) -> Self {
        Self {
            name: name.to_owned(),
            height,
            video_kbps,
        }
    }
}

/// Hardware acceleration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HwAccel {
    /// Software (libx264): works everywhere.
    #[default]
    None,
    /// VA-API (Intel, AMD) through `/dev/dri/renderD128`.
    Vaapi,
    /// NVIDIA NVENC.
    Nvenc,
    /// Intel Quick Sync.
    Qsv,
}

/// Where transcodes run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// ffmpeg runs in this process's machine.
    #[default]
    Local,
    /// A `revenge transcoder` elsewhere does the work.
    Remote,
}

/// How to reach a remote transcoder.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteSettings {
    /// Its base URL (`http://gpu-box:8097`).
    pub url: String,
    /// The shared secret both sides are configured with.
    pub secret: String,
    /// How the transcoder reaches this server to read sources (`http://media:8096`); the
    /// request's `Host` is used when unset.
    pub callback_url: Option<String>,
}
