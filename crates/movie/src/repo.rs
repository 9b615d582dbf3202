//! Queries of the movie module. Everything that reads or writes movie tables goes through here.

use chrono::Utc;
use revenge_core::sort::sort_title;
use revenge_core::{Id, Page, PageParams, SortOrder};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::MovieError;
use crate::entity::{movie, movie_genre};

/// What a new movie is made from (the scanner and tests fill it).
#[derive(Debug, Clone, Default)]
pub struct NewMovie {
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
    let title = new.title.trim().to_owned();
    if title.is_empty() {
        return Err(MovieError::EmptyTitle);
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    let model = movie::ActiveModel {
        sort_title: Set(sort_title(&title)),
        title: Set(title),
        original_title: Set(new.original_title),
        year: Set(new.year),
        overview: Set(new.overview),
        tagline: Set(None),
        runtime_minutes: Set(new.runtime_minutes),
        content_rating: Set(new.content_rating),
        community_rating: Set(new.community_rating),
        tmdb_id: Set(None),
        imdb_id: Set(None),
        added_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut seen = std::collections::HashSet::new();
    for genre in new.genres {
        let genre = genre.trim().to_owned();
        if genre.is_empty() || !seen.insert(genre.to_lowercase()) {
            continue;
        }
        movie_genre::ActiveModel {
            movie_id: Set(model.id),
            genre: Set(genre),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(model)
}

/// One page of movies.
pub async fn list_movies<C: ConnectionTrait>(
    db: &C,
    page: PageParams,
    filter: &MovieFilter,
) -> Result<Page<movie::Model>, MovieError> {
    let mut query = movie::Entity::find();
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
    let total = query.clone().count(db).await?;
    let column = match filter.sort {
        MovieSort::Title => movie::Column::SortTitle,
        MovieSort::Year => movie::Column::Year,
        MovieSort::DateAdded => movie::Column::AddedAt,
    };
    let order = sea_orm::Order::from(filter.order);
    // The id breaks ties so that pages never overlap or skip rows.
    let items = query
        .order_by(column, order.clone())
        .order_by(movie::Column::Id, order)
        .offset(page.offset)
        .limit(page.limit)
        .all(db)
        .await?;
    Ok(Page {
        items,
        total,
        offset: page.offset,
        limit: page.limit,
    })
}

/// One movie and its genres.
pub async fn get_movie<C: ConnectionTrait>(
    db: &C,
    id: Id,
) -> Result<(movie::Model, Vec<String>), MovieError> {
    let model = movie::Entity::find_by_id(id)
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
    use revenge_core::Module;
    use revenge_db::{ConnectOptions, MigrationSet, connect, migrate};

    async fn memory_db() -> sea_orm::DatabaseConnection {
        let db = connect(&ConnectOptions::new("sqlite::memory:"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let sets = [MigrationSet {
            owner: "movie",
            migrations: crate::MovieModule.migrations(),
        }];
        migrate::up(&db.conn, &sets)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        db.conn
    }

    fn film(title: &str, year: i32, genres: &[&str]) -> NewMovie {
        NewMovie {
            title: title.to_owned(),
            year: Some(year),
            genres: genres.iter().map(|g| (*g).to_owned()).collect(),
            ..Default::default()
        }
    }

    async fn seed(db: &sea_orm::DatabaseConnection) {
        for (title, year, genres) in [
            ("The Matrix", 1999, &["Action", "Science Fiction"][..]),
            ("Alien", 1979, &["Horror", "Science Fiction"][..]),
            ("Heat", 1995, &["Crime", "Action"][..]),
            ("Amélie", 2001, &["Comedy", "Romance"][..]),
        ] {
            insert_movie(db, film(title, year, genres))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }

    fn titles(page: &Page<movie::Model>) -> Vec<&str> {
        page.items.iter().map(|m| m.title.as_str()).collect()
    }

    #[tokio::test]
    async fn lists_sort_by_title_ignoring_articles() {
        let db = memory_db().await;
        seed(&db).await;
        let page = list_movies(&db, PageParams::default(), &MovieFilter::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(page.total, 4);
        assert_eq!(titles(&page), ["Alien", "Amélie", "Heat", "The Matrix"]);
    }

    #[tokio::test]
    async fn pages_filters_and_year_sort() {
        let db = memory_db().await;
        seed(&db).await;
        let filter = MovieFilter {
            sort: MovieSort::Year,
            order: SortOrder::Desc,
            ..Default::default()
        };
        let first = list_movies(
            &db,
            PageParams {
                offset: 0,
                limit: 2,
            },
            &filter,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let second = list_movies(
            &db,
            PageParams {
                offset: 2,
                limit: 2,
            },
            &filter,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(titles(&first), ["Amélie", "The Matrix"]);
        assert_eq!(titles(&second), ["Heat", "Alien"]);
        assert_eq!(first.total, 4);

        let action = MovieFilter {
            genre: Some("Action".to_owned()),
            ..Default::default()
        };
        let page = list_movies(&db, PageParams::default(), &action)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(titles(&page), ["Heat", "The Matrix"]);
        assert_eq!(page.total, 2);

        let year = MovieFilter {
            year: Some(1979),
            ..Default::default()
        };
        let page = list_movies(&db, PageParams::default(), &year)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(titles(&page), ["Alien"]);
    }

    #[tokio::test]
    async fn detail_has_genres_and_missing_is_not_found() {
        let db = memory_db().await;
        let created = insert_movie(&db, film("Heat", 1995, &["Crime", "Action", "crime"]))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let (movie, genres) = get_movie(&db, created.id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(movie.title, "Heat");
        assert_eq!(movie.sort_title, "heat");
        assert_eq!(genres, ["Action", "Crime"], "duplicates are dropped");
        assert!(matches!(
            get_movie(&db, created.id + 100).await,
            Err(MovieError::NotFound(_))
        ));
    }

    #[tokio::test]
    async fn empty_title_is_refused_and_nothing_is_written() {
        let db = memory_db().await;
        let result = insert_movie(&db, film("  ", 2000, &[])).await;
        assert!(matches!(result, Err(MovieError::EmptyTitle)));
        let page = list_movies(&db, PageParams::default(), &MovieFilter::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(page.total, 0);
    }
}
