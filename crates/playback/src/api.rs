//! The JSON routes: playback decisions, progress reports, "continue watching", played marks,
//! WebVTT subtitles and streamed audio.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::header;
use revenge_core::extract::{ApiJson, ApiPath, ApiQuery};
use revenge_core::{Event, Id, ItemRef, Problem, Viewer};
use revenge_transcode::{AudioFormat, Source, SubtitleInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::decide::{ClientCapabilities, FileInfo, IMAGE_SUBTITLES, Method, decide};
use crate::error::transcode_problem;
use crate::files::playable;
use crate::progress::{self, PlaybackStateDto, ProgressEvent};
use crate::{Playback, PlaybackError};

/// `POST /api/v1/playback/{file_id}/info`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InfoRequest {
    /// What the client can play.
    #[serde(default)]
    capabilities: ClientCapabilities,
    /// The client's device id, which keys its transcode session.
    device: Option<String>,
    /// The audio track, by index among audio tracks.
    #[serde(default)]
    audio_track: usize,
    /// An embedded image subtitle (absolute stream index) to burn into the picture.
    burn_subtitle: Option<u32>,
}

/// How to play a file.
#[derive(Debug, Serialize, ToSchema)]
pub struct InfoResponse {
    method: Method,
    /// Why not direct play, for people.
    reasons: Vec<String>,
    /// The original file (with a signed media token), for direct play.
    direct_url: Option<String>,
    /// The HLS master playlist (with a signed media token), for direct stream and transcode.
    hls_url: Option<String>,
    /// Text subtitles as WebVTT URLs.
    subtitles: Vec<SubtitleLink>,
}

/// A subtitle a client can load.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubtitleLink {
    /// `embedded:<stream index>` or `external:<n>`.
    id: String,
    language: Option<String>,
    url: String,
}

/// A URL path with a signed media token for the caller, so players can open it directly.
pub(crate) fn signed(state: &Playback, viewer: &Viewer, path: &str, query: &str) -> String {
    let sep = if query.is_empty() { "" } else { "&" };
    match state.auth.media_token(viewer.user_id, path) {
        Ok((token, _)) => format!("{path}?{query}{sep}mt={token}"),
        Err(_) if query.is_empty() => path.to_owned(),
        Err(_) => format!("{path}?{query}"),
    }
}

