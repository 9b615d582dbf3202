//! What a content module tells the search index: the document types it owns and how to load
//! their documents from the database, for a full reindex and for one item after an event. And
//! the other way round, [`SearchService`]: how a module asks the same engine a question (the
//! music module's Subsonic `search2`/`search3`) without depending on the search crate.

use std::future::Future;
use std::pin::Pin;

use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use crate::{Id, ImportFuture, Viewer};

/// One searchable thing, in the shape every search backend indexes. Its fields are the same
/// for every module, so results of all types share one ranking, one filter and one set of facets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDocument {
    /// `<module>.<kind>.<item_id>`, e.g. `movie.movie.7` or `tvshow.episode.12`.
    pub id: String,
    /// The document type (`movie`, `series`, `episode`): what `types=` filters on.
    pub kind: String,
    /// The module it belongs to.
    pub module: String,
    /// The item's id within the module.
    pub item_id: Id,
    /// The title.
    pub title: String,
    /// The original title, when it differs.
    pub original_title: Option<String>,
    /// The year, when known.
    pub year: Option<i32>,
    /// Genres.
    pub genres: Vec<String>,
    /// The library: access is granted per library.
    pub library_id: Id,
    /// The parental rating level (an age); `None` when unrated, hidden under any limit.
    pub rating_level: Option<i32>,
    /// Whether the item belongs to the adult section.
    pub adult: bool,
    /// Popularity/recency signal, higher ranks first among equally relevant hits (the time
    /// the item was added, in seconds since the epoch).
    pub popularity: i64,
    /// A second line for display (`Breaking Bad S01E03`), also searched.
    pub subtitle: Option<String>,
    /// The image id of its picture (`movie.7.poster`), for `/api/v1/images/{id}`.
    pub image: Option<String>,
}

impl SearchDocument {
    /// The document id of an item: `<module>.<kind>.<item_id>`.
    pub fn id_of(module: &str, kind: &str, item_id: Id) -> String {
        format!("{module}.{kind}.{item_id}")
    }
}

/// A document type a module registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchKind {
    /// The type name (`movie`, `series`, `episode`), unique across modules.
    pub name: &'static str,
    /// What people call it.
    pub label: &'static str,
}

/// The documents one item's change touches: the item's own and those of its parents (an
/// episode's series). Ids in `delete` are removed from the index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemDocuments {
    /// Documents to add or replace.
    pub upsert: Vec<SearchDocument>,
    /// Document ids to remove (the item is gone, or now hidden from search).
    pub delete: Vec<String>,
}

/// How a module feeds the search index.
pub trait Searchable: Send + Sync + 'static {
    /// The document types this module owns.
    fn kinds(&self) -> Vec<SearchKind>;

    /// Every document of the module, for a full reindex and for reconciliation.
    fn all_documents<'a>(
        &'a self,
        db: &'a DatabaseConnection,
    ) -> ImportFuture<'a, Vec<SearchDocument>>;

    /// The documents touched by a change to the item `item_id` (as item events name it).
    fn item_documents<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        item_id: Id,
    ) -> ImportFuture<'a, ItemDocuments>;
}

/// A question a module puts to the search engine on behalf of a viewer: one query, ranked
/// separately for each document type asked for (Subsonic's `search3` wants the best artists,
/// albums and songs at once, each with its own page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// What was typed (the last word matches as a prefix, typos are forgiven).
    pub q: String,
    /// One page per document type, answered in this order.
    pub pages: Vec<KindPage>,
}

/// The page of one document type a [`SearchQuery`] asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindPage {
    /// The document type (`track`).
    pub kind: String,
    /// Page size.
    pub limit: usize,
    /// Hits of this type to skip.
    pub offset: usize,
}

/// What the engine found for one [`KindPage`]: how many documents of the type the viewer may
/// see match, and this page of them, best first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchMatches {
    /// Matches in all pages.
    pub total: u64,
    /// This page's item ids (within their module), best first.
    pub item_ids: Vec<Id>,
}

/// Why a search through [`SearchService`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchServiceError {
    /// The engine cannot be reached (Typesense down): callers may answer from the database.
    #[error("the search engine is unavailable: {0}")]
    Unavailable(String),
    /// Anything else.
    #[error("search failed: {0}")]
    Failed(String),
}

/// The future a [`SearchService`] returns.
pub type SearchFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<SearchMatches>, SearchServiceError>> + Send + 'a>>;

/// The search engine as modules see it: the server hands one to every module (in
/// `ModuleContext::search`, `None` when search is off), filled with the search crate's service,
/// so modules query the one index without depending on that crate.
pub trait SearchService: std::fmt::Debug + Send + Sync + 'static {
    /// Searches what `viewer` may see: library, parental and adult filters are part of the
    /// engine's query, as for `/api/v1/search`. One answer per page asked for, in order.
    fn query<'a>(&'a self, viewer: &'a Viewer, query: SearchQuery) -> SearchFuture<'a>;
}
