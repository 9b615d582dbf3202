//! The `tvshow_series` table.

use sea_orm::entity::prelude::*;

/// One TV series.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "tvshow_series")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The library the series belongs to; access is granted per library, and its seasons and
    /// episodes are visible exactly when it is.
    pub library_id: i64,
    pub title: String,
    pub original_title: Option<String>,
    pub sort_title: String,
    /// The year the series first aired.
    pub year: Option<i32>,
    pub overview: Option<String>,
    /// Production status as the metadata source words it (`Continuing`, `Ended`, …).
    pub status: Option<String>,
    pub content_rating: Option<String>,
    /// `content_rating` as an age (see `revenge_core::rating`), so that parental limits are a
    /// plain comparison in SQL; `None` when unrated or unknown.
    pub rating_level: Option<i32>,
    pub community_rating: Option<f64>,
    pub tmdb_id: Option<String>,
    pub tvdb_id: Option<String>,
    pub imdb_id: Option<String>,
    pub added_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
