//! [`Search`]: the engine in use, the modules' document sources, and the operations on them —
//! search (with the fallback), index items, full reindex and reconciliation.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use revenge_core::{Id, SearchDocument, SearchKind, SearchMatches, Searchable};
use sea_orm::DatabaseConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::SearchError;
use crate::backend::{Backend, KindsRequest, SearchRequest, SearchResults, fingerprint};
use crate::embedded::EmbeddedIndex;
use crate::settings::{BackendKind, SearchSettings};

/// A module's document source.
#[derive(Clone)]
pub struct Source {
    /// The module id (as item events name it).
    pub module: String,
    /// Its documents.
    pub searchable: Arc<dyn Searchable>,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("module", &self.module)
            .finish()
    }
}

/// What a reconciliation (or reindex) found and did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReconcileReport {
    /// Documents in the database.
    pub documents: u64,
    /// In the database, not in the index: added.
    pub missing: u64,
    /// In both, but the index's copy differs: replaced.
    pub stale: u64,
    /// In the index, not in the database: removed.
    pub orphaned: u64,
}

impl std::fmt::Display for ReconcileReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} documents: {} missing, {} stale, {} orphaned",
            self.documents, self.missing, self.stale, self.orphaned
        )
    }
}

/// The search service. Cloning shares it.
#[derive(Clone, Debug)]
pub struct Search {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    backend: Backend,
    /// The embedded index kept alongside Typesense, answering while it is down.
    fallback: Option<Backend>,
    db: DatabaseConnection,
    sources: Vec<Source>,
}

impl Search {
    /// Opens the configured engine (the embedded index lives in `<data_dir>/search`). Typesense
    /// is not contacted here: a server that is down does not stop the start-up.
    pub fn open(
        settings: &SearchSettings,
        data_dir: &Path,
        db: DatabaseConnection,
        sources: Vec<Source>,
    ) -> Result<Self, SearchError> {
        let embedded = || -> Result<Backend, SearchError> {
            Ok(Backend::Embedded(EmbeddedIndex::open(
                &data_dir.join("search"),
            )?))
        };
        let (backend, fallback) = match settings.backend {
            BackendKind::Embedded => (embedded()?, None),
            #[cfg(feature = "typesense")]
            BackendKind::Typesense => {
                let typesense =
                    Backend::Typesense(crate::typesense::TypesenseIndex::new(&settings.typesense)?);
                let fallback = if settings.fallback_to_embedded {
                    Some(embedded()?)
                } else {
                    None
                };
                (typesense, fallback)
            }
            #[cfg(not(feature = "typesense"))]
            BackendKind::Typesense => {
                return Err(SearchError::Settings(
                    "this build has no Typesense support (feature `typesense`)".to_owned(),
                ));
            }
        };
        Ok(Self::with_backend(backend, fallback, db, sources))
    }

