//! The `/api/v1/music` HTTP API: artists, albums, tracks, genres, recently added, random, and
//! the caller's Subsonic password.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use http::StatusCode;
use revenge_core::extract::{ApiPath, ApiQuery};
use revenge_core::{Id, ModuleContext, Page, PageParams, Problem, Viewer};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::repo::{self, AlbumOrder, AlbumRow, ArtistRow, TrackFilter, TrackRow};

/// An artist.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArtistDto {
    id: Id,
    library_id: Id,
    name: String,
    sort_name: String,
    musicbrainz_id: Option<String>,
    /// Albums it leads.
    album_count: i64,
}

impl From<ArtistRow> for ArtistDto {
    fn from(r: ArtistRow) -> Self {
        Self {
            id: r.id,
            library_id: r.library_id,
            name: r.name,
            sort_name: r.sort_name,
            musicbrainz_id: r.mbid,
            album_count: r.album_count,
        }
    }
}

/// An album.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlbumDto {
    id: Id,
    library_id: Id,
    title: String,
    artist_id: Id,
    artist: String,
    year: Option<i32>,
    original_year: Option<i32>,
    genre: Option<String>,
    compilation: bool,
    musicbrainz_id: Option<String>,
    track_count: i64,
    duration_ms: i64,
    added_at: DateTime<Utc>,
    /// Its cover, through `/api/v1/images/{image}`.
    image: String,
}

impl From<AlbumRow> for AlbumDto {
    fn from(r: AlbumRow) -> Self {
        Self {
            image: format!("music.{}.poster", r.id),
            id: r.id,
            library_id: r.library_id,
            title: r.title,
            artist_id: r.artist_id,
            artist: r.artist_name,
            year: r.year,
            original_year: r.original_year,
            genre: r.genre,
            compilation: r.compilation,
            musicbrainz_id: r.mbid,
            track_count: r.song_count,
            duration_ms: r.duration_ms,
            added_at: r.added_at,
        }
    }
}

/// A track.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrackDto {
    id: Id,
    library_id: Id,
    title: String,
    album_id: Id,
    album: String,
    artist_id: Id,
    artists: Vec<String>,
    album_artist: String,
    disc: Option<i32>,
    disc_total: Option<i32>,
    track: Option<i32>,
    track_total: Option<i32>,
    year: Option<i32>,
    original_year: Option<i32>,
    genres: Vec<String>,
    composer: Option<String>,
    compilation: bool,
    duration_ms: i64,
    bitrate_kbps: Option<i32>,
    sample_rate: Option<i32>,
    channels: Option<i32>,
    bit_depth: Option<i32>,
    suffix: String,
    size: i64,
    bpm: Option<i32>,
    comment: Option<String>,
    replay_gain_track_db: Option<f64>,
    replay_gain_track_peak: Option<f64>,
    replay_gain_album_db: Option<f64>,
    replay_gain_album_peak: Option<f64>,
    musicbrainz_recording_id: Option<String>,
    musicbrainz_track_id: Option<String>,
    musicbrainz_release_id: Option<String>,
    has_embedded_cover: bool,
    has_lyrics: bool,
    /// Why the tags could not be read, when they could not.
    warning: Option<String>,
    added_at: DateTime<Utc>,
}

impl From<TrackRow> for TrackDto {
    fn from(row: TrackRow) -> Self {
        let t = row.track;
        Self {
            id: t.id,
            library_id: t.library_id,
            title: t.title,
            album_id: t.album_id,
            album: row.album_title,
            artist_id: t.artist_id,
            artists: serde_json::from_str(&t.artists).unwrap_or_default(),
            album_artist: t.album_artist,
            disc: t.disc_no,
            disc_total: t.disc_total,
            track: t.track_no,
            track_total: t.track_total,
            year: t.year,
            original_year: t.original_year,
            genres: serde_json::from_str(&t.genres).unwrap_or_default(),
            composer: t.composer,
            compilation: t.compilation,
            duration_ms: t.duration_ms,
            bitrate_kbps: t.bitrate,
            sample_rate: t.sample_rate,
            channels: t.channels,
            bit_depth: t.bit_depth,
            suffix: t.suffix,
            size: t.size,
            bpm: t.bpm,
            comment: t.comment,
            replay_gain_track_db: t.rg_track_gain,
            replay_gain_track_peak: t.rg_track_peak,
            replay_gain_album_db: t.rg_album_gain,
            replay_gain_album_peak: t.rg_album_peak,
            musicbrainz_recording_id: t.mb_recording_id,
            musicbrainz_track_id: t.mb_track_id,
            musicbrainz_release_id: t.mb_release_id,
            has_embedded_cover: t.has_cover,
            has_lyrics: t.lyrics.is_some(),
            warning: t.warning,
            added_at: t.added_at,
        }
    }
}

