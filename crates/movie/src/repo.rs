//! Queries of the movie module. Everything that reads or writes movie tables goes through here.

use chrono::Utc;
use revenge_core::pagination::fetch_page;
use revenge_core::rating::rating_level;
use revenge_core::sort::sort_title;
use revenge_core::{Id, Page, PageParams, SortOrder, Viewer};
use sea_orm::sea_query::{NullOrdering, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::MovieError;
use crate::entity::{movie, movie_genre};

/// What a new movie is made from (the scanner and tests fill it).
#[derive(Debug, Clone, Default)]
pub struct NewMovie {
    /// The library it belongs to; must exist (the default, 0, never does).
    pub library_id: Id,
    /// Display title.
    pub title: String,
    /// Title in the original language.
    pub original_title: Option<String>,
    /// Release year.
    pub year: Option<i32>,
    /// Plot summary.
    pub overview: Option<String>,
    /// Runtime in minutes.
    pub runtime_minutes: Option<i32>,
    /// Age rating (`PG-13`, `FSK 12`, …).
    pub content_rating: Option<String>,
    /// Average audience rating, 0–10.
    pub community_rating: Option<f64>,
    /// Genres, in display order.
    pub genres: Vec<String>,
    /// Short promotional line.
    pub tagline: Option<String>,
    /// The Movie Database id.
    pub tmdb_id: Option<String>,
    /// IMDb id (`tt…`).
    pub imdb_id: Option<String>,
}

/// How a movie list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MovieSort {
    /// By sort title (leading articles ignored).
    #[default]
    Title,
    /// By release year.
    Year,
    /// By when the movie was added.
    DateAdded,
}

/// Filters and order of `GET /movies`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MovieFilter {
    /// Sort key.
    #[serde(default)]
    #[param(inline)]
    pub sort: MovieSort,
    /// Sort direction.
    #[serde(default)]
    #[param(inline)]
    pub order: SortOrder,
    /// Only movies with this genre.
    pub genre: Option<String>,
    /// Only movies of this year.
    pub year: Option<i32>,
}

/// Adds a movie with its genres in one transaction.
pub async fn insert_movie<C>(db: &C, new: NewMovie) -> Result<movie::Model, MovieError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    let model = insert_movie_in(&txn, new).await?;
    txn.commit().await?;
    Ok(model)
}

