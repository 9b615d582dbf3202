//! The `/api/v1/tvshow` HTTP API.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use revenge_core::extract::{ApiPath, ApiQuery};
use revenge_core::{Id, ModuleContext, Page, PageParams, Problem, Viewer};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::entity::{episode, season, series};
use crate::repo::{self, SeriesFilter, SeriesInfo};

/// A series in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesSummary {
    id: Id,
    library_id: Id,
    title: String,
    year: Option<i32>,
    status: Option<String>,
    content_rating: Option<String>,
    community_rating: Option<f64>,
    added_at: DateTime<Utc>,
}

impl From<series::Model> for SeriesSummary {
    fn from(s: series::Model) -> Self {
        Self {
            id: s.id,
            library_id: s.library_id,
            title: s.title,
            year: s.year,
            status: s.status,
            content_rating: s.content_rating,
            community_rating: s.community_rating,
            added_at: s.added_at,
        }
    }
}

/// A series with everything known about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesDetail {
    id: Id,
    library_id: Id,
    title: String,
    original_title: Option<String>,
    sort_title: String,
    year: Option<i32>,
    overview: Option<String>,
    status: Option<String>,
    content_rating: Option<String>,
    community_rating: Option<f64>,
    genres: Vec<String>,
    /// Seasons, specials included.
    season_count: u64,
    /// Episodes, specials included.
    episode_count: u64,
    tmdb_id: Option<String>,
    tvdb_id: Option<String>,
    imdb_id: Option<String>,
    added_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<SeriesInfo> for SeriesDetail {
    fn from(info: SeriesInfo) -> Self {
        let s = info.series;
        Self {
            id: s.id,
            library_id: s.library_id,
            title: s.title,
            original_title: s.original_title,
            sort_title: s.sort_title,
            year: s.year,
            overview: s.overview,
            status: s.status,
            content_rating: s.content_rating,
            community_rating: s.community_rating,
            genres: info.genres,
            season_count: info.season_count,
            episode_count: info.episode_count,
            tmdb_id: s.tmdb_id,
            tvdb_id: s.tvdb_id,
            imdb_id: s.imdb_id,
            added_at: s.added_at,
            updated_at: s.updated_at,
        }
    }
}

/// A season of a series.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeasonDto {
    id: Id,
    series_id: Id,
    /// 0 is the specials.
    season_number: i32,
    title: Option<String>,
    overview: Option<String>,
    added_at: DateTime<Utc>,
}

impl From<season::Model> for SeasonDto {
    fn from(s: season::Model) -> Self {
        Self {
            id: s.id,
            series_id: s.series_id,
            season_number: s.season_number,
            title: s.title,
            overview: s.overview,
            added_at: s.added_at,
        }
    }
}

/// An episode.
#[derive(Debug, Serialize, ToSchema)]
pub struct EpisodeDto {
    id: Id,
    series_id: Id,
    season_id: Id,
    episode_number: i32,
    /// The last episode number of a multi-episode file.
    episode_number_end: Option<i32>,
    title: Option<String>,
    overview: Option<String>,
    air_date: Option<NaiveDate>,
    runtime_minutes: Option<i32>,
    added_at: DateTime<Utc>,
}

impl From<episode::Model> for EpisodeDto {
    fn from(e: episode::Model) -> Self {
        Self {
            id: e.id,
            series_id: e.series_id,
            season_id: e.season_id,
            episode_number: e.episode_number,
            episode_number_end: e.episode_number_end,
            title: e.title,
            overview: e.overview,
            air_date: e.air_date,
            runtime_minutes: e.runtime_minutes,
            added_at: e.added_at,
        }
    }
}

