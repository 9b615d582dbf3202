//! `/api/v1/jobs`: what runs in the background, for administrators.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use revenge_core::extract::{ApiPath, ApiQuery};
use revenge_core::{Id, Page, PageParams, Problem, Viewer};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::entity;
use crate::queue::{JobFilter, JobQueue};

/// The routes, at absolute paths.
pub fn router() -> OpenApiRouter<JobQueue> {
    OpenApiRouter::new()
        .routes(routes!(list_jobs))
        .routes(routes!(get_job))
        .routes(routes!(cancel_job))
}

/// A job as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobDto {
    id: Id,
    kind: String,
    queue: String,
    state: String,
    payload: serde_json::Value,
    attempts: i32,
    max_attempts: i32,
    run_at: DateTime<Utc>,
    unique_key: Option<String>,
    last_error: Option<String>,
    cancel_requested: bool,
    progress: Progress,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

/// How far a job got.
#[derive(Debug, Serialize, ToSchema)]
pub struct Progress {
    done: i64,
    total: Option<i64>,
    message: Option<String>,
}

impl From<entity::Model> for JobDto {
    fn from(j: entity::Model) -> Self {
        Self {
            payload: serde_json::from_str(&j.payload).unwrap_or(serde_json::Value::Null),
            id: j.id,
            kind: j.kind,
            queue: j.queue,
            state: j.state,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: j.run_at,
            unique_key: j.unique_key,
            last_error: j.last_error,
            cancel_requested: j.cancel_requested,
            progress: Progress {
                done: j.progress_done,
                total: j.progress_total,
                message: j.progress_message,
            },
            created_at: j.created_at,
            updated_at: j.updated_at,
            finished_at: j.finished_at,
        }
    }
}

/// Jobs, newest first, by state and kind.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", params(PageParams, JobFilter),
    responses(
        (status = 200, description = "Jobs", body = Page<JobDto>),
        (status = 403, description = "Not an administrator", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn list_jobs(
    State(queue): State<JobQueue>,
    viewer: Viewer,
    ApiQuery(page): ApiQuery<PageParams>,
    ApiQuery(filter): ApiQuery<JobFilter>,
) -> Result<Json<Page<JobDto>>, Problem> {
    viewer.require_admin()?;
    let page = queue.list(&filter, page.validate()?).await?;
    Ok(Json(page.map(JobDto::from)))
}

/// One job, with its progress.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs",
    params(("id" = Id, Path, description = "The job's id")),
    responses(
        (status = 200, description = "The job", body = JobDto),
        (status = 404, description = "No such job", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn get_job(
    State(queue): State<JobQueue>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<JobDto>, Problem> {
    viewer.require_admin()?;
    Ok(Json(queue.get(id).await?.into()))
}

/// Cancels a queued job, or stops a running one.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/cancel", tag = "jobs",
    params(("id" = Id, Path, description = "The job's id")),
    responses(
        (status = 200, description = "The job after the request", body = JobDto),
        (status = 409, description = "Already finished", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn cancel_job(
    State(queue): State<JobQueue>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<JobDto>, Problem> {
    viewer.require_admin()?;
    viewer.require_write()?;
    Ok(Json(queue.cancel(id).await?.into()))
}
