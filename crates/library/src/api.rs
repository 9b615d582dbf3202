//! `/api/v1/libraries`: list and read what one may see; create and delete with the
//! manage-libraries capability.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use http::StatusCode;
use revenge_core::extract::{ApiJson, ApiPath};
use revenge_core::{Id, Problem, Viewer};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use revenge_jobs::{JobQueue, NewJob};

use crate::{LibraryError, entity, repo};

/// What the library routes need.
#[derive(Debug, Clone)]
pub struct LibraryState {
    /// The database.
    pub db: DatabaseConnection,
    /// Ids of the modules that are compiled in and enabled: a library holds one of them.
    pub modules: Arc<Vec<&'static str>>,
    /// Where scans are queued.
    pub jobs: JobQueue,
}

/// The routes, mounted at the root (paths are absolute).
pub fn router() -> OpenApiRouter<LibraryState> {
    OpenApiRouter::new()
        .routes(routes!(list_libraries, create_library))
        .routes(routes!(get_library, update_library, delete_library))
        .routes(routes!(scan_library))
}

/// A library.
#[derive(Debug, Serialize, ToSchema)]
pub struct LibraryDto {
    id: Id,
    module: String,
    name: String,
    /// Its folders (shown to those who manage libraries only).
    folders: Vec<String>,
    created_at: DateTime<Utc>,
}

impl LibraryDto {
    async fn load(
        db: &DatabaseConnection,
        viewer: &Viewer,
        m: entity::Model,
    ) -> Result<Self, LibraryError> {
        // Where media lives on the server's disks is for people who manage libraries.
        let folders = if viewer.capabilities.manage_libraries {
            repo::folders(db, m.id)
                .await?
                .into_iter()
                .map(|f| f.path)
                .collect()
        } else {
            Vec::new()
        };
        Ok(Self {
            id: m.id,
            module: m.module,
            name: m.name,
            folders,
            created_at: m.created_at,
        })
    }
}

/// `PATCH /api/v1/libraries/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LibraryPatch {
    name: Option<String>,
    /// Replaces the folders (absolute paths).
    folders: Option<Vec<String>>,
}

/// A queued scan.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScanQueued {
    /// The scan's job (follow it at `/api/v1/jobs/{job_id}`).
    job_id: Id,
    /// False when a scan of this library was already queued or running.
    created: bool,
}

/// `POST /api/v1/libraries`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLibrary {
    /// The module whose media it holds (`movie`, `tvshow`, …).
    module: String,
    name: String,
    /// Absolute paths of its folders.
    #[serde(default)]
    folders: Vec<String>,
}

fn require_manage(viewer: &Viewer) -> Result<(), LibraryError> {
    if viewer.capabilities.manage_libraries {
        Ok(())
    } else {
        Err(LibraryError::Forbidden)
    }
}

/// The libraries the caller may see.
#[utoipa::path(get, path = "/api/v1/libraries", tag = "libraries",
    responses((status = 200, description = "Libraries", body = Vec<LibraryDto>)))]
async fn list_libraries(
    State(state): State<LibraryState>,
    viewer: Viewer,
) -> Result<Json<Vec<LibraryDto>>, Problem> {
    let mut out = Vec::new();
    for library in repo::list(&state.db, &viewer).await? {
        out.push(LibraryDto::load(&state.db, &viewer, library).await?);
    }
    Ok(Json(out))
}

/// Creates a library.
#[utoipa::path(post, path = "/api/v1/libraries", tag = "libraries", request_body = NewLibrary,
    responses(
        (status = 201, description = "The library", body = LibraryDto),
        (status = 400, description = "Invalid field", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn create_library(
    State(state): State<LibraryState>,
    viewer: Viewer,
    ApiJson(body): ApiJson<NewLibrary>,
) -> Result<(StatusCode, Json<LibraryDto>), Problem> {
    require_manage(&viewer)?;
    if !state.modules.contains(&body.module.as_str()) {
        return Err(LibraryError::Invalid {
            field: "module",
            message: format!(
                "`{}` is not an enabled module (enabled: {})",
                body.module,
                state.modules.join(", ")
            ),
        }
        .into());
    }
    let library = repo::create(&state.db, &body.module, &body.name).await?;
    if let Err(e) = repo::set_folders(&state.db, library.id, &body.folders).await {
        // Creating and filling are two steps; undo the first so a bad folder leaves nothing.
        repo::delete(&state.db, library.id).await?;
        return Err(e.into());
    }
    let dto = LibraryDto::load(&state.db, &viewer, library).await?;
    Ok((StatusCode::CREATED, Json(dto)))
}

/// One library the caller may see.
#[utoipa::path(get, path = "/api/v1/libraries/{id}", tag = "libraries",
    params(("id" = Id, Path, description = "The library's id")),
    responses(
        (status = 200, description = "The library", body = LibraryDto),
        (status = 404, description = "No such library the caller may see", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn get_library(
    State(state): State<LibraryState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<LibraryDto>, Problem> {
    let library = repo::get(&state.db, &viewer, id).await?;
    Ok(Json(LibraryDto::load(&state.db, &viewer, library).await?))
}

/// Renames a library or replaces its folders.
#[utoipa::path(patch, path = "/api/v1/libraries/{id}", tag = "libraries", request_body = LibraryPatch,
    params(("id" = Id, Path, description = "The library's id")),
    responses(
        (status = 200, description = "The library", body = LibraryDto),
        (status = 400, description = "Invalid field", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn update_library(
    State(state): State<LibraryState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Id>,
    ApiJson(patch): ApiJson<LibraryPatch>,
) -> Result<Json<LibraryDto>, Problem> {
    require_manage(&viewer)?;
    let mut library = repo::get(&state.db, &viewer, id).await?;
    if let Some(name) = &patch.name {
        library = repo::rename(&state.db, id, name).await?;
    }
    if let Some(folders) = &patch.folders {
        repo::set_folders(&state.db, id, folders).await?;
    }
    Ok(Json(LibraryDto::load(&state.db, &viewer, library).await?))
}

/// Queues a scan of the library (at most one per library is queued or running).
#[utoipa::path(post, path = "/api/v1/libraries/{id}/scan", tag = "libraries",
    params(("id" = Id, Path, description = "The library's id")),
    responses((status = 202, description = "The scan job", body = ScanQueued)))]
async fn scan_library(
    State(state): State<LibraryState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Id>,
) -> Result<(StatusCode, Json<ScanQueued>), Problem> {
    require_manage(&viewer)?;
    repo::get(&state.db, &viewer, id).await?;
    let queued = state
        .jobs
        .enqueue(
            NewJob::new(crate::SCAN_JOB, serde_json::json!({ "library_id": id }))
                .unique_rerun(crate::scan_key(id))
                .replacing_payload()
                .attempts(1),
        )
        .await
        .map_err(Problem::from)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(ScanQueued {
            job_id: queued.id,
            created: queued.created,
        }),
    ))
}

/// Deletes a library with everything in it.
#[utoipa::path(delete, path = "/api/v1/libraries/{id}", tag = "libraries",
    params(("id" = Id, Path, description = "The library's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such library", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn delete_library(
    State(state): State<LibraryState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Id>,
) -> Result<StatusCode, Problem> {
    require_manage(&viewer)?;
    repo::delete(&state.db, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
