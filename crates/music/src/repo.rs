//! Reads of the music library: artists, albums, tracks and genres, always filtered by what the
//! viewer may see inside the SQL (never after paging).

use revenge_core::{Id, Page, PageParams, Viewer};
use revenge_db::Columns;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, JoinType, LikeExpr, Order, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select,
};

use crate::MusicError;
use crate::entity::{album, annotation, artist, track, track_genre};
use crate::user_data::Note;

/// An artist with how many albums it leads.
#[derive(Debug, Clone)]
pub struct ArtistRow {
    pub id: Id,
    pub library_id: Id,
    pub name: String,
    pub sort_name: String,
    pub mbid: Option<String>,
    pub album_count: i64,
    /// The viewer's note on the artist.
    pub note: Option<Note>,
}

/// Read by position, in `artist_query`'s order (see `revenge_db::Columns`).
impl FromQueryResult for ArtistRow {
    fn from_query_result(row: &sea_orm::QueryResult, pre: &str) -> Result<Self, sea_orm::DbErr> {
        let mut c = Columns::new(row, pre);
        Ok(Self {
            id: c.get("id")?,
            library_id: c.get("library_id")?,
            name: c.get("name")?,
            sort_name: c.get("sort_name")?,
            mbid: c.nullable("mbid")?,
            album_count: c.get("album_count")?,
            note: Note::read(&mut c)?,
        })
    }
}

/// An album with its artist's name, track count and length.
#[derive(Debug, Clone)]
pub struct AlbumRow {
    pub id: Id,
    pub library_id: Id,
    pub artist_id: Id,
    pub title: String,
    pub year: Option<i32>,
    pub original_year: Option<i32>,
    pub genre: Option<String>,
    pub compilation: bool,
    pub mbid: Option<String>,
    pub added_at: chrono::DateTime<chrono::Utc>,
    pub artist_name: String,
    pub song_count: i64,
    pub duration_ms: i64,
    /// The viewer's note on the album.
    pub note: Option<Note>,
}

/// Read by position, in `album_query`'s order (see `revenge_db::Columns`).
impl FromQueryResult for AlbumRow {
    fn from_query_result(row: &sea_orm::QueryResult, pre: &str) -> Result<Self, sea_orm::DbErr> {
        let mut c = Columns::new(row, pre);
        Ok(Self {
            id: c.get("id")?,
            library_id: c.get("library_id")?,
            artist_id: c.get("artist_id")?,
            title: c.get("title")?,
            year: c.nullable("year")?,
            original_year: c.nullable("original_year")?,
            genre: c.nullable("genre")?,
            compilation: c.get("compilation")?,
            mbid: c.nullable("mbid")?,
            added_at: c.get("added_at")?,
            song_count: c.get("song_count")?,
            duration_ms: c.get("duration_ms")?,
            artist_name: c.get("artist_name")?,
            note: Note::read(&mut c)?,
        })
    }
}

/// A track with its album's title and the viewer's note.
#[derive(Debug, Clone)]
pub struct TrackRow {
    pub track: track::Model,
    pub album_title: String,
    pub note: Option<Note>,
}

/// Read by position, in `track_rows`' order: the table's columns as declared, the viewer's
/// note, the album's title (see `revenge_db::Columns`).
impl FromQueryResult for TrackRow {
    fn from_query_result(row: &sea_orm::QueryResult, pre: &str) -> Result<Self, sea_orm::DbErr> {
        let mut c = Columns::new(row, pre);
        let track = track::Model {
            id: c.get("id")?,
            library_id: c.get("library_id")?,
            album_id: c.get("album_id")?,
            artist_id: c.get("artist_id")?,
            title: c.get("title")?,
            sort_title: c.get("sort_title")?,
            artists: c.get("artists")?,
            album_artist: c.get("album_artist")?,
            disc_no: c.nullable("disc_no")?,
            disc_total: c.nullable("disc_total")?,
            track_no: c.nullable("track_no")?,
            track_total: c.nullable("track_total")?,
            year: c.nullable("year")?,
            original_year: c.nullable("original_year")?,
            genres: c.get("genres")?,
            composer: c.nullable("composer")?,
            compilation: c.get("compilation")?,
            mb_track_id: c.nullable("mb_track_id")?,
            mb_recording_id: c.nullable("mb_recording_id")?,
            mb_release_id: c.nullable("mb_release_id")?,
            mb_artist_id: c.nullable("mb_artist_id")?,
            rg_track_gain: c.nullable("rg_track_gain")?,
            rg_track_peak: c.nullable("rg_track_peak")?,
            rg_album_gain: c.nullable("rg_album_gain")?,
            rg_album_peak: c.nullable("rg_album_peak")?,
            bpm: c.nullable("bpm")?,
            comment: c.nullable("comment")?,
            has_cover: c.get("has_cover")?,
            lyrics: c.nullable("lyrics")?,
            duration_ms: c.get("duration_ms")?,
            bitrate: c.nullable("bitrate")?,
            sample_rate: c.nullable("sample_rate")?,
            channels: c.nullable("channels")?,
            bit_depth: c.nullable("bit_depth")?,
            suffix: c.get("suffix")?,
            size: c.get("size")?,
            warning: c.nullable("warning")?,
            rating_level: c.nullable("rating_level")?,
            added_at: c.get("added_at")?,
        };
        Ok(Self {
            track,
            note: Note::read(&mut c)?,
            album_title: c.get("album_title")?,
        })
    }
}

