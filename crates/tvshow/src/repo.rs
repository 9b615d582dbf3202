//! Queries of the TV show module. Everything that reads or writes TV show tables goes through
//! here.

use std::collections::HashSet;

use chrono::{NaiveDate, Utc};
use revenge_core::pagination::fetch_page;
use revenge_core::rating::rating_level;
use revenge_core::sort::sort_title;
use revenge_core::{Id, Page, PageParams, SortOrder, Viewer};
use sea_orm::sea_query::{NullOrdering, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set, SqlErr, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::TvShowError;
use crate::entity::{episode, season, series, series_genre};

/// What a new series is made from (the scanner and tests fill it).
#[derive(Debug, Clone, Default)]
pub struct NewSeries {
    /// The library it belongs to; must exist (the default, 0, never does).
    pub library_id: Id,
    /// Display title.
    pub title: String,
    /// Title in the original language.
    pub original_title: Option<String>,
    /// The year the series first aired.
    pub year: Option<i32>,
    /// Plot summary.
    pub overview: Option<String>,
    /// Production status (`Continuing`, `Ended`, …).
    pub status: Option<String>,
    /// Age rating (`TV-MA`, `FSK 16`, …).
    pub content_rating: Option<String>,
    /// Average audience rating, 0–10.
    pub community_rating: Option<f64>,
    /// Genres, in display order.
    pub genres: Vec<String>,
    /// The Movie Database id.
    pub tmdb_id: Option<String>,
    /// TheTVDB id.
    pub tvdb_id: Option<String>,
    /// IMDb id (`tt…`).
    pub imdb_id: Option<String>,
}

/// What a new season is made from.
#[derive(Debug, Clone, Default)]
pub struct NewSeason {
    /// The series it belongs to.
    pub series_id: Id,
    /// Its number; 0 is the specials.
    pub season_number: i32,
    /// A title of its own, when it has one.
    pub title: Option<String>,
    /// Summary.
    pub overview: Option<String>,
}

/// What a new episode is made from.
#[derive(Debug, Clone, Default)]
pub struct NewEpisode {
    /// The series it belongs to; must be the season's series.
    pub series_id: Id,
    /// The season it belongs to.
    pub season_id: Id,
    /// Its number within the season.
    pub episode_number: i32,
    /// The last episode of a multi-episode file (`S01E01-E02`).
    pub episode_number_end: Option<i32>,
    /// Episode title.
    pub title: Option<String>,
    /// Plot summary.
    pub overview: Option<String>,
    /// First broadcast.
    pub air_date: Option<NaiveDate>,
    /// Runtime in minutes.
    pub runtime_minutes: Option<i32>,
}

/// How a series list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SeriesSort {
    /// By sort title (leading articles ignored).
    #[default]
    Title,
    /// By the year the series first aired; unknown years last.
    Year,
    /// By when the series was added.
    DateAdded,
}

/// Filters and order of `GET /series`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesFilter {
    /// Sort key.
    #[serde(default)]
    #[param(inline)]
    pub sort: SeriesSort,
    /// Sort direction.
    #[serde(default)]
    #[param(inline)]
    pub order: SortOrder,
    /// Only series with this genre.
    pub genre: Option<String>,
    /// Only series that first aired in this year.
    pub year: Option<i32>,
}

/// One series with what its detail view shows besides its own row.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesInfo {
    /// The series.
    pub series: series::Model,
    /// Its genres, alphabetically.
    pub genres: Vec<String>,
    /// How many seasons it has, specials included.
    pub season_count: u64,
    /// How many episode rows it has, specials included.
    pub episode_count: u64,
}

