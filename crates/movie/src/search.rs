//! The movie module's search documents: one per film (type `movie`).

use std::collections::HashMap;

use revenge_core::{Id, ImportFuture, ItemDocuments, SearchDocument, SearchKind, Searchable};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{movie, movie_genre};

const MODULE: &str = "movie";
const KIND: &str = "movie";

/// Feeds films to the search index.
#[derive(Debug, Clone, Copy, Default)]
pub struct MovieSearch;

fn document(row: movie::Model, genres: Vec<String>) -> SearchDocument {
    SearchDocument {
        id: SearchDocument::id_of(MODULE, KIND, row.id),
        kind: KIND.to_owned(),
        module: MODULE.to_owned(),
        item_id: row.id,
        original_title: row.original_title.filter(|o| *o != row.title),
        title: row.title,
        year: row.year,
        genres,
        library_id: row.library_id,
        rating_level: row.rating_level,
        adult: false,
        popularity: row.added_at.timestamp(),
        subtitle: row.tagline,
        image: Some(format!("{MODULE}.{}.poster", row.id)),
    }
}

async fn genres_by_movie(
    db: &DatabaseConnection,
    only: Option<Id>,
) -> Result<HashMap<Id, Vec<String>>, sea_orm::DbErr> {
    let mut query = movie_genre::Entity::find()
        .order_by_asc(movie_genre::Column::MovieId)
        .order_by_asc(movie_genre::Column::Genre);
    if let Some(id) = only {
        query = query.filter(movie_genre::Column::MovieId.eq(id));
    }
    let mut map: HashMap<Id, Vec<String>> = HashMap::new();
    for row in query.all(db).await? {
        map.entry(row.movie_id).or_default().push(row.genre);
    }
    Ok(map)
}

impl Searchable for MovieSearch {
    fn kinds(&self) -> Vec<SearchKind> {
        vec![SearchKind {
            name: KIND,
            label: "Movies",
        }]
    }

    fn all_documents<'a>(
        &'a self,
        db: &'a DatabaseConnection,
    ) -> ImportFuture<'a, Vec<SearchDocument>> {
        Box::pin(async move {
            let mut genres = genres_by_movie(db, None).await.map_err(|e| e.to_string())?;
            let rows = movie::Entity::find()
                .order_by_asc(movie::Column::Id)
                .all(db)
                .await
                .map_err(|e| e.to_string())?;
            Ok(rows
                .into_iter()
                .map(|row| {
                    let g = genres.remove(&row.id).unwrap_or_default();
                    document(row, g)
                })
                .collect())
        })
    }

    fn item_documents<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        item_id: Id,
    ) -> ImportFuture<'a, ItemDocuments> {
        Box::pin(async move {
            let row = movie::Entity::find_by_id(item_id)
                .one(db)
                .await
                .map_err(|e| e.to_string())?;
            Ok(match row {
                Some(row) => {
                    let mut genres = genres_by_movie(db, Some(item_id))
                        .await
                        .map_err(|e| e.to_string())?;
                    ItemDocuments {
                        upsert: vec![document(row, genres.remove(&item_id).unwrap_or_default())],
                        delete: Vec::new(),
                    }
                }
                None => ItemDocuments {
                    upsert: Vec::new(),
                    delete: vec![SearchDocument::id_of(MODULE, KIND, item_id)],
                },
            })
        })
    }
}