/// How a client should play a file. Files are addressed by id: an item with several files
/// (versions, parts) lists them in its detail and the client picks one.
#[utoipa::path(post, path = "/api/v1/playback/{file_id}/info", tag = "playback",
    params(("file_id" = Id, Path, description = "A media file id")),
    request_body = InfoRequest,
    responses(
        (status = 200, description = "The method and URLs", body = InfoResponse),
        (status = 404, description = "No such file, or not the caller's to see", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(crate) async fn info(
    State(state): State<Playback>,
    viewer: Viewer,
    ApiPath(file_id): ApiPath<Id>,
    ApiJson(request): ApiJson<InfoRequest>,
) -> Result<Json<InfoResponse>, Problem> {
    let file = playable(&state, &viewer, file_id).await?;
    let info: FileInfo = file
        .info()
        .and_then(|json| serde_json::from_value(json).ok())
        .unwrap_or_default();
    let burn = request.burn_subtitle.is_some_and(|index| {
        info.subtitles
            .iter()
            .any(|s| s.index == index && IMAGE_SUBTITLES.contains(&s.codec.as_str()))
    });
    let mut decision = decide(&info, &request.capabilities, request.audio_track, burn);
    if decision.method == Method::DirectPlay && !viewer.capabilities.download {
        decision.method = Method::DirectStream;
        decision
            .reasons
            .push("this account may not play original files".to_owned());
    }
    let device = request.device.unwrap_or_else(|| "default".to_owned());
    let mut query = format!("device={}&audio={}", encode(&device), request.audio_track);
    if burn && let Some(index) = request.burn_subtitle {
        query.push_str(&format!("&burn_subtitle={index}"));
    }
    if decision.method == Method::Transcode {
        query.push_str("&transcode=true");
    }
    let direct_url = (decision.method == Method::DirectPlay)
        .then(|| signed(&state, &viewer, &format!("/api/v1/stream/{file_id}"), ""));
    let hls_url =
        (decision.method != Method::DirectPlay && viewer.capabilities.transcode).then(|| {
            signed(
                &state,
                &viewer,
                &format!("/api/v1/playback/{file_id}/hls/master.m3u8"),
                &query,
            )
        });
    let raw = file.info().unwrap_or_default();
    let mut subtitles = Vec::new();
    for track in &info.subtitles {
        if IMAGE_SUBTITLES.contains(&track.codec.as_str()) {
            continue;
        }
        let id = format!("embedded:{}", track.index);
        subtitles.push(SubtitleLink {
            language: raw["subtitles"]
                .as_array()
                .and_then(|s| s.iter().find(|t| t["index"] == track.index))
                .and_then(|t| t["language"].as_str())
                .map(str::to_owned),
            url: signed(
                &state,
                &viewer,
                &format!("/api/v1/playback/{file_id}/subtitles/{id}"),
                "",
            ),
            id,
        });
    }
    if let Some(external) = raw["external_subtitles"].as_array() {
        for (n, track) in external.iter().enumerate() {
            let id = format!("external:{n}");
            subtitles.push(SubtitleLink {
                language: track["language"].as_str().map(str::to_owned),
                url: signed(
                    &state,
                    &viewer,
                    &format!("/api/v1/playback/{file_id}/subtitles/{id}"),
                    "",
                ),
                id,
            });
        }
    }
    Ok(Json(InfoResponse {
        method: decision.method,
        reasons: decision.reasons,
        direct_url,
        hls_url,
        subtitles,
    }))
}

fn encode(value: &str) -> String {
    value
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(64)
        .collect()
}

/// `POST /api/v1/playback/progress`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressRequest {
    /// The file being played.
    file_id: Id,
    /// What happened.
    event: ProgressEvent,
    /// Where the player is, in milliseconds.
    position_ms: i64,
    /// The length, when the player knows it better than the scan did.
    duration_ms: Option<i64>,
}

/// Reports playback progress; answers the item's state after it.
#[utoipa::path(post, path = "/api/v1/playback/progress", tag = "playback",
    request_body = ProgressRequest,
    responses(
        (status = 200, description = "The item's state", body = PlaybackStateDto),
        (status = 404, description = "No such file, or not the caller's to see", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(crate) async fn progress(
    State(state): State<Playback>,
    viewer: Viewer,
    ApiJson(request): ApiJson<ProgressRequest>,
) -> Result<Json<PlaybackStateDto>, Problem> {
    if request.position_ms < 0 {
        return Err(PlaybackError::Invalid {
            field: "position_ms",
            message: "must not be negative".to_owned(),
        }
        .into());
    }
    let file = playable(&state, &viewer, request.file_id).await?;
    let item = file
        .item
        .clone()
        .ok_or(PlaybackError::NoItem(request.file_id))?;
    #[allow(
        clippy::cast_possible_truncation,
        reason = "milliseconds of a media file fit easily"
    )]
    let duration = request.duration_ms.or_else(|| {
        file.info()
            .and_then(|i| i["duration_secs"].as_f64())
            .map(|secs| (secs * 1000.0) as i64)
    });
    let after = progress::report(
        &state.db,
        state.rules,
        viewer.user_id,
        &item,
        request.event,
        request.position_ms,
        duration,
    )
    .await?;
    match request.event {
        ProgressEvent::Start => state.events.publish(Event::PlaybackStarted {
            user_id: viewer.user_id,
            item,
        }),
        ProgressEvent::Stop => state.events.publish(Event::PlaybackStopped {
            user_id: viewer.user_id,
            item,
            #[allow(clippy::cast_precision_loss, reason = "a position in seconds")]
            position_secs: request.position_ms as f64 / 1000.0,
        }),
        ProgressEvent::Progress => {}
    }
    Ok(Json(after))
}

/// An item in progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContinueItem {
    /// The item.
    item: ItemRefDto,
    /// Its state.
    state: PlaybackStateDto,
}

