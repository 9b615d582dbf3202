//! The TV show module: series with their seasons, episodes and genres, and the
//! `/api/v1/tvshow` API.

mod api;
pub mod entity;
mod error;
pub mod import;
pub mod repo;

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

    fn importer(&self) -> Option<std::sync::Arc<dyn revenge_core::Importer>> {
        Some(std::sync::Arc::new(import::TvShowImporter))
    }
}
