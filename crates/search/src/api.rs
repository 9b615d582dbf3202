//! `/api/v1/search`: search as you type, filtered by what the caller may see; and the
//! administrators' reindex and reconcile triggers.

use axum::Json;
use axum::extract::State;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::StatusCode;
use revenge_core::extract::ApiQuery;
use revenge_core::{Id, Problem, Viewer};
use revenge_jobs::JobQueue;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::backend::{AccessFilter, Facets, SearchHit, SearchRequest};
use crate::{Search, SearchError, indexer};

/// Hits per page unless `limit` says otherwise.
const DEFAULT_LIMIT: usize = 20;
/// The largest page.
const MAX_LIMIT: usize = 100;
/// How deep paging goes.
const MAX_OFFSET: usize = 10_000;

/// What the routes need.
#[derive(Debug, Clone)]
pub struct SearchState {
    /// The search service.
    pub search: Search,
    /// The job queue (reindex, reconcile).
    pub jobs: JobQueue,
}

/// The routes, at absolute paths.
pub fn router() -> OpenApiRouter<SearchState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(reindex))
        .routes(routes!(reconcile))
}

/// `GET /api/v1/search` parameters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What was typed so far; the last word matches as a prefix, typos are forgiven.
    #[serde(default)]
    pub q: String,
    /// Comma-separated document types (`movie,series,episode`); all when absent.
    pub types: Option<String>,
    /// Hits per page (1–100, default 20).
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchPage {
    /// Hits the caller may see, in all pages.
    pub total: u64,
    /// This page, best first.
    pub items: Vec<SearchHit>,
    /// Counts by type, year and genre over all hits.
    pub facets: Facets,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// A queued search job.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedJob {
    /// The job (see `/api/v1/jobs/{id}` for its progress and report).
    pub job_id: Id,
    /// False when the same job was already queued or running.
    pub created: bool,
}

fn encode_cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("o{offset}"))
}

fn decode_cursor(cursor: &str) -> Result<usize, SearchError> {
    let bad = || SearchError::BadRequest {
        field: "cursor",
        message: "not a cursor from a previous page".to_owned(),
    };
    let raw = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    text.strip_prefix('o')
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n <= MAX_OFFSET)
        .ok_or_else(bad)
}

/// Turns errors into problems; an unreachable engine is a 503 that says so.
fn problem(error: SearchError) -> Problem {
    match error {
        SearchError::Unavailable(_) => Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "search_unavailable",
            "the search engine is unavailable; try again shortly",
        ),
        other => other.into(),
    }
}

/// Searches everything the caller may see.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses(
        (status = 200, description = "Hits, facets and the next cursor", body = SearchPage),
        (status = 400, description = "Bad parameter", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "The search engine is unreachable", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn search(
    State(state): State<SearchState>,
    viewer: Viewer,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<Json<SearchPage>, Problem> {
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(problem(SearchError::BadRequest {
            field: "limit",
            message: format!("limit must be 1 to {MAX_LIMIT}"),
        }));
    }
    let offset = match &params.cursor {
        Some(cursor) => decode_cursor(cursor).map_err(problem)?,
        None => 0,
    };
    let known: Vec<&str> = state.search.kinds().iter().map(|k| k.name).collect();
    let mut types = Vec::new();
    for t in params
        .types
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        if !known.contains(&t) {
            return Err(problem(SearchError::BadRequest {
                field: "types",
                message: format!("unknown type `{t}`; known: {}", known.join(", ")),
            }));
        }
        types.push(t.to_owned());
    }
    let request = SearchRequest {
        q: params.q.chars().take(200).collect(),
        types,
        limit,
        offset,
        access: AccessFilter::of(&viewer),
    };
    let results = state.search.search(&request).await.map_err(problem)?;
    let end = offset + results.hits.len();
    let next_cursor = (u64::try_from(end).unwrap_or(u64::MAX) < results.total
        && !results.hits.is_empty()
        && end <= MAX_OFFSET)
        .then(|| encode_cursor(end));
    Ok(Json(SearchPage {
        total: results.total,
        items: results.hits,
        facets: results.facets,
        next_cursor,
    }))
}

/// Rebuilds the whole index from the database (a `search.reindex` job).
#[utoipa::path(post, path = "/api/v1/search/reindex", tag = "search",
    responses(
        (status = 202, description = "Queued", body = QueuedJob),
        (status = 403, description = "Not an administrator", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn reindex(
    State(state): State<SearchState>,
    viewer: Viewer,
) -> Result<(StatusCode, Json<QueuedJob>), Problem> {
    viewer.require_admin()?;
    viewer.require_write()?;
    let job = indexer::queue_reindex(&state.jobs).await.map_err(problem)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(QueuedJob {
            job_id: job.id,
            created: job.created,
        }),
    ))
}

/// Finds and repairs drift between the database and the index (a `search.reconcile` job,
/// whose progress message reports the counts).
#[utoipa::path(post, path = "/api/v1/search/reconcile", tag = "search",
    responses(
        (status = 202, description = "Queued", body = QueuedJob),
        (status = 403, description = "Not an administrator", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn reconcile(
    State(state): State<SearchState>,
    viewer: Viewer,
) -> Result<(StatusCode, Json<QueuedJob>), Problem> {
    viewer.require_admin()?;
    viewer.require_write()?;
    let job = indexer::queue_reconcile(&state.jobs)
        .await
        .map_err(problem)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(QueuedJob {
            job_id: job.id,
            created: job.created,
        }),
    ))
}