pub(crate) fn router() -> OpenApiRouter<ModuleContext> {
    // `/episodes/recent` and `/episodes/{id}` coexist because axum's router always prefers a
    // static segment over a parameter, whatever the registration order; the parameter route
    // goes first here so that the tests below prove it.
    OpenApiRouter::new()
        .routes(routes!(list_series))
        .routes(routes!(get_series))
        .routes(routes!(list_seasons))
        .routes(routes!(list_episodes))
        .routes(routes!(get_episode))
        .routes(routes!(recent_episodes))
        .routes(routes!(next_up))
}

/// For each series the caller has been watching, the first unwatched episode after the last
/// watched one, most recently watched series first.
#[utoipa::path(
    get,
    path = "/next-up",
    tag = "tvshow",
    responses(
        (status = 200, description = "The next episode of each series in progress", body = Vec<EpisodeDto>),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    )
)]
async fn next_up(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
) -> Result<(revenge_core::PrivateAnswer, Json<Vec<EpisodeDto>>), Problem> {
    let episodes = repo::next_up(&ctx.db, &viewer, 50).await?;
    Ok((
        revenge_core::PRIVATE_ANSWER,
        Json(episodes.into_iter().map(EpisodeDto::from).collect()),
    ))
}

/// Lists the series the caller may see, paginated, sorted and filtered.
#[utoipa::path(
    get,
    path = "/series",
    tag = "tvshow",
    params(PageParams, SeriesFilter),
    responses(
        (status = 200, description = "One page of series", body = Page<SeriesSummary>),
        (status = 400, description = "A bad parameter", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    )
)]
async fn list_series(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
    ApiQuery(page): ApiQuery<PageParams>,
    ApiQuery(filter): ApiQuery<SeriesFilter>,
) -> Result<Json<Page<SeriesSummary>>, Problem> {
    let page = repo::list_series(&ctx.db, &viewer, page.validate()?, &filter).await?;
    Ok(Json(page.map(SeriesSummary::from)))
}

