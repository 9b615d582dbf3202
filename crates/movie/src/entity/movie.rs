//! The `movie` table.

use sea_orm::entity::prelude::*;

/// One film.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "movie")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The library the film belongs to; access is granted per library.
    pub library_id: i64,
    pub title: String,
    pub original_title: Option<String>,
    pub sort_title: String,
    pub year: Option<i32>,
    pub overview: Option<String>,
    pub tagline: Option<String>,
    pub runtime_minutes: Option<i32>,
    pub content_rating: Option<String>,
    /// `content_rating` as an age (see `revenge_core::rating`), so that parental limits are a
    /// plain comparison in SQL; `None` when unrated or unknown.
    pub rating_level: Option<i32>,
    pub community_rating: Option<f64>,
    pub tmdb_id: Option<String>,
    pub imdb_id: Option<String>,
    pub added_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