/// What a Subsonic song shows of a track, with its album's title and the viewer's note. Every
/// list and search of songs reads only these columns: a search's 20 songs were read with all
/// 39 of the track's (and the note's and album title's 5), 12 of which no song shows (lyrics,
/// other MusicBrainz ids, totals).
#[derive(Debug, Clone)]
pub struct SongRow {
    pub id: Id,
    pub album_id: Id,
    pub artist_id: Id,
    pub title: String,
    pub sort_title: String,
    /// JSON list of every track artist.
    pub artists: String,
    pub album_artist: String,
    pub disc_no: Option<i32>,
    pub track_no: Option<i32>,
    pub year: Option<i32>,
    /// JSON list of genres.
    pub genres: String,
    pub composer: Option<String>,
    pub mb_recording_id: Option<String>,
    pub rg_track_gain: Option<f64>,
    pub rg_track_peak: Option<f64>,
    pub rg_album_gain: Option<f64>,
    pub rg_album_peak: Option<f64>,
    pub bpm: Option<i32>,
    pub comment: Option<String>,
    pub duration_ms: i64,
    /// kbit/s.
    pub bitrate: Option<i32>,
    pub sample_rate: Option<i32>,
    pub channels: Option<i32>,
    pub bit_depth: Option<i32>,
    /// The file extension, lower case.
    pub suffix: String,
    pub size: i64,
    pub added_at: chrono::DateTime<chrono::Utc>,
    pub album_title: String,
    pub note: Option<Note>,
}

/// The track columns a [`SongRow`] reads, in its order.
const SONG_COLUMNS: [track::Column; 27] = [
    track::Column::Id,
    track::Column::AlbumId,
    track::Column::ArtistId,
    track::Column::Title,
    track::Column::SortTitle,
    track::Column::Artists,
    track::Column::AlbumArtist,
    track::Column::DiscNo,
    track::Column::TrackNo,
    track::Column::Year,
    track::Column::Genres,
    track::Column::Composer,
    track::Column::MbRecordingId,
    track::Column::RgTrackGain,
    track::Column::RgTrackPeak,
    track::Column::RgAlbumGain,
    track::Column::RgAlbumPeak,
    track::Column::Bpm,
    track::Column::Comment,
    track::Column::DurationMs,
    track::Column::Bitrate,
    track::Column::SampleRate,
    track::Column::Channels,
    track::Column::BitDepth,
    track::Column::Suffix,
    track::Column::Size,
    track::Column::AddedAt,
];

/// Read by position: [`SONG_COLUMNS`], the viewer's note, the album's title.
impl FromQueryResult for SongRow {
    fn from_query_result(row: &sea_orm::QueryResult, pre: &str) -> Result<Self, sea_orm::DbErr> {
        let mut c = Columns::new(row, pre);
        Ok(Self {
            id: c.get("id")?,
            album_id: c.get("album_id")?,
            artist_id: c.get("artist_id")?,
            title: c.get("title")?,
            sort_title: c.get("sort_title")?,
            artists: c.get("artists")?,
            album_artist: c.get("album_artist")?,
            disc_no: c.nullable("disc_no")?,
            track_no: c.nullable("track_no")?,
            year: c.nullable("year")?,
            genres: c.get("genres")?,
            composer: c.nullable("composer")?,
            mb_recording_id: c.nullable("mb_recording_id")?,
            rg_track_gain: c.nullable("rg_track_gain")?,
            rg_track_peak: c.nullable("rg_track_peak")?,
            rg_album_gain: c.nullable("rg_album_gain")?,
            rg_album_peak: c.nullable("rg_album_peak")?,
            bpm: c.nullable("bpm")?,
            comment: c.nullable("comment")?,
            duration_ms: c.get("duration_ms")?,
            bitrate: c.nullable("bitrate")?,
            sample_rate: c.nullable("sample_rate")?,
            channels: c.nullable("channels")?,
            bit_depth: c.nullable("bit_depth")?,
            suffix: c.get("suffix")?,
            size: c.get("size")?,
            added_at: c.get("added_at")?,
            note: Note::read(&mut c)?,
            album_title: c.get("album_title")?,
        })
    }
}

/// A shape tracks are read in: [`TrackRow`] (every column) or [`SongRow`].
pub trait TrackRead: FromQueryResult + Send + Sync {
    /// `select` choosing this shape's columns of the track (the note's and the album title's
    /// follow).
    fn columns(select: Select<track::Entity>) -> Select<track::Entity>;
}

impl TrackRead for TrackRow {
    fn columns(select: Select<track::Entity>) -> Select<track::Entity> {
        select
    }
}

impl TrackRead for SongRow {
    fn columns(select: Select<track::Entity>) -> Select<track::Entity> {
        select.select_only().columns(SONG_COLUMNS)
    }
}

/// How a query reads the viewer's notes on its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notes {
    /// A subquery per note column on the annotation's primary key: for lists, where a join
    /// gave SQLite's planner another table to place, and without statistics it then sorted a
    /// whole album list by artist instead of walking the artists' index.
    PerColumn,
    /// One LEFT JOIN on the annotation's primary key: for rows asked for by id (search hits,
    /// starred lists), where the ids decide the plan and one lookup a row replaces four.
    Joined,
}

/// The alias of the joined annotation in [`Notes::Joined`] queries.
const NOTE: &str = "note";

/// The viewer's note on each row, read as the `note_*` columns [`Note`] reads: one query for
/// the rows and what the viewer keeps of them, not a second one with a list of ids.
fn noted<E: EntityTrait>(
    select: Select<E>,
    viewer: &Viewer,
    kind: &str,
    id: (
        impl sea_orm::sea_query::IntoIden + Copy,
        impl sea_orm::sea_query::IntoIden + Copy,
    ),
    how: Notes,
) -> Select<E> {
    const COLUMNS: [(annotation::Column, &str); 4] = [
        (annotation::Column::StarredAt, "note_starred_at"),
        (annotation::Column::Rating, "note_rating"),
        (annotation::Column::PlayCount, "note_play_count"),
        (annotation::Column::PlayedAt, "note_played_at"),
    ];
    match how {
        Notes::PerColumn => COLUMNS.into_iter().fold(select, |select, (column, name)| {
            let lookup = Query::select()
                .column((annotation::Entity, column))
                .from(annotation::Entity)
                .and_where(
                    Expr::col((annotation::Entity, annotation::Column::UserId)).eq(viewer.user_id),
                )
                .and_where(Expr::col((annotation::Entity, annotation::Column::Kind)).eq(kind))
                .and_where(Expr::col((annotation::Entity, annotation::Column::ItemId)).equals(id))
                .to_owned();
            select.column_as(Expr::SubQuery(None, Box::new(lookup.into())), name)
        }),
        Notes::Joined => {
            let note = Alias::new(NOTE);
            let mut select = COLUMNS.into_iter().fold(select, |select, (column, name)| {
                select.column_as(Expr::col((note.clone(), column)), name)
            });
            QuerySelect::query(&mut select).join_as(
                JoinType::LeftJoin,
                annotation::Entity,
                note.clone(),
                Condition::all()
                    .add(Expr::col((note.clone(), annotation::Column::UserId)).eq(viewer.user_id))
                    .add(Expr::col((note.clone(), annotation::Column::Kind)).eq(kind))
                    .add(Expr::col((note, annotation::Column::ItemId)).equals(id)),
            );
            select
        }
    }
}

