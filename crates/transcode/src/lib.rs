//! On-the-fly transcoding with ffmpeg: HLS sessions with fMP4 segments produced on demand
//! (`engine`), the command lines (`command`), our own playlists (`playlist`), streamed audio and
//! WebVTT subtitles (`media`); the same sessions on a remote transcoder (`remote` is the
//! server's client, `service` the transcoder's HTTP API). Knows nothing of users or the database: the playback crate
//! decides who may transcode what and hands over a source.

pub mod command;
mod engine;
mod error;
pub mod media;
pub mod playlist;
mod remote;
pub mod service;
mod session_table;
mod settings;

pub use command::{AudioFormat, Encode, Source, SubtitleInput};
pub use engine::{LocalEngine, Rendition, SessionInfo, SessionKey, SessionSpec, renditions};
pub use error::TranscodeError;
pub use remote::{RemoteEngine, Transcoder};
pub use service::transcoder_router;
pub use settings::{Backend, HwAccel, RemoteConfig, TranscodeSettings, VariantSettings};
