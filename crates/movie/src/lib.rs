//! The movie module: films with their metadata and genres, and the `/api/v1/movie` API.

mod api;
pub mod entity;
mod error;
pub mod import;
pub mod repo;
pub mod search;

use revenge_core::{Module, ModuleContext};
use sea_orm_migration::MigrationTrait;
use utoipa_axum::router::OpenApiRouter;

pub use error::MovieError;

/// The movie module, as the server composes it.
#[derive(Debug, Clone, Copy, Default)]
pub struct MovieModule;

impl Module for MovieModule {
    fn id(&self) -> &'static str {
        revenge_migrations::movie::OWNER
    }

    fn name(&self) -> &'static str {
        "Movies"
    }

    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        revenge_migrations::movie::migrations()
    }

    fn router(&self) -> OpenApiRouter<ModuleContext> {
        api::router()
    }

    fn search(&self) -> Option<std::sync::Arc<dyn revenge_core::Searchable>> {
        Some(std::sync::Arc::new(search::MovieSearch))
    }

    fn importer(&self) -> Option<std::sync::Arc<dyn revenge_core::Importer>> {
        Some(std::sync::Arc::new(import::MovieImporter))
    }

    fn artwork<'a>(
        &'a self,
        db: &'a sea_orm::DatabaseConnection,
        viewer: &'a revenge_core::Viewer,
        item_id: revenge_core::Id,
        kind: revenge_core::artwork::ArtKind,
    ) -> revenge_core::ImportFuture<'a, Option<std::path::PathBuf>> {
        Box::pin(async move {
            // The same visibility as the detail: a hidden film has no pictures either.
            match repo::get_movie(db, viewer, item_id).await {
                Ok(_) => {}
                Err(MovieError::NotFound(_)) => return Ok(None),
                Err(e) => return Err(e.to_string()),
            }
            let paths = revenge_core::media_file::absolute_paths_of(db, "movie", item_id)
                .await
                .map_err(|e| e.to_string())?;
            Ok(paths
                .iter()
                .find_map(|video| revenge_core::artwork::find_for_video(video, kind)))
        })
    }

    fn item_ref<'a>(
        &'a self,
        db: &'a sea_orm::DatabaseConnection,
        viewer: &'a revenge_core::Viewer,
        item_id: revenge_core::Id,
    ) -> revenge_core::ImportFuture<'a, Option<revenge_core::ItemRef>> {
        Box::pin(async move {
            match repo::get_movie(db, viewer, item_id).await {
                Ok((movie, _)) => Ok(Some(revenge_core::ItemRef {
                    module: "movie".to_owned(),
                    item_id,
                    library_id: movie.library_id,
                    title: movie.title,
                    rating_level: movie.rating_level,
                })),
                Err(MovieError::NotFound(_)) => Ok(None),
                Err(e) => Err(e.to_string()),
            }
        })
    }
}