/// Tracks read with their album's title, by a subquery per row read (one query, where a
/// second one for the titles cost a round trip to SQLite's thread and a list of ids), and the
/// viewer's notes.
fn track_rows<R: TrackRead>(
    select: Select<track::Entity>,
    viewer: &Viewer,
    how: Notes,
) -> sea_orm::Selector<sea_orm::SelectModel<R>> {
    noted(
        R::columns(select),
        viewer,
        "track",
        (track::Entity, track::Column::Id),
        how,
    )
    .column_as(
        Expr::cust(
            "COALESCE((SELECT title FROM music_album WHERE music_album.id = music_track.album_id), '')",
        ),
        "album_title",
    )
    .into_model::<R>()
}

/// A genre with its counts.
#[derive(Debug, Clone, FromQueryResult)]
pub struct GenreRow {
    pub genre: String,
    pub song_count: i64,
    pub album_count: i64,
}

fn visible_artists(viewer: &Viewer) -> sea_orm::Condition {
    viewer.visible(artist::Column::LibraryId, artist::Column::RatingLevel)
}

fn visible_albums(viewer: &Viewer) -> sea_orm::Condition {
    viewer.visible(album::Column::LibraryId, album::Column::RatingLevel)
}

fn visible_tracks(viewer: &Viewer) -> sea_orm::Condition {
    viewer.visible(track::Column::LibraryId, track::Column::RatingLevel)
}

/// A case-insensitive "contains" on a column, the same on both backends.
fn like(column: &'static str, needle: &str) -> Expr {
    // The pattern is a bound value (placeholders differ between backends, so no custom SQL
    // carries values); `!` escapes the wildcards.
    let escaped = needle
        .to_lowercase()
        .replace('!', "!!")
        .replace('%', "!%")
        .replace('_', "!_");
    Expr::cust(format!("LOWER({column})")).like(LikeExpr::new(format!("%{escaped}%")).escape('!'))
}

fn artist_query(viewer: &Viewer, how: Notes) -> Select<artist::Entity> {
    let select = artist::Entity::find()
        .select_only()
        .columns([
            artist::Column::Id,
            artist::Column::LibraryId,
            artist::Column::Name,
            artist::Column::SortName,
            artist::Column::Mbid,
        ])
        .column_as(
            Expr::cust(
                "(SELECT COUNT(*) FROM music_album WHERE music_album.artist_id = music_artist.id)",
            ),
            "album_count",
        )
        .filter(visible_artists(viewer));
    noted(
        select,
        viewer,
        "artist",
        (artist::Entity, artist::Column::Id),
        how,
    )
}

/// Album artists (artists leading at least one album), by sort name; with `query`, only
/// those whose name contains it.
pub async fn artists<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    query: Option<&str>,
    page: Option<PageParams>,
) -> Result<Page<ArtistRow>, MusicError> {
    let mut select = artist_query(viewer, Notes::PerColumn).filter(
        artist::Column::Id.in_subquery(
            Query::select()
                .column(album::Column::ArtistId)
                .from(album::Entity)
                .to_owned(),
        ),
    );
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        select = select.filter(like("music_artist.name", q));
    }
    let select = select
        .order_by_asc(artist::Column::SortName)
        .order_by_asc(artist::Column::Id);
    page_of(db, select, page).await
}

async fn page_of<C, E, M>(
    db: &C,
    select: Select<E>,
    page: Option<PageParams>,
) -> Result<Page<M>, MusicError>
where
    C: ConnectionTrait,
    E: EntityTrait,
    E::Model: Send + Sync,
    M: FromQueryResult + Send + Sync,
{
    match page {
        Some(page) => {
            let total = select.clone().count(db).await?;
            let items = select
                .offset(page.offset)
                .limit(page.limit)
                .into_model::<M>()
                .all(db)
                .await?;
            Ok(Page {
                items,
                total,
                offset: page.offset,
                limit: page.limit,
            })
        }
        None => {
            let items = select.into_model::<M>().all(db).await?;
            let total = items.len() as u64;
            Ok(Page {
                items,
                total,
                offset: 0,
                limit: total,
            })
        }
    }
}

/// Ids bound in one query: far below SQLite's and PostgreSQL's limits on bound values.
const IDS_PER_QUERY: usize = 500;

/// The rows of `select` whose `id` is one of `ids`, a query per 500 ids, in no particular
/// order.
async fn with_ids<C, E, M>(
    db: &C,
    select: Select<E>,
    id: E::Column,
    ids: &[Id],
) -> Result<Vec<M>, MusicError>
where
    C: ConnectionTrait,
    E: EntityTrait,
    M: FromQueryResult + Send + Sync,
{
    if ids.len() <= IDS_PER_QUERY {
        return Ok(select
            .filter(id.is_in(ids.iter().copied()))
            .into_model::<M>()
            .all(db)
            .await?);
    }
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_QUERY) {
        rows.extend(
            select
                .clone()
                .filter(id.is_in(chunk.iter().copied()))
                .into_model::<M>()
                .all(db)
                .await?,
        );
    }
    Ok(rows)
}

/// The artists with these ids that the viewer may see (search hits, starred lists), in no
/// particular order.
pub async fn artists_with_ids<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    ids: &[Id],
) -> Result<Vec<ArtistRow>, MusicError> {
    with_ids(
        db,
        artist_query(viewer, Notes::Joined),
        artist::Column::Id,
        ids,
    )
    .await
}

