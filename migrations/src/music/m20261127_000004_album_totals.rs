//! `music_album.song_count` and `music_album.duration_ms`: an album's number of tracks and
//! length, kept on its row by the importer whenever it writes or removes tracks. Every album of
//! every list carries both; counting and summing its tracks for each album of each page was most
//! of what SQLite did for an album list. Filled here from the tracks already recorded.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MusicAlbum {
    Table,
    SongCount,
    DurationMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite alters a table one change at a time.
        for column in [MusicAlbum::SongCount, MusicAlbum::DurationMs] {
            manager
                .alter_table(
                    Table::alter()
                        .table(MusicAlbum::Table)
                        .add_column(ColumnDef::new(column).big_integer().not_null().default(0))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE music_album SET \
                 song_count = (SELECT COUNT(*) FROM music_track \
                   WHERE music_track.album_id = music_album.id), \
                 duration_ms = (SELECT COALESCE(SUM(duration_ms), 0) FROM music_track \
                   WHERE music_track.album_id = music_album.id)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [MusicAlbum::SongCount, MusicAlbum::DurationMs] {
            manager
                .alter_table(
                    Table::alter()
                        .table(MusicAlbum::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
