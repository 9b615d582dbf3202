//! What each user keeps: stars, ratings, plays, playlists, the play queue, what is playing
//! now, and the Subsonic password.

use chrono::{DateTime, Utc};
use revenge_core::{Id, Viewer};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set, TransactionSession, TransactionTrait,
};

use crate::MusicError;
use crate::entity::{
    annotation, now_playing, play_queue, playlist, playlist_entry, subsonic_password, track,
};
use crate::repo;

/// What an annotation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An artist.
    Artist,
    /// An album.
    Album,
    /// A track.
    Track,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Artist => "artist",
            Kind::Album => "album",
            Kind::Track => "track",
        }
    }
}

/// One user's view of one item, read beside the item's row (the `note_*` columns that
/// `repo` joins in for the viewer; none where the viewer has no note, as `play_count` is then
/// NULL).
#[derive(Debug, Clone, Default)]
pub struct Note {
    /// When starred.
    pub starred_at: Option<DateTime<Utc>>,
    /// 1 to 5.
    pub rating: Option<i32>,
    /// Plays.
    pub play_count: i32,
    /// Last play.
    pub played_at: Option<DateTime<Utc>>,
}

impl Note {
    /// The note in the next four `note_*` columns (as `repo` selects them); `None` where the
    /// viewer has none (no annotation row, so even the play count is NULL).
    pub(crate) fn read(
        columns: &mut revenge_db::Columns<'_>,
    ) -> Result<Option<Self>, sea_orm::DbErr> {
        let starred_at = columns.nullable("note_starred_at")?;
        let rating = columns.nullable("note_rating")?;
        let play_count = columns.nullable("note_play_count")?;
        let played_at = columns.nullable("note_played_at")?;
        Ok(play_count.map(|play_count| Self {
            starred_at,
            rating,
            play_count,
            played_at,
        }))
    }
}

/// Checks the viewer may see the item.
async fn check_visible<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    kind: Kind,
    id: Id,
) -> Result<(), MusicError> {
    match kind {
        Kind::Artist => repo::artist(db, viewer, id).await.map(|_| ()),
        Kind::Album => repo::album(db, viewer, id).await.map(|_| ()),
        Kind::Track => repo::track::<repo::SongRow, _>(db, viewer, id)
            .await
            .map(|_| ()),
    }
}

async fn change<C, F>(db: &C, viewer: &Viewer, kind: Kind, id: Id, f: F) -> Result<(), MusicError>
where
    C: ConnectionTrait,
    F: FnOnce(&mut annotation::ActiveModel),
{
    check_visible(db, viewer, kind, id).await?;
    let existing = annotation::Entity::find_by_id((viewer.user_id, kind.as_str().to_owned(), id))
        .one(db)
        .await?;
    match existing {
        Some(row) => {
            let mut active = row.into_active_model();
            f(&mut active);
            active.update(db).await?;
        }
        None => {
            let mut active = annotation::ActiveModel {
                user_id: Set(viewer.user_id),
                kind: Set(kind.as_str().to_owned()),
                item_id: Set(id),
                starred_at: Set(None),
                rating: Set(None),
                play_count: Set(0),
                played_at: Set(None),
            };
            f(&mut active);
            active.insert(db).await?;
        }
    }
    Ok(())
}

/// Stars or unstars an item.
pub async fn star<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    kind: Kind,
    id: Id,
    starred: bool,
) -> Result<(), MusicError> {
    let at = starred.then(Utc::now);
    change(db, viewer, kind, id, |a| a.starred_at = Set(at)).await
}

/// Rates an item 1–5, or clears its rating with 0.
pub async fn rate<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    kind: Kind,
    id: Id,
    rating: i32,
) -> Result<(), MusicError> {
    if !(0..=5).contains(&rating) {
        return Err(MusicError::Invalid {
            field: "rating",
            message: format!("a rating is 0 to 5, got {rating}"),
        });
    }
    let value = (rating > 0).then_some(rating);
    change(db, viewer, kind, id, |a| a.rating = Set(value)).await
}

/// Records a play of a track (and of its album and artist).
pub async fn scrobble<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    track_id: Id,
    at: DateTime<Utc>,
) -> Result<(), MusicError> {
    let row: repo::SongRow = repo::track(db, viewer, track_id).await?;
    for (kind, id) in [
        (Kind::Track, track_id),
        (Kind::Album, row.album_id),
        (Kind::Artist, row.artist_id),
    ] {
        change(db, viewer, kind, id, |a| {
            let count = match &a.play_count {
                sea_orm::ActiveValue::Set(c) | sea_orm::ActiveValue::Unchanged(c) => *c,
                sea_orm::ActiveValue::NotSet => 0,
            };
            a.play_count = Set(count + 1);
            a.played_at = Set(Some(at));
        })
        .await?;
    }
    Ok(())
}

