//! Reads of the music library: artists, albums, tracks and genres, always filtered by what the
//! viewer may see inside the SQL (never after paging).

use revenge_core::{Id, Page, PageParams, Viewer};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, LikeExpr, Order, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select,
};

use crate::MusicError;
use crate::entity::{album, annotation, artist, track, track_genre};
use crate::user_data::Note;

/// An artist with how many albums it leads.
#[derive(Debug, Clone, FromQueryResult)]
pub struct ArtistRow {
    pub id: Id,
    pub library_id: Id,
    pub name: String,
    pub sort_name: String,
    pub mbid: Option<String>,
    pub album_count: i64,
    /// The viewer's note on the artist.
    #[sea_orm(nested)]
    pub note: Option<Note>,
}

/// An album with its artist's name, track count and length.
#[derive(Debug, Clone, FromQueryResult)]
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
    #[sea_orm(nested)]
    pub note: Option<Note>,
}

/// A track with its album's title and the viewer's note.
#[derive(Debug, Clone)]
pub struct TrackRow {
    pub track: track::Model,
    pub album_title: String,
    pub note: Option<Note>,
}

impl FromQueryResult for TrackRow {
    fn from_query_result(row: &sea_orm::QueryResult, pre: &str) -> Result<Self, sea_orm::DbErr> {
        Ok(Self {
            track: track::Model::from_query_result(row, pre)?,
            album_title: row.try_get(pre, "album_title")?,
            note: Option::<Note>::from_query_result(row, pre)?,
        })
    }
}

/// The viewer's note on each row, read as the `note_*` columns [`Note`] reads: one query for
/// the rows and what the viewer keeps of them, not a second one with a list of ids. Each
/// column is a subquery on the annotation's primary key rather than a LEFT JOIN: a join gave
/// SQLite's planner another table to place, and without statistics it then sorted a whole
/// album list by artist instead of walking the artists' index.
fn noted<E: EntityTrait>(
    select: Select<E>,
    viewer: &Viewer,
    kind: &str,
    id: (
        impl sea_orm::sea_query::IntoIden + Copy,
        impl sea_orm::sea_query::IntoIden + Copy,
    ),
) -> Select<E> {
    let note = |column: annotation::Column| {
        let lookup = Query::select()
            .column((annotation::Entity, column))
            .from(annotation::Entity)
            .and_where(
                Expr::col((annotation::Entity, annotation::Column::UserId)).eq(viewer.user_id),
            )
            .and_where(Expr::col((annotation::Entity, annotation::Column::Kind)).eq(kind))
            .and_where(Expr::col((annotation::Entity, annotation::Column::ItemId)).equals(id))
            .to_owned();
        Expr::SubQuery(None, Box::new(lookup.into()))
    };
    select
        .column_as(note(annotation::Column::StarredAt), "note_starred_at")
        .column_as(note(annotation::Column::Rating), "note_rating")
        .column_as(note(annotation::Column::PlayCount), "note_play_count")
        .column_as(note(annotation::Column::PlayedAt), "note_played_at")
}

/// Tracks read with their album's title, by a subquery per row read (one query, where a
/// second one for the titles cost a round trip to SQLite's thread and a list of ids), and the
/// viewer's notes.
fn track_rows(
    select: Select<track::Entity>,
    viewer: &Viewer,
) -> sea_orm::Selector<sea_orm::SelectModel<TrackRow>> {
    noted(select, viewer, "track", (track::Entity, track::Column::Id))
        .column_as(
            Expr::cust(
                "COALESCE((SELECT title FROM music_album WHERE music_album.id = music_track.album_id), '')",
            ),
            "album_title",
        )
        .into_model::<TrackRow>()
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

fn artist_query(viewer: &Viewer) -> Select<artist::Entity> {
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
    let mut select = artist_query(viewer).filter(
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
    with_ids(db, artist_query(viewer), artist::Column::Id, ids).await
}

/// The albums with these ids that the viewer may see (search hits, starred lists), in no
/// particular order.
pub async fn albums_with_ids<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    ids: &[Id],
) -> Result<Vec<AlbumRow>, MusicError> {
    with_ids(db, album_query(viewer), album::Column::Id, ids).await
}

/// One artist.
pub async fn artist<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Id,
) -> Result<ArtistRow, MusicError> {
    artist_query(viewer)
        .filter(artist::Column::Id.eq(id))
        .into_model::<ArtistRow>()
        .one(db)
        .await?
        .ok_or_else(|| MusicError::not_found(format!("artist {id}")))
}

fn album_query(viewer: &Viewer) -> Select<album::Entity> {
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
    noted(select, viewer, "album", (album::Entity, album::Column::Id))
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
    let select = ordered(album_query(viewer), viewer, order, artist_id, query);
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
    ordered(album_query(viewer), viewer, order, None, None)
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
    album_query(viewer)
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
pub async fn tracks<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &TrackFilter,
    page: Option<PageParams>,
) -> Result<Page<TrackRow>, MusicError> {
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
            let items = track_rows(select.offset(page.offset).limit(page.limit), viewer)
                .all(db)
                .await?;
            (items, total, page.offset, page.limit)
        }
        None => {
            let items = track_rows(select, viewer).all(db).await?;
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
pub async fn track<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Id,
) -> Result<TrackRow, MusicError> {
    track_rows(
        track::Entity::find_by_id(id).filter(visible_tracks(viewer)),
        viewer,
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
    track(db, viewer, id).await?;
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
    use sea_orm::{ConnectionTrait, DbBackend, QueryFilter, QueryTrait, Statement};

    use super::{AlbumOrder, album, album_page_query, album_query, track, track_rows};

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
            album_query(&Viewer::system())
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
        let select = sea_orm::QueryFilter::filter(
            <track::Entity as sea_orm::EntityTrait>::find(),
            sea_orm::ColumnTrait::is_in(&track::Column::Id, [1, 2]),
        );
        let steps = plan_of_statement(
            track_rows(select, &Viewer::system()).into_statement(DbBackend::Sqlite),
        )
        .await;
        assert!(
            steps
                .iter()
                .any(|s| s.contains("SEARCH music_album USING INTEGER PRIMARY KEY")),
            "{steps:?}"
        );
    }
}
