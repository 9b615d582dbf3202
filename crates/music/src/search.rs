//! The music module's search documents: album artists (type `artist`), albums (`album`) and
//! tracks (`track`). Item events name tracks; a track's change also rewrites its album's and
//! its artists' documents, so an album or artist is found as soon as its first track is.

use std::collections::{HashMap, HashSet};

use revenge_core::{Id, ImportFuture, ItemDocuments, SearchDocument, SearchKind, Searchable};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{album, artist, track};

const MODULE: &str = "music";
/// Document type of album artists.
pub const ARTIST: &str = "artist";
/// Document type of albums.
pub const ALBUM: &str = "album";
/// Document type of tracks (Subsonic's songs).
pub const TRACK: &str = "track";

/// Feeds artists, albums and tracks to the search index.
#[derive(Debug, Clone, Copy, Default)]
pub struct MusicSearch;

fn base(kind: &str, item_id: Id, title: String, library_id: Id) -> SearchDocument {
    SearchDocument {
        id: SearchDocument::id_of(MODULE, kind, item_id),
        kind: kind.to_owned(),
        module: MODULE.to_owned(),
        item_id,
        title,
        original_title: None,
        year: None,
        genres: Vec::new(),
        library_id,
        rating_level: None,
        adult: false,
        popularity: 0,
        subtitle: None,
        image: None,
    }
}

fn artist_document(row: &artist::Model) -> SearchDocument {
    SearchDocument {
        rating_level: row.rating_level,
        popularity: row.added_at.timestamp(),
        ..base(ARTIST, row.id, row.name.clone(), row.library_id)
    }
}

fn album_document(row: &album::Model, artist_name: Option<&str>) -> SearchDocument {
    SearchDocument {
        year: row.year,
        genres: row.genre.iter().cloned().collect(),
        rating_level: row.rating_level,
        popularity: row.added_at.timestamp(),
        subtitle: artist_name.map(str::to_owned),
        image: Some(format!("{MODULE}.{}.poster", row.id)),
        ..base(ALBUM, row.id, row.title.clone(), row.library_id)
    }
}

fn track_document(row: &track::Model, album_title: Option<&str>) -> SearchDocument {
    let artists: Vec<String> = serde_json::from_str(&row.artists).unwrap_or_default();
    let by = if artists.is_empty() {
        row.album_artist.clone()
    } else {
        artists.join(", ")
    };
    // "Artist — Album": searched too, so "beatles help" finds the song.
    let subtitle = match album_title {
        Some(album) if !by.is_empty() => format!("{by} — {album}"),
        Some(album) => album.to_owned(),
        None => by,
    };
    SearchDocument {
        year: row.year,
        genres: serde_json::from_str(&row.genres).unwrap_or_default(),
        rating_level: row.rating_level,
        popularity: row.added_at.timestamp(),
        subtitle: (!subtitle.is_empty()).then_some(subtitle),
        image: Some(format!("{MODULE}.{}.poster", row.album_id)),
        ..base(TRACK, row.id, row.title.clone(), row.library_id)
    }
}

fn db_err(e: sea_orm::DbErr) -> String {
    e.to_string()
}

impl Searchable for MusicSearch {
    fn kinds(&self) -> Vec<SearchKind> {
        vec![
            SearchKind {
                name: ARTIST,
                label: "Artists",
            },
            SearchKind {
                name: ALBUM,
                label: "Albums",
            },
            SearchKind {
                name: TRACK,
                label: "Tracks",
            },
        ]
    }

    fn all_documents<'a>(
        &'a self,
        db: &'a DatabaseConnection,
    ) -> ImportFuture<'a, Vec<SearchDocument>> {
        Box::pin(async move {
            let artists: HashMap<Id, artist::Model> = artist::Entity::find()
                .all(db)
                .await
                .map_err(db_err)?
                .into_iter()
                .map(|a| (a.id, a))
                .collect();
            let albums = album::Entity::find()
                .order_by_asc(album::Column::Id)
                .all(db)
                .await
                .map_err(db_err)?;
            let mut docs = Vec::with_capacity(artists.len() + albums.len());
            // Only album artists are listed (getArtists, search3), so only they are indexed.
            let mut leading: Vec<Id> = albums.iter().map(|a| a.artist_id).collect();
            leading.sort_unstable();
            leading.dedup();
            docs.extend(
                leading
                    .iter()
                    .filter_map(|id| artists.get(id))
                    .map(artist_document),
            );
            let mut titles: HashMap<Id, String> = HashMap::with_capacity(albums.len());
            for row in &albums {
                let name = artists.get(&row.artist_id).map(|a| a.name.as_str());
                docs.push(album_document(row, name));
                titles.insert(row.id, row.title.clone());
            }
            let tracks = track::Entity::find()
                .order_by_asc(track::Column::Id)
                .all(db)
                .await
                .map_err(db_err)?;
            docs.extend(
                tracks
                    .iter()
                    .map(|t| track_document(t, titles.get(&t.album_id).map(String::as_str))),
            );
            Ok(docs)
        })
    }

    fn item_documents<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        item_id: Id,
    ) -> ImportFuture<'a, ItemDocuments> {
        Box::pin(async move {
            let Some(row) = track::Entity::find_by_id(item_id)
                .one(db)
                .await
                .map_err(db_err)?
            else {
                // Gone. Its album and artist may be gone with it: the reconciliation that
                // follows removals of modules with parents takes their documents out.
                return Ok(ItemDocuments {
                    upsert: Vec::new(),
                    delete: vec![SearchDocument::id_of(MODULE, TRACK, item_id)],
                });
            };
            let album = album::Entity::find_by_id(row.album_id)
                .one(db)
                .await
                .map_err(db_err)?;
            let mut artist_ids: HashSet<Id> = HashSet::from([row.artist_id]);
            artist_ids.extend(album.as_ref().map(|a| a.artist_id));
            let artists: HashMap<Id, artist::Model> = artist::Entity::find()
                .filter(artist::Column::Id.is_in(artist_ids.iter().copied()))
                .all(db)
                .await
                .map_err(db_err)?
                .into_iter()
                .map(|a| (a.id, a))
                .collect();
            // Which of those artists lead an album (the others are not listed, so not indexed).
            let leading: HashSet<Id> = album::Entity::find()
                .filter(album::Column::ArtistId.is_in(artist_ids.iter().copied()))
                .all(db)
                .await
                .map_err(db_err)?
                .into_iter()
                .map(|a| a.artist_id)
                .collect();
            let mut docs = ItemDocuments::default();
            docs.upsert.push(track_document(
                &row,
                album.as_ref().map(|a| a.title.as_str()),
            ));
            if let Some(album) = &album {
                let name = artists.get(&album.artist_id).map(|a| a.name.as_str());
                docs.upsert.push(album_document(album, name));
            }
            for id in artist_ids {
                match artists.get(&id) {
                    Some(artist) if leading.contains(&id) => {
                        docs.upsert.push(artist_document(artist));
                    }
                    _ => docs.delete.push(SearchDocument::id_of(MODULE, ARTIST, id)),
                }
            }
            Ok(docs)
        })
    }
}
