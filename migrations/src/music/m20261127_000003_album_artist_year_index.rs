//! Replaces the index on `music_album` (artist_id) with one on (artist_id, year). The
//! `alphabeticalByArtist` album list walks the artists by sort name and each one's albums by
//! year; with the year in the index the albums come in order, and SQLite no longer sorts each
//! artist's run of albums (for a page deep in the list, every album before it). Look-ups by
//! artist alone use it as they used the old one.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MusicAlbum {
    Table,
    ArtistId,
    Year,
}

const OLD: &str = "idx_music_album_artist";
const NEW: &str = "idx_music_album_artist_year";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NEW)
                    .table(MusicAlbum::Table)
                    .col(MusicAlbum::ArtistId)
                    .col(MusicAlbum::Year)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().name(OLD).table(MusicAlbum::Table).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(OLD)
                    .table(MusicAlbum::Table)
                    .col(MusicAlbum::ArtistId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().name(NEW).table(MusicAlbum::Table).to_owned())
            .await
    }
}