/// An artist with its albums.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArtistDetail {
    #[serde(flatten)]
    artist: ArtistDto,
    albums: Vec<AlbumDto>,
}

/// An album with its tracks.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlbumDetail {
    #[serde(flatten)]
    album: AlbumDto,
    tracks: Vec<TrackDto>,
}

/// A genre.
#[derive(Debug, Serialize, ToSchema)]
pub struct GenreDto {
    name: String,
    track_count: i64,
    album_count: i64,
}

/// A new Subsonic password, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubsonicPassword {
    /// The user name Subsonic clients sign in with.
    username: String,
    /// The password for Subsonic clients only (not the account's).
    password: String,
}

/// How albums are ordered.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlbumSort {
    /// By title.
    #[default]
    Title,
    /// By album artist.
    Artist,
    /// Newest additions first.
    Newest,
    /// By year.
    Year,
    /// Random.
    Random,
}

/// Filters of `GET /albums`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlbumQuery {
    /// Sort key.
    #[serde(default)]
    #[param(inline)]
    sort: AlbumSort,
    /// Only albums with a track of this genre.
    genre: Option<String>,
    /// Only albums of this album artist.
    artist_id: Option<Id>,
    /// Only albums whose title contains this.
    q: Option<String>,
}

/// Filters of `GET /artists`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArtistQuery {
    /// Only artists whose name contains this.
    q: Option<String>,
}

/// Filters of `GET /tracks`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrackQuery {
    /// Only tracks of this album (in disc and track order).
    album_id: Option<Id>,
    /// Only tracks by this artist or on its albums.
    artist_id: Option<Id>,
    /// Only tracks of this genre.
    genre: Option<String>,
    /// Only tracks whose title contains this.
    q: Option<String>,
}

pub(crate) fn router() -> OpenApiRouter<ModuleContext> {
    OpenApiRouter::new()
        .routes(routes!(list_artists))
        .routes(routes!(get_artist))
        .routes(routes!(list_albums))
        .routes(routes!(get_album))
        .routes(routes!(list_tracks))
        .routes(routes!(get_track))
        .routes(routes!(list_genres))
        .routes(routes!(recently_added))
        .routes(routes!(random_tracks))
        .routes(routes!(rotate_subsonic_password))
}

