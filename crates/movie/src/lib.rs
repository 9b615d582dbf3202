//! The movie module: films with their metadata and genres, and the `/api/v1/movie` API.

mod api;
pub mod entity;
mod error;
pub mod import;
pub mod repo;

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

    fn importer(&self) -> Option<std::sync::Arc<dyn revenge_core::Importer>> {
        Some(std::sync::Arc::new(import::MovieImporter))
    }
}
