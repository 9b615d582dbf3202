//! The `music_artist` table.

use sea_orm::entity::prelude::*;

/// One artist of one library (album artists and track artists alike).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "music_artist")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub library_id: i64,
    pub name: String,
    /// Lower-cased name: what artists are grouped by.
    pub name_key: String,
    pub sort_name: String,
    pub mbid: Option<String>,
    /// Always `None` today: music carries no age rating, so parental limits hide it.
    pub rating_level: Option<i32>,
    pub added_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
