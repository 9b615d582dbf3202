//! The `movie_genre` table: a film's genres.

use sea_orm::entity::prelude::*;

/// One genre of one film.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "movie_genre")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub movie_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub genre: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