/// The albums with these ids that the viewer may see (search hits, starred lists), in no
/// particular order.
pub async fn albums_with_ids<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    ids: &[Id],
) -> Result<Vec<AlbumRow>, MusicError> {
    with_ids(
        db,
        album_query(viewer, Notes::Joined),
        album::Column::Id,
        ids,
    )
    .await
}

/// One artist.
pub async fn artist<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Id,
) -> Result<ArtistRow, MusicError> {
    artist_query(viewer, Notes::Joined)
        .filter(artist::Column::Id.eq(id))
        .into_model::<ArtistRow>()
        .one(db)
        .await?
        .ok_or_else(|| MusicError::not_found(format!("artist {id}")))
}

fn album_query(viewer: &Viewer, how: Notes) -> Select<album::Entity> {
    let select = album::Entity::find()
        .select_only()
        .columns([
            album::Column::Id,
            album::Column::LibraryId,
            album::Column::ArtistId,
            album::Column::Title,
            album::Column::Year,
            album::Column::OriginalYear,
            album::Column::Genre,
            album::Column::Compilation,
            album::Column::Mbid,
            album::Column::AddedAt,
            // Kept on the row by the importer: counting and summing each album's tracks was
            // most of an album page's work.
            album::Column::SongCount,
            album::Column::DurationMs,
        ])
        .column_as(
            Expr::cust(
                "(SELECT name FROM music_artist WHERE music_artist.id = music_album.artist_id)",
            ),
            "artist_name",
        )
        .filter(visible_albums(viewer));
    noted(
        select,
        viewer,
        "album",
        (album::Entity, album::Column::Id),
        how,
    )
}

/// How an album list is ordered and filtered (the Subsonic `getAlbumList` types, which the
/// native API shares).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AlbumOrder {
    /// By title.
    #[default]
    Name,
    /// By album artist (their sort name), then year.
    Artist,
    /// Newest additions first.
    Newest,
    /// Random.
    Random,
    /// By year, within a range (descending when `from > to`).
    Year { from: i32, to: i32 },
    /// With this genre, by title.
    Genre(String),
    /// Starred by the viewer, latest first.
    Starred,
    /// Highest rated by the viewer.
    Highest,
    /// Most played by the viewer.
    Frequent,
    /// Most recently played by the viewer.
    Recent,
}

/// The viewer's annotation `column` of the album in the outer query.
fn annotated(viewer: &Viewer, kind: &str, column: annotation::Column) -> Expr {
    let select = Query::select()
        .column((annotation::Entity, column))
        .from(annotation::Entity)
        .and_where(Expr::col((annotation::Entity, annotation::Column::UserId)).eq(viewer.user_id))
        .and_where(Expr::col((annotation::Entity, annotation::Column::Kind)).eq(kind))
        .and_where(
            Expr::col((annotation::Entity, annotation::Column::ItemId))
                .equals((album::Entity, album::Column::Id)),
        )
        .to_owned();
    Expr::SubQuery(None, Box::new(select.into()))
}

fn annotation_ids(
    viewer: &Viewer,
    kind: &str,
    condition: Expr,
) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(annotation::Column::ItemId)
        .from(annotation::Entity)
        .and_where(annotation::Column::UserId.eq(viewer.user_id))
        .and_where(annotation::Column::Kind.eq(kind))
        .and_where(condition)
        .to_owned()
}

/// Albums, filtered and ordered; `artist` restricts to one album artist.
pub async fn albums<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    order: &AlbumOrder,
    artist_id: Option<Id>,
    query: Option<&str>,
    page: Option<PageParams>,
) -> Result<Page<AlbumRow>, MusicError> {
    let select = ordered(
        album_query(viewer, Notes::PerColumn),
        viewer,
        order,
        artist_id,
        query,
    );
    page_of(db, select, page).await
}

/// One page of albums without the total (the Subsonic lists), in one query: each album's
/// counts and length are on its row, and SQLite walks the order's index, evaluating the rows'
/// columns only for the page, not for the albums the offset skips.
pub async fn album_page<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    order: &AlbumOrder,
    page: PageParams,
) -> Result<Vec<AlbumRow>, MusicError> {
    Ok(album_page_query(viewer, order, page)
        .into_model::<AlbumRow>()
        .all(db)
        .await?)
}

fn album_page_query(
    viewer: &Viewer,
    order: &AlbumOrder,
    page: PageParams,
) -> Select<album::Entity> {
    ordered(
        album_query(viewer, Notes::PerColumn),
        viewer,
        order,
        None,
        None,
    )
    .offset(page.offset)
    .limit(page.limit)
}

