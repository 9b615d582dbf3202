//! How the music module takes in scanned files: one file is one track; artists and albums are
//! found (or made) by name within the library, and removed with their last track. Tags are
//! read before the scan's transaction (`prepare`), the library's artists and albums are loaded
//! once a scan and remembered for the rest of it, and a batch's new artists, albums and tracks
//! are numbered ahead and inserted together when the batch is flushed, so a track costs a
//! share of a few statements.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::Utc;
use revenge_core::batch_write::{
    WriteFuture, id_of, insert_rows, insert_with_children, write_batch,
};
use revenge_core::sort::sort_title;
use revenge_core::{
    FileToImport, Id, IdBlock, ImportBatch, ImportFuture, Imported, Importer, ItemRef, OpenedFile,
    Prepared,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, Set,
};

use crate::entity::{album, artist, track, track_genre};
use crate::tags::{self, TrackTags};

/// The music module's importer.
#[derive(Debug, Clone, Copy, Default)]
pub struct MusicImporter;

fn item_ref(track: &track::Model) -> ItemRef {
    ItemRef {
        module: "music".to_owned(),
        item_id: track.id,
        library_id: track.library_id,
        title: track.title.clone(),
        rating_level: track.rating_level,
    }
}

fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// What one batch (one transaction) knows and has not yet written: the artists and albums
/// ([`Shared`], carried over from the scan's previous batches) and its new tracks with their
/// genres, numbered ahead and inserted together when the batch is flushed. Dropped after a
/// failed file (once flushed), whose writes may have been rolled back.
#[derive(Debug)]
pub struct Known {
    artists: Shared<artist::ActiveModel>,
    albums: Shared<album::ActiveModel>,
    track_ids: IdBlock,
    tracks: Vec<track::ActiveModel>,
    genres: Vec<Vec<track_genre::ActiveModel>>,
}

impl Known {
    /// What the next transaction of the scan starts from: the artists and albums known, none
    /// of this one's numbering (everything made was flushed and committed).
    fn carried_over(self) -> Self {
        Self {
            artists: self.artists.carried_over(),
            albums: self.albums.carried_over(),
            ..Self::default()
        }
    }
}

impl Default for Known {
    fn default() -> Self {
        Self {
            artists: Shared::new("music_artist"),
            albums: Shared::new("music_album"),
            track_ids: IdBlock::new("music_track"),
            tracks: Vec::new(),
            genres: Vec::new(),
        }
    }
}

/// Rows a batch's tracks share (artists, albums), as the scan sees them: ids found or made, by
/// library and key; the libraries whose rows are all in `ids` (loaded once, so a key not there
/// is new); and the rows made, numbered ahead, not yet written (tracks point at them: written
/// first). Ids and completeness carry over to the scan's next transaction; the numbering does
/// not (it holds only under one transaction's write lock).
#[derive(Debug)]
struct Shared<M> {
    ids: HashMap<(Id, String), Id>,
    complete: HashSet<Id>,
    next: IdBlock,
    rows: Vec<M>,
}

/// Id, library and key columns of a [`Shared`] kind's table.
type KeyColumns<M> = (
    <<M as ActiveModelTrait>::Entity as EntityTrait>::Column,
    <<M as ActiveModelTrait>::Entity as EntityTrait>::Column,
    <<M as ActiveModelTrait>::Entity as EntityTrait>::Column,
);

impl<M: ActiveModelTrait + Send> Shared<M> {
    fn new(table: &'static str) -> Self {
        Self {
            ids: HashMap::new(),
            complete: HashSet::new(),
            next: IdBlock::new(table),
            rows: Vec::new(),
        }
    }

    /// The same knowledge for the next transaction, numbering afresh.
    fn carried_over(self) -> Self {
        Self {
            ids: self.ids,
            complete: self.complete,
            next: self.next.renewed(),
            rows: Vec::new(),
        }
    }

