//! The `/api/v1/movie` HTTP API.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use revenge_core::extract::{ApiPath, ApiQuery};
use revenge_core::{Id, ModuleContext, Page, PageParams, Problem, Viewer};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::entity::movie;
use crate::repo::{self, MovieFilter};

/// A movie in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct MovieSummary {
    id: Id,
    library_id: Id,
    title: String,
    year: Option<i32>,
    runtime_minutes: Option<i32>,
    content_rating: Option<String>,
    community_rating: Option<f64>,
    added_at: DateTime<Utc>,
}

impl From<movie::Model> for MovieSummary {
    fn from(m: movie::Model) -> Self {
        Self {
            id: m.id,
            library_id: m.library_id,
            title: m.title,
            year: m.year,
            runtime_minutes: m.runtime_minutes,
            content_rating: m.content_rating,
            community_rating: m.community_rating,
            added_at: m.added_at,
        }
    }
}

/// A movie with everything known about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MovieDetail {
    id: Id,
    library_id: Id,
    title: String,
    original_title: Option<String>,
    sort_title: String,
    year: Option<i32>,
    overview: Option<String>,
    tagline: Option<String>,
    runtime_minutes: Option<i32>,
    content_rating: Option<String>,
    community_rating: Option<f64>,
    genres: Vec<String>,
    tmdb_id: Option<String>,
    imdb_id: Option<String>,
    added_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// Its files (versions, parts) with their streams.
    files: Vec<revenge_core::media_file::MediaFileDto>,
}

pub(crate) fn router() -> OpenApiRouter<ModuleContext> {
    OpenApiRouter::new()
        .routes(routes!(list_movies))
        .routes(routes!(get_movie))
}

/// Lists the movies the caller may see, paginated, sorted and filtered.
#[utoipa::path(
    get,
    path = "/movies",
    tag = "movie",
    params(PageParams, MovieFilter),
    responses(
        (status = 200, description = "One page of movies", body = Page<MovieSummary>),
        (status = 400, description = "A bad parameter", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    )
)]
async fn list_movies(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
    ApiQuery(page): ApiQuery<PageParams>,
    ApiQuery(filter): ApiQuery<MovieFilter>,
) -> Result<Json<Page<MovieSummary>>, Problem> {
    let page = repo::list_movies(&ctx.db, &viewer, page.validate()?, &filter).await?;
    Ok(Json(page.map(MovieSummary::from)))
}

/// One movie with its genres; a movie the caller may not see is a 404, like a missing one.
#[utoipa::path(
    get,
    path = "/movies/{id}",
    tag = "movie",
    params(("id" = Id, Path, description = "The movie's id")),
    responses(
        (status = 200, description = "The movie", body = MovieDetail),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such movie", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    )
)]
async fn get_movie(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<MovieDetail>, Problem> {
    let (m, genres) = repo::get_movie(&ctx.db, &viewer, id).await?;
    let files = revenge_core::media_file::files_of(&ctx.db, "movie", m.id).await?;
    Ok(Json(MovieDetail {
        id: m.id,
        library_id: m.library_id,
        title: m.title,
        original_title: m.original_title,
        sort_title: m.sort_title,
        year: m.year,
        overview: m.overview,
        tagline: m.tagline,
        runtime_minutes: m.runtime_minutes,
        content_rating: m.content_rating,
        community_rating: m.community_rating,
        genres,
        tmdb_id: m.tmdb_id,
        imdb_id: m.imdb_id,
        added_at: m.added_at,
        updated_at: m.updated_at,
        files,
    }))
}
