//! The Typesense backend (feature `typesense`), through the `typesense` client crate. One
//! collection (`<prefix>items`), created on first use so a server that is down at start-up
//! delays nothing. Access filters go into `filter_by`. A network failure or a 5xx answer is
//! [`SearchError::Unavailable`]: searches answer 503 (or fall back), index jobs retry.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use revenge_core::{SearchDocument, SearchMatches};
use serde_json::{Value, json};
use typesense::models::{
    CollectionSchema, DeleteDocumentsParameters, Field, ImportDocumentsParameters, IndexAction,
    MultiSearchBody, MultiSearchCollectionParameters, MultiSearchParameters, MultiSearchResultItem,
};
use typesense::{Client, ExponentialBackoff, NodeConfig};

use crate::SearchError;
use crate::backend::{
    FacetCount, Facets, KindsRequest, SearchHit, SearchRequest, SearchResults, UNRATED, fingerprint,
};
use crate::settings::TypesenseSettings;

/// Typesense answers at most this many hits per page.
const MAX_PER_PAGE: usize = 250;

/// A Typesense collection holding every module's documents.
#[derive(Clone)]
pub struct TypesenseIndex {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    http: reqwest::Client,
    nodes: Vec<String>,
    api_key: String,
    collection: String,
    ready: AtomicBool,
}

impl std::fmt::Debug for TypesenseIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypesenseIndex")
            .field("nodes", &self.inner.nodes)
            .field("collection", &self.inner.collection)
            .finish_non_exhaustive()
    }
}

/// What went wrong talking to Typesense, by HTTP status where there is one.
fn classify<E>(error: &typesense::Error<E>) -> (Option<u16>, String)
where
    E: std::fmt::Debug + 'static,
    typesense::ApiError<E>: std::error::Error + 'static,
{
    let api = match error {
        typesense::Error::AllNodesFailed { source } | typesense::Error::Api(source) => source,
        typesense::Error::Deserialization(e) => return (Some(200), e.to_string()),
    };
    match api {
        typesense::ApiError::ResponseError(content) => {
            (Some(content.status.as_u16()), content.content.clone())
        }
        other => (None, other.to_string()),
    }
}

fn to_search_error(status: Option<u16>, message: String) -> SearchError {
    match status {
        None | Some(500..) => SearchError::Unavailable(message),
        Some(_) => SearchError::Engine(message),
    }
}

fn filter_string(value: &str) -> String {
    format!("`{}`", value.replace('`', ""))
}

