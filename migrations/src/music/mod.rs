//! Migrations of the music module.

use sea_orm_migration::MigrationTrait;

mod m20261125_000001_create_music;
mod m20261127_000002_track_album_duration_index;
mod m20261127_000003_album_artist_year_index;
mod m20261127_000004_album_totals;

/// The owner name under which these migrations are recorded.
pub const OWNER: &str = "music";

/// The music module's migrations, oldest first.
pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261125_000001_create_music::Migration),
        Box::new(m20261127_000002_track_album_duration_index::Migration),
        Box::new(m20261127_000003_album_artist_year_index::Migration),
        Box::new(m20261127_000004_album_totals::Migration),
    ]
}