/// The filters and order of an album list, on a select of albums.
fn ordered(
    select: Select<album::Entity>,
    viewer: &Viewer,
    order: &AlbumOrder,
    artist_id: Option<Id>,
    query: Option<&str>,
) -> Select<album::Entity> {
    let mut select = select;
    if let Some(artist_id) = artist_id {
        select = select.filter(album::Column::ArtistId.eq(artist_id));
    }
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        select = select.filter(like("music_album.title", q));
    }
    select = match order {
        AlbumOrder::Name => select.order_by_asc(album::Column::SortTitle),
        // A join, not the sort name read by a subquery per album: with statistics (see
        // `revenge_db::refresh_statistics`) SQLite then walks the artists' sort-name index and each
        // artist's albums by the (artist_id, year) index, and stops at the page, instead of
        // sorting every album. The artist's id after the sort name is what lets it: without it
        // two artists of one sort name could interleave, and SQLite sorted each run of albums.
        AlbumOrder::Artist => {
            let mut select = select;
            QueryTrait::query(&mut select).join(
                JoinType::InnerJoin,
                artist::Entity,
                Expr::col((artist::Entity, artist::Column::Id))
                    .equals((album::Entity, album::Column::ArtistId)),
            );
            select
                .order_by(
                    Expr::col((artist::Entity, artist::Column::SortName)),
                    Order::Asc,
                )
                .order_by(Expr::col((artist::Entity, artist::Column::Id)), Order::Asc)
                .order_by_asc(album::Column::Year)
        }
        AlbumOrder::Newest => select.order_by_desc(album::Column::AddedAt),
        AlbumOrder::Random => select.order_by(Expr::cust("RANDOM()"), Order::Asc),
        AlbumOrder::Year { from, to } => {
            let (low, high) = if from <= to { (from, to) } else { (to, from) };
            let select = select
                .filter(album::Column::Year.gte(*low))
                .filter(album::Column::Year.lte(*high));
            if from <= to {
                select.order_by_asc(album::Column::Year)
            } else {
                select.order_by_desc(album::Column::Year)
            }
        }
        AlbumOrder::Genre(genre) => select
            .filter(
                album::Column::Id.in_subquery(
                    Query::select()
                        .column((track::Entity, track::Column::AlbumId))
                        .from(track::Entity)
                        .inner_join(
                            track_genre::Entity,
                            Expr::col((track_genre::Entity, track_genre::Column::TrackId))
                                .equals((track::Entity, track::Column::Id)),
                        )
                        .and_where(
                            Expr::col((track_genre::Entity, track_genre::Column::Genre))
                                .eq(genre.as_str()),
                        )
                        .to_owned(),
                ),
            )
            .order_by_asc(album::Column::SortTitle),
        AlbumOrder::Starred => select
            .filter(album::Column::Id.in_subquery(annotation_ids(
                viewer,
                "album",
                Expr::col(annotation::Column::StarredAt).is_not_null(),
            )))
            .order_by(
                annotated(viewer, "album", annotation::Column::StarredAt),
                Order::Desc,
            ),
        AlbumOrder::Highest => select
            .filter(album::Column::Id.in_subquery(annotation_ids(
                viewer,
                "album",
                Expr::col(annotation::Column::Rating).gt(0),
            )))
            .order_by(
                annotated(viewer, "album", annotation::Column::Rating),
                Order::Desc,
            ),
        AlbumOrder::Frequent => select
            .filter(album::Column::Id.in_subquery(annotation_ids(
                viewer,
                "album",
                Expr::col(annotation::Column::PlayCount).gt(0),
            )))
            .order_by(
                annotated(viewer, "album", annotation::Column::PlayCount),
                Order::Desc,
            ),
        AlbumOrder::Recent => select
            .filter(album::Column::Id.in_subquery(annotation_ids(
                viewer,
                "album",
                Expr::col(annotation::Column::PlayedAt).is_not_null(),
            )))
            .order_by(
                annotated(viewer, "album", annotation::Column::PlayedAt),
                Order::Desc,
            ),
    };
    // Ties last by id; for `newest` (a scan stamps a whole batch alike) the newest first: the
    // order the `added_at` index gives read backwards. With the id ascending, SQLite sorted
    // every album of a tied run, in practice the whole library.
    let ties = if *order == AlbumOrder::Newest {
        Order::Desc
    } else {
        Order::Asc
    };
    select.order_by(album::Column::Id, ties)
}

/// One album.
pub async fn album<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Id,
) -> Result<AlbumRow, MusicError> {
    album_query(viewer, Notes::Joined)
        .filter(album::Column::Id.eq(id))
        .into_model::<AlbumRow>()
        .one(db)
        .await?
        .ok_or_else(|| MusicError::not_found(format!("album {id}")))
}

/// Which tracks to list.
#[derive(Debug, Clone, Default)]
pub struct TrackFilter {
    /// Of this album, in disc and track order.
    pub album_id: Option<Id>,
    /// By this (first) track artist or on this artist's albums.
    pub artist_id: Option<Id>,
    /// With this genre.
    pub genre: Option<String>,
    /// Whose title contains this.
    pub query: Option<String>,
    /// From this year on.
    pub from_year: Option<i32>,
    /// Up to this year.
    pub to_year: Option<i32>,
    /// Random order.
    pub random: bool,
    /// Newest additions first.
    pub newest: bool,
    /// Only these ids (in any order).
    pub ids: Option<Vec<Id>>,
    /// Only tracks the viewer starred.
    pub starred: bool,
}

/// Tracks, filtered and ordered.
pub async fn tracks<R: TrackRead, C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &TrackFilter,
    page: Option<PageParams>,
) -> Result<Page<R>, MusicError> {
    let mut select = track::Entity::find().filter(visible_tracks(viewer));
    if let Some(album_id) = filter.album_id {
        select = select.filter(track::Column::AlbumId.eq(album_id));
    }
    if let Some(artist_id) = filter.artist_id {
        select = select.filter(
            sea_orm::Condition::any()
                .add(track::Column::ArtistId.eq(artist_id))
                .add(
                    track::Column::AlbumId.in_subquery(
                        Query::select()
                            .column(album::Column::Id)
                            .from(album::Entity)
                            .and_where(album::Column::ArtistId.eq(artist_id))
                            .to_owned(),
                    ),
                ),
        );
    }
    if let Some(genre) = &filter.genre {
        select = select.filter(
            track::Column::Id.in_subquery(
                Query::select()
                    .column(track_genre::Column::TrackId)
                    .from(track_genre::Entity)
                    .and_where(track_genre::Column::Genre.eq(genre.as_str()))
                    .to_owned(),
            ),
        );
    }
    if let Some(q) = filter.query.as_deref().filter(|q| !q.is_empty()) {
        select = select.filter(like("music_track.title", q));
    }
    if let Some(from) = filter.from_year {
        select = select.filter(track::Column::Year.gte(from));
    }
    if let Some(to) = filter.to_year {
        select = select.filter(track::Column::Year.lte(to));
    }
    if let Some(ids) = &filter.ids {
        if ids.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
                offset: 0,
                limit: 0,
            });
        }
        select = select.filter(track::Column::Id.is_in(ids.iter().copied()));
    }
    if filter.starred {
        select = select.filter(track::Column::Id.in_subquery(annotation_ids(
            viewer,
            "track",
            Expr::col(annotation::Column::StarredAt).is_not_null(),
        )));
    }
    // Rows asked for by id, all of them, are put in the caller's order (a search's ranking, a
    // playlist's) afterwards: sorting them here only copied every row once more.
    let unordered = filter.ids.is_some() && page.is_none();
    select = if unordered {
        select
    } else if filter.random {
        select.order_by(Expr::cust("RANDOM()"), Order::Asc)
    } else if filter.newest {
        select.order_by_desc(track::Column::AddedAt)
    } else if filter.album_id.is_some() {
        select
            .order_by_asc(track::Column::DiscNo)
            .order_by_asc(track::Column::TrackNo)
            .order_by_asc(track::Column::SortTitle)
    } else {
        select.order_by_asc(track::Column::SortTitle)
    };
    let select = if unordered {
        select
    } else {
        select.order_by_asc(track::Column::Id)
    };
    let (items, total, offset, limit) = match page {
        Some(page) => {
            let total = select.clone().count(db).await?;
            let items = track_rows(
                select.offset(page.offset).limit(page.limit),
                viewer,
                Notes::PerColumn,
            )
            .all(db)
            .await?;
            (items, total, page.offset, page.limit)
        }
        None => {
            // Every row asked for by id: the ids decide the plan, so the notes are joined.
            let how = if unordered {
                Notes::Joined
            } else {
                Notes::PerColumn
            };
            let items = track_rows(select, viewer, how).all(db).await?;
            let total = items.len() as u64;
            (items, total, 0, total)
        }
    };
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// One track.
pub async fn track<R: TrackRead, C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Id,
) -> Result<R, MusicError> {
    track_rows(
        track::Entity::find_by_id(id).filter(visible_tracks(viewer)),
        viewer,
        Notes::Joined,
    )
    .one(db)
    .await?
    .ok_or_else(|| MusicError::not_found(format!("track {id}")))
}

