//! HLS routes: the master playlist opens (or finds) the caller's transcode session for the
//! file and device; renditions, init and media segments are served from that session, which
//! only its owner may read. Every URL in a playlist carries a signed media token, so players
//! that cannot send headers follow them as they are. With a remote transcoder the source is
//! handed over as a signed, expiring URL of this server's stream route, never as a path.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode, header};
use revenge_core::extract::{ApiPath, ApiQuery};
use revenge_core::{Id, Problem, Viewer};
use revenge_transcode::playlist::{master as master_playlist, variant as variant_playlist};
use revenge_transcode::{SessionKey, SessionSpec, Source, TranscodeError};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::signed;
use crate::decide::{FileInfo, IMAGE_SUBTITLES};
use crate::error::transcode_problem;
use crate::files::playable;
use crate::{Playback, PlaybackError};

const PLAYLIST: &str = "application/vnd.apple.mpegurl";

/// `?device=&audio=&burn_subtitle=&transcode=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MasterQuery {
    /// The client's device id (one session per user, device and file).
    device: Option<String>,
    /// The audio track, by index among audio tracks.
    audio: Option<u32>,
    /// An image subtitle (absolute stream index) to burn in.
    burn_subtitle: Option<u32>,
    /// Leave out the original-quality copy.
    transcode: Option<bool>,
}

/// The master playlist of a file's HLS session, opening the session if needed.
#[utoipa::path(get, path = "/api/v1/playback/{file_id}/hls/master.m3u8", tag = "playback",
    params(("file_id" = Id, Path, description = "A media file id"), MasterQuery),
    responses(
        (status = 200, description = "The master playlist", content_type = "application/vnd.apple.mpegurl"),
        (status = 403, description = "The account may not transcode, or the pre_transcode hook refused", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such file, or not the caller's to see", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "The transcode limit is reached, or ffmpeg is missing", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(crate) async fn master(
    State(state): State<Playback>,
    viewer: Viewer,
    headers: HeaderMap,
    ApiPath(file_id): ApiPath<Id>,
    ApiQuery(query): ApiQuery<MasterQuery>,
) -> Result<Response, Problem> {
    let file = playable(&state, &viewer, file_id).await?;
    if !viewer.capabilities.transcode {
        return Err(PlaybackError::NoTranscode.into());
    }
    let info: FileInfo = file
        .info()
        .and_then(|json| serde_json::from_value(json).ok())
        .unwrap_or_default();
    let duration_secs = info.duration_secs.filter(|d| *d > 0.0).ok_or_else(|| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_duration",
            "the file's duration is unknown; it cannot be segmented",
        )
    })?;
    let burn_subtitle = query.burn_subtitle.filter(|index| {
        info.subtitles
            .iter()
            .any(|s| s.index == *index && IMAGE_SUBTITLES.contains(&s.codec.as_str()))
    });
    let video = info.video.first();
    let spec = SessionSpec {
        source: source(&state, &viewer, &headers, file_id, &file.path)?,
        duration_secs,
        source_height: video.and_then(|v| v.height),
        source_width: video.and_then(|v| v.width),
        copy_video: !query.transcode.unwrap_or(false) && video.is_some_and(|v| v.codec == "h264"),
        audio_track: query.audio.unwrap_or(0),
        burn_subtitle,
    };
    let hook_input = serde_json::json!({
        "user_id": viewer.user_id,
        "file_id": file_id,
        "item": file.item.as_ref().map(|i| serde_json::json!({"module": i.module, "item_id": i.item_id, "title": i.title})),
        "burn_subtitle": burn_subtitle,
    });
    state
        .hooks
        .pre_transcode(&hook_input)
        .await
        .map_err(|e| Problem::new(StatusCode::FORBIDDEN, "transcode_refused", e.to_string()))?;
    let key = SessionKey {
        user_id: viewer.user_id,
        device: query.device.unwrap_or_else(|| "default".to_owned()),
        file_id,
    };
    let session = state
        .transcoder
        .open(Some(key), spec)
        .await
        .map_err(transcode_problem)?;
    let entries: Vec<_> = session.renditions.iter().map(|r| r.entry.clone()).collect();
    let text = master_playlist(&entries, |name| {
        signed(
            &state,
            &viewer,
            &format!("/api/v1/playback/sessions/{}/{name}/index.m3u8", session.id),
            "",
        )
    });
    Ok(playlist_response(text, &session.id))
}

/// The input handed to the transcoder: the file itself locally; for a remote transcoder, this
/// server's stream URL with a media token (signed for that path, expiring with
/// `auth.media_token_ttl_secs`), reached through `remote.callback_url` or the request's host.
fn source(
    state: &Playback,
    viewer: &Viewer,
    headers: &HeaderMap,
    file_id: Id,
    path: &std::path::Path,
) -> Result<Source, Problem> {
    if !state.transcoder.is_remote() {
        return Ok(Source::Path(path.to_path_buf()));
    }
    let base = match &state.transcoder.settings().remote.callback_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .filter(|h| !h.is_empty() && !h.contains(['/', ' ', '@']))
                .ok_or_else(|| {
                    Problem::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "remote_transcoder_failed",
                        "the request has no Host to build the transcoder's source URL from; \
                         set transcoding.remote.callback_url",
                    )
                })?;
            format!("http://{host}")
        }
    };
    let stream = signed(state, viewer, &format!("/api/v1/stream/{file_id}"), "");
    Ok(Source::Url(format!("{base}{stream}")))
}