/// One series with its genres and how many seasons and episodes it has; a series the caller
/// may not see is a 404, like a missing one.
#[utoipa::path(
    get,
    path = "/series/{id}",
    tag = "tvshow",
    params(("id" = Id, Path, description = "The series' id")),
    responses(
        (status = 200, description = "The series", body = SeriesDetail),
        (status = 400, description = "A malformed id", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such series", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    )
)]
async fn get_series(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<SeriesDetail>, Problem> {
    let info = repo::get_series(&ctx.db, &viewer, id).await?;
    Ok(Json(SeriesDetail::from(info)))
}

/// The seasons of a series, by number (specials, season 0, first).
#[utoipa::path(
    get,
    path = "/series/{id}/seasons",
    tag = "tvshow",
    params(("id" = Id, Path, description = "The series' id")),
    responses(
        (status = 200, description = "The series' seasons", body = Vec<SeasonDto>),
        (status = 400, description = "A malformed id", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such series", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    )
)]
async fn list_seasons(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<Vec<SeasonDto>>, Problem> {
    let seasons = repo::list_seasons(&ctx.db, &viewer, id).await?;
    Ok(Json(seasons.into_iter().map(SeasonDto::from).collect()))
}

/// The episodes of a season, by number.
#[utoipa::path(
    get,
    path = "/seasons/{id}/episodes",
    tag = "tvshow",
    params(("id" = Id, Path, description = "The season's id")),
    responses(
        (status = 200, description = "The season's episodes", body = Vec<EpisodeDto>),
        (status = 400, description = "A malformed id", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such season", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    )
)]
async fn list_episodes(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<Vec<EpisodeDto>>, Problem> {
    let episodes = repo::list_episodes(&ctx.db, &viewer, id).await?;
    Ok(Json(episodes.into_iter().map(EpisodeDto::from).collect()))
}

/// Episodes of every series the caller may see, most recently added first.
#[utoipa::path(
    get,
    path = "/episodes/recent",
    tag = "tvshow",
    params(PageParams),
    responses(
        (status = 200, description = "One page of episodes", body = Page<EpisodeDto>),
        (status = 400, description = "A bad parameter", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    )
)]
async fn recent_episodes(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<EpisodeDto>>, Problem> {
    let page = repo::recently_added_episodes(&ctx.db, &viewer, page.validate()?).await?;
    Ok(Json(page.map(EpisodeDto::from)))
}

/// One episode.
#[utoipa::path(
    get,
    path = "/episodes/{id}",
    tag = "tvshow",
    params(("id" = Id, Path, description = "The episode's id")),
    responses(
        (status = 200, description = "The episode with its files", body = EpisodeDetail),
        (status = 400, description = "A malformed id", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such episode", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    )
)]
async fn get_episode(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<EpisodeDetail>, Problem> {
    let episode = repo::get_episode(&ctx.db, &viewer, id).await?;
    let files = revenge_core::media_file::files_of(&ctx.db, "tvshow", episode.id).await?;
    Ok(Json(EpisodeDetail {
        episode: EpisodeDto::from(episode),
        files,
    }))
}

/// An episode with its files and their streams.
#[derive(Debug, Serialize, ToSchema)]
pub struct EpisodeDetail {
    #[serde(flatten)]
    episode: EpisodeDto,
    /// Its files with their streams.
    files: Vec<revenge_core::media_file::MediaFileDto>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::tests::{SHOWS, add_episode, add_library, add_season, memory_db, show, user};
    use crate::repo::{NewSeries, insert_series};
    use axum::body::{Body, to_bytes};
    use http::{Request, StatusCode};
    use revenge_core::{EventBus, LibraryScope};
    use serde_json::Value;
    use tower::ServiceExt;

    async fn app() -> (axum::Router, sea_orm::DatabaseConnection) {
        let db = memory_db().await;
        let (router, _) = router().split_for_parts();
        let ctx = ModuleContext {
            db: db.clone(),
            events: EventBus::new(),
            search: None,
            answers: None,
        };
        (router.with_state(ctx), db)
    }

    /// A request as the system viewer, who sees everything.
    async fn get(app: &axum::Router, uri: &str) -> (StatusCode, Value) {
        get_as(app, uri, Some(Viewer::system())).await
    }

    /// A request as `viewer`, which stands in for what the server's auth layer puts into the
    /// extensions; `None` is a request that layer let through unauthenticated.
    async fn get_as(app: &axum::Router, uri: &str, viewer: Option<Viewer>) -> (StatusCode, Value) {
        let mut request = Request::get(uri)
            .body(Body::empty())
            .unwrap_or_else(|e| panic!("{e}"));
        if let Some(viewer) = viewer {
            request.extensions_mut().insert(viewer);
        }
        let response = app
            .clone()
            .oneshot(request)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let status = response.status();
        let bytes = to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let body = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{uri}: {e}"));
        (status, body)
    }

    #[tokio::test]
    async fn navigates_and_recent_does_not_collide_with_episode_ids() {
        let (app, db) = app().await;
        let wire = insert_series(
            &db,
            NewSeries {
                library_id: SHOWS,
                title: "The Wire".to_owned(),
                year: Some(2002),
                genres: vec!["Drama".to_owned(), "Crime".to_owned()],
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let one = add_season(&db, wire.id, 1).await;
        add_season(&db, wire.id, 0).await;
        let target = add_episode(&db, &one, 1, "The Target").await;
        add_episode(&db, &one, 2, "The Detail").await;

        let (status, body) = get(&app, "/series?sort=year&order=desc&genre=Drama").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["total"], 1);
        assert_eq!(body["items"][0]["title"], "The Wire");

        let (status, body) = get(&app, &format!("/series/{}", wire.id)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["genres"], serde_json::json!(["Crime", "Drama"]));
        assert_eq!(
            (
                body["season_count"].as_u64(),
                body["episode_count"].as_u64()
            ),
            (Some(2), Some(2))
        );

        let (status, body) = get(&app, &format!("/series/{}/seasons", wire.id)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body[0]["season_number"], 0);
        assert_eq!(body[1]["id"], one.id);

        let (status, body) = get(&app, &format!("/seasons/{}/episodes", one.id)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body[0]["title"], "The Target");
        assert_eq!(body[1]["episode_number"], 2);

        let (status, body) = get(&app, &format!("/episodes/{}", target.id)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["title"], "The Target");
        assert_eq!(body["season_id"], one.id);

        let (status, body) = get(&app, "/episodes/recent?limit=1").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["total"], 2);
        assert_eq!(body["limit"], 1);
        assert_eq!(body["items"].as_array().map(Vec::len), Some(1));
    }

    #[tokio::test]
    async fn errors_are_problems() {
        let (app, _db) = app().await;
        for uri in [
            "/series/9",
            "/series/9/seasons",
            "/seasons/9/episodes",
            "/episodes/9",
        ] {
            let (status, body) = get(&app, uri).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {body}");
            assert_eq!(body["code"], "not_found", "{uri}");
        }
        // A typo of `recent` must not reach the database as an id.
        let (status, body) = get(&app, "/episodes/latest").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["code"], "invalid_request");

        let (status, body) = get(&app, "/series?sort=rating").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["field"], "sort");

        let (status, body) = get(&app, "/episodes/recent?limit=0").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["field"], "limit");
    }

    #[tokio::test]
    async fn a_request_without_a_viewer_is_unauthorized() {
        let (app, db) = app().await;
        let wire = insert_series(&db, show("The Wire", Some(2002), &[]))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        for uri in [
            "/series".to_owned(),
            format!("/series/{}", wire.id),
            "/episodes/recent".to_owned(),
        ] {
            let (status, body) = get_as(&app, &uri, None).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}: {body}");
            assert_eq!(body["code"], "unauthorized", "{uri}");
        }
    }

    #[tokio::test]
    async fn a_hidden_series_answers_like_a_missing_one() {
        let (app, db) = app().await;
        let other = add_library(&db, "Other shows").await;
        let hidden = insert_series(
            &db,
            NewSeries {
                library_id: other,
                ..show("Twin Peaks", Some(1990), &[])
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let season = add_season(&db, hidden.id, 1).await;
        let episode = add_episode(&db, &season, 1, "Pilot").await;
        let viewer = user(LibraryScope::Only(vec![SHOWS]), None);
        for (hidden_uri, missing_uri) in [
            (format!("/series/{}", hidden.id), "/series/999"),
            (
                format!("/series/{}/seasons", hidden.id),
                "/series/999/seasons",
            ),
            (
                format!("/seasons/{}/episodes", season.id),
                "/seasons/999/episodes",
            ),
            (format!("/episodes/{}", episode.id), "/episodes/999"),
        ] {
            let (status, body) = get_as(&app, &hidden_uri, Some(viewer.clone())).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{hidden_uri}: {body}");
            let (_, missing) = get_as(&app, missing_uri, Some(viewer.clone())).await;
            assert_eq!(body["code"], missing["code"], "{hidden_uri}");
            let (status, _) = get(&app, &hidden_uri).await;
            assert_eq!(status, StatusCode::OK, "{hidden_uri} as the system");
        }
        let (status, body) = get_as(&app, "/series", Some(viewer.clone())).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["total"], 0);
        let (_, body) = get_as(&app, "/episodes/recent", Some(viewer)).await;
        assert_eq!(body["total"], 0);
    }

    #[test]
    fn openapi_documents_every_route() {
        let (_, api) = router().split_for_parts();
        let paths: Vec<&str> = api.paths.paths.keys().map(String::as_str).collect();
        for path in [
            "/series",
            "/series/{id}",
            "/series/{id}/seasons",
            "/seasons/{id}/episodes",
            "/episodes/recent",
            "/episodes/{id}",
        ] {
            assert!(paths.contains(&path), "{path} missing from {paths:?}");
        }
    }
}
