//! Health probes and `GET /api/v1/system/info`.

use axum::Json;
use axum::extract::State;
use http::StatusCode;
use revenge_core::{Problem, Viewer};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::app::ModuleStatus;

/// Routes anyone may call: probes and what a sign-in screen needs.
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(live))
        .routes(routes!(ready))
        .routes(routes!(public_info))
}

/// Routes for signed-in callers.
pub fn protected_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(info))
}

/// The answer of a health probe.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `ready`.
    status: &'static str,
}

/// Liveness: the process serves HTTP.
#[utoipa::path(get, path = "/health/live", tag = "system",
    responses((status = 200, description = "Alive", body = Health)))]
async fn live() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The answer of the readiness probe.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready`.
    status: &'static str,
    /// Whether a dependency we can do without is down (the shared cache): requests are served
    /// correctly, more slowly.
    degraded: bool,
    /// The cache.
    cache: CacheHealth,
}

/// The cache as the readiness probe reports it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CacheHealth {
    /// `disabled`, `memory` or `redis`.
    backend: &'static str,
    /// Whether it is unreachable (requests go to the database meanwhile).
    degraded: bool,
    /// Why, while degraded.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// Readiness: the database answers. A degraded cache keeps it ready (200) with `degraded`.
#[utoipa::path(get, path = "/health/ready", tag = "system",
    responses(
        (status = 200, description = "Ready to serve (perhaps degraded)", body = Readiness),
        (status = 503, description = "A dependency is down", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn ready(State(state): State<AppState>) -> Result<Json<Readiness>, Problem> {
    let cache = state.cache.status();
    match state.db.ping().await {
        Ok(()) => Ok(Json(Readiness {
            status: "ready",
            degraded: cache.degraded,
            cache: CacheHealth {
                backend: cache.backend,
                degraded: cache.degraded,
                reason: cache.reason,
            },
        })),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                "the database does not answer",
            ))
        }
    }
}

/// What this server is and what it was built with.
#[derive(Debug, Serialize, ToSchema)]
pub struct SystemInfo {
    /// The server's version.
    version: &'static str,
    /// This installation's id, stable across restarts.
    server_id: String,
    /// `sqlite` or `postgres`.
    database: &'static str,
    /// Every module Revenge knows, with whether this build has it and whether it is on.
    modules: Vec<ModuleStatus>,
}

/// What a client shows before sign-in.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicSystemInfo {
    /// The server's version.
    version: &'static str,
    /// This installation's id.
    server_id: String,
    /// Whether the first administrator still has to be created (`POST /api/v1/setup`).
    setup_required: bool,
}

/// Version, id and whether setup is pending; no credentials needed.
#[utoipa::path(get, path = "/api/v1/system/info/public", tag = "system",
    responses((status = 200, description = "Public system information", body = PublicSystemInfo)))]
async fn public_info(State(state): State<AppState>) -> Result<Json<PublicSystemInfo>, Problem> {
    Ok(Json(PublicSystemInfo {
        version: env!("CARGO_PKG_VERSION"),
        server_id: state.server_id.to_string(),
        setup_required: state.auth.setup_required().await?,
    }))
}

/// Version, database backend and the state of every module.
#[utoipa::path(get, path = "/api/v1/system/info", tag = "system",
    responses((status = 200, description = "System information", body = SystemInfo)))]
async fn info(State(state): State<AppState>, _viewer: Viewer) -> Json<SystemInfo> {
    Json(SystemInfo {
        version: env!("CARGO_PKG_VERSION"),
        server_id: state.server_id.to_string(),
        database: state.db.backend.as_str(),
        modules: state.modules.as_ref().clone(),
    })
}
