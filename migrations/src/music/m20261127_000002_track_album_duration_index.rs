//! Replaces the index on `music_track` (album_id) with one on (album_id, duration_ms). Every
//! album in a list carries its song count and length; with the length in the index both are
//! read from it, instead of visiting each track's row (ten table look-ups per album of a
//! page). Look-ups by album alone use it as they used the old one.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MusicTrack {
    Table,
    AlbumId,
    DurationMs,
}

const OLD: &str = "idx_music_track_album";
const NEW: &str = "idx_music_track_album_duration";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NEW)
                    .table(MusicTrack::Table)
                    .col(MusicTrack::AlbumId)
                    .col(MusicTrack::DurationMs)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().name(OLD).table(MusicTrack::Table).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(OLD)
                    .table(MusicTrack::Table)
                    .col(MusicTrack::AlbumId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().name(NEW).table(MusicTrack::Table).to_owned())
            .await
    }
}