    /// The id of the library's row keyed `key`: remembered, found, or numbered now and made by
    /// `make` (from its id and key), to be written when the batch is flushed.
    async fn id<C: ConnectionTrait>(
        &mut self,
        db: &C,
        library_id: Id,
        key: String,
        columns: KeyColumns<M>,
        make: impl FnOnce(Id, String) -> M + Send,
    ) -> Result<Id, sea_orm::DbErr> {
        let at = (library_id, key);
        if let Some(id) = self.ids.get(&at) {
            return Ok(*id);
        }
        let found = if self.complete.contains(&library_id) {
            None
        } else {
            existing::<M::Entity, _>(db, library_id, columns, Some(&at.1))
                .await?
                .first()
                .map(|(id, _)| *id)
        };
        let id = match found {
            Some(id) => id,
            None => {
                let id = self.next.next(db).await?;
                self.rows.push(make(id, at.1.clone()));
                id
            }
        };
        self.ids.insert(at, id);
        Ok(id)
    }

    /// Loads the library's rows (id and key), once a scan: a statement per batch looking up
    /// its keys cost more than the whole table of a large library (a few rows per album).
    async fn prefetch<C: ConnectionTrait>(
        &mut self,
        db: &C,
        library_id: Id,
        columns: KeyColumns<M>,
    ) -> Result<(), sea_orm::DbErr> {
        if self.complete.contains(&library_id) {
            return Ok(());
        }
        for (id, key) in existing::<M::Entity, _>(db, library_id, columns, None).await? {
            self.ids.insert((library_id, key), id);
        }
        self.complete.insert(library_id);
        Ok(())
    }
}

/// Tracks per insert statement: 40-odd columns each stays under SQLite's 32,766 bound values.
const TRACKS_PER_INSERT: usize = 256;
/// Artists or albums per insert statement (fifteen columns at most: 15,360 values, within
/// both backends' limits).
const GROUPS_PER_INSERT: usize = 1024;

/// A new track and its genre rows, written together.
type NewTrack = (track::ActiveModel, Vec<track_genre::ActiveModel>);

/// The new tracks gathered so far with their genres, leaving the batch's state without them.
fn take_tracks(known: &mut Known) -> Vec<NewTrack> {
    std::mem::take(&mut known.tracks)
        .into_iter()
        .zip(std::mem::take(&mut known.genres))
        .collect()
}

fn write_tracks<'a>(db: &'a DatabaseTransaction, tracks: &'a [NewTrack]) -> WriteFuture<'a> {
    Box::pin(insert_with_children(db, tracks, 3))
}

/// Writes the artists and albums the batch made (before the tracks that point at them). One
/// the database refuses is logged; its tracks are then refused in turn, and so retried by the
/// next scan.
async fn write_groups(db: &DatabaseTransaction, known: &mut Known) -> Result<(), sea_orm::DbErr> {
    let artists = std::mem::take(&mut known.artists.rows);
    write_new(db, &artists, "artist", |a| id_of(&a.id)).await?;
    let albums = std::mem::take(&mut known.albums.rows);
    write_new(db, &albums, "album", |a| id_of(&a.id)).await
}

/// Inserts `rows` many to a statement, logging each the database refuses (a `what`).
async fn write_new<A>(
    db: &DatabaseTransaction,
    rows: &[A],
    what: &str,
    id: fn(&A) -> Id,
) -> Result<(), sea_orm::DbErr>
where
    A: ActiveModelTrait + Clone + Send + Sync + 'static,
{
    for (id, error) in write_batch(db, rows, GROUPS_PER_INSERT, insert_rows::<A>, id).await? {
        tracing::warn!(id, error = %error, "cannot record {what}");
    }
    Ok(())
}

/// Albums recounted per statement.
const ALBUMS_PER_RECOUNT: usize = 512;

