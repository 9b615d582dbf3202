//! The TV show module: series with their seasons, episodes and genres, and the
//! `/api/v1/tvshow` API.

mod api;
pub mod entity;
mod error;
pub mod import;
pub mod repo;
pub mod search;

use revenge_core::{Module, ModuleContext};
use sea_orm_migration::MigrationTrait;
use utoipa_axum::router::OpenApiRouter;

pub use error::TvShowError;

/// The TV show module, as the server composes it.
#[derive(Debug, Clone, Copy, Default)]
pub struct TvShowModule;

impl Module for TvShowModule {
    fn id(&self) -> &'static str {
        revenge_migrations::tvshow::OWNER
    }

    fn name(&self) -> &'static str {
        "TV shows"
    }

    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        revenge_migrations::tvshow::migrations()
    }

    fn router(&self) -> OpenApiRouter<ModuleContext> {
        api::router()
    }

    fn search(&self) -> Option<std::sync::Arc<dyn revenge_core::Searchable>> {
        Some(std::sync::Arc::new(search::TvShowSearch))
    }

    fn importer(&self) -> Option<std::sync::Arc<dyn revenge_core::Importer>> {
        Some(std::sync::Arc::new(import::TvShowImporter))
    }

    /// `thumb` is an episode's (the id is the episode's); the others are the series' (the id
    /// is the series').
    fn artwork<'a>(
        &'a self,
        db: &'a sea_orm::DatabaseConnection,
        viewer: &'a revenge_core::Viewer,
        item_id: revenge_core::Id,
        kind: revenge_core::artwork::ArtKind,
    ) -> revenge_core::ImportFuture<'a, Option<std::path::PathBuf>> {
        use revenge_core::artwork::{ArtKind, find_for_video, find_in_folder};
        Box::pin(async move {
            let hidden = |e: &TvShowError| {
                matches!(
                    e,
                    TvShowError::SeriesNotFound(_)
                        | TvShowError::SeasonNotFound(_)
                        | TvShowError::EpisodeNotFound(_)
                )
            };
            let episode_id = if kind == ArtKind::Thumb {
                match repo::get_episode(db, viewer, item_id).await {
                    Ok(episode) => episode.id,
                    Err(e) if hidden(&e) => return Ok(None),
                    Err(e) => return Err(e.to_string()),
                }
            } else {
                match repo::get_series(db, viewer, item_id).await {
                    Ok(_) => {}
                    Err(e) if hidden(&e) => return Ok(None),
                    Err(e) => return Err(e.to_string()),
                }
                // Any episode's file leads to the series folder.
                let mut first = None;
                for season in repo::list_seasons(db, viewer, item_id)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    let episodes = repo::list_episodes(db, viewer, season.id)
                        .await
                        .map_err(|e| e.to_string())?;
                    if let Some(episode) = episodes.first() {
                        first = Some(episode.id);
                        break;
                    }
                }
                match first {
                    Some(id) => id,
                    None => return Ok(None),
                }
            };
            let paths = revenge_core::media_file::absolute_paths_of(db, "tvshow", episode_id)
                .await
                .map_err(|e| e.to_string())?;
            let Some(video) = paths.first() else {
                return Ok(None);
            };
            if kind == ArtKind::Thumb {
                return Ok(find_for_video(video, kind));
            }
            let series_folder = import::series_folder(video);
            Ok(series_folder.and_then(|folder| find_in_folder(&folder, kind)))
        })
    }

    fn item_ref<'a>(
        &'a self,
        db: &'a sea_orm::DatabaseConnection,
        viewer: &'a revenge_core::Viewer,
        item_id: revenge_core::Id,
    ) -> revenge_core::ImportFuture<'a, Option<revenge_core::ItemRef>> {
        Box::pin(async move {
            // Items of this module are episodes; their visibility is their series'.
            let episode = match repo::get_episode(db, viewer, item_id).await {
                Ok(episode) => episode,
                Err(TvShowError::EpisodeNotFound(_)) => return Ok(None),
                Err(e) => return Err(e.to_string()),
            };
            let series = match repo::get_series(db, viewer, episode.series_id).await {
                Ok(info) => info.series,
                Err(TvShowError::SeriesNotFound(_)) => return Ok(None),
                Err(e) => return Err(e.to_string()),
            };
            Ok(Some(revenge_core::ItemRef {
                module: "tvshow".to_owned(),
                item_id,
                library_id: series.library_id,
                title: match &episode.title {
                    Some(title) => format!("{} – {title}", series.title),
                    None => series.title.clone(),
                },
                rating_level: series.rating_level,
            }))
        })
    }
}