/// Genres of the visible tracks, by name, with their song and album counts.
pub async fn genres<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
) -> Result<Vec<GenreRow>, MusicError> {
    let t = Alias::new("t");
    let g = Alias::new("g");
    let statement = Query::select()
        .expr_as(
            Expr::col((g.clone(), track_genre::Column::Genre)),
            Alias::new("genre"),
        )
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("song_count"))
        .expr_as(
            Expr::cust("COUNT(DISTINCT t.album_id)"),
            Alias::new("album_count"),
        )
        .from_as(track_genre::Entity, g.clone())
        .join_as(
            JoinType::InnerJoin,
            track::Entity,
            t.clone(),
            Expr::col((t.clone(), track::Column::Id))
                .equals((g.clone(), track_genre::Column::TrackId)),
        )
        .and_where(viewer.visible_expr(
            Expr::col((t.clone(), track::Column::LibraryId)),
            Expr::col((t.clone(), track::Column::RatingLevel)),
        ))
        .group_by_col((g.clone(), track_genre::Column::Genre))
        .order_by((g, track_genre::Column::Genre), Order::Asc)
        .to_owned();
    let rows = db.query_all(&statement).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(GenreRow::from_query_result(&row, "")?);
    }
    Ok(out)
}

/// How many tracks the viewer may see.
pub async fn track_count<C: ConnectionTrait>(db: &C, viewer: &Viewer) -> Result<u64, MusicError> {
    Ok(track::Entity::find()
        .filter(visible_tracks(viewer))
        .count(db)
        .await?)
}

/// Where a visible track's file is on disk.
pub async fn track_path<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Id,
) -> Result<std::path::PathBuf, MusicError> {
    track::<SongRow, _>(db, viewer, id).await?;
    revenge_core::media_file::absolute_paths_of(db, "music", id)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| MusicError::not_found(format!("the file of track {id}")))
}

/// The first track of a visible album, by disc and number (its cover stands for the album's).
pub async fn first_track_of_album<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    album_id: Id,
) -> Result<track::Model, MusicError> {
    track::Entity::find()
        .filter(visible_tracks(viewer))
        .filter(track::Column::AlbumId.eq(album_id))
        .order_by_desc(track::Column::HasCover)
        .order_by_asc(track::Column::DiscNo)
        .order_by_asc(track::Column::TrackNo)
        .one(db)
        .await?
        .ok_or_else(|| MusicError::not_found(format!("album {album_id}")))
}

/// The first album of a visible artist (for its picture).
pub async fn first_album_of_artist<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    artist_id: Id,
) -> Result<Id, MusicError> {
    let found: Option<Id> = album::Entity::find()
        .select_only()
        .column(album::Column::Id)
        .filter(visible_albums(viewer))
        .filter(album::Column::ArtistId.eq(artist_id))
        .order_by_asc(album::Column::Year)
        .into_tuple()
        .one(db)
        .await?;
    found.ok_or_else(|| MusicError::not_found(format!("artist {artist_id}")))
}

#[cfg(test)]
mod tests {
    use revenge_core::{Module, Viewer};
    use revenge_db::MigrationSet;
    use sea_orm::{ConnectionTrait, DbBackend, QueryFilter, QuerySelect, QueryTrait, Statement};

    use super::{
        AlbumOrder, Notes, SongRow, TrackRow, album, album_page_query, album_query, track,
        track_rows,
    };

    /// SQLite's plan of `select` on the music schema (no statistics), one step a line.
    async fn plan_of(select: sea_orm::Select<album::Entity>) -> Vec<String> {
        plan_of_statement(select.build(DbBackend::Sqlite)).await
    }