/// Sets each album's song count and length from its tracks, as they are now. Called, in the
/// same transaction, by every write that adds, moves or removes tracks; an album removed
/// meanwhile is skipped.
pub(crate) async fn recount_albums<C: ConnectionTrait>(
    db: &C,
    album_ids: impl IntoIterator<Item = Id>,
) -> Result<(), sea_orm::DbErr> {
    let mut ids: Vec<Id> = album_ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(ALBUMS_PER_RECOUNT) {
        album::Entity::update_many()
            .col_expr(
                album::Column::SongCount,
                Expr::cust(
                    "(SELECT COUNT(*) FROM music_track \
                     WHERE music_track.album_id = music_album.id)",
                ),
            )
            .col_expr(
                album::Column::DurationMs,
                Expr::cust(
                    "(SELECT COALESCE(SUM(duration_ms), 0) FROM music_track \
                     WHERE music_track.album_id = music_album.id)",
                ),
            )
            .filter(album::Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// What `prepare` reads of a file: its tags, size and suffix.
#[derive(Debug)]
struct ReadTrack {
    tags: TrackTags,
    size: i64,
    suffix: String,
}

/// Reads a file's tags (blocking), from `opened` when the file is already open.
fn read_track(file: &FileToImport, opened: Option<OpenedFile>) -> ReadTrack {
    ReadTrack {
        tags: tags::read_from(opened, file.beside.as_deref(), &file.path, &file.rel_path),
        size: i64::try_from(file.size).unwrap_or(i64::MAX),
        suffix: suffix(&file.path),
    }
}

fn suffix(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// How artists are found by key: id, library and key columns.
const ARTIST_KEY: (artist::Column, artist::Column, artist::Column) = (
    artist::Column::Id,
    artist::Column::LibraryId,
    artist::Column::NameKey,
);

/// How albums are found by key.
const ALBUM_KEY: (album::Column, album::Column, album::Column) = (
    album::Column::Id,
    album::Column::LibraryId,
    album::Column::GroupKey,
);

/// The artist named `name` in the library, made if new.
async fn artist_id<C: ConnectionTrait>(
    db: &C,
    known: &mut Known,
    library_id: Id,
    name: &str,
    mbid: Option<&String>,
) -> Result<Id, sea_orm::DbErr> {
    known
        .artists
        .id(db, library_id, key(name), ARTIST_KEY, |id, name_key| {
            new_artist(id, library_id, name, name_key, mbid)
        })
        .await
}

fn new_artist(
    id: Id,
    library_id: Id,
    name: &str,
    name_key: String,
    mbid: Option<&String>,
) -> artist::ActiveModel {
    artist::ActiveModel {
        id: Set(id),
        library_id: Set(library_id),
        name: Set(name.trim().to_owned()),
        sort_name: Set(sort_title(name)),
        name_key: Set(name_key),
        mbid: Set(mbid.cloned()),
        rating_level: Set(None),
        added_at: Set(Utc::now()),
    }
}

/// What tracks of one album share: album artist, title and release id.
pub fn group_key(album_artist: &str, album: &str, release: Option<&str>) -> String {
    format!(
        "{}\u{1f}{}\u{1f}{}",
        key(album_artist),
        key(album),
        release.map(key).unwrap_or_default()
    )
}

async fn album_id<C: ConnectionTrait>(
    db: &C,
    known: &mut Known,
    library_id: Id,
    artist_id: Id,
    tags: &TrackTags,
) -> Result<Id, sea_orm::DbErr> {
    let group = group_key(
        &tags.album_artist,
        &tags.album,
        tags.mb_release_id.as_deref(),
    );
    known
        .albums
        .id(db, library_id, group, ALBUM_KEY, |id, group| {
            new_album(id, library_id, artist_id, tags, group)
        })
        .await
}

fn new_album(
    id: Id,
    library_id: Id,
    artist_id: Id,
    tags: &TrackTags,
    group: String,
) -> album::ActiveModel {
    album::ActiveModel {
        id: Set(id),
        library_id: Set(library_id),
        artist_id: Set(artist_id),
        group_key: Set(group),
        title: Set(tags.album.clone()),
        sort_title: Set(sort_title(&tags.album)),
        year: Set(tags.year),
        original_year: Set(tags.original_year),
        genre: Set(tags.genres.first().cloned()),
        compilation: Set(tags.compilation),
        mbid: Set(tags.mb_release_id.clone()),
        rating_level: Set(None),
        added_at: Set(Utc::now()),
        // Counted once its tracks are written (`recount_albums`).
        song_count: Set(0),
        duration_ms: Set(0),
    }
}

fn json_list(values: &[String]) -> String {
    serde_json::to_string(values).unwrap_or_else(|_| "[]".to_owned())
}

/// Writes a track (new, or `existing` again) from its tags; returns what events name it by and
/// whether it is new. A new track is numbered now and inserted with the batch's others when
/// the batch is flushed.
pub async fn store(
    db: &DatabaseTransaction,
    known: &mut Known,
    library_id: Id,
    existing: Option<Id>,
    tags: TrackTags,
    suffix: String,
    size: i64,
) -> Result<(ItemRef, bool), sea_orm::DbErr> {
    let album_artist_id = artist_id(
        db,
        known,
        library_id,
        &tags.album_artist,
        tags.mb_album_artist_id.as_ref(),
    )
    .await?;
    let first_artist = tags.artists.first().cloned().unwrap_or_default();
    let track_artist_id = if key(&first_artist) == key(&tags.album_artist) {
        album_artist_id
    } else {
        artist_id(
            db,
            known,
            library_id,
            &first_artist,
            tags.mb_artist_id.as_ref(),
        )
        .await?
    };
    let album_id = album_id(db, known, library_id, album_artist_id, &tags).await?;
    // A tag may name a genre twice; the genre table holds it once per track.
    let mut genres: Vec<String> = Vec::with_capacity(tags.genres.len());
    for genre in &tags.genres {
        if !genres.contains(genre) {
            genres.push(genre.clone());
        }
    }
    let title = tags.title.clone();
    let mut model = track::ActiveModel {
        library_id: Set(library_id),
        album_id: Set(album_id),
        artist_id: Set(track_artist_id),
        sort_title: Set(sort_title(&tags.title)),
        title: Set(tags.title),
        artists: Set(json_list(&tags.artists)),
        album_artist: Set(tags.album_artist),
        disc_no: Set(tags.disc_no),
        disc_total: Set(tags.disc_total),
        track_no: Set(tags.track_no),
        track_total: Set(tags.track_total),
        year: Set(tags.year),
        original_year: Set(tags.original_year),
        genres: Set(json_list(&tags.genres)),
        composer: Set(tags.composer),
        compilation: Set(tags.compilation),
        mb_track_id: Set(tags.mb_track_id),
        mb_recording_id: Set(tags.mb_recording_id),
        mb_release_id: Set(tags.mb_release_id),
        mb_artist_id: Set(tags.mb_artist_id),
        rg_track_gain: Set(tags.rg_track_gain),
        rg_track_peak: Set(tags.rg_track_peak),
        rg_album_gain: Set(tags.rg_album_gain),
        rg_album_peak: Set(tags.rg_album_peak),
        bpm: Set(tags.bpm),
        comment: Set(tags.comment),
        has_cover: Set(tags.has_cover),
        lyrics: Set(tags.lyrics),
        duration_ms: Set(tags.duration_ms),
        bitrate: Set(tags.bitrate),
        sample_rate: Set(tags.sample_rate),
        channels: Set(tags.channels),
        bit_depth: Set(tags.bit_depth),
        suffix: Set(suffix),
        size: Set(size),
        warning: Set(tags.warning),
        rating_level: Set(None),
        ..Default::default()
    };
    let genre_rows = |track_id: Id| -> Vec<track_genre::ActiveModel> {
        genres
            .iter()
            .map(|genre| track_genre::ActiveModel {
                track_id: Set(track_id),
                genre: Set(genre.clone()),
                library_id: Set(library_id),
            })
            .collect()
    };
    let previous = match existing {
        Some(id) => track::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    if let Some(previous) = previous {
        // The track is written now, so what it points at must be too.
        write_groups(db, known).await?;
        // A changed file keeps its track (and so its stars and playlist places).
        model.id = Set(previous.id);
        model.added_at = Set(previous.added_at);
        let stored = model.update(db).await?;
        track_genre::Entity::delete_many()
            .filter(track_genre::Column::TrackId.eq(previous.id))
            .exec(db)
            .await?;
        let rows = genre_rows(previous.id);
        if !rows.is_empty() {
            track_genre::Entity::insert_many(rows)
                .exec_without_returning(db)
                .await?;
        }
        // The batch's new tracks are not written yet: what they point at must stay.
        let mut held = Held::default();
        for track in &known.tracks {
            if let (ActiveValue::Set(album), ActiveValue::Set(artist)) =
                (&track.album_id, &track.artist_id)
            {
                held.albums.insert(*album);
                held.artists.insert(*artist);
            }
        }
        let (albums, artists) = prune(db, previous.album_id, previous.artist_id, &held).await?;
        recount_albums(db, [previous.album_id, stored.album_id]).await?;
        // What pruning removed must not be handed out again by this batch.
        known.artists.ids.retain(|_, id| !artists.contains(id));
        known.albums.ids.retain(|_, id| !albums.contains(id));
        return Ok((item_ref(&stored), false));
    }
    let id = known.track_ids.next(db).await?;
    model.id = Set(id);
    model.added_at = Set(Utc::now());
    known.tracks.push(model);
    known.genres.push(genre_rows(id));
    let item = ItemRef {
        module: "music".to_owned(),
        item_id: id,
        library_id,
        title,
        rating_level: None,
    };
    Ok((item, true))
}

/// Albums and artists that tracks not yet written point at.
#[derive(Debug, Default)]
struct Held {
    albums: HashSet<Id>,
    artists: HashSet<Id>,
}

/// Removes an album without tracks and artists without albums or tracks, unless `held`;
/// returns the ids of the albums and artists removed.
async fn prune<C: ConnectionTrait>(
    db: &C,
    album_id: Id,
    artist_id: Id,
    held: &Held,
) -> Result<(Vec<Id>, Vec<Id>), sea_orm::DbErr> {
    let mut removed = (Vec::new(), Vec::new());
    let tracks = track::Entity::find()
        .filter(track::Column::AlbumId.eq(album_id))
        .count(db)
        .await?;
    let mut artists = vec![artist_id];
    if tracks == 0
        && !held.albums.contains(&album_id)
        && let Some(gone) = album::Entity::find_by_id(album_id).one(db).await?
    {
        album::Entity::delete_by_id(album_id).exec(db).await?;
        removed.0.push(album_id);
        artists.push(gone.artist_id);
    }
    for artist in artists {
        let albums = album::Entity::find()
            .filter(album::Column::ArtistId.eq(artist))
            .count(db)
            .await?;
        let tracks = track::Entity::find()
            .filter(track::Column::ArtistId.eq(artist))
            .count(db)
            .await?;
        if albums == 0 && tracks == 0 && !held.artists.contains(&artist) {
            artist::Entity::delete_by_id(artist).exec(db).await?;
            removed.1.push(artist);
        }
    }
    Ok(removed)
}

/// Fills `known` with the library's artists and albums, unless it has them (new ones are then
/// made by the first track that names them, without looking again).
async fn prefetch(
    db: &DatabaseTransaction,
    known: &mut Known,
    library_id: Id,
) -> Result<(), sea_orm::DbErr> {
    known.artists.prefetch(db, library_id, ARTIST_KEY).await?;
    known.albums.prefetch(db, library_id, ALBUM_KEY).await
}

/// The (id, key) of the library's rows (`columns`: id, library, key), all of them or those
/// keyed `only`.
async fn existing<E: EntityTrait, C: ConnectionTrait>(
    db: &C,
    library_id: Id,
    columns: (E::Column, E::Column, E::Column),
    only: Option<&str>,
) -> Result<Vec<(Id, String)>, sea_orm::DbErr> {
    let (id, library, key) = columns;
    let mut query = E::find()
        .select_only()
        .column(id)
        .column(key)
        .filter(library.eq(library_id));
    if let Some(only) = only {
        query = query.filter(key.eq(only));
    }
    query.into_tuple().all(db).await
}

impl MusicImporter {
    async fn import_file(
        &self,
        db: &DatabaseTransaction,
        file: &FileToImport,
        prepared: Prepared,
        batch: &mut ImportBatch,
    ) -> Result<Imported, String> {
        let read = match prepared.downcast::<ReadTrack>() {
            Ok(read) => *read,
            // Not read beforehand (reading stopped): read now, off the async workers.
            Err(_) => {
                let file = file.clone();
                tokio::task::spawn_blocking(move || read_track(&file, None))
                    .await
                    .map_err(|e| e.to_string())?
            }
        };
        if !batch.is::<Known>() {
            *batch = Box::new(Known::default());
        }
        let known = batch
            .downcast_mut::<Known>()
            .ok_or("the music batch has no state")?;
        let (item, created) = store(
            db,
            known,
            file.library_id,
            file.item_id,
            read.tags,
            read.suffix,
            read.size,
        )
        .await
        .map_err(|e| e.to_string())?;
        Ok(Imported::Item { item, created })
    }
}

impl Importer for MusicImporter {
    fn extensions(&self) -> &'static [&'static str] {
        tags::AUDIO_EXTENSIONS
    }

    // Tags and stream properties come from lofty: never an ffprobe process for a track.
    fn probes_media(&self) -> bool {
        false
    }

    // Lyrics may lie beside a track (`Song.lrc`).
    fn looks_beside_files(&self) -> bool {
        true
    }

    fn prepare(&self, file: &FileToImport) -> Prepared {
        Box::new(read_track(file, None))
    }

    fn prepare_opened(&self, file: &FileToImport, opened: OpenedFile) -> Prepared {
        Box::new(read_track(file, Some(opened)))
    }

    fn batch(&self) -> ImportBatch {
        Box::new(Known::default())
    }

    fn next_batch(&self, previous: ImportBatch) -> ImportBatch {
        match previous.downcast::<Known>() {
            Ok(known) => Box::new(known.carried_over()),
            Err(_) => self.batch(),
        }
    }

    fn prefetch<'a>(
        &'a self,
        db: &'a DatabaseTransaction,
        library_id: Id,
        batch: &'a mut ImportBatch,
    ) -> ImportFuture<'a, ()> {
        Box::pin(async move {
            if !batch.is::<Known>() {
                *batch = Box::new(Known::default());
            }
            let known = batch
                .downcast_mut::<Known>()
                .ok_or("the music batch has no state")?;
            prefetch(db, known, library_id)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn import<'a>(
        &'a self,
        db: &'a DatabaseTransaction,
        file: &'a FileToImport,
        prepared: Prepared,
        batch: &'a mut ImportBatch,
    ) -> ImportFuture<'a, Imported> {
        Box::pin(self.import_file(db, file, prepared, batch))
    }

    fn flush<'a>(
        &'a self,
        db: &'a DatabaseTransaction,
        batch: &'a mut ImportBatch,
    ) -> ImportFuture<'a, Vec<(Id, String)>> {
        Box::pin(async move {
            let Some(known) = batch.downcast_mut::<Known>() else {
                return Ok(Vec::new());
            };
            write_groups(db, known).await.map_err(|e| e.to_string())?;
            let tracks = take_tracks(known);
            let refused = write_batch(
                db,
                &tracks,
                TRACKS_PER_INSERT,
                write_tracks,
                |(track, _)| id_of(&track.id),
            )
            .await
            .map_err(|e| e.to_string())?;
            let albums = tracks
                .iter()
                .filter_map(|(track, _)| match &track.album_id {
                    ActiveValue::Set(id) | ActiveValue::Unchanged(id) => Some(*id),
                    ActiveValue::NotSet => None,
                });
            recount_albums(db, albums)
                .await
                .map_err(|e| e.to_string())?;
            Ok(refused)
        })
    }

    fn remove<'a>(
        &'a self,
        db: &'a DatabaseTransaction,
        item_id: Id,
    ) -> ImportFuture<'a, Option<ItemRef>> {
        Box::pin(async move {
            let Some(existing) = track::Entity::find_by_id(item_id)
                .one(db)
                .await
                .map_err(|e| e.to_string())?
            else {
                return Ok(None);
            };
            track::Entity::delete_by_id(item_id)
                .exec(db)
                .await
                .map_err(|e| e.to_string())?;
            prune(db, existing.album_id, existing.artist_id, &Held::default())
                .await
                .map_err(|e| e.to_string())?;
            recount_albums(db, [existing.album_id])
                .await
                .map_err(|e| e.to_string())?;
            Ok(Some(item_ref(&existing)))
        })
    }
}