/// Album artists the caller may see, by name.
#[utoipa::path(get, path = "/artists", tag = "music", params(PageParams, ArtistQuery),
    responses(
        (status = 200, description = "One page of artists", body = Page<ArtistDto>),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn list_artists(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
    ApiQuery(page): ApiQuery<PageParams>,
    ApiQuery(query): ApiQuery<ArtistQuery>,
) -> Result<Json<Page<ArtistDto>>, Problem> {
    let page = repo::artists(&ctx.db, &viewer, query.q.as_deref(), Some(page.validate()?)).await?;
    Ok(Json(page.map(ArtistDto::from)))
}

/// One artist with its albums.
#[utoipa::path(get, path = "/artists/{id}", tag = "music",
    params(("id" = Id, Path, description = "The artist's id")),
    responses(
        (status = 200, description = "The artist", body = ArtistDetail),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such artist", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn get_artist(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<ArtistDetail>, Problem> {
    let artist = repo::artist(&ctx.db, &viewer, id).await?;
    let albums = repo::albums(&ctx.db, &viewer, &AlbumOrder::Name, Some(id), None, None).await?;
    Ok(Json(ArtistDetail {
        artist: artist.into(),
        albums: albums.items.into_iter().map(AlbumDto::from).collect(),
    }))
}

/// Albums the caller may see.
#[utoipa::path(get, path = "/albums", tag = "music", params(PageParams, AlbumQuery),
    responses(
        (status = 200, description = "One page of albums", body = Page<AlbumDto>),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn list_albums(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
    ApiQuery(page): ApiQuery<PageParams>,
    ApiQuery(query): ApiQuery<AlbumQuery>,
) -> Result<Json<Page<AlbumDto>>, Problem> {
    let order = match (&query.genre, query.sort) {
        (Some(genre), _) => AlbumOrder::Genre(genre.clone()),
        (None, AlbumSort::Title) => AlbumOrder::Name,
        (None, AlbumSort::Artist) => AlbumOrder::Artist,
        (None, AlbumSort::Newest) => AlbumOrder::Newest,
        (None, AlbumSort::Random) => AlbumOrder::Random,
        (None, AlbumSort::Year) => AlbumOrder::Year { from: 0, to: 9999 },
    };
    let page = repo::albums(
        &ctx.db,
        &viewer,
        &order,
        query.artist_id,
        query.q.as_deref(),
        Some(page.validate()?),
    )
    .await?;
    Ok(Json(page.map(AlbumDto::from)))
}

/// One album with its tracks.
#[utoipa::path(get, path = "/albums/{id}", tag = "music",
    params(("id" = Id, Path, description = "The album's id")),
    responses(
        (status = 200, description = "The album", body = AlbumDetail),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such album", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn get_album(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<AlbumDetail>, Problem> {
    let album = repo::album(&ctx.db, &viewer, id).await?;
    let filter = TrackFilter {
        album_id: Some(id),
        ..Default::default()
    };
    let tracks = repo::tracks::<TrackRow, _>(&ctx.db, &viewer, &filter, None).await?;
    Ok(Json(AlbumDetail {
        album: album.into(),
        tracks: tracks.items.into_iter().map(TrackDto::from).collect(),
    }))
}

/// Tracks the caller may see.
#[utoipa::path(get, path = "/tracks", tag = "music", params(PageParams, TrackQuery),
    responses(
        (status = 200, description = "One page of tracks", body = Page<TrackDto>),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn list_tracks(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
    ApiQuery(page): ApiQuery<PageParams>,
    ApiQuery(query): ApiQuery<TrackQuery>,
) -> Result<Json<Page<TrackDto>>, Problem> {
    let filter = TrackFilter {
        album_id: query.album_id,
        artist_id: query.artist_id,
        genre: query.genre,
        query: query.q,
        ..Default::default()
    };
    let page =
        repo::tracks::<TrackRow, _>(&ctx.db, &viewer, &filter, Some(page.validate()?)).await?;
    Ok(Json(page.map(TrackDto::from)))
}

/// One track.
#[utoipa::path(get, path = "/tracks/{id}", tag = "music",
    params(("id" = Id, Path, description = "The track's id")),
    responses(
        (status = 200, description = "The track", body = TrackDto),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such track", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn get_track(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<TrackDto>, Problem> {
    Ok(Json(
        repo::track::<TrackRow, _>(&ctx.db, &viewer, id)
            .await?
            .into(),
    ))
}

/// Genres with their counts.
#[utoipa::path(get, path = "/genres", tag = "music",
    responses(
        (status = 200, description = "Every genre of the visible tracks", body = Vec<GenreDto>),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn list_genres(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
) -> Result<Json<Vec<GenreDto>>, Problem> {
    let rows = repo::genres(&ctx.db, &viewer).await?;
    Ok(Json(
        rows.into_iter()
            .map(|g| GenreDto {
                name: g.genre,
                track_count: g.song_count,
                album_count: g.album_count,
            })
            .collect(),
    ))
}

/// Albums by when they were added, newest first.
#[utoipa::path(get, path = "/recent", tag = "music", params(PageParams),
    responses(
        (status = 200, description = "Recently added albums", body = Page<AlbumDto>),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn recently_added(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<AlbumDto>>, Problem> {
    let page = repo::albums(
        &ctx.db,
        &viewer,
        &AlbumOrder::Newest,
        None,
        None,
        Some(page.validate()?),
    )
    .await?;
    Ok(Json(page.map(AlbumDto::from)))
}

/// Random tracks (`limit` of them).
#[utoipa::path(get, path = "/random", tag = "music", params(PageParams),
    responses(
        (status = 200, description = "Random tracks", body = Vec<TrackDto>),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn random_tracks(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<(revenge_core::PrivateAnswer, Json<Vec<TrackDto>>), Problem> {
    let page = page.validate()?;
    let filter = TrackFilter {
        random: true,
        ..Default::default()
    };
    let rows = repo::tracks::<TrackRow, _>(
        &ctx.db,
        &viewer,
        &filter,
        Some(PageParams {
            offset: 0,
            limit: page.limit,
        }),
    )
    .await?;
    Ok((
        revenge_core::PRIVATE_ANSWER,
        Json(rows.items.into_iter().map(TrackDto::from).collect()),
    ))
}

/// Makes a new Subsonic password for the caller (replacing any earlier one) and shows it once.
/// Subsonic clients sign in with the user name and this password; the account password is
/// never accepted there.
#[utoipa::path(post, path = "/subsonic-password", tag = "music",
    responses(
        (status = 201, description = "The new password, shown once", body = SubsonicPassword),
        (status = 401, description = "Not signed in", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Read-only credentials", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
async fn rotate_subsonic_password(
    State(ctx): State<ModuleContext>,
    viewer: Viewer,
) -> Result<(StatusCode, Json<SubsonicPassword>), Problem> {
    viewer.require_write()?;
    let user = revenge_auth::users::get(&ctx.db, viewer.user_id).await?;
    let password = crate::user_data::rotate_subsonic_password(&ctx.db, viewer.user_id).await?;
    // The old password must stop working at once, also where a sign-in with it is kept.
    if let Some(cache) = &ctx.answers {
        cache.invalidate_account(viewer.user_id).await;
    }
    Ok((
        StatusCode::CREATED,
        Json(SubsonicPassword {
            username: user.username,
            password,
        }),
    ))
}