    async fn plan_of_statement(query: Statement) -> Vec<String> {
        let db = revenge_db::open_in_memory(vec![MigrationSet {
            owner: "music",
            migrations: crate::MusicModule.migrations(),
        }])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let plan = db
            .conn
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                format!("EXPLAIN QUERY PLAN {}", query.sql),
                query.values.map(|v| v.0).unwrap_or_default(),
            ))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        plan.iter()
            .map(|row| row.try_get_by_index::<String>(3).unwrap_or_default())
            .collect()
    }

    #[tokio::test]
    async fn a_page_of_newest_or_alphabetical_albums_is_read_in_index_order_without_sorting() {
        for order in [AlbumOrder::Newest, AlbumOrder::Name, AlbumOrder::Artist] {
            let page = revenge_core::PageParams {
                offset: 100,
                limit: 50,
            };
            let steps = plan_of(album_page_query(&Viewer::system(), &order, page)).await;
            assert!(
                steps.iter().all(|s| !s.contains("TEMP B-TREE")),
                "{order:?}: {steps:?}"
            );
            assert!(
                steps.iter().any(|s| s.contains("INDEX idx_music_")),
                "{order:?}: {steps:?}"
            );
        }
    }

    #[tokio::test]
    async fn an_albums_song_count_and_length_are_read_without_its_tracks() {
        let steps = plan_of(
            album_query(&Viewer::system(), Notes::PerColumn)
                .filter(sea_orm::ColumnTrait::is_in(&album::Column::Id, [1, 2])),
        )
        .await;
        assert!(!steps.is_empty());
        assert!(
            steps.iter().all(|s| !s.contains("music_track")),
            "{steps:?}"
        );
    }

    #[tokio::test]
    async fn tracks_are_read_with_their_album_titles_in_one_statement() {
        for how in [Notes::PerColumn, Notes::Joined] {
            let select = sea_orm::QueryFilter::filter(
                <track::Entity as sea_orm::EntityTrait>::find(),
                sea_orm::ColumnTrait::is_in(&track::Column::Id, [1, 2]),
            );
            let steps = plan_of_statement(
                track_rows::<TrackRow>(select, &Viewer::system(), how)
                    .into_statement(DbBackend::Sqlite),
            )
            .await;
            let has = |step: &str| steps.iter().any(|s| s.contains(step));
            assert!(
                has("SEARCH music_album USING INTEGER PRIMARY KEY"),
                "{how:?}: {steps:?}"
            );
            assert!(
                has("SEARCH music_track USING INTEGER PRIMARY KEY"),
                "{how:?}: {steps:?}"
            );
            // The viewer's notes, on the annotation's whole key: four lookups a row as
            // subqueries, one joined.
            let notes: Vec<&String> = steps
                .iter()
                .filter(|s| s.contains("music_annotation"))
                .collect();
            assert!(
                notes.iter().all(|s| s.starts_with("SEARCH")
                    && s.contains("(user_id=? AND kind=? AND item_id=?)")),
                "{how:?}: {steps:?}"
            );
            let lookups = if how == Notes::Joined { 1 } else { 4 };
            assert_eq!(notes.len(), lookups, "{how:?}: {steps:?}");
            assert!(
                !steps.iter().any(|s| s.contains("SCAN")),
                "{how:?}: {steps:?}"
            );
        }
    }

    /// A database with one library, one user, and one artist, album and track of `library`
    /// whose every column holds a value no other column holds (`full`) or whose optional
    /// columns are all NULL; with `full`, the user's notes on all three.
    async fn one_of_each(full: bool) -> (revenge_db::Database, Viewer) {
        use sea_orm::{ActiveModelTrait, IntoActiveModel};

        use crate::entity::{annotation, artist};

        let db = revenge_db::open_in_memory(vec![MigrationSet {
            owner: "music",
            migrations: crate::MusicModule.migrations(),
        }])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let at = |n: i64| {
            chrono::DateTime::from_timestamp(1_700_000_000 + n, 0).unwrap_or_else(|| panic!("{n}"))
        };
        for sql in [
            "INSERT INTO library (id, module, name, created_at) VALUES (3, 'music', 'Music', '2026-01-01T00:00:00Z')",
            "INSERT INTO app_user (id, username, username_key, display_name, password_hash, role, \
             can_manage_libraries, can_manage_users, can_download, can_transcode, can_access_adult, \
             max_rating_level, disabled, preferences, created_at, updated_at) VALUES (5, 'u', 'u', 'U', \
             'x', 'user', false, false, true, true, false, NULL, false, '{}', '2026-01-01T00:00:00Z', \
             '2026-01-01T00:00:00Z')",
        ] {
            db.conn
                .execute_unprepared(sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        let some = |value: &str| full.then(|| value.to_owned());
        let number = |n: i32| full.then_some(n);
        let real = |x: f64| full.then_some(x);
        let rows = (
            artist::Model {
                id: 11,
                library_id: 3,
                name: "artist name".into(),
                name_key: "artist key".into(),
                sort_name: "artist sort".into(),
                mbid: some("artist mbid"),
                rating_level: None,
                added_at: at(1),
            },
            album::Model {
                id: 13,
                library_id: 3,
                artist_id: 11,
                group_key: "album group".into(),
                title: "album title".into(),
                sort_title: "album sort".into(),
                year: number(1971),
                original_year: number(1969),
                genre: some("album genre"),
                compilation: full,
                mbid: some("album mbid"),
                rating_level: None,
                added_at: at(2),
                song_count: 17,
                duration_ms: 19_000,
            },
            track::Model {
                id: 23,
                library_id: 3,
                album_id: 13,
                artist_id: 11,
                title: "track title".into(),
                sort_title: "track sort".into(),
                artists: r#"["track artist"]"#.into(),
                album_artist: "album artist".into(),
                disc_no: number(29),
                disc_total: number(31),
                track_no: number(37),
                track_total: number(41),
                year: number(1943),
                original_year: number(1947),
                genres: r#"["track genre"]"#.into(),
                composer: some("composer"),
                compilation: full,
                mb_track_id: some("mb track"),
                mb_recording_id: some("mb recording"),
                mb_release_id: some("mb release"),
                mb_artist_id: some("mb artist"),
                rg_track_gain: real(-1.5),
                rg_track_peak: real(0.25),
                rg_album_gain: real(-2.5),
                rg_album_peak: real(0.75),
                bpm: number(53),
                comment: some("comment"),
                has_cover: full,
                lyrics: some("lyrics"),
                duration_ms: 59_000,
                bitrate: number(61),
                sample_rate: number(67),
                channels: number(71),
                bit_depth: number(73),
                suffix: "flac".into(),
                size: 79,
                warning: some("warning"),
                rating_level: None,
                added_at: at(3),
            },
        );
        rows.0
            .clone()
            .into_active_model()
            .insert(&db.conn)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        rows.1
            .clone()
            .into_active_model()
            .insert(&db.conn)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        rows.2
            .clone()
            .into_active_model()
            .insert(&db.conn)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if full {
            for (n, (kind, item_id)) in [("artist", 11), ("album", 13), ("track", 23)]
                .into_iter()
                .enumerate()
            {
                let n = i32::try_from(n).unwrap_or_else(|e| panic!("{e}"));
                annotation::Model {
                    user_id: 5,
                    kind: kind.into(),
                    item_id,
                    starred_at: Some(at(100 + i64::from(n))),
                    rating: Some(n + 2),
                    play_count: 83 + n,
                    played_at: Some(at(200 + i64::from(n))),
                }
                .into_active_model()
                .insert(&db.conn)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            }
        }
        let viewer = Viewer {
            user_id: 5,
            ..Viewer::system()
        };
        (db, viewer)
    }

    /// Rows are read column by column in the order their queries select them: every field
    /// holding the value of its own column (no two alike) proves the orders agree.
    #[tokio::test]
    async fn rows_read_by_position_fill_each_field_from_its_own_column() {
        for full in [true, false] {
            let (db, viewer) = one_of_each(full).await;
            let db = &db.conn;
            let tracks: Vec<TrackRow> =
                super::tracks(db, &viewer, &super::TrackFilter::default(), None)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"))
                    .items;
            let [row] = tracks.as_slice() else {
                panic!("{tracks:?}")
            };
            let stored = <track::Entity as sea_orm::EntityTrait>::find_by_id(23)
                .one(db)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|| panic!("no track"));
            assert_eq!(row.track, stored, "full: {full}");
            assert_eq!(row.album_title, "album title");
            let songs: Vec<SongRow> =
                super::tracks(db, &viewer, &super::TrackFilter::default(), None)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"))
                    .items;
            let [song] = songs.as_slice() else {
                panic!("{songs:?}")
            };
            // The song's fields, by the names a `SongRow` and a stored track share.
            macro_rules! shown {
                ($t:expr, $album_title:expr, $note:expr) => {
                    (
                        ($t.id, $t.album_id, $t.artist_id),
                        (&$t.title, &$t.sort_title, &$t.artists),
                        (&$t.album_artist, $t.disc_no, $t.track_no, $t.year),
                        (&$t.genres, &$t.composer, &$t.mb_recording_id),
                        ($t.rg_track_gain, $t.rg_track_peak),
                        ($t.rg_album_gain, $t.rg_album_peak),
                        ($t.bpm, &$t.comment, $t.duration_ms, $t.bitrate),
                        ($t.sample_rate, $t.channels, $t.bit_depth),
                        (&$t.suffix, $t.size, $t.added_at),
                        (
                            &$album_title,
                            $note
                                .as_ref()
                                .map(|n| (n.starred_at, n.rating, n.play_count, n.played_at)),
                        ),
                    )
                };
            }
            assert_eq!(
                shown!(song, song.album_title, song.note),
                shown!(stored, row.album_title, row.note),
                "full: {full}"
            );
            let albums = super::albums_with_ids(db, &viewer, &[13])
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let artists = super::artists_with_ids(db, &viewer, &[11])
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let ([album], [artist]) = (albums.as_slice(), artists.as_slice()) else {
                panic!("{albums:?} {artists:?}")
            };
            let got = (
                (
                    album.id,
                    album.library_id,
                    album.artist_id,
                    album.title.as_str(),
                ),
                (album.year, album.original_year, album.genre.as_deref()),
                (
                    album.compilation,
                    album.mbid.as_deref(),
                    album.added_at.timestamp(),
                ),
                (
                    album.artist_name.as_str(),
                    album.song_count,
                    album.duration_ms,
                ),
                (artist.id, artist.library_id, artist.name.as_str()),
                (
                    artist.sort_name.as_str(),
                    artist.mbid.as_deref(),
                    artist.album_count,
                ),
            );
            let (year, original_year) = if full {
                (Some(1971), Some(1969))
            } else {
                (None, None)
            };
            let want = (
                (13, 3, 11, "album title"),
                (year, original_year, full.then_some("album genre")),
                (full, full.then_some("album mbid"), 1_700_000_002),
                ("artist name", 17, 19_000),
                (11, 3, "artist name"),
                ("artist sort", full.then_some("artist mbid"), 1),
            );
            assert_eq!(got, want);
            let note = |note: Option<&crate::user_data::Note>| {
                note.map(|n| {
                    (
                        n.starred_at.map(|t| t.timestamp() - 1_700_000_000),
                        n.rating,
                        n.play_count,
                        n.played_at.map(|t| t.timestamp() - 1_700_000_000),
                    )
                })
            };
            let notes = [
                note(artist.note.as_ref()),
                note(album.note.as_ref()),
                note(row.note.as_ref()),
            ];
            let want = if full {
                [
                    Some((Some(100), Some(2), 83, Some(200))),
                    Some((Some(101), Some(3), 84, Some(201))),
                    Some((Some(102), Some(4), 85, Some(202))),
                ]
            } else {
                [None, None, None]
            };
            assert_eq!(notes, want, "full: {full}");
        }
    }

    /// A query whose columns come in another order than its reader's fails, naming both.
    #[tokio::test]
    async fn a_row_of_another_shape_is_an_error_naming_the_column() {
        let (db, viewer) = one_of_each(true).await;
        let select = <track::Entity as sea_orm::EntityTrait>::find()
            .select_only()
            .column(track::Column::LibraryId)
            .column(track::Column::Id);
        let err = track_rows::<TrackRow>(select, &viewer, Notes::PerColumn)
            .all(&db.conn)
            .await
            .err()
            .unwrap_or_else(|| panic!("rows read from the wrong columns"));
        let message = err.to_string();
        assert!(
            message.contains("`library_id`") && message.contains("`id`"),
            "{message}"
        );
    }
}
