//! The `tvshow_episode` table.

use sea_orm::entity::prelude::*;

/// One episode, or one file spanning several episodes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tvshow_episode")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Denormalised from the season so that per-series queries need no join.
    pub series_id: i64,
    pub season_id: i64,
    pub episode_number: i32,
    /// The last episode number of a multi-episode file (`S01E01-E02`).
    pub episode_number_end: Option<i32>,
    pub title: Option<String>,
    pub overview: Option<String>,
    pub air_date: Option<Date>,
    pub runtime_minutes: Option<i32>,
    pub added_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
