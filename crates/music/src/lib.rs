//! The music module: artists, albums and tracks read from audio tags, the `/api/v1/music` API,
//! and the Subsonic / OpenSubsonic API at `/rest` for the many existing music apps.

mod api;
pub mod cover;
pub mod entity;
mod error;
pub mod import;
pub mod lyrics;
pub mod repo;
pub mod search;
pub mod stream;
pub mod subsonic;
pub mod tags;
pub mod user_data;

use revenge_core::{Module, ModuleContext};
use sea_orm_migration::MigrationTrait;
use utoipa_axum::router::OpenApiRouter;

pub use error::MusicError;

/// The music module, as the server composes it.
#[derive(Debug, Clone, Copy, Default)]
pub struct MusicModule;

impl Module for MusicModule {
    fn id(&self) -> &'static str {
        revenge_migrations::music::OWNER
    }

    fn name(&self) -> &'static str {
        "Music"
    }

    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        revenge_migrations::music::migrations()
    }

    fn router(&self) -> OpenApiRouter<ModuleContext> {
        api::router()
    }

    fn root_router(&self) -> Option<axum::Router<ModuleContext>> {
        Some(subsonic::router())
    }

    fn search(&self) -> Option<std::sync::Arc<dyn revenge_core::Searchable>> {
        Some(std::sync::Arc::new(search::MusicSearch))
    }

    fn importer(&self) -> Option<std::sync::Arc<dyn revenge_core::Importer>> {
        Some(std::sync::Arc::new(import::MusicImporter))
    }

    /// Image ids are `music.<album id>.poster`: albums are what covers belong to.
    fn artwork<'a>(
        &'a self,
        db: &'a sea_orm::DatabaseConnection,
        viewer: &'a revenge_core::Viewer,
        item_id: revenge_core::Id,
        kind: revenge_core::artwork::ArtKind,
    ) -> revenge_core::ImportFuture<'a, Option<std::path::PathBuf>> {
        Box::pin(async move {
            if kind != revenge_core::artwork::ArtKind::Poster {
                return Ok(None);
            }
            let track = match repo::first_track_of_album(db, viewer, item_id).await {
                Ok(track) => track,
                Err(MusicError::NotFound(_)) => return Ok(None),
                Err(e) => return Err(e.to_string()),
            };
            let path = match repo::track_path(db, viewer, track.id).await {
                Ok(path) => path,
                Err(MusicError::NotFound(_)) => return Ok(None),
                Err(e) => return Err(e.to_string()),
            };
            let cache = std::env::temp_dir().join("revenge-music-covers");
            tokio::task::spawn_blocking(move || cover::as_file(&path, track.has_cover, &cache))
                .await
                .map_err(|e| e.to_string())
        })
    }
}
