//! The Subsonic / OpenSubsonic API under `/rest/` (Subsonic 1.16.1): one route per method name
//! (with or without `.view`), GET or POST form, answered in XML or JSON. It authenticates on
//! its own (the protocol's credentials are not Revenge's bearer tokens), so the server mounts it
//! outside its authentication layer, and it is not in the OpenAPI document.

mod answers;
mod auth;
mod browse;
mod media;
mod model;
mod params;
mod response;
mod user;

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use axum::routing::any;
use http::{HeaderMap, Method};
use revenge_core::ModuleContext;
use serde_json::Value;

pub use auth::token;
pub use params::Params;
pub use response::{API_VERSION, Format, SubsonicError};

/// The largest form body read (a long `savePlayQueue` fits easily).
const MAX_FORM: usize = 1 << 20;

/// One call of the API, with its authenticated caller.
pub(crate) struct Call<'a> {
    pub db: &'a sea_orm::DatabaseConnection,
    pub caller: &'a auth::Caller,
    pub params: &'a Params,
    /// How the caller asked to be answered.
    pub format: &'a Format,
    pub headers: &'a HeaderMap,
    pub method: &'a Method,
    /// The server's search engine (`None` without search).
    pub search: Option<&'a dyn revenge_core::SearchService>,
}

/// What an endpoint answers.
pub(crate) enum Reply {
    /// A payload for the envelope (an object, possibly empty).
    Body(Value),
    /// A whole answer, written in the call's format (`response::ok_rendered`).
    Rendered(axum::body::Bytes),
    /// A response of its own (a stream, a picture).
    Raw(Response),
}

type Result<T> = std::result::Result<T, SubsonicError>;

/// The `/rest` router.
pub fn router() -> Router<ModuleContext> {
    // Each router (each server) keeps its own sign-ins.
    let sign_ins = std::sync::Arc::new(auth::SignIns::default());
    Router::new()
        .route("/rest/{method}", any(handle))
        .route("/rest/{method}/", any(handle))
        .layer(axum::Extension(sign_ins))
}

async fn handle(
    State(ctx): State<ModuleContext>,
    axum::Extension(sign_ins): axum::Extension<std::sync::Arc<auth::SignIns>>,
    Path(method): Path<String>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let mut params = Params::default();
    if let Some(query) = parts.uri.query() {
        params.extend_from(query.as_bytes());
    }
    let is_form = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if parts.method == Method::POST && is_form {
        match axum::body::to_bytes(body, MAX_FORM).await {
            Ok(bytes) => params.extend_from(&bytes),
            Err(_) => {
                let format = Format::parse(params.get("f"), params.get("callback"));
                return response::failed(
                    &format,
                    &SubsonicError::Generic("the form is too large".to_owned()),
                );
            }
        }
    }
    let format = Format::parse(params.get("f"), params.get("callback"));
    let name = method.strip_suffix(".view").unwrap_or(&method);
    // The one method the OpenSubsonic specification opens to anonymous callers.
    if name == "getOpenSubsonicExtensions" {
        return response::ok(&format, browse::extensions());
    }
    let kept = ctx.answers.as_deref().map(|cache| (&*sign_ins, cache));
    let caller = match auth::authenticate(&ctx.db, &params, kept).await {
        Ok(caller) => caller,
        Err(error) => return response::failed(&format, &error),
    };
    let call = Call {
        db: &ctx.db,
        caller: &caller,
        params: &params,
        format: &format,
        headers: &parts.headers,
        method: &parts.method,
        search: ctx.search.as_deref(),
    };
    let kept = answers::AnswerKey::of(ctx.answers.as_ref(), name, &caller, &params).await;
    if let Some(kept) = &kept
        && let Some(text) = kept.get().await
    {
        return response::respond(&format, text);
    }
    let outcome = dispatch(name, &call).await;
    if WRITES.contains(&name) {
        answers::written(ctx.answers.as_ref()).await;
    }
    let text = match outcome {
        Ok(Reply::Body(body)) => axum::body::Bytes::from(response::ok_text(&format, body)),
        Ok(Reply::Rendered(text)) => text,
        Ok(Reply::Raw(response)) => return response,
        Err(error) => return response::failed(&format, &error),
    };
    if let Some(kept) = &kept {
        kept.put(text.clone()).await;
    }
    response::respond(&format, text)
}

/// Methods that change something: refused to read-only API keys.
const WRITES: &[&str] = &[
    "scrobble",
    "star",
    "unstar",
    "setRating",
    "createPlaylist",
    "updatePlaylist",
    "deletePlaylist",
    "savePlayQueue",
    "startScan",
];

async fn dispatch(name: &str, call: &Call<'_>) -> Result<Reply> {
    if WRITES.contains(&name) && !call.caller.viewer.can_write {
        return Err(SubsonicError::NotAuthorized(
            "these credentials are read-only",
        ));
    }
    let body = match name {
        "ping" => serde_json::json!({}),
        "getLicense" => browse::license(),
        "getMusicFolders" => browse::music_folders(call).await?,
        "getIndexes" => browse::indexes(call).await?,
        "getMusicDirectory" => browse::music_directory(call).await?,
        "getArtists" => browse::artists(call).await?,
        "getArtist" => browse::artist(call).await?,
        "getAlbum" => browse::album(call).await?,
        "getSong" => browse::song(call).await?,
        "getAlbumList" => return browse::album_list(call, false).await,
        "getAlbumList2" => return browse::album_list(call, true).await,
        "getRandomSongs" => browse::random_songs(call).await?,
        "getSongsByGenre" => browse::songs_by_genre(call).await?,
        "getGenres" => browse::genres(call).await?,
        "search2" => return browse::search(call, false).await,
        "search3" => return browse::search(call, true).await,
        "getArtistInfo" | "getArtistInfo2" | "getAlbumInfo" | "getAlbumInfo2" => {
            browse::no_info(name)
        }
        "getTopSongs" => serde_json::json!({ "topSongs": {} }),
        "getSimilarSongs" => serde_json::json!({ "similarSongs": {} }),
        "getSimilarSongs2" => serde_json::json!({ "similarSongs2": {} }),
        "getCoverArt" => return media::cover_art(call).await.map(Reply::Raw),
        "stream" => return media::stream(call, false).await.map(Reply::Raw),
        "download" => return media::stream(call, true).await.map(Reply::Raw),
        "getLyrics" => media::lyrics(call).await?,
        "getLyricsBySongId" => media::lyrics_by_song(call).await?,
        "scrobble" => user::scrobble(call).await?,
        "star" => user::star(call, true).await?,
        "unstar" => user::star(call, false).await?,
        "getStarred" => user::starred(call, false).await?,
        "getStarred2" => user::starred(call, true).await?,
        "setRating" => user::set_rating(call).await?,
        "getPlaylists" => user::playlists(call).await?,
        "getPlaylist" => user::playlist(call).await?,
        "createPlaylist" => user::create_playlist(call).await?,
        "updatePlaylist" => user::update_playlist(call).await?,
        "deletePlaylist" => user::delete_playlist(call).await?,
        "getPlayQueue" => user::play_queue(call).await?,
        "savePlayQueue" => user::save_play_queue(call).await?,
        "getScanStatus" => user::scan_status(call).await?,
        "startScan" => user::start_scan(call).await?,
        "getUser" => user::user(call).await?,
        "getNowPlaying" => user::now_playing(call).await?,
        other => {
            return Err(SubsonicError::Generic(format!(
                "{other} is not implemented"
            )));
        }
    };
    Ok(Reply::Body(body))
}
