//! Browsing and searching: folders, indexes, directories, artists, albums, songs, lists,
//! genres and search.

use std::collections::HashMap;

use revenge_core::{
    Id, KindPage, LibraryScope, PageParams, SearchQuery, SearchServiceError, Viewer,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use super::model::{self, id_of, parse_id};
use super::response::{self, One, object};
use super::{Call, Reply, Result, SubsonicError};
use crate::repo::{self, AlbumOrder, TrackFilter};
use crate::user_data::Kind;

/// The OpenSubsonic extensions spoken.
pub fn extensions() -> Value {
    json!({ "openSubsonicExtensions": [
        { "name": "apiKeyAuthentication", "versions": [1] },
        { "name": "formPost", "versions": [1] },
        { "name": "songLyrics", "versions": [1] },
    ]})
}

/// Always valid: there is nothing to license.
pub fn license() -> Value {
    json!({ "license": { "valid": true, "email": "", "licenseExpires": "2099-12-31T00:00:00Z" } })
}

/// Empty artist or album information (no external metadata sources yet).
pub fn no_info(method: &str) -> Value {
    let key = match method {
        "getArtistInfo" => "artistInfo",
        "getArtistInfo2" => "artistInfo2",
        "getAlbumInfo" => "albumInfo",
        _ => "albumInfo2",
    };
    json!({ key: {} })
}

/// The viewer narrowed to `musicFolderId` when given (a folder is a library).
fn scoped(call: &Call<'_>) -> Viewer {
    let mut viewer = call.caller.viewer.clone();
    if let Some(folder) = call.params.maybe::<Id>("musicFolderId") {
        viewer.libraries = if viewer.can_see_library(folder) {
            LibraryScope::Only(vec![folder])
        } else {
            LibraryScope::Only(Vec::new())
        };
    }
    viewer
}

fn page(call: &Call<'_>, size: &str, offset: &str, default: u64) -> PageParams {
    PageParams {
        offset: call.params.number(offset, 0u64),
        limit: call.params.number(size, default).clamp(1, 500),
    }
}

/// `getMusicFolders`: the music libraries the caller may see.
pub async fn music_folders(call: &Call<'_>) -> Result<Value> {
    let libraries = revenge_library::entity::Entity::find()
        .filter(revenge_library::entity::Column::Module.eq("music"))
        .order_by_asc(revenge_library::entity::Column::Name)
        .all(call.db)
        .await?;
    let folders: Vec<Value> = libraries
        .into_iter()
        .filter(|l| call.caller.viewer.can_see_library(l.id))
        .map(|l| json!({ "id": l.id, "name": l.name }))
        .collect();
    Ok(object([(
        "musicFolders",
        object([("musicFolder", Value::Array(folders))]),
    )]))
}

async fn artist_list(call: &Call<'_>, viewer: &Viewer) -> Result<(Vec<Value>, Vec<String>)> {
    let rows = repo::artists(call.db, viewer, None, None).await?.items;
    let sort: Vec<String> = rows.iter().map(|r| r.sort_name.clone()).collect();
    Ok((rows.iter().map(model::artist).collect(), sort))
}

/// `getArtists`: album artists by letter.
pub async fn artists(call: &Call<'_>) -> Result<Value> {
    let viewer = scoped(call);
    let (artists, sort) = artist_list(call, &viewer).await?;
    Ok(object([(
        "artists",
        object([
            ("ignoredArticles", model::IGNORED_ARTICLES.into()),
            ("index", Value::Array(model::indexed(artists, &sort))),
        ]),
    )]))
}

/// `getIndexes`: the same, folder-style.
pub async fn indexes(call: &Call<'_>) -> Result<Value> {
    let viewer = scoped(call);
    let (artists, sort) = artist_list(call, &viewer).await?;
    Ok(object([(
        "indexes",
        object([
            ("ignoredArticles", model::IGNORED_ARTICLES.into()),
            ("lastModified", chrono::Utc::now().timestamp_millis().into()),
            ("index", Value::Array(model::indexed(artists, &sort))),
        ]),
    )]))
}

async fn albums_of_artist(call: &Call<'_>, artist_id: Id) -> Result<Vec<Value>> {
    let viewer = &call.caller.viewer;
    let rows = repo::albums(
        call.db,
        viewer,
        &AlbumOrder::Year { from: 0, to: 9999 },
        Some(artist_id),
        None,
        None,
    )
    .await?
    .items;
    // Albums without a year sort last rather than vanish from the range.
    let mut rows = rows;
    let undated = repo::albums(
        call.db,
        viewer,
        &AlbumOrder::Name,
        Some(artist_id),
        None,
        None,
    )
    .await?
    .items
    .into_iter()
    .filter(|a| a.year.is_none());
    rows.extend(undated);
    Ok(rows.iter().map(model::album).collect())
}

async fn songs_of_album(call: &Call<'_>, album_id: Id) -> Result<Vec<Value>> {
    let filter = TrackFilter {
        album_id: Some(album_id),
        ..Default::default()
    };
    songs(call, &call.caller.viewer, &filter, None).await
}

pub(crate) async fn songs(
    call: &Call<'_>,
    viewer: &Viewer,
    filter: &TrackFilter,
    page: Option<PageParams>,
) -> Result<Vec<Value>> {
    let rows: Vec<repo::SongRow> = repo::tracks(call.db, viewer, filter, page).await?.items;
    Ok(song_values(&rows))
}

/// Songs as Subsonic shows them.
pub(crate) fn song_values(rows: &[repo::SongRow]) -> Vec<Value> {
    rows.iter().map(model::song).collect()
}

/// `getArtist`: an artist with its albums.
pub async fn artist(call: &Call<'_>) -> Result<Value> {
    let (kind, id) = parse_id(call.params.required("id")?)?;
    if kind != Kind::Artist {
        return Err(SubsonicError::NotFound(format!("artist {id}")));
    }
    let row = repo::artist(call.db, &call.caller.viewer, id).await?;
    let mut value = model::artist(&row);
    value["album"] = Value::Array(albums_of_artist(call, id).await?);
    Ok(object([("artist", value)]))
}

/// `getAlbum`: an album with its songs.
pub async fn album(call: &Call<'_>) -> Result<Value> {
    let (kind, id) = parse_id(call.params.required("id")?)?;
    if kind != Kind::Album {
        return Err(SubsonicError::NotFound(format!("album {id}")));
    }
    let row = repo::album(call.db, &call.caller.viewer, id).await?;
    let mut value = model::album(&row);
    value["song"] = Value::Array(songs_of_album(call, id).await?);
    Ok(object([("album", value)]))
}

/// `getSong`.
pub async fn song(call: &Call<'_>) -> Result<Value> {
    let (kind, id) = parse_id(call.params.required("id")?)?;
    if kind != Kind::Track {
        return Err(SubsonicError::NotFound(format!("song {id}")));
    }
    let row = repo::track(call.db, &call.caller.viewer, id).await?;
    let value = song_values(&[row]);
    Ok(object([(
        "song",
        value.into_iter().next().unwrap_or(Value::Null),
    )]))
}

/// `getMusicDirectory`: an artist's albums or an album's songs.
pub async fn music_directory(call: &Call<'_>) -> Result<Value> {
    let raw = call.params.required("id")?;
    let (kind, id) = parse_id(raw)?;
    let directory = match kind {
        Kind::Artist => {
            let row = repo::artist(call.db, &call.caller.viewer, id).await?;
            object([
                ("id", id_of(Kind::Artist, id).into()),
                ("name", row.name.into()),
                ("child", Value::Array(albums_of_artist(call, id).await?)),
            ])
        }
        Kind::Album => {
            let row = repo::album(call.db, &call.caller.viewer, id).await?;
            object([
                ("id", id_of(Kind::Album, id).into()),
                ("name", row.title.into()),
                ("parent", id_of(Kind::Artist, row.artist_id).into()),
                ("child", Value::Array(songs_of_album(call, id).await?)),
            ])
        }
        Kind::Track => return Err(SubsonicError::NotFound(format!("directory {raw}"))),
    };
    Ok(object([("directory", directory)]))
}

/// `getAlbumList` / `getAlbumList2`.
pub async fn album_list(call: &Call<'_>, id3: bool) -> Result<Reply> {
    let kind = call.params.required("type")?;
    let order = match kind {
        "random" => AlbumOrder::Random,
        "newest" => AlbumOrder::Newest,
        "highest" => AlbumOrder::Highest,
        "frequent" => AlbumOrder::Frequent,
        "recent" => AlbumOrder::Recent,
        "alphabeticalByName" => AlbumOrder::Name,
        "alphabeticalByArtist" => AlbumOrder::Artist,
        "starred" => AlbumOrder::Starred,
        "byYear" => AlbumOrder::Year {
            from: call
                .params
                .maybe("fromYear")
                .ok_or(SubsonicError::Missing("fromYear"))?,
            to: call
                .params
                .maybe("toYear")
                .ok_or(SubsonicError::Missing("toYear"))?,
        },
        "byGenre" => AlbumOrder::Genre(call.params.required("genre")?.to_owned()),
        other => {
            return Err(SubsonicError::Generic(format!(
                "unknown album list type {other}"
            )));
        }
    };
    let viewer = scoped(call);
    let page = page(call, "size", "offset", 10);
    let rows = repo::album_page(call.db, &viewer, &order, page).await?;
    let albums: Vec<model::Album> = rows.iter().map(model::Album::new).collect();
    let name = if id3 { "albumList2" } else { "albumList" };
    Ok(Reply::Rendered(response::ok_rendered(
        call.format,
        name,
        &One("album", albums),
    )))
}

/// `getRandomSongs`.
pub async fn random_songs(call: &Call<'_>) -> Result<Value> {
    let viewer = scoped(call);
    let filter = TrackFilter {
        random: true,
        genre: call.params.get("genre").map(str::to_owned),
        from_year: call.params.maybe("fromYear"),
        to_year: call.params.maybe("toYear"),
        ..Default::default()
    };
    let size = call.params.number("size", 10u64).clamp(1, 500);
    let songs = songs(
        call,
        &viewer,
        &filter,
        Some(PageParams {
            offset: 0,
            limit: size,
        }),
    )
    .await?;
    Ok(object([(
        "randomSongs",
        object([("song", Value::Array(songs))]),
    )]))
}

/// `getSongsByGenre`.
pub async fn songs_by_genre(call: &Call<'_>) -> Result<Value> {
    let viewer = scoped(call);
    let filter = TrackFilter {
        genre: Some(call.params.required("genre")?.to_owned()),
        ..Default::default()
    };
    let page = page(call, "count", "offset", 10);
    let songs = songs(call, &viewer, &filter, Some(page)).await?;
    Ok(object([(
        "songsByGenre",
        object([("song", Value::Array(songs))]),
    )]))
}

/// `getGenres`.
pub async fn genres(call: &Call<'_>) -> Result<Value> {
    let rows = repo::genres(call.db, &call.caller.viewer).await?;
    let genres: Vec<Value> = rows
        .into_iter()
        .map(
            |g| json!({ "value": g.genre, "songCount": g.song_count, "albumCount": g.album_count }),
        )
        .collect();
    Ok(json!({ "genres": { "genre": genres } }))
}

/// `search2` / `search3`. A query goes to the server's search engine (the index behind
/// `/api/v1/search`: prefixes, typos forgiven, relevance), filtered there by what the caller may
/// see; the page's items are then read from the database with the same filter. An empty query
/// (`""`, as DSub and Symfonium send to sync everything) lists from the database, as Navidrome
/// does; so does a query while the engine is unreachable or the server runs without search.
pub async fn search(call: &Call<'_>, id3: bool) -> Result<Reply> {
    let raw = call.params.get("query").unwrap_or_default();
    let query = raw.trim().trim_matches('"').trim_end_matches('*').trim();
    let query = (!query.is_empty()).then_some(query);
    let viewer = scoped(call);
    let asked = |count: &str, offset: &str| {
        (call.params.number(count, 20u64) > 0).then(|| page(call, count, offset, 20))
    };
    let artist_page = asked("artistCount", "artistOffset");
    let album_page = asked("albumCount", "albumOffset");
    let song_page = asked("songCount", "songOffset");
    // One question to the engine for every type asked for, each ranked on its own.
    let kinds = [
        (crate::search::ARTIST, artist_page),
        (crate::search::ALBUM, album_page),
        (crate::search::TRACK, song_page),
    ];
    let mut ranked = ranked(call, &viewer, query, &kinds).await?;
    let mut engine_ids = |kind: &str| ranked.as_mut().and_then(|r| r.remove(kind));
    // Up to three reads (artists, albums, songs) on one connection, taken once and given
    // back before the answer is rendered.
    let (artists, albums, songs) = {
        let db = &revenge_db::Held::take(call.db).await?;
        let mut artists = Vec::new();
        if let Some(artist_page) = artist_page {
            artists = match engine_ids(crate::search::ARTIST) {
                Some(ids) => in_order(
                    repo::artists_with_ids(db, &viewer, &ids).await?,
                    &ids,
                    |r| r.id,
                ),
                None => {
                    repo::artists(db, &viewer, query, Some(artist_page))
                        .await?
                        .items
                }
            };
        }
        let mut albums = Vec::new();
        if let Some(album_page) = album_page {
            albums = match engine_ids(crate::search::ALBUM) {
                Some(ids) => in_order(repo::albums_with_ids(db, &viewer, &ids).await?, &ids, |r| {
                    r.id
                }),
                None => {
                    repo::albums(
                        db,
                        &viewer,
                        &AlbumOrder::Name,
                        None,
                        query,
                        Some(album_page),
                    )
                    .await?
                    .items
                }
            };
        }
        let mut songs = Vec::new();
        if let Some(song_page) = song_page {
            songs = match engine_ids(crate::search::TRACK) {
                Some(ids) => {
                    let filter = TrackFilter {
                        ids: Some(ids.clone()),
                        ..Default::default()
                    };
                    let rows: Vec<repo::SongRow> =
                        repo::tracks(db, &viewer, &filter, None).await?.items;
                    in_order(rows, &ids, |r| r.id)
                }
                None => {
                    let filter = TrackFilter {
                        query: query.map(str::to_owned),
                        ..Default::default()
                    };
                    repo::tracks(db, &viewer, &filter, Some(song_page))
                        .await?
                        .items
                }
            };
        }
        (artists, albums, songs)
    };
    let found = Found {
        artist: artists.iter().map(model::Artist::new).collect(),
        album: albums.iter().map(model::Album::new).collect(),
        song: songs.iter().map(model::Song::new).collect(),
    };
    let name = if id3 {
        "searchResult3"
    } else {
        "searchResult2"
    };
    Ok(Reply::Rendered(response::ok_rendered(
        call.format,
        name,
        &found,
    )))
}

/// What a search found.
#[derive(serde::Serialize)]
struct Found<'a> {
    artist: Vec<model::Artist<'a>>,
    album: Vec<model::Album<'a>>,
    song: Vec<model::Song<'a>>,
}

