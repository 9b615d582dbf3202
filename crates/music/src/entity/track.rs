//! The `music_track` table: one row per audio file.

use sea_orm::entity::prelude::*;

/// One track (its file is the `media_file` whose item it is).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "music_track")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub library_id: i64,
    pub album_id: i64,
    /// The first track artist.
    pub artist_id: i64,
    pub title: String,
    pub sort_title: String,
    /// JSON list of every track artist.
    pub artists: String,
    pub album_artist: String,
    pub disc_no: Option<i32>,
    pub disc_total: Option<i32>,
    pub track_no: Option<i32>,
    pub track_total: Option<i32>,
    pub year: Option<i32>,
    pub original_year: Option<i32>,
    /// JSON list of genres.
    pub genres: String,
    pub composer: Option<String>,
    pub compilation: bool,
    pub mb_track_id: Option<String>,
    pub mb_recording_id: Option<String>,
    pub mb_release_id: Option<String>,
    pub mb_artist_id: Option<String>,
    pub rg_track_gain: Option<f64>,
    pub rg_track_peak: Option<f64>,
    pub rg_album_gain: Option<f64>,
    pub rg_album_peak: Option<f64>,
    pub bpm: Option<i32>,
    pub comment: Option<String>,
    /// Whether the file embeds a picture (extracted on request).
    pub has_cover: bool,
    /// Lyrics from the tags (LRC text when synced).
    pub lyrics: Option<String>,
    pub duration_ms: i64,
    /// kbit/s.
    pub bitrate: Option<i32>,
    pub sample_rate: Option<i32>,
    pub channels: Option<i32>,
    pub bit_depth: Option<i32>,
    /// The file extension, lower case.
    pub suffix: String,
    pub size: i64,
    /// Why the tags could not be read, when they could not (the track is listed all the same).
    pub warning: Option<String>,
    pub rating_level: Option<i32>,
    pub added_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
