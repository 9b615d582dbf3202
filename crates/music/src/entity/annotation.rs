//! The `music_annotation` table: one user's star, rating and plays of one artist, album or
//! track.

use sea_orm::entity::prelude::*;

/// What one user keeps about one item.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "music_annotation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    /// `artist`, `album` or `track`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub item_id: i64,
    pub starred_at: Option<DateTimeUtc>,
    /// 1 to 5; `None` when unrated.
    pub rating: Option<i32>,
    pub play_count: i32,
    pub played_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
