//! The `/api/v1/images/{id}` route.

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::header;
use revenge_core::artwork::ArtKind;
use revenge_core::extract::{ApiPath, ApiQuery};
use revenge_core::{Id, Module, Problem, Viewer};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::{ArtworkError, sized};

/// What the route needs.
#[derive(Clone)]
pub struct ArtworkState {
    /// The database.
    pub db: DatabaseConnection,
    /// The enabled modules, which find pictures and decide who may see them.
    pub modules: Arc<Vec<Arc<dyn Module>>>,
    /// Where resized copies are kept.
    pub cache: PathBuf,
}

impl std::fmt::Debug for ArtworkState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArtworkState")
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

/// The route, at its absolute path.
pub fn router() -> OpenApiRouter<ArtworkState> {
    OpenApiRouter::new().routes(routes!(image))
}

/// `?width=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImageQuery {
    /// Resize to this width (keeping the aspect); the original when absent.
    width: Option<u32>,
}

fn parse_id(id: &str) -> Result<(&str, Id, ArtKind), ArtworkError> {
    let bad = || ArtworkError::BadId(id.chars().take(64).collect());
    let mut parts = id.splitn(3, '.');
    let module = parts.next().ok_or_else(bad)?;
    let item = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let kind = parts.next().and_then(ArtKind::parse).ok_or_else(bad)?;
    Ok((module, item, kind))
}

/// A local picture of an item (`movie.12.poster`, `tvshow.3.backdrop`, `tvshow.40.thumb`).
#[utoipa::path(get, path = "/api/v1/images/{id}", tag = "images",
    params(("id" = String, Path, description = "`<module>.<item>.<poster|backdrop|logo|thumb>`"), ImageQuery),
    responses(
        (status = 200, description = "The picture", content_type = "image/jpeg"),
        (status = 404, description = "No such picture, or not the caller's to see", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn image(
    State(state): State<ArtworkState>,
    viewer: Viewer,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ImageQuery>,
) -> Result<Response, Problem> {
    let (module_id, item, kind) = parse_id(&id)?;
    let module = state
        .modules
        .iter()
        .find(|m| m.id() == module_id)
        .ok_or(ArtworkError::NotFound)?;
    let source = module
        .artwork(&state.db, &viewer, item, kind)
        .await
        .map_err(ArtworkError::Module)?
        .ok_or(ArtworkError::NotFound)?;
    let (path, content_type) = sized(&source, query.width, &state.cache).await?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| ArtworkError::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            // Per user: access is checked on every request.
            (header::CACHE_CONTROL, "private, max-age=86400"),
        ],
        Body::from(bytes),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_module_item_kind() {
        assert!(matches!(
            parse_id("movie.12.poster"),
            Ok(("movie", 12, ArtKind::Poster))
        ));
        assert!(parse_id("movie.12").is_err());
        assert!(parse_id("movie.x.poster").is_err());
        assert!(parse_id("movie.1.../../etc/passwd").is_err());
    }
}
