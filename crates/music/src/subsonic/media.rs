//! Bytes: streams and downloads (ranges on the original file, ffmpeg when a format or a
//! bitrate is asked for), cover art, and lyrics.

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;

use super::model::parse_id;
use super::{Call, Result, SubsonicError};
use crate::repo;
use crate::user_data::Kind;

fn track_id(call: &Call<'_>) -> Result<revenge_core::Id> {
    match parse_id(call.params.required("id")?)? {
        (Kind::Track, id) => Ok(id),
        (_, id) => Err(SubsonicError::NotFound(format!("song {id}"))),
    }
}

/// `stream` and `download`.
pub async fn stream(call: &Call<'_>, download: bool) -> Result<Response> {
    let viewer = &call.caller.viewer;
    if download && !viewer.capabilities.download {
        return Err(SubsonicError::NotAuthorized(
            "downloads are not allowed for this user",
        ));
    }
    let id = track_id(call)?;
    let row: repo::TrackRow = repo::track(call.db, viewer, id).await?;
    let path = repo::track_path(call.db, viewer, id).await?;
    let format = call
        .params
        .get("format")
        .filter(|f| !f.is_empty() && *f != "raw");
    let max_kbps = call.params.maybe::<u32>("maxBitRate").filter(|b| *b > 0);
    let offset = call.params.maybe::<u32>("timeOffset");
    let lower_bitrate = max_kbps.is_some_and(|max| {
        row.track
            .bitrate
            .is_none_or(|b| u32::try_from(b).unwrap_or(0) > max)
    });
    let format_differs = format.is_some_and(|f| f != row.track.suffix);
    let transcode = !download
        && viewer.capabilities.transcode
        && (format_differs || lower_bitrate || offset.is_some_and(|o| o > 0));
    if transcode {
        let target = crate::stream::target(format.unwrap_or("mp3"));
        let body = crate::stream::transcode(&path, target, max_kbps, offset).map_err(|e| {
            tracing::error!(error = %e, "cannot start ffmpeg");
            SubsonicError::Generic("cannot transcode".to_owned())
        })?;
        let mut response = (StatusCode::OK, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(target.mime));
        return Ok(response);
    }
    // The original bytes, with ranges, conditional requests and HEAD handled by tower-http.
    // Subsonic clients may POST a stream request (formPost); the file is served as a GET.
    let method = if call.method == http::Method::HEAD {
        http::Method::HEAD
    } else {
        http::Method::GET
    };
    let mut request = http::Request::builder().method(method).uri("/");
    for name in [
        header::RANGE,
        header::IF_RANGE,
        header::IF_MODIFIED_SINCE,
        header::IF_NONE_MATCH,
        header::IF_MATCH,
        header::IF_UNMODIFIED_SINCE,
    ] {
        if let Some(value) = call.headers.get(&name) {
            request = request.header(name, value);
        }
    }
    let request = request
        .body(Body::empty())
        .map_err(|e| SubsonicError::Generic(e.to_string()))?;
    let mime = crate::stream::mime_of(&row.track.suffix);
    let served = tower_http::services::ServeFile::new(&path)
        .oneshot(request)
        .await
        .map_err(|e| SubsonicError::Generic(e.to_string()))?;
    let mut response = served.map(Body::new);
    if response.status().is_success() {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    }
    if download {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().replace('"', ""))
            .unwrap_or_default();
        if let Ok(value) = HeaderValue::from_str(&format!(
            "attachment; filename=\"{}\"",
            name.replace(|c: char| !c.is_ascii() || c.is_ascii_control(), "_")
        )) {
            response
                .headers_mut()
                .insert(header::CONTENT_DISPOSITION, value);
        }
    }
    Ok(response)
}