/// [`insert_movie`] inside a transaction the caller holds.
pub async fn insert_movie_in<C: ConnectionTrait>(
    txn: &C,
    mut new: NewMovie,
) -> Result<movie::Model, MovieError> {
    let genres = std::mem::take(&mut new.genres);
    let model = movie_row(new)?.insert(txn).await?;
    let genres = genre_rows(model.id, genres);
    // One statement for all of them.
    if !genres.is_empty() {
        movie_genre::Entity::insert_many(genres)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(model)
}

/// The row a new movie becomes (its `genres` are [`genre_rows`]'); the title must not be blank.
pub fn movie_row(new: NewMovie) -> Result<movie::ActiveModel, MovieError> {
    let title = new.title.trim().to_owned();
    if title.is_empty() {
        return Err(MovieError::EmptyTitle);
    }
    let now = Utc::now();
    Ok(movie::ActiveModel {
        library_id: Set(new.library_id),
        sort_title: Set(sort_title(&title)),
        title: Set(title),
        original_title: Set(new.original_title),
        year: Set(new.year),
        overview: Set(new.overview),
        tagline: Set(new.tagline),
        runtime_minutes: Set(new.runtime_minutes),
        rating_level: Set(new.content_rating.as_deref().and_then(rating_level)),
        content_rating: Set(new.content_rating),
        community_rating: Set(new.community_rating),
        tmdb_id: Set(new.tmdb_id),
        imdb_id: Set(new.imdb_id),
        added_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
}

/// A movie's genre rows: trimmed, blank and repeated ones (in any case) left out.
pub fn genre_rows(movie_id: Id, genres: Vec<String>) -> Vec<movie_genre::ActiveModel> {
    let mut seen = std::collections::HashSet::new();
    genres
        .into_iter()
        .map(|genre| genre.trim().to_owned())
        .filter(|genre| !genre.is_empty() && seen.insert(genre.to_lowercase()))
        .map(|genre| movie_genre::ActiveModel {
            movie_id: Set(movie_id),
            genre: Set(genre),
        })
        .collect()
}

fn visible(viewer: &Viewer) -> sea_orm::Condition {
    viewer.visible(movie::Column::LibraryId, movie::Column::RatingLevel)
}

/// One page of the movies the viewer may see.
pub async fn list_movies<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    page: PageParams,
    filter: &MovieFilter,
) -> Result<Page<movie::Model>, MovieError> {
    // Filtering in the query, not afterwards, keeps the total honest and pages full.
    let mut query = movie::Entity::find().filter(visible(viewer));
    if let Some(year) = filter.year {
        query = query.filter(movie::Column::Year.eq(year));
    }
    if let Some(genre) = &filter.genre {
        query = query.filter(
            movie::Column::Id.in_subquery(
                Query::select()
                    .column(movie_genre::Column::MovieId)
                    .from(movie_genre::Entity)
                    .and_where(movie_genre::Column::Genre.eq(genre.as_str()))
                    .to_owned(),
            ),
        );
    }
    let column = match filter.sort {
        MovieSort::Title => movie::Column::SortTitle,
        MovieSort::Year => movie::Column::Year,
        MovieSort::DateAdded => movie::Column::AddedAt,
    };
    let order = sea_orm::Order::from(filter.order);
    // SQLite and PostgreSQL put NULLs at opposite ends by default; unknown years go last on
    // both. The id breaks ties so that pages never overlap or skip rows.
    let query = query
        .order_by_with_nulls(column, order.clone(), NullOrdering::Last)
        .order_by(movie::Column::Id, order);
    Ok(fetch_page(db, query, page).await?)
}

/// One movie and its genres. A movie the viewer may not see is [`MovieError::NotFound`], like a
/// missing one, so that its existence is not revealed.
pub async fn get_movie<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Id,
) -> Result<(movie::Model, Vec<String>), MovieError> {
    let model = movie::Entity::find_by_id(id)
        .filter(visible(viewer))
        .one(db)
        .await?
        .ok_or(MovieError::NotFound(id))?;
    let genres = movie_genre::Entity::find()
        .filter(movie_genre::Column::MovieId.eq(id))
        .order_by_asc(movie_genre::Column::Genre)
        .all(db)
        .await?
        .into_iter()
        .map(|g| g.genre)
        .collect();
    Ok((model, genres))
}

#[cfg(test)]
mod tests {
    use super::*;
    use revenge_core::{Capabilities, LibraryScope, Module};
    use revenge_db::MigrationSet;

    /// The library `memory_db` creates first.
    const FILMS: Id = 1;

    async fn memory_db() -> sea_orm::DatabaseConnection {
        let db = revenge_db::open_in_memory(vec![MigrationSet {
            owner: "movie",
            migrations: crate::MovieModule.migrations(),
        }])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(add_library(&db.conn, "Films").await, FILMS);
        db.conn
    }

    async fn add_library(db: &sea_orm::DatabaseConnection, name: &str) -> Id {
        let result = db
            .execute_unprepared(&format!(
                "INSERT INTO library (module, name, created_at) \
                 VALUES ('movie', '{name}', '2026-01-01T00:00:00+00:00')"
            ))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        Id::try_from(result.last_insert_id()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn user(libraries: LibraryScope, max_rating_level: Option<i32>) -> Viewer {
        Viewer {
            user_id: 7,
            is_admin: false,
            libraries,
            max_rating_level,
            capabilities: Capabilities::default(),
            can_write: true,
        }
    }

    fn film(title: &str, year: i32, genres: &[&str]) -> NewMovie {
        NewMovie {
            library_id: FILMS,
            title: title.to_owned(),
            year: Some(year),
            genres: genres.iter().map(|g| (*g).to_owned()).collect(),
            ..Default::default()
        }
    }

    async fn add(db: &sea_orm::DatabaseConnection, new: NewMovie) -> movie::Model {
        insert_movie(db, new)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    async fn seed(db: &sea_orm::DatabaseConnection) {
        for (title, year, genres) in [
            ("The Matrix", 1999, &["Action", "Science Fiction"][..]),
            ("Alien", 1979, &["Horror", "Science Fiction"][..]),
            ("Heat", 1995, &["Crime", "Action"][..]),
            ("Amélie", 2001, &["Comedy", "Romance"][..]),
        ] {
            add(db, film(title, year, genres)).await;
        }
    }

    async fn list(
        db: &sea_orm::DatabaseConnection,
        viewer: &Viewer,
        page: PageParams,
        filter: &MovieFilter,
    ) -> Page<movie::Model> {
        list_movies(db, viewer, page, filter)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn titles(page: &Page<movie::Model>) -> Vec<&str> {
        page.items.iter().map(|m| m.title.as_str()).collect()
    }

    fn is_not_found(result: Result<(movie::Model, Vec<String>), MovieError>, id: Id) -> bool {
        matches!(result, Err(MovieError::NotFound(missing)) if missing == id)
    }

    #[tokio::test]
    async fn lists_sort_by_title_ignoring_articles() {
        let db = memory_db().await;
        seed(&db).await;
        let page = list(
            &db,
            &Viewer::system(),
            PageParams::default(),
            &MovieFilter::default(),
        )
        .await;
        assert_eq!(page.total, 4);
        assert_eq!(titles(&page), ["Alien", "Amélie", "Heat", "The Matrix"]);
    }

    #[tokio::test]
    async fn pages_filters_and_year_sort() {
        let db = memory_db().await;
        seed(&db).await;
        let system = Viewer::system();
        let filter = MovieFilter {
            sort: MovieSort::Year,
            order: SortOrder::Desc,
            ..Default::default()
        };
        let first = list(
            &db,
            &system,
            PageParams {
                offset: 0,
                limit: 2,
            },
            &filter,
        )
        .await;
        let second = list(
            &db,
            &system,
            PageParams {
                offset: 2,
                limit: 2,
            },
            &filter,
        )
        .await;
        assert_eq!(titles(&first), ["Amélie", "The Matrix"]);
        assert_eq!(titles(&second), ["Heat", "Alien"]);
        assert_eq!(first.total, 4);

        let action = MovieFilter {
            genre: Some("Action".to_owned()),
            ..Default::default()
        };
        let page = list(&db, &system, PageParams::default(), &action).await;
        assert_eq!(titles(&page), ["Heat", "The Matrix"]);
        assert_eq!(page.total, 2);

        let year = MovieFilter {
            year: Some(1979),
            ..Default::default()
        };
        let page = list(&db, &system, PageParams::default(), &year).await;
        assert_eq!(titles(&page), ["Alien"]);
    }

    #[tokio::test]
    async fn detail_has_genres_and_missing_is_not_found() {
        let db = memory_db().await;
        let created = add(&db, film("Heat", 1995, &["Crime", "Action", "crime"])).await;
        let (movie, genres) = get_movie(&db, &Viewer::system(), created.id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(movie.title, "Heat");
        assert_eq!(movie.sort_title, "heat");
        assert_eq!(movie.library_id, FILMS);
        assert_eq!(genres, ["Action", "Crime"], "duplicates are dropped");
        assert!(is_not_found(
            get_movie(&db, &Viewer::system(), created.id + 100).await,
            created.id + 100
        ));
    }

    #[tokio::test]
    async fn empty_title_is_refused_and_nothing_is_written() {
        let db = memory_db().await;
        let result = insert_movie(&db, film("  ", 2000, &[])).await;
        assert!(matches!(result, Err(MovieError::EmptyTitle)));
        let page = list(
            &db,
            &Viewer::system(),
            PageParams::default(),
            &MovieFilter::default(),
        )
        .await;
        assert_eq!(page.total, 0);
    }

    #[tokio::test]
    async fn a_user_sees_only_granted_libraries() {
        let db = memory_db().await;
        let other = add_library(&db, "Other films").await;
        // Interleaved titles, so that a filter applied after paging would leave pages short.
        let mut hidden = Vec::new();
        for (title, library) in [
            ("Alien", other),
            ("Brazil", FILMS),
            ("Casablanca", other),
            ("Dune", FILMS),
            ("Eraserhead", other),
            ("Fargo", FILMS),
        ] {
            let created = add(
                &db,
                NewMovie {
                    library_id: library,
                    ..film(title, 2000, &["Drama"])
                },
            )
            .await;
            if library == other {
                hidden.push(created.id);
            }
        }
        let viewer = user(LibraryScope::Only(vec![FILMS]), None);
        let two = PageParams {
            offset: 0,
            limit: 2,
        };
        let page = list(&db, &viewer, two, &MovieFilter::default()).await;
        assert_eq!(titles(&page), ["Brazil", "Dune"], "pages are never short");
        assert_eq!(page.total, 3, "the total counts no hidden movie");
        let drama = MovieFilter {
            genre: Some("Drama".to_owned()),
            ..Default::default()
        };
        let page = list(&db, &viewer, PageParams::default(), &drama).await;
        assert_eq!(titles(&page), ["Brazil", "Dune", "Fargo"]);
        assert_eq!(page.total, 3);
        for id in hidden {
            assert!(
                is_not_found(get_movie(&db, &viewer, id).await, id),
                "a hidden movie reads as missing"
            );
            assert!(get_movie(&db, &Viewer::system(), id).await.is_ok());
        }
    }

    #[tokio::test]
    async fn a_parental_limit_hides_higher_rated_and_unrated_movies() {
        let db = memory_db().await;
        let mut ids = Vec::new();
        for (title, rating) in [
            ("Babe", Some("PG")),
            ("Heat", Some("R")),
            ("Home Video", None),
        ] {
            let created = add(
                &db,
                NewMovie {
                    content_rating: rating.map(str::to_owned),
                    ..film(title, 1995, &[])
                },
            )
            .await;
            ids.push(created);
        }
        let levels: Vec<Option<i32>> = ids.iter().map(|m| m.rating_level).collect();
        assert_eq!(levels, [Some(10), Some(17), None], "levels from ratings");

        let kid = user(LibraryScope::All, Some(12));
        let page = list(&db, &kid, PageParams::default(), &MovieFilter::default()).await;
        assert_eq!(titles(&page), ["Babe"]);
        assert_eq!(page.total, 1);
        assert!(get_movie(&db, &kid, ids[0].id).await.is_ok());
        assert!(is_not_found(
            get_movie(&db, &kid, ids[1].id).await,
            ids[1].id
        ));
        assert!(is_not_found(
            get_movie(&db, &kid, ids[2].id).await,
            ids[2].id
        ));

        let grown_up = user(LibraryScope::Only(vec![FILMS]), None);
        let page = list(
            &db,
            &grown_up,
            PageParams::default(),
            &MovieFilter::default(),
        )
        .await;
        assert_eq!(page.total, 3, "without a limit unrated movies show");
    }

    #[tokio::test]
    async fn an_empty_grant_list_sees_nothing() {
        let db = memory_db().await;
        seed(&db).await;
        let nobody = user(LibraryScope::Only(vec![]), None);
        let page = list(&db, &nobody, PageParams::default(), &MovieFilter::default()).await;
        assert!(page.items.is_empty());
        assert_eq!(page.total, 0);
        let any = list(
            &db,
            &Viewer::system(),
            PageParams::default(),
            &MovieFilter::default(),
        )
        .await;
        let id = any.items[0].id;
        assert!(is_not_found(get_movie(&db, &nobody, id).await, id));
    }
}
