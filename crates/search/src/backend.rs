//! The one interface over both engines: [`Backend`] (an enum, so async methods need no boxing)
//! and the request and result types they share.

use std::collections::HashMap;

use revenge_core::{Id, KindPage, LibraryScope, SearchDocument, SearchMatches, Viewer};
use serde::Serialize;
use utoipa::ToSchema;

use crate::SearchError;
use crate::embedded::EmbeddedIndex;

/// Rating level stored for unrated items: above every real level, so a parental limit (a
/// range up to the limit) excludes them, as lists do.
pub const UNRATED: i64 = 1000;

/// Who is searching, reduced to what the engines filter on inside the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessFilter {
    /// Only these libraries (`None`: every library).
    pub libraries: Option<Vec<Id>>,
    /// Only items rated at most this (unrated items excluded).
    pub max_rating_level: Option<i32>,
    /// Whether adult items may appear.
    pub adult: bool,
}

impl AccessFilter {
    /// What `viewer` may see.
    pub fn of(viewer: &Viewer) -> Self {
        Self {
            libraries: match &viewer.libraries {
                LibraryScope::All => None,
                LibraryScope::Only(ids) => Some(ids.clone()),
            },
            max_rating_level: viewer.max_rating_level,
            adult: viewer.capabilities.adult,
        }
    }

    /// No restriction (background work, tests).
    pub fn everything() -> Self {
        Self {
            libraries: None,
            max_rating_level: None,
            adult: true,
        }
    }

    /// Whether the filter can match nothing at all (no library granted).
    pub fn is_empty(&self) -> bool {
        self.libraries.as_ref().is_some_and(Vec::is_empty)
    }
}

/// One search.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// What was typed; empty lists everything visible.
    pub q: String,
    /// Only these document types (empty: all).
    pub types: Vec<String>,
    /// Page size.
    pub limit: usize,
    /// Hits to skip (from the cursor).
    pub offset: usize,
    /// The caller's access, applied inside the query.
    pub access: AccessFilter,
}

/// One query ranked separately for each document type: a page per type.
#[derive(Debug, Clone)]
pub struct KindsRequest {
    /// What was typed; empty lists everything visible.
    pub q: String,
    /// The types and their pages, answered in this order.
    pub pages: Vec<KindPage>,
    /// The caller's access, applied inside the query.
    pub access: AccessFilter,
}

/// One hit.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SearchHit {
    /// The document id (`movie.movie.7`).
    pub id: String,
    /// The document type (`movie`, `series`, `episode`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The module.
    pub module: String,
    /// The item's id within its module (what the module's API takes).
    pub item_id: Id,
    /// The title.
    pub title: String,
    /// The year.
    pub year: Option<i32>,
    /// A second line (`Breaking Bad S01E03`).
    pub subtitle: Option<String>,
    /// The image id, for `/api/v1/images/{id}`.
    pub image: Option<String>,
}

impl SearchHit {
    /// The hit of a document.
    pub fn of(doc: &SearchDocument) -> Self {
        Self {
            id: doc.id.clone(),
            kind: doc.kind.clone(),
            module: doc.module.clone(),
            item_id: doc.item_id,
            title: doc.title.clone(),
            year: doc.year,
            subtitle: doc.subtitle.clone(),
            image: doc.image.clone(),
        }
    }
}

/// A facet value and how many hits have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FacetCount {
    /// The value (a type name, a year, a genre).
    pub value: String,
    /// Hits with this value.
    pub count: u64,
}

/// Counts of the hits by type, year and genre (over all hits, not just the page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Facets {
    /// By document type.
    #[serde(rename = "type")]
    pub kind: Vec<FacetCount>,
    /// By year.
    pub year: Vec<FacetCount>,
    /// By genre.
    pub genre: Vec<FacetCount>,
}

impl Facets {
    /// Sorts each list by count (descending), then value, as both engines should answer.
    pub fn normalize(mut self) -> Self {
        for list in [&mut self.kind, &mut self.year, &mut self.genre] {
            list.retain(|f| f.count > 0);
            list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        }
        self
    }
}