impl TypesenseIndex {
    /// A client for the configured nodes (nothing is contacted yet).
    pub fn new(settings: &TypesenseSettings) -> Result<Self, SearchError> {
        if settings.nodes.is_empty() {
            return Err(SearchError::Settings(
                "search.typesense.nodes is empty".to_owned(),
            ));
        }
        let timeout = Duration::from_millis(settings.timeout_ms.max(100));
        let nodes: Vec<NodeConfig> = settings
            .nodes
            .iter()
            .map(|url| {
                NodeConfig::new(url.clone())
                    .http_builder(move |b| b.timeout(timeout).connect_timeout(timeout))
            })
            .collect();
        let client = Client::builder()
            .nodes(nodes)
            .api_key(settings.api_key.clone())
            // A node that failed is tried again soon: outages here are restarts.
            .healthcheck_interval(Duration::from_secs(1))
            // Jobs retry with their own backoff; a search should fail fast.
            .retry_policy(ExponentialBackoff::builder().build_with_max_retries(0))
            .build()
            .map_err(|e| SearchError::Settings(e.to_owned()))?;
        let http = reqwest::Client::builder()
            .timeout(timeout.max(Duration::from_secs(30)))
            .build()
            .map_err(|e| SearchError::Settings(e.to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                client,
                http,
                nodes: settings
                    .nodes
                    .iter()
                    .map(|n| n.trim_end_matches('/').to_owned())
                    .collect(),
                api_key: settings.api_key.clone(),
                collection: format!("{}items", settings.collection_prefix),
                ready: AtomicBool::new(false),
            }),
        })
    }

    /// The collection's name.
    pub fn collection(&self) -> &str {
        &self.inner.collection
    }

    fn schema(&self) -> CollectionSchema<'static> {
        let field = |name: &str, kind: &str| Field::new(name.to_owned(), kind.to_owned());
        let optional = |mut f: Field| {
            f.optional = Some(true);
            f
        };
        let facet = |mut f: Field| {
            f.facet = Some(true);
            f
        };
        let unindexed = |mut f: Field| {
            f.index = Some(false);
            f.optional = Some(true);
            f
        };
        let fields = vec![
            facet(field("kind", "string")),
            field("module", "string"),
            field("item_id", "int64"),
            field("title", "string"),
            optional(field("original_title", "string")),
            optional(field("subtitle", "string")),
            optional(facet(field("year", "int32"))),
            optional(facet(field("genres", "string[]"))),
            field("library_id", "int64"),
            field("rating_level", "int32"),
            field("adult", "bool"),
            field("popularity", "int64"),
            unindexed(field("image", "string")),
            unindexed(field("fingerprint", "string")),
        ];
        let mut schema = CollectionSchema::new(self.inner.collection.clone().into(), fields);
        schema.default_sorting_field = Some("popularity".into());
        schema
    }

    /// Creates the collection unless it exists.
    pub async fn ensure_collection(&self) -> Result<(), SearchError> {
        if self.inner.ready.load(Ordering::Acquire) {
            return Ok(());
        }
        let client = &self.inner.client;
        match client
            .collection_schemaless(self.inner.collection.as_str())
            .retrieve()
            .await
        {
            Ok(_) => {}
            Err(e) => match classify(&e) {
                (Some(404), _) => match client.collections().create(self.schema()).await {
                    Ok(_) => {}
                    // Created meanwhile by another instance.
                    Err(e) if classify(&e).0 == Some(409) => {}
                    Err(e) => {
                        let (status, message) = classify(&e);
                        return Err(to_search_error(status, message));
                    }
                },
                (status, message) => return Err(to_search_error(status, message)),
            },
        }
        self.inner.ready.store(true, Ordering::Release);
        Ok(())
    }

    /// After a 404 the collection may be gone: check again next time.
    fn forget_collection(&self) {
        self.inner.ready.store(false, Ordering::Release);
    }

    fn to_json(doc: &SearchDocument) -> Value {
        let mut value = json!({
            "id": doc.id,
            "kind": doc.kind,
            "module": doc.module,
            "item_id": doc.item_id,
            "title": doc.title,
            "genres": doc.genres,
            "library_id": doc.library_id,
            "rating_level": doc.rating_level.map_or(UNRATED, i64::from),
            "adult": doc.adult,
            "popularity": doc.popularity,
            "fingerprint": fingerprint(doc),
        });
        if let Value::Object(map) = &mut value {
            for (key, field) in [
                ("original_title", &doc.original_title),
                ("subtitle", &doc.subtitle),
                ("image", &doc.image),
            ] {
                if let Some(text) = field {
                    map.insert(key.to_owned(), Value::String(text.clone()));
                }
            }
            if let Some(year) = doc.year {
                map.insert("year".to_owned(), json!(year));
            }
        }
        value
    }

    /// Adds or replaces documents (a JSONL import with `upsert`).
    pub async fn upsert(&self, docs: &[SearchDocument]) -> Result<(), SearchError> {
        self.ensure_collection().await?;
        let body = docs
            .iter()
            .map(|d| Self::to_json(d).to_string())
            .collect::<Vec<_>>()
            .join("\n");
        let params = ImportDocumentsParameters {
            action: Some(IndexAction::Upsert),
            ..ImportDocumentsParameters::default()
        };
        let answer = self
            .inner
            .client
            .collection_schemaless(self.inner.collection.as_str())
            .documents()
            .import_jsonl(body, params)
            .await
            .map_err(|e| {
                let (status, message) = classify(&e);
                if status == Some(404) {
                    self.forget_collection();
                    return SearchError::Unavailable(format!("collection missing: {message}"));
                }
                to_search_error(status, message)
            })?;
        // Each line reports one document; a refused one is an error inside an Ok.
        for line in answer.lines() {
            let result: Value = serde_json::from_str(line).unwrap_or(Value::Null);
            if result.get("success") != Some(&Value::Bool(true)) {
                return Err(SearchError::Engine(format!("document refused: {line}")));
            }
        }
        Ok(())
    }

    /// Removes documents by id (absent ones are fine).
    pub async fn delete(&self, ids: &[String]) -> Result<(), SearchError> {
        self.ensure_collection().await?;
        let collection = self
            .inner
            .client
            .collection_schemaless(self.inner.collection.as_str());
        for chunk in ids.chunks(100) {
            let filter = format!(
                "id:[{}]",
                chunk
                    .iter()
                    .map(|id| filter_string(id))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let params = DeleteDocumentsParameters::new(filter.into());
            if let Err(e) = collection.documents().delete(params).await {
                let (status, message) = classify(&e);
                if status == Some(404) {
                    self.forget_collection();
                    return Err(SearchError::Unavailable(format!(
                        "collection missing: {message}"
                    )));
                }
                return Err(to_search_error(status, message));
            }
        }
        Ok(())
    }

    fn filter_by(request: &SearchRequest) -> String {
        let mut parts = Vec::new();
        if !request.types.is_empty() {
            let types: Vec<String> = request.types.iter().map(|t| filter_string(t)).collect();
            parts.push(format!("kind:=[{}]", types.join(",")));
        }
        if let Some(libraries) = &request.access.libraries {
            let ids: Vec<String> = libraries.iter().map(ToString::to_string).collect();
            parts.push(format!("library_id:=[{}]", ids.join(",")));
        }
        if let Some(max) = request.access.max_rating_level {
            parts.push(format!("rating_level:<={max}"));
        }
        if !request.access.adult {
            parts.push("adult:=false".to_owned());
        }
        parts.join(" && ")
    }

    /// Searches: prefix on the last word, typos forgiven, relevance then popularity.
    pub async fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let mut found = self.search_many(&[(request, true)]).await?;
        found
            .pop()
            .ok_or_else(|| SearchError::Engine("Typesense answered no result".to_owned()))
    }

    /// One search's parameters within a multi-search, and how many of its leading hits to
    /// skip. Facets are counted only when `facets` (a search per type reads ids alone).
    fn search_params(
        &self,
        request: &SearchRequest,
        facets: bool,
    ) -> (MultiSearchCollectionParameters<'static>, usize) {
        let limit = request.limit.clamp(1, MAX_PER_PAGE);
        // Typesense pages by page number: an offset on a page boundary maps onto it; any other
        // offset reads from the start and skips (bounded by the page size limit).
        let (page, per_page, skip) = if request.offset.is_multiple_of(limit) {
            (request.offset / limit + 1, limit, 0)
        } else if request.offset + limit <= MAX_PER_PAGE {
            (1, request.offset + limit, request.offset)
        } else {
            (request.offset / limit + 1, limit, 0)
        };
        let q = request.q.trim();
        let filter = Self::filter_by(request);
        let params = MultiSearchCollectionParameters {
            collection: Some(self.inner.collection.clone().into()),
            q: Some(if q.is_empty() {
                "*".into()
            } else {
                q.to_owned().into()
            }),
            query_by: Some("title,original_title,subtitle".into()),
            query_by_weights: Some("2,1,1".into()),
            prefix: Some("true".into()),
            num_typos: Some("2".into()),
            drop_tokens_threshold: Some(0),
            filter_by: (!filter.is_empty()).then(|| filter.into()),
            sort_by: Some("_text_match:desc,popularity:desc".into()),
            facet_by: facets.then(|| "kind,year,genres".into()),
            max_facet_values: facets.then_some(100),
            page: i32::try_from(page).ok(),
            per_page: i32::try_from(per_page).ok(),
            exclude_fields: Some("fingerprint".into()),
            ..MultiSearchCollectionParameters::default()
        };
        (params, skip)
    }

    /// Several searches in one request (`/multi_search`), answered in the order asked.
    async fn search_many(
        &self,
        requests: &[(&SearchRequest, bool)],
    ) -> Result<Vec<SearchResults>, SearchError> {
        self.ensure_collection().await?;
        let (searches, skips): (Vec<_>, Vec<_>) = requests
            .iter()
            .map(|(request, facets)| self.search_params(request, *facets))
            .unzip();
        let answer = self
            .inner
            .client
            .multi_search()
            .perform(
                MultiSearchBody { searches },
                MultiSearchParameters::default(),
            )
            .await
            .map_err(|e| {
                let (status, message) = classify(&e);
                to_search_error(status, message)
            })?;
        if answer.results.len() != requests.len() {
            return Err(SearchError::Engine(format!(
                "Typesense answered {} of {} searches",
                answer.results.len(),
                requests.len()
            )));
        }
        answer
            .results
            .into_iter()
            .zip(skips)
            .map(|(item, skip)| self.results(item, skip))
            .collect()
    }

    /// One search's answer within a multi-search, where a failed search carries its own
    /// status (the request as a whole succeeds).
    fn results(
        &self,
        item: MultiSearchResultItem<Value>,
        skip: usize,
    ) -> Result<SearchResults, SearchError> {
        if let Some(message) = item.error {
            let status = item.code.and_then(|code| u16::try_from(code).ok());
            if status == Some(404) {
                self.forget_collection();
            }
            return Err(to_search_error(status, message));
        }
        let hits = item
            .hits
            .unwrap_or_default()
            .into_iter()
            .skip(skip)
            .filter_map(|hit| hit.document)
            .filter_map(|doc| Self::hit(&doc))
            .collect();
        let mut facets = Facets::default();
        for counts in item.facet_counts.unwrap_or_default() {
            let list = match counts.field_name.as_deref() {
                Some("kind") => &mut facets.kind,
                Some("year") => &mut facets.year,
                Some("genres") => &mut facets.genre,
                _ => continue,
            };
            for count in counts.counts.unwrap_or_default() {
                if let (Some(value), Some(count)) = (count.value, count.count) {
                    list.push(FacetCount {
                        value,
                        count: u64::try_from(count).unwrap_or(0),
                    });
                }
            }
        }
        Ok(SearchResults {
            total: item.found.and_then(|f| u64::try_from(f).ok()).unwrap_or(0),
            hits,
            facets: facets.normalize(),
        })
    }

    /// One search per type, each ranked on its own, sent together in one request.
    pub async fn search_kinds(
        &self,
        request: &KindsRequest,
    ) -> Result<Vec<SearchMatches>, SearchError> {
        let requests: Vec<SearchRequest> = request
            .pages
            .iter()
            .map(|page| SearchRequest {
                q: request.q.clone(),
                types: vec![page.kind.clone()],
                limit: page.limit,
                offset: page.offset,
                access: request.access.clone(),
            })
            .collect();
        if requests.is_empty() {
            return Ok(Vec::new());
        }
        let asked: Vec<(&SearchRequest, bool)> = requests.iter().map(|r| (r, false)).collect();
        Ok(self
            .search_many(&asked)
            .await?
            .into_iter()
            .map(|found| SearchMatches {
                total: found.total,
                item_ids: found.hits.into_iter().map(|hit| hit.item_id).collect(),
            })
            .collect())
    }

    fn hit(doc: &Value) -> Option<SearchHit> {
        let text = |key: &str| doc.get(key).and_then(Value::as_str).map(str::to_owned);
        Some(SearchHit {
            id: text("id")?,
            kind: text("kind")?,
            module: text("module")?,
            item_id: doc.get("item_id").and_then(Value::as_i64)?,
            title: text("title")?,
            year: doc
                .get("year")
                .and_then(Value::as_i64)
                .and_then(|y| i32::try_from(y).ok()),
            subtitle: text("subtitle"),
            image: text("image"),
        })
    }

    /// Every document id with its fingerprint, read with an export. The client's own export
    /// fails on Typesense 0.24 (content type), so this request is sent directly.
    pub async fn fingerprints(&self) -> Result<HashMap<String, String>, SearchError> {
        self.ensure_collection().await?;
        let mut last_error = String::new();
        for node in &self.inner.nodes {
            let url = format!(
                "{node}/collections/{}/documents/export?include_fields=id,fingerprint",
                self.inner.collection
            );
            let response = match self
                .inner
                .http
                .get(&url)
                .header("X-TYPESENSE-API-KEY", &self.inner.api_key)
                .send()
                .await
            {
                Ok(response) => response,
                Err(e) => {
                    last_error = e.to_string();
                    continue;
                }
            };
            let status = response.status();
            let body = response
                .text()
                .await
                .map_err(|e| SearchError::Unavailable(e.to_string()))?;
            if !status.is_success() {
                if status.as_u16() == 404 {
                    self.forget_collection();
                }
                return Err(to_search_error(Some(status.as_u16()), body));
            }
            let mut out = HashMap::new();
            for line in body.lines().filter(|l| !l.trim().is_empty()) {
                let doc: Value = serde_json::from_str(line)
                    .map_err(|e| SearchError::Engine(format!("bad export line: {e}")))?;
                if let Some(id) = doc.get("id").and_then(Value::as_str) {
                    let print = doc
                        .get("fingerprint")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    out.insert(id.to_owned(), print.to_owned());
                }
            }
            return Ok(out);
        }
        Err(SearchError::Unavailable(last_error))
    }

    /// Drops the collection (tests start from nothing).
    pub async fn drop_collection(&self) -> Result<(), SearchError> {
        let result = self
            .inner
            .client
            .collection_schemaless(self.inner.collection.as_str())
            .delete()
            .await;
        self.forget_collection();
        match result {
            Ok(_) => Ok(()),
            Err(e) => match classify(&e) {
                (Some(404), _) => Ok(()),
                (status, message) => Err(to_search_error(status, message)),
            },
        }
    }
}