/// The ids of a page of each type asked for (`None`: not asked) as the search engine ranks
/// them for `query`, by type; `None` when the database answers instead (no query, no engine,
/// or the engine unreachable).
async fn ranked(
    call: &Call<'_>,
    viewer: &Viewer,
    query: Option<&str>,
    kinds: &[(&'static str, Option<PageParams>)],
) -> Result<Option<HashMap<&'static str, Vec<Id>>>> {
    let (Some(q), Some(engine)) = (query, call.search) else {
        return Ok(None);
    };
    let asked: Vec<(&'static str, PageParams)> = kinds
        .iter()
        .filter_map(|(kind, page)| page.map(|page| (*kind, page)))
        .collect();
    if asked.is_empty() {
        return Ok(Some(HashMap::new()));
    }
    let request = SearchQuery {
        q: q.to_owned(),
        pages: asked
            .iter()
            .map(|(kind, page)| KindPage {
                kind: (*kind).to_owned(),
                limit: usize::try_from(page.limit).unwrap_or(usize::MAX),
                offset: usize::try_from(page.offset).unwrap_or(usize::MAX),
            })
            .collect(),
    };
    match engine.query(viewer, request).await {
        Ok(found) => Ok(Some(
            asked
                .iter()
                .map(|(kind, _)| *kind)
                .zip(found.into_iter().map(|matches| matches.item_ids))
                .collect(),
        )),
        Err(SearchServiceError::Unavailable(why)) => {
            tracing::warn!(error = %why, "search engine unavailable; Subsonic search answers from the database");
            Ok(None)
        }
        Err(SearchServiceError::Failed(why)) => {
            tracing::error!(error = %why, "Subsonic search failed");
            Err(SubsonicError::Generic("search failed".to_owned()))
        }
    }
}

/// Rows in the order of `ids` (the engine's ranking); ids without a row (hidden or removed
/// since they were indexed) are left out.
fn in_order<T>(rows: Vec<T>, ids: &[Id], id: impl Fn(&T) -> Id) -> Vec<T> {
    let mut by_id: HashMap<Id, T> = rows.into_iter().map(|r| (id(&r), r)).collect();
    ids.iter().filter_map(|i| by_id.remove(i)).collect()
}

/// Albums by id, in that order, for starred lists (ids the caller may no longer see are left
/// out).
pub(crate) async fn albums_by_ids(call: &Call<'_>, ids: &[Id]) -> Result<Vec<Value>> {
    let rows = repo::albums_with_ids(call.db, &call.caller.viewer, ids).await?;
    Ok(in_order(rows, ids, |r| r.id)
        .iter()
        .map(model::album)
        .collect())
}

/// Artists by id, in that order, for starred lists (ids the caller may no longer see are left
/// out).
pub(crate) async fn artists_by_ids(call: &Call<'_>, ids: &[Id]) -> Result<Vec<Value>> {
    let rows = repo::artists_with_ids(call.db, &call.caller.viewer, ids).await?;
    Ok(in_order(rows, ids, |r| r.id)
        .iter()
        .map(model::artist)
        .collect())
}
