//! The `music_album` table.

use sea_orm::entity::prelude::*;

/// One album: the tracks sharing album artist, title and MusicBrainz release.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "music_album")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub library_id: i64,
    /// The album artist ("Various Artists" for compilations).
    pub artist_id: i64,
    /// What tracks are grouped by: album artist, title and release id, lower-cased.
    pub group_key: String,
    pub title: String,
    pub sort_title: String,
    pub year: Option<i32>,
    pub original_year: Option<i32>,
    pub genre: Option<String>,
    pub compilation: bool,
    pub mbid: Option<String>,
    pub rating_level: Option<i32>,
    pub added_at: DateTimeUtc,
    /// How many tracks it has: kept by the importer (`import::recount_albums`).
    pub song_count: i64,
    /// The sum of its tracks' lengths, kept with `song_count`.
    pub duration_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