/// An item as lists of several modules show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemRefDto {
    module: String,
    item_id: Id,
    library_id: Id,
    title: String,
}

impl From<ItemRef> for ItemRefDto {
    fn from(i: ItemRef) -> Self {
        Self {
            module: i.module,
            item_id: i.item_id,
            library_id: i.library_id,
            title: i.title,
        }
    }
}

/// How many "continue watching" rows are read; hidden ones are dropped after reading, because
/// items live in different modules' tables.
const CONTINUE_LIMIT: u64 = 50;

/// The caller's items in progress (between 5% and 90% by default), most recent first.
#[utoipa::path(get, path = "/api/v1/playback/continue", tag = "playback",
    responses((status = 200, description = "Items in progress", body = Vec<ContinueItem>)))]
pub(crate) async fn continue_watching(
    State(state): State<Playback>,
    viewer: Viewer,
) -> Result<Json<Vec<ContinueItem>>, Problem> {
    let rows =
        progress::in_progress(&state.db, state.rules, viewer.user_id, CONTINUE_LIMIT).await?;
    let mut out = Vec::new();
    for row in rows {
        let Some(module) = state.modules.iter().find(|m| m.id() == row.module) else {
            continue;
        };
        if let Some(item) = module
            .item_ref(&state.db, &viewer, row.item_id)
            .await
            .map_err(PlaybackError::Module)?
        {
            out.push(ContinueItem {
                item: item.into(),
                state: row.into(),
            });
        }
    }
    Ok(Json(out))
}

async fn visible_item(
    state: &Playback,
    viewer: &Viewer,
    module: &str,
    item_id: Id,
) -> Result<ItemRef, Problem> {
    let found = match state.modules.iter().find(|m| m.id() == module) {
        Some(m) => m
            .item_ref(&state.db, viewer, item_id)
            .await
            .map_err(PlaybackError::Module)?,
        None => None,
    };
    found.ok_or_else(|| Problem::not_found(format!("{module} item {item_id}")))
}

/// The caller's playback state of an item (resume position, played, play count).
#[utoipa::path(get, path = "/api/v1/playback/items/{module}/{item_id}", tag = "playback",
    params(("module" = String, Path, description = "The module"), ("item_id" = Id, Path, description = "The item")),
    responses(
        (status = 200, description = "The state", body = PlaybackStateDto),
        (status = 404, description = "No such item, or not the caller's to see", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(crate) async fn item_state(
    State(state): State<Playback>,
    viewer: Viewer,
    ApiPath((module, item_id)): ApiPath<(String, Id)>,
) -> Result<Json<PlaybackStateDto>, Problem> {
    let item = visible_item(&state, &viewer, &module, item_id).await?;
    let found = progress::get(&state.db, viewer.user_id, &item.module, item_id).await?;
    Ok(Json(found.map_or_else(
        || PlaybackStateDto::unplayed(&item.module, item_id),
        PlaybackStateDto::from,
    )))
}

/// Marks an item played.
#[utoipa::path(post, path = "/api/v1/playback/items/{module}/{item_id}/played", tag = "playback",
    params(("module" = String, Path, description = "The module"), ("item_id" = Id, Path, description = "The item")),
    responses((status = 200, description = "The state", body = PlaybackStateDto)))]
pub(crate) async fn mark_played(
    State(state): State<Playback>,
    viewer: Viewer,
    ApiPath((module, item_id)): ApiPath<(String, Id)>,
) -> Result<Json<PlaybackStateDto>, Problem> {
    let item = visible_item(&state, &viewer, &module, item_id).await?;
    Ok(Json(
        progress::mark(&state.db, viewer.user_id, &item, true).await?,
    ))
}

/// Marks an item unplayed (and forgets its resume position).
#[utoipa::path(delete, path = "/api/v1/playback/items/{module}/{item_id}/played", tag = "playback",
    params(("module" = String, Path, description = "The module"), ("item_id" = Id, Path, description = "The item")),
    responses((status = 200, description = "The state", body = PlaybackStateDto)))]
