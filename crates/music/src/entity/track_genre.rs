//! The `music_track_genre` table: a track's genres, for genre lists and filters.

use sea_orm::entity::prelude::*;

/// One genre of one track.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "music_track_genre")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub track_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub genre: String,
    /// The track's library, so genre counts filter by access without a join.
    pub library_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
