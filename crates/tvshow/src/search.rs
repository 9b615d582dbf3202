//! The TV module's search documents: series (type `series`) and episodes (type `episode`),
//! which take their library, parental rating and genres from their series.

use std::collections::HashMap;

use revenge_core::{Id, ImportFuture, ItemDocuments, SearchDocument, SearchKind, Searchable};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{episode, season, series, series_genre};

const MODULE: &str = "tvshow";

/// Feeds series and episodes to the search index.
#[derive(Debug, Clone, Copy, Default)]
pub struct TvShowSearch;

fn series_document(row: &series::Model, genres: Vec<String>) -> SearchDocument {
    SearchDocument {
        id: SearchDocument::id_of(MODULE, "series", row.id),
        kind: "series".to_owned(),
        module: MODULE.to_owned(),
        item_id: row.id,
        title: row.title.clone(),
        original_title: row.original_title.clone().filter(|o| *o != row.title),
        year: row.year,
        genres,
        library_id: row.library_id,
        rating_level: row.rating_level,
        adult: false,
        popularity: row.added_at.timestamp(),
        subtitle: None,
        image: Some(format!("{MODULE}.{}.poster", row.id)),
    }
}

fn episode_document(
    row: episode::Model,
    season_number: Option<i32>,
    show: &series::Model,
    genres: Vec<String>,
) -> SearchDocument {
    use chrono::Datelike;
    let code = match season_number {
        Some(season) => format!("S{season:02}E{:02}", row.episode_number),
        None => format!("E{:02}", row.episode_number),
    };
    SearchDocument {
        id: SearchDocument::id_of(MODULE, "episode", row.id),
        kind: "episode".to_owned(),
        module: MODULE.to_owned(),
        item_id: row.id,
        title: row
            .title
            .clone()
            .unwrap_or_else(|| format!("Episode {}", row.episode_number)),
        original_title: None,
        year: row.air_date.map(|d| d.year()).or(show.year),
        genres,
        library_id: show.library_id,
        rating_level: show.rating_level,
        adult: false,
        popularity: row.added_at.timestamp(),
        subtitle: Some(format!("{} {code}", show.title)),
        image: Some(format!("{MODULE}.{}.thumb", row.id)),
    }
}

async fn genres_by_series(
    db: &DatabaseConnection,
    only: Option<Id>,
) -> Result<HashMap<Id, Vec<String>>, sea_orm::DbErr> {
    let mut query = series_genre::Entity::find()
        .order_by_asc(series_genre::Column::SeriesId)
        .order_by_asc(series_genre::Column::Genre);
    if let Some(id) = only {
        query = query.filter(series_genre::Column::SeriesId.eq(id));
    }
    let mut map: HashMap<Id, Vec<String>> = HashMap::new();
    for row in query.all(db).await? {
        map.entry(row.series_id).or_default().push(row.genre);
    }
    Ok(map)
}

impl Searchable for TvShowSearch {
    fn kinds(&self) -> Vec<SearchKind> {
        vec![
            SearchKind {
                name: "series",
                label: "Series",
            },
            SearchKind {
                name: "episode",
                label: "Episodes",
            },
        ]
    }

    fn all_documents<'a>(
        &'a self,
        db: &'a DatabaseConnection,
    ) -> ImportFuture<'a, Vec<SearchDocument>> {
        Box::pin(async move {
            let err = |e: sea_orm::DbErr| e.to_string();
            let genres = genres_by_series(db, None).await.map_err(err)?;
            let shows: HashMap<Id, series::Model> = series::Entity::find()
                .all(db)
                .await
                .map_err(err)?
                .into_iter()
                .map(|s| (s.id, s))
                .collect();
            let seasons: HashMap<Id, i32> = season::Entity::find()
                .all(db)
                .await
                .map_err(err)?
                .into_iter()
                .map(|s| (s.id, s.season_number))
                .collect();
            let mut docs: Vec<SearchDocument> = shows
                .values()
                .map(|s| series_document(s, genres.get(&s.id).cloned().unwrap_or_default()))
                .collect();
            for row in episode::Entity::find()
                .order_by_asc(episode::Column::Id)
                .all(db)
                .await
                .map_err(err)?
            {
                let Some(show) = shows.get(&row.series_id) else {
                    continue;
                };
                let season_number = seasons.get(&row.season_id).copied();
                let g = genres.get(&show.id).cloned().unwrap_or_default();
                docs.push(episode_document(row, season_number, show, g));
            }
            Ok(docs)
        })
    }

    fn item_documents<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        item_id: Id,
    ) -> ImportFuture<'a, ItemDocuments> {
        Box::pin(async move {
            let err = |e: sea_orm::DbErr| e.to_string();
            let gone = ItemDocuments {
                upsert: Vec::new(),
                delete: vec![SearchDocument::id_of(MODULE, "episode", item_id)],
            };
            // Items are episodes; their series is indexed along with them.
            let Some(row) = episode::Entity::find_by_id(item_id)
                .one(db)
                .await
                .map_err(err)?
            else {
                return Ok(gone);
            };
            let Some(show) = series::Entity::find_by_id(row.series_id)
                .one(db)
                .await
                .map_err(err)?
            else {
                return Ok(gone);
            };
            let season_number = season::Entity::find_by_id(row.season_id)
                .one(db)
                .await
                .map_err(err)?
                .map(|s| s.season_number);
            let genres = genres_by_series(db, Some(show.id))
                .await
                .map_err(err)?
                .remove(&show.id)
                .unwrap_or_default();
            Ok(ItemDocuments {
                upsert: vec![
                    series_document(&show, genres.clone()),
                    episode_document(row, season_number, &show, genres),
                ],
                delete: Vec::new(),
            })
        })
    }
}