pub(crate) async fn mark_unplayed(
    State(state): State<Playback>,
    viewer: Viewer,
    ApiPath((module, item_id)): ApiPath<(String, Id)>,
) -> Result<Json<PlaybackStateDto>, Problem> {
    let item = visible_item(&state, &viewer, &module, item_id).await?;
    Ok(Json(
        progress::mark(&state.db, viewer.user_id, &item, false).await?,
    ))
}

/// A text subtitle as WebVTT: `embedded:<stream index>` or `external:<n>` (the n-th sidecar
/// file the scan found).
#[utoipa::path(get, path = "/api/v1/playback/{file_id}/subtitles/{subtitle}", tag = "playback",
    params(("file_id" = Id, Path, description = "A media file id"), ("subtitle" = String, Path, description = "`embedded:<index>` or `external:<n>`")),
    responses(
        (status = 200, description = "WebVTT", content_type = "text/vtt"),
        (status = 404, description = "No such file or subtitle", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(crate) async fn subtitle(
    State(state): State<Playback>,
    viewer: Viewer,
    ApiPath((file_id, subtitle)): ApiPath<(Id, String)>,
) -> Result<Response, Problem> {
    let file = playable(&state, &viewer, file_id).await?;
    let info = file.info().unwrap_or_default();
    let missing = || Problem::not_found(format!("subtitle {subtitle}"));
    let source = Source::Path(file.path.clone());
    let sidecar;
    let input = match subtitle.split_once(':') {
        Some(("embedded", index)) => {
            let index: u32 = index.parse().map_err(|_| missing())?;
            let track = info["subtitles"]
                .as_array()
                .and_then(|s| s.iter().find(|t| t["index"] == index))
                .ok_or_else(missing)?;
            if track["codec"]
                .as_str()
                .is_some_and(|c| IMAGE_SUBTITLES.contains(&c))
            {
                return Err(Problem::bad_request(
                    Some("subtitle"),
                    "an image subtitle cannot become text; ask for it burned in",
                ));
            }
            SubtitleInput::Embedded(&source, index)
        }
        Some(("external", n)) => {
            let n: usize = n.parse().map_err(|_| missing())?;
            // Only names the scan recorded, joined to the video's own folder: no traversal.
            let name = info["external_subtitles"][n]["file"]
                .as_str()
                .filter(|name| !name.contains('/') && !name.starts_with('.'))
                .ok_or_else(missing)?;
            sidecar = file.path.with_file_name(name);
            SubtitleInput::File(&sidecar)
        }
        _ => return Err(missing()),
    };
    let vtt = revenge_transcode::media::webvtt(&state.transcoder.settings().ffmpeg, &input)
        .await
        .map_err(transcode_problem)?;
    Ok(([(header::CONTENT_TYPE, "text/vtt; charset=utf-8")], vtt).into_response())
}

/// `?format=&bitrate=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AudioQuery {
    /// `mp3`, `opus` or `aac`.
    #[param(value_type = String)]
    format: AudioFormat,
    /// kbit/s (default 192).
    bitrate: Option<u32>,
}

/// A file's first audio track transcoded and streamed as it is produced (music, audiobooks).
#[utoipa::path(get, path = "/api/v1/playback/{file_id}/audio", tag = "playback",
    params(("file_id" = Id, Path, description = "A media file id"), AudioQuery),
    responses(
        (status = 200, description = "The audio", content_type = "audio/mpeg"),
        (status = 503, description = "ffmpeg is missing", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(crate) async fn audio(
    State(state): State<Playback>,
    viewer: Viewer,
    ApiPath(file_id): ApiPath<Id>,
    ApiQuery(query): ApiQuery<AudioQuery>,
) -> Result<Response, Problem> {
    let file = playable(&state, &viewer, file_id).await?;
    if !viewer.capabilities.transcode {
        return Err(PlaybackError::NoTranscode.into());
    }
    let stream = revenge_transcode::media::audio(
        &state.transcoder.settings().ffmpeg,
        &Source::Path(file.path.clone()),
        query.format,
        query.bitrate.unwrap_or(192),
    )
    .await
    .map_err(transcode_problem)?;
    Ok((
        [(header::CONTENT_TYPE, query.format.content_type())],
        Body::from_stream(stream),
    )
        .into_response())
}