fn playlist_response(text: String, session: &str) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static(PLAYLIST),
    );
    headers.insert(
        header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    if let Ok(value) = http::HeaderValue::from_str(session) {
        headers.insert("x-transcode-session", value);
    }
    (headers, text).into_response()
}

/// The session, if the caller owns it (administrators may read any). Someone else's session
/// is reported as missing.
fn owned(state: &Playback, viewer: &Viewer, session: &str) -> Result<(), Problem> {
    match state.transcoder.owner(session) {
        Ok(Some(owner)) if owner == viewer.user_id || viewer.is_admin => Ok(()),
        Ok(_) | Err(TranscodeError::SessionNotFound) => {
            Err(transcode_problem(TranscodeError::SessionNotFound))
        }
        Err(e) => Err(transcode_problem(e)),
    }
}

/// A rendition's playlist: the whole timeline, whether or not ffmpeg got there yet.
#[utoipa::path(get, path = "/api/v1/playback/sessions/{session}/{rendition}/index.m3u8", tag = "playback",
    params(("session" = String, Path, description = "The session id"), ("rendition" = String, Path, description = "`original`, `720p`, …")),
    responses(
        (status = 200, description = "The rendition's playlist", content_type = "application/vnd.apple.mpegurl"),
        (status = 404, description = "No such session or rendition", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(crate) async fn variant(
    State(state): State<Playback>,
    viewer: Viewer,
    ApiPath((session, rendition)): ApiPath<(String, String)>,
) -> Result<Response, Problem> {
    owned(&state, &viewer, &session)?;
    let info = state.transcoder.info(&session).map_err(transcode_problem)?;
    if !info.renditions.iter().any(|r| r.name == rendition) {
        return Err(transcode_problem(TranscodeError::NotFound(format!(
            "rendition {rendition}"
        ))));
    }
    let base = format!("/api/v1/playback/sessions/{session}/{rendition}");
    let text = variant_playlist(info.duration_secs, info.segment_secs, |n| {
        let path = match n {
            Some(n) => format!("{base}/{n}.m4s"),
            None => format!("{base}/init.mp4"),
        };
        signed(&state, &viewer, &path, "")
    });
    Ok(playlist_response(text, &session))
}

/// A rendition's init segment.
#[utoipa::path(get, path = "/api/v1/playback/sessions/{session}/{rendition}/init.mp4", tag = "playback",
    params(("session" = String, Path, description = "The session id"), ("rendition" = String, Path, description = "The rendition")),
    responses((status = 200, description = "The init segment", content_type = "video/mp4")))]
pub(crate) async fn init(
    State(state): State<Playback>,
    viewer: Viewer,
    ApiPath((session, rendition)): ApiPath<(String, String)>,
) -> Result<Response, Problem> {
    owned(&state, &viewer, &session)?;
    if let Some(url) = state
        .transcoder
        .redirect_url(&session, &rendition, "init.mp4")
    {
        return Ok(redirect(&url));
    }
    let bytes = state
        .transcoder
        .init_segment(&session, &rendition)
        .await
        .map_err(transcode_problem)?;
    Ok(([(header::CONTENT_TYPE, "video/mp4")], bytes).into_response())
}

/// A media segment (`<n>.m4s`), produced on demand: asking far ahead of ffmpeg restarts it
/// at that segment.
#[utoipa::path(get, path = "/api/v1/playback/sessions/{session}/{rendition}/{segment}", tag = "playback",
    params(("session" = String, Path, description = "The session id"), ("rendition" = String, Path, description = "The rendition"), ("segment" = String, Path, description = "`<n>.m4s`")),
    responses(
        (status = 200, description = "The segment", content_type = "video/iso.segment"),
        (status = 504, description = "ffmpeg did not produce it in time", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(crate) async fn segment(
    State(state): State<Playback>,
    viewer: Viewer,
    ApiPath((session, rendition, segment)): ApiPath<(String, String, String)>,
) -> Result<Response, Problem> {
    owned(&state, &viewer, &session)?;
    let n: u64 = segment
        .strip_suffix(".m4s")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| Problem::not_found(format!("segment {segment}")))?;
    if let Some(url) = state
        .transcoder
        .redirect_url(&session, &rendition, &segment)
    {
        return Ok(redirect(&url));
    }
    let bytes = state
        .transcoder
        .segment(&session, &rendition, n)
        .await
        .map_err(transcode_problem)?;
    Ok(([(header::CONTENT_TYPE, "video/iso.segment")], bytes).into_response())
}

/// A temporary redirect to a remote transcoder serving the file itself.
fn redirect(url: &str) -> Response {
    match http::HeaderValue::from_str(url) {
        Ok(location) => (
            StatusCode::TEMPORARY_REDIRECT,
            [(header::LOCATION, location)],
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Ends a session: ffmpeg stops and the segments are deleted.
#[utoipa::path(delete, path = "/api/v1/playback/sessions/{session}", tag = "playback",
    params(("session" = String, Path, description = "The session id")),
    responses((status = 204, description = "Stopped")))]
pub(crate) async fn stop(
    State(state): State<Playback>,
    viewer: Viewer,
    ApiPath(session): ApiPath<String>,
) -> Result<StatusCode, Problem> {
    owned(&state, &viewer, &session)?;
    state.transcoder.stop(&session).await;
    Ok(StatusCode::NO_CONTENT)
}
