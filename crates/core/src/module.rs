//! The one trait through which a content module plugs into the server, and the catalogue of
//! every module Revenge knows, compiled in or not.

use sea_orm::DatabaseConnection;
use sea_orm_migration::MigrationTrait;
use utoipa_axum::router::OpenApiRouter;

/// What the server hands every module's routes: the shared services.
#[derive(Debug, Clone)]
pub struct ModuleContext {
    /// The database, SQLite or PostgreSQL.
    pub db: DatabaseConnection,
    /// Where modules publish domain events.
    pub events: crate::EventBus,
    /// The search engine, for modules that answer searches of their own protocol (Subsonic);
    /// `None` when the server runs without search.
    pub search: Option<std::sync::Arc<dyn crate::SearchService>>,
    /// The response cache, for modules that answer a protocol of their own (Subsonic); `None`
    /// in tools and tests that run without one.
    pub answers: Option<std::sync::Arc<dyn crate::AnswerCache>>,
}

/// A content module. The server composes the compiled-in implementations in one cfg-gated list.
pub trait Module: Send + Sync + 'static {
    /// The module's id: its Cargo feature, its config key and its URL prefix `/api/v1/<id>`.
    fn id(&self) -> &'static str;

    /// The module's name as shown to people.
    fn name(&self) -> &'static str;

    /// The module's frozen migrations, oldest first. They run even while the module is disabled
    /// at run time, so that enabling it later never needs a migration step.
    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>>;

    /// The module's HTTP API, mounted at `/api/v1/<id>` while the module is enabled.
    fn router(&self) -> OpenApiRouter<ModuleContext>;

    /// Routes mounted at the server's root, outside `/api/v1` and outside the server's
    /// authentication layer, for protocols that authenticate on their own (the music module's
    /// Subsonic API at `/rest`). They are not in the OpenAPI document.
    fn root_router(&self) -> Option<axum::Router<ModuleContext>> {
        None
    }

    /// How the module takes in scanned files; `None` for modules without files of their own.
    fn importer(&self) -> Option<std::sync::Arc<dyn crate::Importer>> {
        None
    }

    /// The local picture of `kind` for one of the module's items, if `viewer` may see the item
    /// and there is one. Image ids are `<module>.<item>.<kind>`.
    fn artwork<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        viewer: &'a crate::Viewer,
        item_id: crate::Id,
        kind: crate::artwork::ArtKind,
    ) -> crate::ImportFuture<'a, Option<std::path::PathBuf>> {
        let _ = (db, viewer, item_id, kind);
        Box::pin(async { Ok(None) })
    }

    /// The item as events name it, if it exists and `viewer` may see it (library grant and
    /// parental limit). Playback asks this before serving any of the item's files; a module
    /// that does not answer keeps its files unplayable, which is the safe default.
    fn item_ref<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        viewer: &'a crate::Viewer,
        item_id: crate::Id,
    ) -> crate::ImportFuture<'a, Option<crate::ItemRef>> {
        let _ = (db, viewer, item_id);
        Box::pin(async { Ok(None) })
    }

    /// What the module puts in the search index (its document types and how to load them);
    /// `None` for modules with nothing to search.
    fn search(&self) -> Option<std::sync::Arc<dyn crate::Searchable>> {
        None
    }

    /// Whether this is the adult section: then every request from a caller without the adult
    /// capability (or without credentials) answers 404, so its existence is not revealed.
    fn adult(&self) -> bool {
        false
    }
}

/// A module Revenge knows of, whether or not this build compiled it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModuleInfo {
    /// The id (also its Cargo feature name).
    pub id: &'static str,
    /// The name as shown to people.
    pub name: &'static str,
    /// Whether the module runs when compiled in and the config says nothing.
    pub enabled_by_default: bool,
}

const fn module(id: &'static str, name: &'static str) -> ModuleInfo {
    ModuleInfo {
        id,
        name,
        enabled_by_default: true,
    }
}

/// Every module of Revenge, in display order. The adult section (`qar`) is off unless the config
/// turns it on.
pub const KNOWN_MODULES: &[ModuleInfo] = &[
    module("movie", "Movies"),
    module("tvshow", "TV shows"),
    module("music", "Music"),
    module("audiobook", "Audiobooks"),
    module("book", "Books"),
    module("comic", "Comics"),
    module("podcast", "Podcasts"),
    module("photo", "Photos"),
    module("livetv", "Live TV"),
    module("collection", "Collections"),
    ModuleInfo {
        id: "qar",
        name: "Adult",
        enabled_by_default: false,
    },
];

/// Looks a module up in the catalogue.
pub fn known_module(id: &str) -> Option<&'static ModuleInfo> {
    KNOWN_MODULES.iter().find(|m| m.id == id)
}
