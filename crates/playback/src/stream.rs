//! `GET`/`HEAD /api/v1/stream/{file_id}`: the original file, with ranges, validators and a
//! streamed body (never read whole into memory).

use std::time::SystemTime;

use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use revenge_core::extract::ApiPath;
use revenge_core::{Id, Problem, Viewer};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use crate::files::playable;
use crate::range::{RangeAnswer, answer, if_range_holds};
use crate::{Playback, PlaybackError};

/// Read size of the streamed body: large reads keep loopback copies near memory speed.
const CHUNK: usize = 256 * 1024;

/// The original file, whole or in part. Players that open URLs themselves pass a signed media
/// token as `?mt=` (from `POST /api/v1/auth/media-token` for this path).
#[utoipa::path(get, path = "/api/v1/stream/{file_id}", tag = "playback",
    params(("file_id" = Id, Path, description = "A media file id, from an item's file list")),
    responses(
        (status = 200, description = "The whole file", content_type = "application/octet-stream"),
        (status = 206, description = "The requested range", content_type = "application/octet-stream"),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 403, description = "The account may not download originals", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such file, or not the caller's to see", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 416, description = "The range lies outside the file"),
    ))]
pub(crate) async fn stream(
    State(state): State<Playback>,
    viewer: Viewer,
    ApiPath(file_id): ApiPath<Id>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let file = playable(&state, &viewer, file_id).await?;
    // Direct play hands out the original bytes: a download by another name.
    if !viewer.capabilities.download {
        return Err(PlaybackError::NoDownload.into());
    }
    let mut handle = tokio::fs::File::open(&file.path)
        .await
        .map_err(|_| PlaybackError::FileMissing(file_id))?;
    let meta = handle
        .metadata()
        .await
        .map_err(|source| PlaybackError::Io {
            id: file_id,
            source,
        })?;
    let len = meta.len();
    let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let modified_at: DateTime<Utc> = modified.into();
    let last_modified = modified_at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let mtime_ns = modified
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    // Size and mtime change whenever the content does, without hashing gigabytes.
    let etag = format!("\"{len:x}-{mtime_ns:x}\"");

    let header_str = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let mut common = HeaderMap::new();
    common.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    common.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        common.insert(header::ETAG, value);
    }
    if let Ok(value) = HeaderValue::from_str(&last_modified) {
        common.insert(header::LAST_MODIFIED, value);
    }
    if header_str(header::IF_NONE_MATCH)
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    common.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&file.row.rel_path)),
    );

    let range = if if_range_holds(header_str(header::IF_RANGE), &etag, &last_modified) {
        answer(header_str(header::RANGE), len)
    } else {
        RangeAnswer::Full
    };
    let (status, start, count) = match range {
        RangeAnswer::Full => (StatusCode::OK, 0, len),
        RangeAnswer::Partial { start, end } => {
            if let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")) {
                common.insert(header::CONTENT_RANGE, value);
            }
            (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
        }
        RangeAnswer::Unsatisfiable => {
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{len}")) {
                common.insert(header::CONTENT_RANGE, value);
            }
            common.remove(header::CONTENT_TYPE);
            return Ok((StatusCode::RANGE_NOT_SATISFIABLE, common).into_response());
        }
    };
    if start > 0 {
        handle
            .seek(std::io::SeekFrom::Start(start))
            .await
            .map_err(|source| PlaybackError::Io {
                id: file_id,
                source,
            })?;
    }
    common.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
    let body = Body::from_stream(ReaderStream::with_capacity(handle.take(count), CHUNK));
    Ok((status, common, body).into_response())
}

/// The media type for a file name's extension.
pub fn content_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "mkv" => "video/x-matroska",
        "mp4" | "m4v" => "video/mp4",
        "webm" => "video/webm",
        "mov" => "video/quicktime",
        "avi" => "video/x-msvideo",
        "ts" | "m2ts" | "mts" => "video/mp2t",
        "wmv" => "video/x-ms-wmv",
        "mpg" | "mpeg" | "vob" => "video/mpeg",
        "flv" => "video/x-flv",
        "ogv" => "video/ogg",
        "3gp" => "video/3gpp",
        "mp3" => "audio/mpeg",
        "flac" => "audio/flac",
        "m4a" | "m4b" => "audio/mp4",
        "ogg" | "oga" => "audio/ogg",
        "opus" => "audio/opus",
        "wav" => "audio/wav",
        "srt" => "application/x-subrip",
        "vtt" => "text/vtt",
        _ => "application/octet-stream",
    }
}