/// Notes that the viewer started playing a track.
pub async fn now_playing<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    track_id: Id,
    player: &str,
) -> Result<(), MusicError> {
    repo::track::<repo::SongRow, _>(db, viewer, track_id).await?;
    now_playing::Entity::insert(now_playing::ActiveModel {
        user_id: Set(viewer.user_id),
        track_id: Set(track_id),
        player_name: Set(player.to_owned()),
        started_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(now_playing::Column::UserId)
            .update_columns([
                now_playing::Column::TrackId,
                now_playing::Column::PlayerName,
                now_playing::Column::StartedAt,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// What everyone is playing (started within the last hour), newest first.
pub async fn playing<C: ConnectionTrait>(db: &C) -> Result<Vec<now_playing::Model>, MusicError> {
    let since = Utc::now() - chrono::TimeDelta::hours(1);
    Ok(now_playing::Entity::find()
        .filter(now_playing::Column::StartedAt.gte(since))
        .order_by_desc(now_playing::Column::StartedAt)
        .all(db)
        .await?)
}

/// A playlist with its track ids in order.
#[derive(Debug, Clone)]
pub struct Playlist {
    /// The playlist.
    pub playlist: playlist::Model,
    /// Its tracks, in order (duplicates allowed).
    pub track_ids: Vec<Id>,
}

/// Playlists the viewer owns or that are public.
pub async fn playlists<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
) -> Result<Vec<Playlist>, MusicError> {
    let lists = playlist::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(playlist::Column::UserId.eq(viewer.user_id))
                .add(playlist::Column::Public.eq(true)),
        )
        .order_by_asc(playlist::Column::Name)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(lists.len());
    for list in lists {
        let track_ids = entries(db, list.id).await?;
        out.push(Playlist {
            playlist: list,
            track_ids,
        });
    }
    Ok(out)
}

async fn entries<C: ConnectionTrait>(db: &C, id: Id) -> Result<Vec<Id>, MusicError> {
    Ok(playlist_entry::Entity::find()
        .filter(playlist_entry::Column::PlaylistId.eq(id))
        .order_by_asc(playlist_entry::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.track_id)
        .collect())
}

/// One playlist the viewer may read.
pub async fn playlist<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Id,
) -> Result<Playlist, MusicError> {
    let list = playlist::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|p| p.user_id == viewer.user_id || p.public)
        .ok_or_else(|| MusicError::not_found(format!("playlist {id}")))?;
    let track_ids = entries(db, id).await?;
    Ok(Playlist {
        playlist: list,
        track_ids,
    })
}

async fn owned<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Id,
) -> Result<playlist::Model, MusicError> {
    let list = playlist::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|p| p.user_id == viewer.user_id || p.public)
        .ok_or_else(|| MusicError::not_found(format!("playlist {id}")))?;
    if list.user_id != viewer.user_id {
        return Err(MusicError::Forbidden(
            "only its owner may change a playlist",
        ));
    }
    Ok(list)
}

/// Keeps the tracks the viewer may see (a playlist never reveals others).
async fn visible_ids<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    ids: &[Id],
) -> Result<Vec<Id>, MusicError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let visible: std::collections::HashSet<Id> = track::Entity::find()
        .filter(viewer.visible(track::Column::LibraryId, track::Column::RatingLevel))
        .filter(track::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    Ok(ids
        .iter()
        .copied()
        .filter(|id| visible.contains(id))
        .collect())
}