/// What a search found.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    /// Every hit the caller may see.
    pub total: u64,
    /// This page.
    pub hits: Vec<SearchHit>,
    /// Counts over all hits.
    pub facets: Facets,
}

/// A stable digest of a document: reconciliation compares the index's with the database's.
/// Sixteen hex digits, [`fingerprint_bits`] written out.
pub fn fingerprint(doc: &SearchDocument) -> String {
    fingerprint_text(fingerprint_bits(doc))
}

/// A fingerprint kept as bits, written as [`fingerprint`] writes it.
pub(crate) fn fingerprint_text(bits: u64) -> String {
    format!("{bits:016x}")
}

/// A document's digest as the embedded index keeps it: the first 8 bytes of the SHA-256 of
/// its JSON.
pub(crate) fn fingerprint_bits(doc: &SearchDocument) -> u64 {
    use sha2::{Digest, Sha256};
    let json = serde_json::to_vec(doc).unwrap_or_default();
    let digest = Sha256::digest(&json);
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// A search engine.
#[derive(Debug, Clone)]
pub enum Backend {
    /// The tantivy index in the data directory.
    Embedded(EmbeddedIndex),
    /// Typesense.
    #[cfg(feature = "typesense")]
    Typesense(crate::typesense::TypesenseIndex),
}

impl Backend {
    /// The engine's name, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Embedded(_) => "embedded",
            #[cfg(feature = "typesense")]
            Backend::Typesense(_) => "typesense",
        }
    }

    /// Adds or replaces documents (by id).
    pub async fn upsert(&self, docs: &[SearchDocument]) -> Result<(), SearchError> {
        if docs.is_empty() {
            return Ok(());
        }
        match self {
            Backend::Embedded(index) => index.upsert(docs).await,
            #[cfg(feature = "typesense")]
            Backend::Typesense(index) => index.upsert(docs).await,
        }
    }

    /// How many documents a reindex writes per call of [`Backend::upsert`]. The embedded index
    /// commits (and reloads its reader) once per call, which costs far more than the documents,
    /// so it takes large batches; Typesense takes one HTTP import per call, kept to a size a
    /// request timeout allows.
    pub fn write_batch(&self) -> usize {
        match self {
            Backend::Embedded(_) => 10_000,
            #[cfg(feature = "typesense")]
            Backend::Typesense(_) => 500,
        }
    }

    /// Removes documents by id (missing ones are fine).
    pub async fn delete(&self, ids: &[String]) -> Result<(), SearchError> {
        if ids.is_empty() {
            return Ok(());
        }
        match self {
            Backend::Embedded(index) => index.delete(ids).await,
            #[cfg(feature = "typesense")]
            Backend::Typesense(index) => index.delete(ids).await,
        }
    }

    /// Searches.
    pub async fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        if request.access.is_empty() {
            // No library granted: nothing can match; no need to ask the engine.
            return Ok(SearchResults {
                total: 0,
                hits: Vec::new(),
                facets: Facets::default(),
            });
        }
        match self {
            Backend::Embedded(index) => index.search(request).await,
            #[cfg(feature = "typesense")]
            Backend::Typesense(index) => index.search(request).await,
        }
    }

    /// Searches once, one page of matches per document type.
    pub async fn search_kinds(
        &self,
        request: &KindsRequest,
    ) -> Result<Vec<SearchMatches>, SearchError> {
        if request.access.is_empty() {
            return Ok(vec![SearchMatches::default(); request.pages.len()]);
        }
        match self {
            Backend::Embedded(index) => index.search_kinds(request).await,
            #[cfg(feature = "typesense")]
            Backend::Typesense(index) => index.search_kinds(request).await,
        }
    }

    /// Every document id in the index with its fingerprint.
    pub async fn fingerprints(&self) -> Result<HashMap<String, String>, SearchError> {
        match self {
            Backend::Embedded(index) => index.fingerprints().await,
            #[cfg(feature = "typesense")]
            Backend::Typesense(index) => index.fingerprints().await,
        }
    }
}