/// Trims text and drops it when nothing is left, so blank metadata reads as unknown.
fn non_blank(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

fn not_negative(field: &'static str, value: i32) -> Result<(), TvShowError> {
    if value < 0 {
        return Err(TvShowError::InvalidNumber {
            field,
            reason: format!("must not be negative, got {value}"),
        });
    }
    Ok(())
}

/// Adds a series with its genres in one transaction.
pub async fn insert_series<C>(db: &C, new: NewSeries) -> Result<series::Model, TvShowError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let title = new.title.trim().to_owned();
    if title.is_empty() {
        return Err(TvShowError::EmptyTitle);
    }
    let content_rating = non_blank(new.content_rating);
    let now = Utc::now();
    let txn = db.begin().await?;
    let model = series::ActiveModel {
        library_id: Set(new.library_id),
        sort_title: Set(sort_title(&title)),
        title: Set(title),
        original_title: Set(non_blank(new.original_title)),
        year: Set(new.year),
        overview: Set(non_blank(new.overview)),
        status: Set(non_blank(new.status)),
        rating_level: Set(content_rating.as_deref().and_then(rating_level)),
        content_rating: Set(content_rating),
        community_rating: Set(new.community_rating),
        tmdb_id: Set(non_blank(new.tmdb_id)),
        tvdb_id: Set(non_blank(new.tvdb_id)),
        imdb_id: Set(non_blank(new.imdb_id)),
        added_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // The primary key is case-sensitive, but "Drama" and "drama" are one genre to people.
    let mut seen = HashSet::new();
    for genre in new.genres {
        let genre = genre.trim().to_owned();
        if genre.is_empty() || !seen.insert(genre.to_lowercase()) {
            continue;
        }
        series_genre::ActiveModel {
            series_id: Set(model.id),
            genre: Set(genre),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(model)
}

/// Adds a season to an existing series.
pub async fn insert_season<C: ConnectionTrait>(
    db: &C,
    new: NewSeason,
) -> Result<season::Model, TvShowError> {
    not_negative("season_number", new.season_number)?;
    // Writers (the scanner) act for nobody in particular, so they see every series.
    find_series(db, &Viewer::system(), new.series_id).await?;
    let duplicate = || TvShowError::DuplicateSeason {
        series_id: new.series_id,
        season_number: new.season_number,
    };
    let taken = season::Entity::find()
        .filter(season::Column::SeriesId.eq(new.series_id))
        .filter(season::Column::SeasonNumber.eq(new.season_number))
        .count(db)
        .await?;
    if taken > 0 {
        return Err(duplicate());
    }
    let inserted = season::ActiveModel {
        series_id: Set(new.series_id),
        season_number: Set(new.season_number),
        title: Set(non_blank(new.title)),
        overview: Set(non_blank(new.overview)),
        added_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await;
    match inserted {
        Ok(model) => Ok(model),
        // A concurrent insert can win between the check and the insert; the unique index
        // catches it, and the caller should hear the same error either way.
        Err(e) if is_unique_violation(&e) => Err(duplicate()),
        Err(e) => Err(e.into()),
    }
}

fn is_unique_violation(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Adds an episode to a season, which must belong to the named series.
pub async fn insert_episode<C: ConnectionTrait>(
    db: &C,
    new: NewEpisode,
) -> Result<episode::Model, TvShowError> {
    let (series_id, season_id) = (new.series_id, new.season_id);
    let row = new_episode_row(new)?;
    let season = find_season(db, &Viewer::system(), season_id).await?;
    // series_id is stored twice (episode and season); letting them disagree would make the
    // episode show up under one series and navigate to another.
    if season.series_id != series_id {
        return Err(TvShowError::SeasonNotInSeries {
            season_id,
            series_id,
        });
    }
    Ok(row.insert(db).await?)
}

/// The row a new episode becomes, its numbers checked; that the season is the series' own is
/// for the caller to know (the scanner made or found both) or check ([`insert_episode`]).
pub fn new_episode_row(new: NewEpisode) -> Result<episode::ActiveModel, TvShowError> {
    not_negative("episode_number", new.episode_number)?;
    if let Some(end) = new.episode_number_end
        && end < new.episode_number
    {
        return Err(TvShowError::InvalidNumber {
            field: "episode_number_end",
            reason: format!("{end} is below the episode number {}", new.episode_number),
        });
    }
    Ok(episode::ActiveModel {
        series_id: Set(new.series_id),
        season_id: Set(new.season_id),
        episode_number: Set(new.episode_number),
        episode_number_end: Set(new.episode_number_end),
        title: Set(non_blank(new.title)),
        overview: Set(non_blank(new.overview)),
        air_date: Set(new.air_date),
        runtime_minutes: Set(new.runtime_minutes),
        added_at: Set(Utc::now()),
        ..Default::default()
    })
}

fn visible_series(viewer: &Viewer) -> Condition {
    viewer.visible(series::Column::LibraryId, series::Column::RatingLevel)
}

/// Seasons and episodes have no library or rating of their own: they are visible exactly when
/// their series is, which this checks in the same query through a subquery on the series.
fn in_visible_series(series_id: impl ColumnTrait, viewer: &Viewer) -> Condition {
    let visible = visible_series(viewer);
    if visible.is_empty() {
        // Nothing is hidden from this viewer; spare the database the subquery.
        return Condition::all();
    }
    Condition::all().add(
        series_id.in_subquery(
            Query::select()
                .column(series::Column::Id)
                .from(series::Entity)
                .cond_where(visible)
                .to_owned(),
        ),
    )
}

/// One page of the series the viewer may see.
pub async fn list_series<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    page: PageParams,
    filter: &SeriesFilter,
) -> Result<Page<series::Model>, TvShowError> {
    // Filtering in the query, not afterwards, keeps the total honest and pages full.
    let mut query = series::Entity::find().filter(visible_series(viewer));
    if let Some(year) = filter.year {
        query = query.filter(series::Column::Year.eq(year));
    }
    if let Some(genre) = &filter.genre {
        query = query.filter(
            series::Column::Id.in_subquery(
                Query::select()
                    .column(series_genre::Column::SeriesId)
                    .from(series_genre::Entity)
                    .and_where(series_genre::Column::Genre.eq(genre.as_str()))
                    .to_owned(),
            ),
        );
    }
    let column = match filter.sort {
        SeriesSort::Title => series::Column::SortTitle,
        SeriesSort::Year => series::Column::Year,
        SeriesSort::DateAdded => series::Column::AddedAt,
    };
    let order = sea_orm::Order::from(filter.order);
    // SQLite and PostgreSQL put NULLs at opposite ends by default; unknown years go last on
    // both, whichever the direction. The id breaks ties so that pages never overlap or skip.
    let query = query
        .order_by_with_nulls(column, order.clone(), NullOrdering::Last)
        .order_by(series::Column::Id, order);
    Ok(fetch_page(db, query, page).await?)
}

// What the viewer may not see is reported exactly like what does not exist, so that a caller
// cannot probe for hidden series by id.
async fn find_series<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Id,
) -> Result<series::Model, TvShowError> {
    series::Entity::find_by_id(id)
        .filter(visible_series(viewer))
        .one(db)
        .await?
        .ok_or(TvShowError::SeriesNotFound(id))
}

async fn find_season<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Id,
) -> Result<season::Model, TvShowError> {
    season::Entity::find_by_id(id)
        .filter(in_visible_series(season::Column::SeriesId, viewer))
        .one(db)
        .await?
        .ok_or(TvShowError::SeasonNotFound(id))
}

/// One series the viewer may see, with its genres and how many seasons and episodes it has.
pub async fn get_series<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Id,
) -> Result<SeriesInfo, TvShowError> {
    // The counts below are only reached for a visible series.
    let series = find_series(db, viewer, id).await?;
    let genres = series_genre::Entity::find()
        .filter(series_genre::Column::SeriesId.eq(id))
        .order_by_asc(series_genre::Column::Genre)
        .all(db)
        .await?
        .into_iter()
        .map(|g| g.genre)
        .collect();
    let season_count = season::Entity::find()
        .filter(season::Column::SeriesId.eq(id))
        .count(db)
        .await?;
    let episode_count = episode::Entity::find()
        .filter(episode::Column::SeriesId.eq(id))
        .count(db)
        .await?;
    Ok(SeriesInfo {
        series,
        genres,
        season_count,
        episode_count,
    })
}

/// The seasons of a series the viewer may see, by number, so the specials (season 0) come first.
pub async fn list_seasons<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    series_id: Id,
) -> Result<Vec<season::Model>, TvShowError> {
    // Without this check a missing or hidden series would look like one without seasons.
    find_series(db, viewer, series_id).await?;
    let seasons = season::Entity::find()
        .filter(season::Column::SeriesId.eq(series_id))
        .order_by_asc(season::Column::SeasonNumber)
        .all(db)
        .await?;
    Ok(seasons)
}