async fn write_entries<C: ConnectionTrait>(
    db: &C,
    id: Id,
    tracks: &[Id],
) -> Result<(), MusicError> {
    playlist_entry::Entity::delete_many()
        .filter(playlist_entry::Column::PlaylistId.eq(id))
        .exec(db)
        .await?;
    if !tracks.is_empty() {
        playlist_entry::Entity::insert_many(tracks.iter().enumerate().map(|(i, track)| {
            playlist_entry::ActiveModel {
                playlist_id: Set(id),
                position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
                track_id: Set(*track),
            }
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

/// Creates a playlist, or with `replace` replaces an owned playlist's tracks.
pub async fn create_playlist<C>(
    db: &C,
    viewer: &Viewer,
    name: &str,
    replace: Option<Id>,
    tracks: &[Id],
) -> Result<Playlist, MusicError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let tracks = visible_ids(db, viewer, tracks).await?;
    let txn = db.begin().await?;
    let id = match replace {
        Some(id) => {
            let list = owned(&txn, viewer, id).await?;
            let mut active = list.into_active_model();
            if !name.trim().is_empty() {
                active.name = Set(name.trim().to_owned());
            }
            active.updated_at = Set(Utc::now());
            active.update(&txn).await?;
            id
        }
        None => {
            if name.trim().is_empty() {
                return Err(MusicError::Invalid {
                    field: "name",
                    message: "a playlist needs a name".to_owned(),
                });
            }
            let now = Utc::now();
            playlist::ActiveModel {
                user_id: Set(viewer.user_id),
                name: Set(name.trim().to_owned()),
                comment: Set(None),
                public: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?
            .id
        }
    };
    write_entries(&txn, id, &tracks).await?;
    txn.commit().await?;
    playlist(db, viewer, id).await
}

/// Changes to a playlist (Subsonic `updatePlaylist`).
#[derive(Debug, Clone, Default)]
pub struct PlaylistChange {
    /// New name.
    pub name: Option<String>,
    /// New comment.
    pub comment: Option<String>,
    /// New visibility.
    pub public: Option<bool>,
    /// Tracks to append.
    pub add: Vec<Id>,
    /// Positions (0-based, of the list before the change) to remove.
    pub remove_positions: Vec<usize>,
}

/// Updates an owned playlist.
pub async fn update_playlist<C>(
    db: &C,
    viewer: &Viewer,
    id: Id,
    change: PlaylistChange,
) -> Result<(), MusicError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let add = visible_ids(db, viewer, &change.add).await?;
    let txn = db.begin().await?;
    let list = owned(&txn, viewer, id).await?;
    let mut tracks = entries(&txn, id).await?;
    let mut active = list.into_active_model();
    if let Some(name) = change.name.filter(|n| !n.trim().is_empty()) {
        active.name = Set(name.trim().to_owned());
    }
    if let Some(comment) = change.comment {
        active.comment = Set(Some(comment));
    }
    if let Some(public) = change.public {
        active.public = Set(public);
    }
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    let mut remove = change.remove_positions;
    remove.sort_unstable();
    remove.dedup();
    for position in remove.into_iter().rev() {
        if position < tracks.len() {
            tracks.remove(position);
        }
    }
    tracks.extend(add);
    write_entries(&txn, id, &tracks).await?;
    txn.commit().await?;
    Ok(())
}

/// Deletes an owned playlist.
pub async fn delete_playlist<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Id,
) -> Result<(), MusicError> {
    owned(db, viewer, id).await?;
    playlist::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// The viewer's saved play queue.
pub async fn play_queue<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
) -> Result<Option<(play_queue::Model, Vec<Id>)>, MusicError> {
    let Some(queue) = play_queue::Entity::find_by_id(viewer.user_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let ids: Vec<Id> = serde_json::from_str(&queue.track_ids).unwrap_or_default();
    let ids = visible_ids(db, viewer, &ids).await?;
    Ok(Some((queue, ids)))
}

/// Saves the viewer's play queue (an empty list clears it).
pub async fn save_play_queue<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    tracks: &[Id],
    current: Option<Id>,
    position_ms: i64,
    client: &str,
) -> Result<(), MusicError> {
    play_queue::Entity::delete_by_id(viewer.user_id)
        .exec(db)
        .await?;
    if tracks.is_empty() {
        return Ok(());
    }
    let tracks = visible_ids(db, viewer, tracks).await?;
    play_queue::ActiveModel {
        user_id: Set(viewer.user_id),
        track_ids: Set(serde_json::to_string(&tracks).unwrap_or_else(|_| "[]".to_owned())),
        current_id: Set(current.filter(|c| tracks.contains(c))),
        position_ms: Set(position_ms.max(0)),
        changed_at: Set(Utc::now()),
        changed_by: Set(client.to_owned()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The user's Subsonic password, if one was made.
pub async fn subsonic_password<C: ConnectionTrait>(
    db: &C,
    user_id: Id,
) -> Result<Option<String>, MusicError> {
    Ok(subsonic_password::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .map(|p| p.password))
}

/// Makes (or replaces) the user's Subsonic password and returns it: 24 random characters.
pub async fn rotate_subsonic_password<C: ConnectionTrait>(
    db: &C,
    user_id: Id,
) -> Result<String, MusicError> {
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes).map_err(|e| MusicError::Io {
        path: "the system random source".to_owned(),
        reason: e.to_string(),
    })?;
    use base64::Engine;
    let password = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    subsonic_password::Entity::delete_by_id(user_id)
        .exec(db)
        .await?;
    subsonic_password::ActiveModel {
        user_id: Set(user_id),
        password: Set(password.clone()),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(password)
}