/// `getCoverArt`: the album's, track's or artist's picture, scaled to `size`.
pub async fn cover_art(call: &Call<'_>) -> Result<Response> {
    let viewer = &call.caller.viewer;
    let (kind, id) = parse_id(call.params.required("id")?)?;
    let track = match kind {
        Kind::Track => {
            repo::track::<repo::TrackRow, _>(call.db, viewer, id)
                .await?
                .track
        }
        Kind::Album => repo::first_track_of_album(call.db, viewer, id).await?,
        Kind::Artist => {
            let album = repo::first_album_of_artist(call.db, viewer, id).await?;
            repo::first_track_of_album(call.db, viewer, album).await?
        }
    };
    let path = repo::track_path(call.db, viewer, track.id).await?;
    let size = call.params.maybe::<u32>("size").filter(|s| *s > 0);
    let embedded = track.has_cover;
    let picture = tokio::task::spawn_blocking(move || {
        let picture = crate::cover::load(&path, embedded)?;
        Some(match size {
            Some(size) => crate::cover::resize(picture, size),
            None => picture,
        })
    })
    .await
    .map_err(|e| SubsonicError::Generic(e.to_string()))?
    .ok_or_else(|| SubsonicError::NotFound("cover art".to_owned()))?;
    let mut response = (StatusCode::OK, Body::from(picture.bytes)).into_response();
    if let Ok(value) = HeaderValue::from_str(&picture.mime) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400"),
    );
    Ok(response)
}

/// `getLyrics`: the plain lyrics of the first visible song with this artist and title.
pub async fn lyrics(call: &Call<'_>) -> Result<Value> {
    let artist = call.params.get("artist").unwrap_or_default();
    let title = call.params.get("title").unwrap_or_default();
    if title.is_empty() {
        return Ok(json!({ "lyrics": {} }));
    }
    let filter = repo::TrackFilter {
        query: Some(title.to_owned()),
        ..Default::default()
    };
    let rows: Vec<repo::TrackRow> = repo::tracks(
        call.db,
        &call.caller.viewer,
        &filter,
        Some(revenge_core::PageParams {
            offset: 0,
            limit: 50,
        }),
    )
    .await?
    .items;
    let found = rows.into_iter().find(|r| {
        r.track.lyrics.is_some()
            && r.track.title.eq_ignore_ascii_case(title)
            && (artist.is_empty()
                || r.track
                    .artists
                    .to_lowercase()
                    .contains(&artist.to_lowercase())
                || r.track.album_artist.eq_ignore_ascii_case(artist))
    });
    Ok(match found {
        Some(row) => {
            let parsed = crate::lyrics::parse(row.track.lyrics.as_deref().unwrap_or_default());
            let artists: Vec<String> = serde_json::from_str(&row.track.artists).unwrap_or_default();
            json!({ "lyrics": { "artist": artists.join(", "), "title": row.track.title,
                                "value": parsed.plain_text() } })
        }
        None => json!({ "lyrics": {} }),
    })
}

/// `getLyricsBySongId` (OpenSubsonic `songLyrics`): structured, synced when the source is.
pub async fn lyrics_by_song(call: &Call<'_>) -> Result<Value> {
    let id = track_id(call)?;
    let row: repo::TrackRow = repo::track(call.db, &call.caller.viewer, id).await?;
    let Some(text) = row.track.lyrics.as_deref() else {
        return Ok(json!({ "lyricsList": { "structuredLyrics": [] } }));
    };
    let parsed = crate::lyrics::parse(text);
    let artists: Vec<String> = serde_json::from_str(&row.track.artists).unwrap_or_default();
    let lines: Vec<Value> = parsed
        .lines
        .iter()
        .map(|l| match l.start_ms {
            Some(start) => json!({ "start": start, "value": l.text }),
            None => json!({ "value": l.text }),
        })
        .collect();
    Ok(json!({ "lyricsList": { "structuredLyrics": [{
        "displayArtist": artists.join(", "),
        "displayTitle": row.track.title,
        "lang": "xxx",
        "synced": parsed.synced,
        "offset": parsed.offset_ms,
        "line": lines,
    }]}}))
}