    /// A service over a given engine (tests).
    pub fn with_backend(
        backend: Backend,
        fallback: Option<Backend>,
        db: DatabaseConnection,
        sources: Vec<Source>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                backend,
                fallback,
                db,
                sources,
            }),
        }
    }

    /// The engine in use.
    pub fn backend(&self) -> &Backend {
        &self.inner.backend
    }

    /// Every document type the modules registered.
    pub fn kinds(&self) -> Vec<SearchKind> {
        self.inner
            .sources
            .iter()
            .flat_map(|s| s.searchable.kinds())
            .collect()
    }

    /// Whether the module's documents have parents that an item's removal may leave orphaned
    /// (series of a removed episode): then a reconciliation follows removals.
    pub fn has_parents(&self, module: &str) -> bool {
        self.source(module)
            .is_some_and(|s| s.searchable.kinds().len() > 1)
    }

    fn source(&self, module: &str) -> Option<&Source> {
        self.inner.sources.iter().find(|s| s.module == module)
    }

    /// Searches, falling back to the embedded index when configured and the engine is down.
    pub async fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        self.with_fallback(|backend| backend.search(request)).await
    }

    /// Searches once, one page of matches per document type, with the same fallback.
    pub async fn search_kinds(
        &self,
        request: &KindsRequest,
    ) -> Result<Vec<SearchMatches>, SearchError> {
        self.with_fallback(|backend| backend.search_kinds(request))
            .await
    }

    async fn with_fallback<'a, T, F>(
        &'a self,
        ask: impl Fn(&'a Backend) -> F,
    ) -> Result<T, SearchError>
    where
        F: Future<Output = Result<T, SearchError>>,
    {
        match ask(&self.inner.backend).await {
            Err(SearchError::Unavailable(why)) => match &self.inner.fallback {
                Some(fallback) => {
                    tracing::warn!(error = %why, "search engine unavailable; answering from the embedded index");
                    ask(fallback).await
                }
                None => Err(SearchError::Unavailable(why)),
            },
            other => other,
        }
    }

    async fn write_upsert(&self, docs: &[SearchDocument]) -> Result<(), SearchError> {
        if let Some(fallback) = &self.inner.fallback {
            fallback.upsert(docs).await?;
        }
        self.inner.backend.upsert(docs).await
    }

    async fn write_delete(&self, ids: &[String]) -> Result<(), SearchError> {
        if let Some(fallback) = &self.inner.fallback {
            fallback.delete(ids).await?;
        }
        self.inner.backend.delete(ids).await
    }

    /// Brings the index up to date with the named items (module, item id): what an index job
    /// does after item events. Idempotent.
    pub async fn index_items(&self, items: &[(String, Id)]) -> Result<(usize, usize), SearchError> {
        let mut upsert: HashMap<String, SearchDocument> = HashMap::new();
        let mut delete: HashSet<String> = HashSet::new();
        for (module, item_id) in items {
            let Some(source) = self.source(module) else {
                continue;
            };
            let docs = source
                .searchable
                .item_documents(&self.inner.db, *item_id)
                .await
                .map_err(SearchError::Load)?;
            for id in docs.delete {
                upsert.remove(&id);
                delete.insert(id);
            }
            for doc in docs.upsert {
                delete.remove(&doc.id);
                upsert.insert(doc.id.clone(), doc);
            }
        }
        let upsert: Vec<SearchDocument> = upsert.into_values().collect();
        let delete: Vec<String> = delete.into_iter().collect();
        self.write_upsert(&upsert).await?;
        self.write_delete(&delete).await?;
        Ok((upsert.len(), delete.len()))
    }

    /// Compares the database with the index and repairs the difference: missing and stale
    /// documents are written, orphans removed. With `force`, every document is written again
    /// (a full reindex). `progress` hears (done, total so far) as batches are written.
    ///
    /// One module's documents are in memory at a time, and only those to write are kept: a
    /// start-up reconciliation of a large library that finds nothing to do must not leave the
    /// process holding every document it compared.
    pub async fn reconcile_with(
        &self,
        force: bool,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<ReconcileReport, SearchError> {
        let mut report = ReconcileReport::default();
        let mut backends = vec![&self.inner.backend];
        backends.extend(self.inner.fallback.as_ref());
        for (n, backend) in backends.into_iter().enumerate() {
            // What is left in here once every module has been compared are the orphans.
            let mut indexed = backend.fingerprints().await?;
            let mut counts = ReconcileReport::default();
            let (mut done, mut total) = (0, 0);
            for source in &self.inner.sources {
                let docs = source
                    .searchable
                    .all_documents(&self.inner.db)
                    .await
                    .map_err(SearchError::Load)?;
                counts.documents += docs.len() as u64;
                let mut write = Vec::new();
                for doc in docs {
                    match indexed.remove(&doc.id) {
                        None => {
                            counts.missing += 1;
                            write.push(doc);
                        }
                        Some(print) if print != fingerprint(&doc) => {
                            counts.stale += 1;
                            write.push(doc);
                        }
                        Some(_) if force => write.push(doc),
                        Some(_) => {}
                    }
                }
                total += write.len() as u64;
                for chunk in write.chunks(backend.write_batch()) {
                    backend.upsert(chunk).await?;
                    done += chunk.len() as u64;
                    progress(done, total);
                }
            }
            let orphans: Vec<String> = indexed.into_keys().collect();
            counts.orphaned = orphans.len() as u64;
            for chunk in orphans.chunks(backend.write_batch()) {
                backend.delete(chunk).await?;
            }
            tracing::info!(backend = backend.name(), force, %counts, "search index reconciled");
            if n == 0 {
                report = counts;
            }
        }
        revenge_core::memory::release_free_heap();
        Ok(report)
    }

    /// [`Search::reconcile_with`] without progress.
    pub async fn reconcile(&self, force: bool) -> Result<ReconcileReport, SearchError> {
        self.reconcile_with(force, |_, _| {}).await
    }
}

/// Longest query passed on, as `/api/v1/search` does.
const MAX_QUERY_CHARS: usize = 200;

/// How modules ask this service (through `ModuleContext::search`): the same engine, fallback
/// and access filters as `/api/v1/search`.
impl revenge_core::SearchService for Search {
    fn query<'a>(
        &'a self,
        viewer: &'a revenge_core::Viewer,
        query: revenge_core::SearchQuery,
    ) -> revenge_core::SearchFuture<'a> {
        use revenge_core::SearchServiceError;
        Box::pin(async move {
            let request = KindsRequest {
                q: query.q.chars().take(MAX_QUERY_CHARS).collect(),
                pages: query.pages,
                access: crate::AccessFilter::of(viewer),
            };
            match self.search_kinds(&request).await {
                Ok(found) => Ok(found),
                Err(SearchError::Unavailable(why)) => Err(SearchServiceError::Unavailable(why)),
                Err(other) => Err(SearchServiceError::Failed(other.to_string())),
            }
        })
    }
}
