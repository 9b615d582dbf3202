//! The caller's own data through Subsonic: stars, ratings, scrobbles, playlists, the play
//! queue, now playing, the user record, and scans.

use chrono::{TimeZone, Utc};
use revenge_core::Id;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use super::browse;
use super::model::{id_of, parse_id};
use super::response::object;
use super::{Call, Result, SubsonicError};
use crate::repo::{self, TrackFilter};
use crate::user_data::{self, Kind};

fn time(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `star` / `unstar`: `id` (songs, or any prefixed id), `albumId`, `artistId`, each repeatable.
pub async fn star(call: &Call<'_>, on: bool) -> Result<Value> {
    let viewer = &call.caller.viewer;
    let mut targets = Vec::new();
    for id in call.params.all("id") {
        targets.push(parse_id(id)?);
    }
    for id in call.params.all("albumId") {
        let (_, id) = parse_id(id)?;
        targets.push((Kind::Album, id));
    }
    for id in call.params.all("artistId") {
        let (_, id) = parse_id(id)?;
        targets.push((Kind::Artist, id));
    }
    if targets.is_empty() {
        return Err(SubsonicError::Missing("id"));
    }
    for (kind, id) in targets {
        user_data::star(call.db, viewer, kind, id, on).await?;
    }
    Ok(json!({}))
}

/// `setRating`.
pub async fn set_rating(call: &Call<'_>) -> Result<Value> {
    let (kind, id) = parse_id(call.params.required("id")?)?;
    let rating = call
        .params
        .maybe::<i32>("rating")
        .ok_or(SubsonicError::Missing("rating"))?;
    user_data::rate(call.db, &call.caller.viewer, kind, id, rating).await?;
    Ok(json!({}))
}

/// `scrobble`: a play (`submission=true`, the default) or "now playing".
pub async fn scrobble(call: &Call<'_>) -> Result<Value> {
    let ids = call.params.all("id");
    if ids.is_empty() {
        return Err(SubsonicError::Missing("id"));
    }
    let times = call.params.all("time");
    let submission = call.params.flag("submission", true);
    let player = call.params.get("c").unwrap_or("unknown");
    for (i, raw) in ids.iter().enumerate() {
        let (_, id) = parse_id(raw)?;
        if submission {
            let at = times
                .get(i)
                .and_then(|t| t.parse::<i64>().ok())
                .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
                .unwrap_or_else(Utc::now);
            user_data::scrobble(call.db, &call.caller.viewer, id, at).await?;
        } else {
            user_data::now_playing(call.db, &call.caller.viewer, id, player).await?;
        }
    }
    Ok(json!({}))
}

async fn starred_ids(call: &Call<'_>, kind: &str) -> Result<Vec<Id>> {
    use crate::entity::annotation;
    use sea_orm::QueryOrder;
    Ok(annotation::Entity::find()
        .filter(annotation::Column::UserId.eq(call.caller.viewer.user_id))
        .filter(annotation::Column::Kind.eq(kind))
        .filter(annotation::Column::StarredAt.is_not_null())
        .order_by_desc(annotation::Column::StarredAt)
        .all(call.db)
        .await?
        .into_iter()
        .map(|a| a.item_id)
        .collect())
}

/// `getStarred` / `getStarred2`.
pub async fn starred(call: &Call<'_>, id3: bool) -> Result<Value> {
    let artists = browse::artists_by_ids(call, &starred_ids(call, "artist").await?).await?;
    let albums = browse::albums_by_ids(call, &starred_ids(call, "album").await?).await?;
    let filter = TrackFilter {
        starred: true,
        ..Default::default()
    };
    let songs = browse::songs(call, &call.caller.viewer, &filter, None).await?;
    let body = object([
        ("artist", Value::Array(artists)),
        ("album", Value::Array(albums)),
        ("song", Value::Array(songs)),
    ]);
    let name = if id3 { "starred2" } else { "starred" };
    Ok(object([(name, body)]))
}

async fn playlist_value(
    call: &Call<'_>,
    list: &user_data::Playlist,
    with_entries: bool,
) -> Result<Value> {
    let filter = TrackFilter {
        ids: Some(list.track_ids.clone()),
        ..Default::default()
    };
    // Entries in playlist order, repeated where the playlist repeats them; hidden tracks drop.
    let rows: Vec<repo::SongRow> = repo::tracks(call.db, &call.caller.viewer, &filter, None)
        .await?
        .items;
    let by_id: std::collections::HashMap<Id, &repo::SongRow> =
        rows.iter().map(|r| (r.id, r)).collect();
    let ordered: Vec<repo::SongRow> = list
        .track_ids
        .iter()
        .filter_map(|id| by_id.get(id).map(|r| (*r).clone()))
        .collect();
    let duration: i64 = ordered.iter().map(|r| r.duration_ms / 1000).sum();
    let owner = if list.playlist.user_id == call.caller.user.id {
        call.caller.user.username.clone()
    } else {
        revenge_auth::users::get(call.db, list.playlist.user_id)
            .await
            .map(|u| u.username)
            .unwrap_or_default()
    };
    let mut value = json!({
        "id": list.playlist.id.to_string(),
        "name": list.playlist.name,
        "owner": owner,
        "public": list.playlist.public,
        "songCount": ordered.len(),
        "duration": duration,
        "created": time(list.playlist.created_at),
        "changed": time(list.playlist.updated_at),
    });
    if let Some(comment) = &list.playlist.comment {
        value["comment"] = comment.clone().into();
    }
    if let Some(first) = ordered.first() {
        value["coverArt"] = id_of(Kind::Album, first.album_id).into();
    }
    if with_entries {
        value["entry"] = Value::Array(browse::song_values(&ordered));
    }
    Ok(value)
}

/// `getPlaylists`.
pub async fn playlists(call: &Call<'_>) -> Result<Value> {
    let lists = user_data::playlists(call.db, &call.caller.viewer).await?;
    let mut out = Vec::with_capacity(lists.len());
    for list in &lists {
        out.push(playlist_value(call, list, false).await?);
    }
    Ok(object([(
        "playlists",
        object([("playlist", Value::Array(out))]),
    )]))
}

fn playlist_id(call: &Call<'_>, name: &'static str) -> Result<Id> {
    call.params.required(name)?.parse().map_err(|_| {
        SubsonicError::NotFound(format!(
            "playlist {}",
            call.params.get(name).unwrap_or_default()
        ))
    })
}

/// `getPlaylist`.
pub async fn playlist(call: &Call<'_>) -> Result<Value> {
    let id = playlist_id(call, "id")?;
    let list = user_data::playlist(call.db, &call.caller.viewer, id).await?;
    Ok(object([(
        "playlist",
        playlist_value(call, &list, true).await?,
    )]))
}

fn song_ids(call: &Call<'_>, name: &str) -> Result<Vec<Id>> {
    call.params
        .all(name)
        .into_iter()
        .map(|raw| parse_id(raw).map(|(_, id)| id))
        .collect()
}

/// `createPlaylist`: new with `name`, or replacing the songs of `playlistId`.
pub async fn create_playlist(call: &Call<'_>) -> Result<Value> {
    let replace = match call.params.get("playlistId") {
        Some(_) => Some(playlist_id(call, "playlistId")?),
        None => None,
    };
    let name = call.params.get("name").unwrap_or_default();
    if replace.is_none() && name.is_empty() {
        return Err(SubsonicError::Missing("name"));
    }
    let songs = song_ids(call, "songId")?;
    let list =
        user_data::create_playlist(call.db, &call.caller.viewer, name, replace, &songs).await?;
    Ok(object([(
        "playlist",
        playlist_value(call, &list, true).await?,
    )]))
}

/// `updatePlaylist`.
pub async fn update_playlist(call: &Call<'_>) -> Result<Value> {
    let id = playlist_id(call, "playlistId")?;
    let change = user_data::PlaylistChange {
        name: call.params.get("name").map(str::to_owned),
        comment: call.params.get("comment").map(str::to_owned),
        public: call.params.get("public").map(|p| p == "true"),
        add: song_ids(call, "songIdToAdd")?,
        remove_positions: call
            .params
            .all("songIndexToRemove")
            .into_iter()
            .filter_map(|i| i.parse().ok())
            .collect(),
    };
    user_data::update_playlist(call.db, &call.caller.viewer, id, change).await?;
    Ok(json!({}))
}

/// `deletePlaylist`.
pub async fn delete_playlist(call: &Call<'_>) -> Result<Value> {
    let id = playlist_id(call, "id")?;
    user_data::delete_playlist(call.db, &call.caller.viewer, id).await?;
    Ok(json!({}))
}

/// `getPlayQueue`.
pub async fn play_queue(call: &Call<'_>) -> Result<Value> {
    let Some((queue, ids)) = user_data::play_queue(call.db, &call.caller.viewer).await? else {
        return Ok(json!({}));
    };
    let filter = TrackFilter {
        ids: Some(ids.clone()),
        ..Default::default()
    };
    let rows: Vec<repo::SongRow> = repo::tracks(call.db, &call.caller.viewer, &filter, None)
        .await?
        .items;
    let by_id: std::collections::HashMap<Id, repo::SongRow> =
        rows.into_iter().map(|r| (r.id, r)).collect();
    let ordered: Vec<repo::SongRow> = ids.iter().filter_map(|id| by_id.get(id).cloned()).collect();
    let mut value = json!({
        "username": call.caller.user.username,
        "position": queue.position_ms,
        "changed": time(queue.changed_at),
        "changedBy": queue.changed_by,
    });
    value["entry"] = Value::Array(browse::song_values(&ordered));
    if let Some(current) = queue.current_id {
        value["current"] = id_of(Kind::Track, current).into();
    }
    Ok(object([("playQueue", value)]))
}

/// `savePlayQueue`.
pub async fn save_play_queue(call: &Call<'_>) -> Result<Value> {
    let ids = song_ids(call, "id")?;
    let current = match call.params.get("current") {
        Some(raw) if !raw.is_empty() => Some(parse_id(raw)?.1),
        _ => None,
    };
    let position = call.params.number("position", 0i64);
    let client = call.params.get("c").unwrap_or("unknown");
    user_data::save_play_queue(
        call.db,
        &call.caller.viewer,
        &ids,
        current,
        position,
        client,
    )
    .await?;
    Ok(json!({}))
}

async fn scanning(call: &Call<'_>) -> Result<bool> {
    use revenge_jobs::entity as job;
    let active = job::Entity::find()
        .filter(job::Column::Kind.eq(revenge_library::SCAN_JOB))
        .filter(job::Column::State.is_in(["queued", "running"]))
        .count(call.db)
        .await?;
    Ok(active > 0)
}

/// `getScanStatus`.
pub async fn scan_status(call: &Call<'_>) -> Result<Value> {
    let count = repo::track_count(call.db, &call.caller.viewer).await?;
    Ok(json!({ "scanStatus": { "scanning": scanning(call).await?, "count": count } }))
}

/// `startScan`: queues a scan of every music library (as `POST /libraries/{id}/scan` does).
pub async fn start_scan(call: &Call<'_>) -> Result<Value> {
    let viewer = &call.caller.viewer;
    if !viewer.capabilities.manage_libraries {
        return Err(SubsonicError::NotAuthorized(
            "scanning needs the library management right",
        ));
    }
    let libraries = revenge_library::entity::Entity::find()
        .filter(revenge_library::entity::Column::Module.eq("music"))
        .all(call.db)
        .await?;
    // Workers poll the queue, so a queue handle over the same database is enough to enqueue.
    let queue = revenge_jobs::JobQueue::new(
        call.db.clone(),
        revenge_jobs::QueueSettings::default(),
        revenge_core::EventBus::new(),
    );
    for library in libraries.iter().filter(|l| viewer.can_see_library(l.id)) {
        queue
            .enqueue(
                revenge_jobs::NewJob::new(
                    revenge_library::SCAN_JOB,
                    json!({ "library_id": library.id }),
                )
                .unique(revenge_library::scan_key(library.id))
                .attempts(1),
            )
            .await
            .map_err(|e| SubsonicError::Generic(e.to_string()))?;
    }
    let count = repo::track_count(call.db, viewer).await?;
    Ok(json!({ "scanStatus": { "scanning": true, "count": count } }))
}

/// `getUser`: only oneself, unless an administrator asks.
pub async fn user(call: &Call<'_>) -> Result<Value> {
    let name = call.params.required("username")?;
    let account = if name.eq_ignore_ascii_case(&call.caller.user.username) {
        call.caller.user.clone()
    } else if call.caller.viewer.is_admin {
        revenge_auth::users::find_by_username(call.db, name)
            .await
            .map_err(|e| SubsonicError::Generic(e.to_string()))?
            .ok_or_else(|| SubsonicError::NotFound(format!("user {name}")))?
    } else {
        return Err(SubsonicError::NotAuthorized(
            "only administrators may see other users",
        ));
    };
    let admin = account.is_admin();
    let folders: Vec<Id> = if admin {
        revenge_library::entity::Entity::find()
            .filter(revenge_library::entity::Column::Module.eq("music"))
            .all(call.db)
            .await?
            .into_iter()
            .map(|l| l.id)
            .collect()
    } else {
        revenge_auth::users::grants(call.db, account.id)
            .await
            .map_err(|e| SubsonicError::Generic(e.to_string()))?
    };
    Ok(json!({ "user": {
        "username": account.username,
        "email": "",
        "scrobblingEnabled": true,
        "adminRole": admin,
        "settingsRole": true,
        "downloadRole": admin || account.can_download,
        "uploadRole": false,
        "playlistRole": true,
        "coverArtRole": false,
        "commentRole": false,
        "podcastRole": false,
        "streamRole": true,
        "jukeboxRole": false,
        "shareRole": false,
        "videoConversionRole": false,
        "folder": folders,
    }}))
}

/// `getNowPlaying`: what users are playing, among the tracks the caller may see.
pub async fn now_playing(call: &Call<'_>) -> Result<Value> {
    let playing = user_data::playing(call.db).await?;
    let mut entries = Vec::new();
    for entry in playing {
        let Ok(row) = repo::track(call.db, &call.caller.viewer, entry.track_id).await else {
            continue;
        };
        let Some(mut value) = browse::song_values(&[row]).into_iter().next() else {
            continue;
        };
        let username = revenge_auth::users::get(call.db, entry.user_id)
            .await
            .map(|u| u.username)
            .unwrap_or_default();
        value["username"] = username.into();
        value["minutesAgo"] = (Utc::now() - entry.started_at).num_minutes().into();
        value["playerId"] = 0.into();
        value["playerName"] = entry.player_name.into();
        entries.push(value);
    }
    Ok(object([(
        "nowPlaying",
        object([("entry", Value::Array(entries))]),
    )]))
}
