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
    /// Where the modules' answers (which file is the picture) are kept.
    pub lookups: revenge_cache::Cache,
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
    let Some((source, cached)) = lookup(&state, module.as_ref(), &viewer, item, kind).await? else {
        return Err(ArtworkError::NotFound.into());
    };
    let (path, content_type) = match (sized(&source, query.width, &state.cache).await, cached) {
        (Ok(found), _) => found,
        // The cached picture went away: ask the module again.
        (Err(_), Some(key)) => {
            state.lookups.delete(&key).await;
            let source = ask(&state, module.as_ref(), &viewer, item, kind).await?;
            sized(&source, query.width, &state.cache).await?
        }
        (Err(e), None) => return Err(e.into()),
    };
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

/// The module's answer: which file is the picture, if the viewer may see it.
async fn ask(
    state: &ArtworkState,
    module: &dyn Module,
    viewer: &Viewer,
    item: Id,
    kind: ArtKind,
) -> Result<PathBuf, ArtworkError> {
    module
        .artwork(&state.db, viewer, item, kind)
        .await
        .map_err(ArtworkError::Module)?
        .ok_or(ArtworkError::NotFound)
}

/// [`ask`], through the cache: found pictures are kept per viewer scope under the module's
/// generation (item changes drop them); absent ones are not, so new artwork shows at once.
/// Returns the cache key when the answer came from the cache.
async fn lookup(
    state: &ArtworkState,
    module: &dyn Module,
    viewer: &Viewer,
    item: Id,
    kind: ArtKind,
) -> Result<Option<(PathBuf, Option<String>)>, ArtworkError> {
    let generation = revenge_cache::http::module_generation(module.id());
    let Some(current) = state.lookups.generation(&generation).await else {
        return ask(state, module, viewer, item, kind)
            .await
            .map(|p| Some((p, None)));
    };
    let key = format!(
        "img:{}:{current}:{}",
        module.id(),
        revenge_cache::digest(&[
            &revenge_cache::http::scope_of(viewer),
            &item.to_string(),
            kind.as_str(),
        ])
    );
    if let Some(path) = state.lookups.get_json::<PathBuf>(&key).await {
        return Ok(Some((path, Some(key))));
    }
    match ask(state, module, viewer, item, kind).await {
        Ok(path) => {
            let ttl = state.lookups.settings().image_ttl();
            state.lookups.set_json(&key, &path, ttl).await;
            Ok(Some((path, None)))
        }
        Err(ArtworkError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
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