/// The episodes of a season of a series the viewer may see, by number.
pub async fn list_episodes<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    season_id: Id,
) -> Result<Vec<episode::Model>, TvShowError> {
    find_season(db, viewer, season_id).await?;
    // Episode numbers are not unique (two files can claim the same one); the id keeps the
    // order stable.
    let episodes = episode::Entity::find()
        .filter(episode::Column::SeasonId.eq(season_id))
        .order_by_asc(episode::Column::EpisodeNumber)
        .order_by_asc(episode::Column::Id)
        .all(db)
        .await?;
    Ok(episodes)
}

/// One episode of a series the viewer may see.
pub async fn get_episode<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Id,
) -> Result<episode::Model, TvShowError> {
    episode::Entity::find_by_id(id)
        .filter(in_visible_series(episode::Column::SeriesId, viewer))
        .one(db)
        .await?
        .ok_or(TvShowError::EpisodeNotFound(id))
}

/// One page of the episodes of series the viewer may see, newest additions first.
pub async fn recently_added_episodes<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    page: PageParams,
) -> Result<Page<episode::Model>, TvShowError> {
    let query =
        episode::Entity::find().filter(in_visible_series(episode::Column::SeriesId, viewer));
    let query = query
        .order_by_desc(episode::Column::AddedAt)
        .order_by_desc(episode::Column::Id);
    Ok(fetch_page(db, query, page).await?)
}

