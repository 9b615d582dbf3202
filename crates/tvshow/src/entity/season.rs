//! The `tvshow_season` table.

use sea_orm::entity::prelude::*;

/// One season of a series; season 0 holds the specials.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tvshow_season")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub series_id: i64,
    /// Unique within the series.
    pub season_number: i32,
    pub title: Option<String>,
    pub overview: Option<String>,
    pub added_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
