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

use crate::{LibraryError, entity, repo};

/// What the library routes need.
#[derive(Debug, Clone)]
pub struct LibraryState {
    /// The database.
    pub db: DatabaseConnection,
    /// Ids of the modules that are compiled in and enabled: a library holds one of them.
    pub modules: Arc<Vec<&'static str>>,
}

/// The routes, mounted at the root (paths are absolute).
pub fn router() -> OpenApiRouter<LibraryState> {
    OpenApiRouter::new()
        .routes(routes!(list_libraries, create_library))
        .routes(routes!(get_library, delete_library))
}

/// A library.
#[derive(Debug, Serialize, ToSchema)]
pub struct LibraryDto {
    id: Id,
    module: String,
    name: String,
    created_at: DateTime<Utc>,
}

impl From<entity::Model> for LibraryDto {
    fn from(m: entity::Model) -> Self {
        Self {
            id: m.id,
            module: m.module,
            name: m.name,
            created_at: m.created_at,
        }
    }
}

/// `POST /api/v1/libraries`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLibrary {
    /// The module whose media it holds (`movie`, `tvshow`, …).
    module: String,
    name: String,
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
    let libraries = repo::list(&state.db, &viewer).await?;
    Ok(Json(libraries.into_iter().map(LibraryDto::from).collect()))
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
    Ok((StatusCode::CREATED, Json(library.into())))
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
    Ok(Json(repo::get(&state.db, &viewer, id).await?.into()))
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