/// "Next up" for a user: per series they watched, the first episode not yet played that
/// comes after the last one played (by season and episode number, specials aside), series with
/// the most recent play first. Reads the shared `playback_state` table.
pub async fn next_up<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    limit: usize,
) -> Result<Vec<episode::Model>, TvShowError> {
    use revenge_core::playback_state as state;
    use std::collections::HashMap;

    let rows = state::Entity::find()
        .filter(state::Column::UserId.eq(viewer.user_id))
        .filter(state::Column::Module.eq("tvshow"))
        .all(db)
        .await?;
    let played: HashSet<Id> = rows
        .iter()
        .filter(|r| r.played)
        .map(|r| r.item_id)
        .collect();
    let last_played: HashMap<Id, chrono::DateTime<Utc>> = rows
        .iter()
        .filter(|r| r.played)
        .filter_map(|r| r.last_played_at.map(|at| (r.item_id, at)))
        .collect();
    if played.is_empty() {
        return Ok(Vec::new());
    }
    let watched = episode::Entity::find()
        .filter(episode::Column::Id.is_in(played.iter().copied()))
        .filter(in_visible_series(episode::Column::SeriesId, viewer))
        .all(db)
        .await?;
    let mut series_ids: Vec<Id> = watched.iter().map(|e| e.series_id).collect();
    series_ids.sort_unstable();
    series_ids.dedup();
    let mut found: Vec<(chrono::DateTime<Utc>, episode::Model)> = Vec::new();
    for series_id in series_ids {
        let seasons: HashMap<Id, i32> = season::Entity::find()
            .filter(season::Column::SeriesId.eq(series_id))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s.season_number))
            .collect();
        let mut episodes: Vec<(i32, episode::Model)> = episode::Entity::find()
            .filter(episode::Column::SeriesId.eq(series_id))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|e| seasons.get(&e.season_id).map(|n| (*n, e)))
            .filter(|(season, _)| *season > 0)
            .collect();
        episodes.sort_by_key(|(season, e)| (*season, e.episode_number, e.id));
        let Some(last) = episodes.iter().rposition(|(_, e)| played.contains(&e.id)) else {
            continue;
        };
        let when = episodes
            .iter()
            .filter_map(|(_, e)| last_played.get(&e.id))
            .max()
            .copied()
            .unwrap_or_default();
        if let Some((_, next)) = episodes[last + 1..]
            .iter()
            .find(|(_, e)| !played.contains(&e.id))
        {
            found.push((when, next.clone()));
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
    Ok(found.into_iter().take(limit).map(|(_, e)| e).collect())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone};
    use revenge_core::{Capabilities, LibraryScope, Module};
    use revenge_db::MigrationSet;
    use sea_orm::sea_query::Expr;

    /// The library `memory_db` creates first.
    pub(crate) const SHOWS: Id = 1;

    pub(crate) async fn memory_db() -> sea_orm::DatabaseConnection {
        let db = revenge_db::open_in_memory(vec![MigrationSet {
            owner: "tvshow",
            migrations: crate::TvShowModule.migrations(),
        }])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(add_library(&db.conn, "Shows").await, SHOWS);
        db.conn
    }

    pub(crate) async fn add_library(db: &sea_orm::DatabaseConnection, name: &str) -> Id {
        let result = db
            .execute_unprepared(&format!(
                "INSERT INTO library (module, name, created_at) \
                 VALUES ('tvshow', '{name}', '2026-01-01T00:00:00+00:00')"
            ))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        Id::try_from(result.last_insert_id()).unwrap_or_else(|e| panic!("{e}"))
    }

    pub(crate) fn user(libraries: LibraryScope, max_rating_level: Option<i32>) -> Viewer {
        Viewer {
            user_id: 7,
            is_admin: false,
            libraries,
            max_rating_level,
            capabilities: Capabilities::default(),
            can_write: true,
        }
    }

    pub(crate) fn show(title: &str, year: Option<i32>, genres: &[&str]) -> NewSeries {
        NewSeries {
            library_id: SHOWS,
            title: title.to_owned(),
            year,
            genres: genres.iter().map(|g| (*g).to_owned()).collect(),
            ..Default::default()
        }
    }

    async fn seed(db: &sea_orm::DatabaseConnection) {
        for (title, year, genres) in [
            ("The Wire", Some(2002), &["Crime", "Drama"][..]),
            (
                "Breaking Bad",
                Some(2008),
                &["Crime", "Drama", "Thriller"][..],
            ),
            ("Adventure Time", Some(2010), &["Animation", "Comedy"][..]),
            ("Unaired Pilot", None, &[][..]),
            ("Twin Peaks", Some(1990), &["Mystery", "Drama"][..]),
        ] {
            insert_series(db, show(title, year, genres))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }

    pub(crate) async fn add_season(
        db: &sea_orm::DatabaseConnection,
        series_id: Id,
        season_number: i32,
    ) -> season::Model {
        insert_season(
            db,
            NewSeason {
                series_id,
                season_number,
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    }

    pub(crate) async fn add_episode(
        db: &sea_orm::DatabaseConnection,
        season: &season::Model,
        episode_number: i32,
        title: &str,
    ) -> episode::Model {
        insert_episode(
            db,
            NewEpisode {
                series_id: season.series_id,
                season_id: season.id,
                episode_number,
                title: Some(title.to_owned()),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// A list as the system viewer, who sees everything.
    async fn list(
        db: &sea_orm::DatabaseConnection,
        page: PageParams,
        filter: &SeriesFilter,
    ) -> Page<series::Model> {
        list_series(db, &Viewer::system(), page, filter)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn first_of(month: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, month, 1, 0, 0, 0)
            .single()
            .unwrap_or_else(|| panic!("no such date: 2024-{month}-01"))
    }

    fn titles(page: &Page<series::Model>) -> Vec<&str> {
        page.items.iter().map(|s| s.title.as_str()).collect()
    }

    fn episode_titles(episodes: &[episode::Model]) -> Vec<&str> {
        episodes.iter().filter_map(|e| e.title.as_deref()).collect()
    }

    #[tokio::test]
    async fn lists_sort_by_title_ignoring_articles() {
        let db = memory_db().await;
        seed(&db).await;
        let page = list(&db, PageParams::default(), &SeriesFilter::default()).await;
        assert_eq!(page.total, 5);
        assert_eq!(
            titles(&page),
            [
                "Adventure Time",
                "Breaking Bad",
                "Twin Peaks",
                "Unaired Pilot",
                "The Wire"
            ]
        );
        let desc = SeriesFilter {
            order: SortOrder::Desc,
            ..Default::default()
        };
        let page = list(&db, PageParams::default(), &desc).await;
        assert_eq!(titles(&page)[0], "The Wire");
    }

    #[tokio::test]
    async fn pages_by_year_with_unknown_years_last() {
        let db = memory_db().await;
        seed(&db).await;
        let filter = SeriesFilter {
            sort: SeriesSort::Year,
            order: SortOrder::Desc,
            ..Default::default()
        };
        let first = list(
            &db,
            PageParams {
                offset: 0,
                limit: 2,
            },
            &filter,
        )
        .await;
        let second = list(
            &db,
            PageParams {
                offset: 2,
                limit: 2,
            },
            &filter,
        )
        .await;
        let third = list(
            &db,
            PageParams {
                offset: 4,
                limit: 2,
            },
            &filter,
        )
        .await;
        assert_eq!(titles(&first), ["Adventure Time", "Breaking Bad"]);
        assert_eq!(titles(&second), ["The Wire", "Twin Peaks"]);
        assert_eq!(titles(&third), ["Unaired Pilot"]);
        assert_eq!((first.total, third.total), (5, 5));
        assert_eq!((third.offset, third.limit), (4, 2));

        let asc = SeriesFilter {
            sort: SeriesSort::Year,
            ..Default::default()
        };
        let page = list(&db, PageParams::default(), &asc).await;
        assert_eq!(
            titles(&page),
            [
                "Twin Peaks",
                "The Wire",
                "Breaking Bad",
                "Adventure Time",
                "Unaired Pilot"
            ]
        );
    }

    #[tokio::test]
    async fn date_added_sort_breaks_ties_by_id() {
        let db = memory_db().await;
        seed(&db).await;
        // Equal timestamps, as a bulk import produces, leave only the id to order by.
        let same = first_of(1);
        series::Entity::update_many()
            .col_expr(series::Column::AddedAt, Expr::value(same))
            .exec(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let filter = SeriesFilter {
            sort: SeriesSort::DateAdded,
            order: SortOrder::Desc,
            ..Default::default()
        };
        let page = list(&db, PageParams::default(), &filter).await;
        assert_eq!(
            titles(&page),
            [
                "Twin Peaks",
                "Unaired Pilot",
                "Adventure Time",
                "Breaking Bad",
                "The Wire"
            ]
        );
        let ids: Vec<Id> = page.items.iter().map(|s| s.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(ids, sorted);
    }

    #[tokio::test]
    async fn filters_by_genre_and_year() {
        let db = memory_db().await;
        seed(&db).await;
        let drama = SeriesFilter {
            genre: Some("Drama".to_owned()),
            ..Default::default()
        };
        let page = list(&db, PageParams::default(), &drama).await;
        assert_eq!(titles(&page), ["Breaking Bad", "Twin Peaks", "The Wire"]);
        assert_eq!(page.total, 3);

        let paged = list(
            &db,
            PageParams {
                offset: 1,
                limit: 1,
            },
            &drama,
        )
        .await;
        assert_eq!(titles(&paged), ["Twin Peaks"]);
        assert_eq!(
            paged.total, 3,
            "the total counts the filtered list, not the page"
        );

        let year = SeriesFilter {
            year: Some(2002),
            ..Default::default()
        };
        assert_eq!(
            titles(&list(&db, PageParams::default(), &year).await),
            ["The Wire"]
        );

        let both = SeriesFilter {
            genre: Some("Crime".to_owned()),
            year: Some(1990),
            ..Default::default()
        };
        let page = list(&db, PageParams::default(), &both).await;
        assert!(page.items.is_empty());
        assert_eq!(page.total, 0);
    }

    #[tokio::test]
    async fn detail_has_genres_and_counts_and_missing_is_not_found() {
        let db = memory_db().await;
        let created = insert_series(
            &db,
            NewSeries {
                status: Some("  ".to_owned()),
                ..show("The Wire", Some(2002), &["Drama", "Crime", "drama", " "])
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let specials = add_season(&db, created.id, 0).await;
        let one = add_season(&db, created.id, 1).await;
        add_episode(&db, &specials, 1, "Making of").await;
        add_episode(&db, &one, 1, "The Target").await;
        add_episode(&db, &one, 2, "The Detail").await;

        let info = get_series(&db, &Viewer::system(), created.id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(info.series.title, "The Wire");
        assert_eq!(info.series.sort_title, "wire");
        assert_eq!(info.series.status, None, "blank text is stored as unknown");
        assert_eq!(
            info.genres,
            ["Crime", "Drama"],
            "duplicates and blanks are dropped"
        );
        assert_eq!((info.season_count, info.episode_count), (2, 3));
        assert!(matches!(
            get_series(&db, &Viewer::system(), created.id + 100).await,
            Err(TvShowError::SeriesNotFound(_))
        ));
    }

    #[tokio::test]
    async fn empty_title_is_refused_and_nothing_is_written() {
        let db = memory_db().await;
        let result = insert_series(&db, show("  ", Some(2000), &["Drama"])).await;
        assert!(matches!(result, Err(TvShowError::EmptyTitle)));
        let page = list(&db, PageParams::default(), &SeriesFilter::default()).await;
        assert_eq!(page.total, 0);
    }

    #[tokio::test]
    async fn navigates_series_to_seasons_to_episodes() {
        let db = memory_db().await;
        let wire = insert_series(&db, show("The Wire", Some(2002), &[]))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // Inserted out of order, as a scanner walking a directory would.
        let two = add_season(&db, wire.id, 2).await;
        let one = add_season(&db, wire.id, 1).await;
        let specials = add_season(&db, wire.id, 0).await;
        add_episode(&db, &one, 3, "The Buys").await;
        add_episode(&db, &one, 1, "The Target").await;
        add_episode(&db, &one, 2, "The Detail").await;
        add_episode(&db, &two, 1, "Ebb Tide").await;
        add_episode(&db, &specials, 1, "Behind the Scenes").await;

        let seasons = list_seasons(&db, &Viewer::system(), wire.id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let numbers: Vec<i32> = seasons.iter().map(|s| s.season_number).collect();
        assert_eq!(numbers, [0, 1, 2], "specials first");

        let episodes = list_episodes(&db, &Viewer::system(), seasons[1].id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            episode_titles(&episodes),
            ["The Target", "The Detail", "The Buys"]
        );
        assert!(
            episodes
                .iter()
                .all(|e| e.series_id == wire.id && e.season_id == one.id)
        );

        let episode = get_episode(&db, &Viewer::system(), episodes[0].id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(episode, episodes[0]);

        let other = insert_series(&db, show("Twin Peaks", Some(1990), &[]))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let empty = list_seasons(&db, &Viewer::system(), other.id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            empty.is_empty(),
            "an existing series without seasons is not a 404"
        );
    }

    #[tokio::test]
    async fn missing_parents_and_episodes_are_not_found() {
        let db = memory_db().await;
        assert!(matches!(
            list_seasons(&db, &Viewer::system(), 42).await,
            Err(TvShowError::SeriesNotFound(42))
        ));
        assert!(matches!(
            list_episodes(&db, &Viewer::system(), 42).await,
            Err(TvShowError::SeasonNotFound(42))
        ));
        assert!(matches!(
            get_episode(&db, &Viewer::system(), 42).await,
            Err(TvShowError::EpisodeNotFound(42))
        ));
        let season = insert_season(
            &db,
            NewSeason {
                series_id: 42,
                season_number: 1,
                ..Default::default()
            },
        )
        .await;
        assert!(matches!(season, Err(TvShowError::SeriesNotFound(42))));
        let episode = insert_episode(
            &db,
            NewEpisode {
                series_id: 1,
                season_id: 42,
                episode_number: 1,
                ..Default::default()
            },
        )
        .await;
        assert!(matches!(episode, Err(TvShowError::SeasonNotFound(42))));
    }

    #[tokio::test]
    async fn episode_in_a_season_of_another_series_is_refused() {
        let db = memory_db().await;
        let wire = insert_series(&db, show("The Wire", Some(2002), &[]))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let peaks = insert_series(&db, show("Twin Peaks", Some(1990), &[]))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let peaks_one = add_season(&db, peaks.id, 1).await;
        let result = insert_episode(
            &db,
            NewEpisode {
                series_id: wire.id,
                season_id: peaks_one.id,
                episode_number: 1,
                ..Default::default()
            },
        )
        .await;
        assert!(matches!(
            result,
            Err(TvShowError::SeasonNotInSeries { season_id, series_id })
                if season_id == peaks_one.id && series_id == wire.id
        ));
        let episodes = list_episodes(&db, &Viewer::system(), peaks_one.id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(episodes.is_empty(), "nothing was written");
    }

    #[tokio::test]
    async fn duplicate_seasons_and_bad_numbers_are_refused() {
        let db = memory_db().await;
        let wire = insert_series(&db, show("The Wire", Some(2002), &[]))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let one = add_season(&db, wire.id, 1).await;
        let again = insert_season(
            &db,
            NewSeason {
                series_id: wire.id,
                season_number: 1,
                ..Default::default()
            },
        )
        .await;
        assert!(matches!(
            again,
            Err(TvShowError::DuplicateSeason {
                season_number: 1,
                ..
            })
        ));
        // The same number in another series is fine.
        let peaks = insert_series(&db, show("Twin Peaks", Some(1990), &[]))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        add_season(&db, peaks.id, 1).await;

        let negative = insert_season(
            &db,
            NewSeason {
                series_id: wire.id,
                season_number: -1,
                ..Default::default()
            },
        )
        .await;
        assert!(matches!(
            negative,
            Err(TvShowError::InvalidNumber {
                field: "season_number",
                ..
            })
        ));
        let backwards = insert_episode(
            &db,
            NewEpisode {
                series_id: wire.id,
                season_id: one.id,
                episode_number: 3,
                episode_number_end: Some(2),
                ..Default::default()
            },
        )
        .await;
        assert!(matches!(
            backwards,
            Err(TvShowError::InvalidNumber {
                field: "episode_number_end",
                ..
            })
        ));
        let double = insert_episode(
            &db,
            NewEpisode {
                series_id: wire.id,
                season_id: one.id,
                episode_number: 1,
                episode_number_end: Some(2),
                air_date: NaiveDate::from_ymd_opt(2002, 6, 2),
                runtime_minutes: Some(120),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let stored = get_episode(&db, &Viewer::system(), double.id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stored.episode_number_end, Some(2));
        assert_eq!(stored.air_date, NaiveDate::from_ymd_opt(2002, 6, 2));
        assert_eq!(stored.runtime_minutes, Some(120));
    }

    #[tokio::test]
    async fn recently_added_episodes_are_newest_first_and_paged() {
        let db = memory_db().await;
        let wire = insert_series(&db, show("The Wire", Some(2002), &[]))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let one = add_season(&db, wire.id, 1).await;
        let first = add_episode(&db, &one, 1, "The Target").await;
        add_episode(&db, &one, 2, "The Detail").await;
        add_episode(&db, &one, 3, "The Buys").await;
        add_episode(&db, &one, 4, "Old Cases").await;
        // Equal timestamps order by id; a later timestamp wins over a higher id.
        let (same, later) = (first_of(1), first_of(2));
        episode::Entity::update_many()
            .col_expr(episode::Column::AddedAt, Expr::value(same))
            .exec(&db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        episode::ActiveModel {
            id: Set(first.id),
            added_at: Set(later),
            ..Default::default()
        }
        .update(&db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

        let page = recently_added_episodes(
            &db,
            &Viewer::system(),
            PageParams {
                offset: 0,
                limit: 3,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(page.total, 4);
        assert_eq!(
            episode_titles(&page.items),
            ["The Target", "Old Cases", "The Buys"]
        );
        let rest = recently_added_episodes(
            &db,
            &Viewer::system(),
            PageParams {
                offset: 3,
                limit: 3,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(episode_titles(&rest.items), ["The Detail"]);
    }

    /// A series with one season of two episodes.
    async fn add_full_series(db: &sea_orm::DatabaseConnection, new: NewSeries) -> Episodes {
        let series = insert_series(db, new)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let season = add_season(db, series.id, 1).await;
        let first = add_episode(db, &season, 1, &format!("{} 1", series.title)).await;
        add_episode(db, &season, 2, &format!("{} 2", series.title)).await;
        Episodes {
            series,
            season,
            first,
        }
    }

    struct Episodes {
        series: series::Model,
        season: season::Model,
        first: episode::Model,
    }

    /// Everything below the series reads as missing to `viewer`, exactly as for an unknown id.
    async fn assert_hidden(db: &sea_orm::DatabaseConnection, viewer: &Viewer, hidden: &Episodes) {
        let (series_id, season_id, episode_id) =
            (hidden.series.id, hidden.season.id, hidden.first.id);
        assert!(matches!(
            get_series(db, viewer, series_id).await,
            Err(TvShowError::SeriesNotFound(id)) if id == series_id
        ));
        assert!(matches!(
            list_seasons(db, viewer, series_id).await,
            Err(TvShowError::SeriesNotFound(id)) if id == series_id
        ));
        assert!(matches!(
            list_episodes(db, viewer, season_id).await,
            Err(TvShowError::SeasonNotFound(id)) if id == season_id
        ));
        assert!(matches!(
            get_episode(db, viewer, episode_id).await,
            Err(TvShowError::EpisodeNotFound(id)) if id == episode_id
        ));
    }

    async fn assert_visible(db: &sea_orm::DatabaseConnection, viewer: &Viewer, shown: &Episodes) {
        let info = get_series(db, viewer, shown.series.id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((info.season_count, info.episode_count), (1, 2));
        let seasons = list_seasons(db, viewer, shown.series.id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(seasons, std::slice::from_ref(&shown.season));
        let episodes = list_episodes(db, viewer, shown.season.id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(episodes.len(), 2);
        let episode = get_episode(db, viewer, shown.first.id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(episode, shown.first);
    }

    async fn recent(db: &sea_orm::DatabaseConnection, viewer: &Viewer) -> Page<episode::Model> {
        recently_added_episodes(db, viewer, PageParams::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    async fn list_as(db: &sea_orm::DatabaseConnection, viewer: &Viewer) -> Page<series::Model> {
        list_series(db, viewer, PageParams::default(), &SeriesFilter::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[tokio::test]
    async fn a_user_sees_only_granted_libraries_down_to_the_episodes() {
        let db = memory_db().await;
        let other = add_library(&db, "Other shows").await;
        let mut shown = Vec::new();
        let mut hidden = Vec::new();
        // Interleaved titles, so that a filter applied after paging would leave pages short.
        for (title, library) in [
            ("Angel", other),
            ("Bones", SHOWS),
            ("Castle", other),
            ("Dexter", SHOWS),
        ] {
            let full = add_full_series(
                &db,
                NewSeries {
                    library_id: library,
                    ..show(title, Some(2000), &["Drama"])
                },
            )
            .await;
            if library == SHOWS {
                shown.push(full);
            } else {
                hidden.push(full);
            }
        }
        let viewer = user(LibraryScope::Only(vec![SHOWS]), None);

        let page = list_series(
            &db,
            &viewer,
            PageParams {
                offset: 0,
                limit: 2,
            },
            &SeriesFilter {
                genre: Some("Drama".to_owned()),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(titles(&page), ["Bones", "Dexter"], "pages are never short");
        assert_eq!(page.total, 2, "the total counts no hidden series");

        for full in &shown {
            assert_visible(&db, &viewer, full).await;
        }
        for full in &hidden {
            assert_hidden(&db, &viewer, full).await;
            assert_visible(&db, &Viewer::system(), full).await;
        }

        let page = recently_added_episodes(
            &db,
            &viewer,
            PageParams {
                offset: 0,
                limit: 3,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(page.total, 4, "two episodes of each visible series");
        assert_eq!(page.items.len(), 3);
        let visible_ids: Vec<Id> = shown.iter().map(|f| f.series.id).collect();
        assert!(
            page.items
                .iter()
                .all(|e| visible_ids.contains(&e.series_id))
        );
        assert_eq!(recent(&db, &Viewer::system()).await.total, 8);
    }

    #[tokio::test]
    async fn a_parental_limit_hides_higher_rated_and_unrated_series() {
        let db = memory_db().await;
        let mut all = Vec::new();
        for (title, rating) in [
            ("Bluey", Some("TV-PG")),
            ("The Sopranos", Some("TV-MA")),
            ("Home Movies", Some(" ")),
        ] {
            let full = add_full_series(
                &db,
                NewSeries {
                    content_rating: rating.map(str::to_owned),
                    ..show(title, Some(2000), &[])
                },
            )
            .await;
            all.push(full);
        }
        let levels: Vec<Option<i32>> = all.iter().map(|f| f.series.rating_level).collect();
        assert_eq!(levels, [Some(10), Some(17), None], "levels from ratings");

        let kid = user(LibraryScope::All, Some(12));
        let page = list_as(&db, &kid).await;
        assert_eq!(titles(&page), ["Bluey"]);
        assert_eq!(page.total, 1);
        assert_visible(&db, &kid, &all[0]).await;
        assert_hidden(&db, &kid, &all[1]).await;
        assert_hidden(&db, &kid, &all[2]).await;
        let page = recent(&db, &kid).await;
        assert_eq!(page.total, 2);
        assert!(page.items.iter().all(|e| e.series_id == all[0].series.id));

        let grown_up = user(LibraryScope::Only(vec![SHOWS]), None);
        assert_eq!(list_as(&db, &grown_up).await.total, 3);
        assert_visible(&db, &grown_up, &all[2]).await;
    }

    #[tokio::test]
    async fn an_empty_grant_list_sees_nothing() {
        let db = memory_db().await;
        let full = add_full_series(&db, show("The Wire", Some(2002), &[])).await;
        let nobody = user(LibraryScope::Only(vec![]), None);
        let page = list_as(&db, &nobody).await;
        assert!(page.items.is_empty());
        assert_eq!(page.total, 0);
        let page = recent(&db, &nobody).await;
        assert!(page.items.is_empty());
        assert_eq!(page.total, 0);
        assert_hidden(&db, &nobody, &full).await;
    }
}
