//! Playing media: `/api/v1/stream/{file_id}` (the original with HTTP ranges), playback
//! decisions (`/api/v1/playback/{file_id}/info`), HLS transcode sessions, and per-user progress
//! (resume, played marks, "continue watching"). Files are found by id and checked against the
//! viewer through the owning module; content modules are handed in, never depended on.

mod api;
pub mod decide;
mod error;
pub mod files;
mod hls;
pub mod progress;
pub mod range;
mod stream;

use std::sync::Arc;

use revenge_auth::AuthService;
use revenge_core::{EventBus, Module};
use revenge_hooks::HookRunner;
use revenge_transcode::Transcoder;
use sea_orm::DatabaseConnection;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::PlaybackError;
pub use progress::ProgressRules;

/// What the playback routes need.
#[derive(Clone)]
pub struct Playback {
    /// The database.
    pub db: DatabaseConnection,
    /// The enabled modules, which decide who may see their items.
    pub modules: Arc<Vec<Arc<dyn Module>>>,
    /// Where `playback.started/stopped` go.
    pub events: EventBus,
    /// Signs media tokens for URLs handed to players.
    pub auth: AuthService,
    /// The `pre_transcode` hook.
    pub hooks: HookRunner,
    /// The transcoder: ffmpeg here, or a remote transcoder.
    pub transcoder: Transcoder,
    /// Played and resume thresholds.
    pub rules: ProgressRules,
}

impl std::fmt::Debug for Playback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Playback")
            .field("rules", &self.rules)
            .finish_non_exhaustive()
    }
}

/// Every playback route, at its absolute path.
pub fn router() -> OpenApiRouter<Playback> {
    OpenApiRouter::new()
        .routes(routes!(stream::stream))
        .routes(routes!(api::info))
        .routes(routes!(api::progress))
        .routes(routes!(api::continue_watching))
        .routes(routes!(api::item_state))
        .routes(routes!(api::mark_played, api::mark_unplayed))
        .routes(routes!(api::subtitle))
        .routes(routes!(api::audio))
        .routes(routes!(hls::master))
        .routes(routes!(hls::variant))
        .routes(routes!(hls::init))
        .routes(routes!(hls::segment))
        .routes(routes!(hls::stop))
}
