//! Artists, albums and tracks (with their genres), and what each user keeps about them: stars,
//! ratings and play counts, playlists, the play queue, what is playing now, and the separate
//! Subsonic password.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, boolean, double_null, integer, integer_null,
    string, string_null, text, text_null, timestamp_with_time_zone, timestamp_with_time_zone_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Library {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum MusicArtist {
    Table,
    Id,
    LibraryId,
    Name,
    NameKey,
    SortName,
    Mbid,
    RatingLevel,
    AddedAt,
}

#[derive(DeriveIden)]
enum MusicAlbum {
    Table,
    Id,
    LibraryId,
    ArtistId,
    GroupKey,
    Title,
    SortTitle,
    Year,
    OriginalYear,
    Genre,
    Compilation,
    Mbid,
    RatingLevel,
    AddedAt,
}

#[derive(DeriveIden)]
enum MusicTrack {
    Table,
    Id,
    LibraryId,
    AlbumId,
    ArtistId,
    Title,
    SortTitle,
    Artists,
    AlbumArtist,
    DiscNo,
    DiscTotal,
    TrackNo,
    TrackTotal,
    Year,
    OriginalYear,
    Genres,
    Composer,
    Compilation,
    MbTrackId,
    MbRecordingId,
    MbReleaseId,
    MbArtistId,
    RgTrackGain,
    RgTrackPeak,
    RgAlbumGain,
    RgAlbumPeak,
    Bpm,
    Comment,
    HasCover,
    Lyrics,
    DurationMs,
    Bitrate,
    SampleRate,
    Channels,
    BitDepth,
    Suffix,
    Size,
    Warning,
    RatingLevel,
    AddedAt,
}

#[derive(DeriveIden)]
enum MusicTrackGenre {
    Table,
    TrackId,
    Genre,
    LibraryId,
}

#[derive(DeriveIden)]
enum MusicAnnotation {
    Table,
    UserId,
    Kind,
    ItemId,
    StarredAt,
    Rating,
    PlayCount,
    PlayedAt,
}

#[derive(DeriveIden)]
enum MusicPlaylist {
    Table,
    Id,
    UserId,
    Name,
    Comment,
    Public,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MusicPlaylistEntry {
    Table,
    PlaylistId,
    Position,
    TrackId,
}

#[derive(DeriveIden)]
enum MusicPlayQueue {
    Table,
    UserId,
    TrackIds,
    CurrentId,
    PositionMs,
    ChangedAt,
    ChangedBy,
}

#[derive(DeriveIden)]
enum MusicNowPlaying {
    Table,
    UserId,
    TrackId,
    PlayerName,
    StartedAt,
}

#[derive(DeriveIden)]
enum MusicSubsonicPassword {
    Table,
    UserId,
    Password,
    CreatedAt,
}

fn fk_library(
    name: &str,
    table: impl IntoIden,
    column: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table.into_iden(), column.into_iden())
        .to(Library::Table, Library::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn fk_user(name: &str, table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table.into_iden(), column.into_iden())
        .to(AppUser::Table, AppUser::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    columns: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut statement = Index::create().name(name).table(table).to_owned();
    for column in columns {
        statement.col(column);
    }
    if unique {
        statement.unique();
    }
    manager.create_index(statement).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MusicArtist::Table)
                    .col(big_pk_auto(MusicArtist::Id))
                    .col(big_integer(MusicArtist::LibraryId))
                    .col(text(MusicArtist::Name))
                    .col(text(MusicArtist::NameKey))
                    .col(text(MusicArtist::SortName))
                    .col(string_null(MusicArtist::Mbid))
                    .col(integer_null(MusicArtist::RatingLevel))
                    .col(timestamp_with_time_zone(MusicArtist::AddedAt))
                    .foreign_key(&mut fk_library(
                        "fk_music_artist_library",
                        MusicArtist::Table,
                        MusicArtist::LibraryId,
                    ))
                    .to_owned(),
            )
            .await?;
        // The importer's "is this artist known?" and the alphabetical index.
        index(
            manager,
            "idx_music_artist_library_key",
            MusicArtist::Table,
            vec![
                MusicArtist::LibraryId.into_iden(),
                MusicArtist::NameKey.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_music_artist_sort_name",
            MusicArtist::Table,
            vec![MusicArtist::SortName.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(MusicAlbum::Table)
                    .col(big_pk_auto(MusicAlbum::Id))
                    .col(big_integer(MusicAlbum::LibraryId))
                    .col(big_integer(MusicAlbum::ArtistId))
                    .col(text(MusicAlbum::GroupKey))
                    .col(text(MusicAlbum::Title))
                    .col(text(MusicAlbum::SortTitle))
                    .col(integer_null(MusicAlbum::Year))
                    .col(integer_null(MusicAlbum::OriginalYear))
                    .col(text_null(MusicAlbum::Genre))
                    .col(boolean(MusicAlbum::Compilation))
                    .col(string_null(MusicAlbum::Mbid))
                    .col(integer_null(MusicAlbum::RatingLevel))
                    .col(timestamp_with_time_zone(MusicAlbum::AddedAt))
                    .foreign_key(&mut fk_library(
                        "fk_music_album_library",
                        MusicAlbum::Table,
                        MusicAlbum::LibraryId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_music_album_artist")
                            .from(MusicAlbum::Table, MusicAlbum::ArtistId)
                            .to(MusicArtist::Table, MusicArtist::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_music_album_library_group",
            MusicAlbum::Table,
            vec![
                MusicAlbum::LibraryId.into_iden(),
                MusicAlbum::GroupKey.into_iden(),
            ],
            true,
        )
        .await?;
        for (name, column) in [
            ("idx_music_album_artist", MusicAlbum::ArtistId),
            ("idx_music_album_sort_title", MusicAlbum::SortTitle),
            ("idx_music_album_added_at", MusicAlbum::AddedAt),
            ("idx_music_album_year", MusicAlbum::Year),
        ] {
            index(
                manager,
                name,
                MusicAlbum::Table,
                vec![column.into_iden()],
                false,
            )
            .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(MusicTrack::Table)
                    .col(big_pk_auto(MusicTrack::Id))
                    .col(big_integer(MusicTrack::LibraryId))
                    .col(big_integer(MusicTrack::AlbumId))
                    .col(big_integer(MusicTrack::ArtistId))
                    .col(text(MusicTrack::Title))
                    .col(text(MusicTrack::SortTitle))
                    // JSON lists: shown with the track, never searched by element (genres have
                    // their own table for that).
                    .col(text(MusicTrack::Artists))
                    .col(text(MusicTrack::AlbumArtist))
                    .col(integer_null(MusicTrack::DiscNo))
                    .col(integer_null(MusicTrack::DiscTotal))
                    .col(integer_null(MusicTrack::TrackNo))
                    .col(integer_null(MusicTrack::TrackTotal))
                    .col(integer_null(MusicTrack::Year))
                    .col(integer_null(MusicTrack::OriginalYear))
                    .col(text(MusicTrack::Genres))
                    .col(text_null(MusicTrack::Composer))
                    .col(boolean(MusicTrack::Compilation))
                    .col(string_null(MusicTrack::MbTrackId))
                    .col(string_null(MusicTrack::MbRecordingId))
                    .col(string_null(MusicTrack::MbReleaseId))
                    .col(string_null(MusicTrack::MbArtistId))
                    .col(double_null(MusicTrack::RgTrackGain))
                    .col(double_null(MusicTrack::RgTrackPeak))
                    .col(double_null(MusicTrack::RgAlbumGain))
                    .col(double_null(MusicTrack::RgAlbumPeak))
                    .col(integer_null(MusicTrack::Bpm))
                    .col(text_null(MusicTrack::Comment))
                    .col(boolean(MusicTrack::HasCover))
                    .col(text_null(MusicTrack::Lyrics))
                    .col(big_integer(MusicTrack::DurationMs))
                    .col(integer_null(MusicTrack::Bitrate))
                    .col(integer_null(MusicTrack::SampleRate))
                    .col(integer_null(MusicTrack::Channels))
                    .col(integer_null(MusicTrack::BitDepth))
                    .col(string(MusicTrack::Suffix))
                    .col(big_integer(MusicTrack::Size))
                    .col(text_null(MusicTrack::Warning))
                    .col(integer_null(MusicTrack::RatingLevel))
                    .col(timestamp_with_time_zone(MusicTrack::AddedAt))
                    .foreign_key(&mut fk_library(
                        "fk_music_track_library",
                        MusicTrack::Table,
                        MusicTrack::LibraryId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_music_track_album")
                            .from(MusicTrack::Table, MusicTrack::AlbumId)
                            .to(MusicAlbum::Table, MusicAlbum::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_music_track_album", MusicTrack::AlbumId),
            ("idx_music_track_artist", MusicTrack::ArtistId),
            ("idx_music_track_sort_title", MusicTrack::SortTitle),
            ("idx_music_track_added_at", MusicTrack::AddedAt),
        ] {
            index(
                manager,
                name,
                MusicTrack::Table,
                vec![column.into_iden()],
                false,
            )
            .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(MusicTrackGenre::Table)
                    .col(big_integer(MusicTrackGenre::TrackId))
                    .col(string(MusicTrackGenre::Genre))
                    .col(big_integer(MusicTrackGenre::LibraryId))
                    .primary_key(
                        Index::create()
                            .col(MusicTrackGenre::TrackId)
                            .col(MusicTrackGenre::Genre),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_music_track_genre_track")
                            .from(MusicTrackGenre::Table, MusicTrackGenre::TrackId)
                            .to(MusicTrack::Table, MusicTrack::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_music_track_genre_genre",
            MusicTrackGenre::Table,
            vec![MusicTrackGenre::Genre.into_iden()],
            false,
        )
        .await?;

        // Stars, ratings and plays of one user on one artist, album or track: one row, so a
        // list shows all three with one join.
        manager
            .create_table(
                Table::create()
                    .table(MusicAnnotation::Table)
                    .col(big_integer(MusicAnnotation::UserId))
                    .col(string(MusicAnnotation::Kind))
                    .col(big_integer(MusicAnnotation::ItemId))
                    .col(timestamp_with_time_zone_null(MusicAnnotation::StarredAt))
                    .col(integer_null(MusicAnnotation::Rating))
                    .col(integer(MusicAnnotation::PlayCount))
                    .col(timestamp_with_time_zone_null(MusicAnnotation::PlayedAt))
                    .primary_key(
                        Index::create()
                            .col(MusicAnnotation::UserId)
                            .col(MusicAnnotation::Kind)
                            .col(MusicAnnotation::ItemId),
                    )
                    .foreign_key(&mut fk_user(
                        "fk_music_annotation_user",
                        MusicAnnotation::Table,
                        MusicAnnotation::UserId,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MusicPlaylist::Table)
                    .col(big_pk_auto(MusicPlaylist::Id))
                    .col(big_integer(MusicPlaylist::UserId))
                    .col(text(MusicPlaylist::Name))
                    .col(text_null(MusicPlaylist::Comment))
                    .col(boolean(MusicPlaylist::Public))
                    .col(timestamp_with_time_zone(MusicPlaylist::CreatedAt))
                    .col(timestamp_with_time_zone(MusicPlaylist::UpdatedAt))
                    .foreign_key(&mut fk_user(
                        "fk_music_playlist_user",
                        MusicPlaylist::Table,
                        MusicPlaylist::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MusicPlaylistEntry::Table)
                    .col(big_integer(MusicPlaylistEntry::PlaylistId))
                    .col(integer(MusicPlaylistEntry::Position))
                    .col(big_integer(MusicPlaylistEntry::TrackId))
                    .primary_key(
                        Index::create()
                            .col(MusicPlaylistEntry::PlaylistId)
                            .col(MusicPlaylistEntry::Position),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_music_playlist_entry_playlist")
                            .from(MusicPlaylistEntry::Table, MusicPlaylistEntry::PlaylistId)
                            .to(MusicPlaylist::Table, MusicPlaylist::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_music_playlist_entry_track")
                            .from(MusicPlaylistEntry::Table, MusicPlaylistEntry::TrackId)
                            .to(MusicTrack::Table, MusicTrack::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MusicPlayQueue::Table)
                    .col(big_integer(MusicPlayQueue::UserId).primary_key())
                    .col(text(MusicPlayQueue::TrackIds))
                    .col(big_integer_null(MusicPlayQueue::CurrentId))
                    .col(big_integer(MusicPlayQueue::PositionMs))
                    .col(timestamp_with_time_zone(MusicPlayQueue::ChangedAt))
                    .col(text(MusicPlayQueue::ChangedBy))
                    .foreign_key(&mut fk_user(
                        "fk_music_play_queue_user",
                        MusicPlayQueue::Table,
                        MusicPlayQueue::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MusicNowPlaying::Table)
                    .col(big_integer(MusicNowPlaying::UserId).primary_key())
                    .col(big_integer(MusicNowPlaying::TrackId))
                    .col(text(MusicNowPlaying::PlayerName))
                    .col(timestamp_with_time_zone(MusicNowPlaying::StartedAt))
                    .foreign_key(&mut fk_user(
                        "fk_music_now_playing_user",
                        MusicNowPlaying::Table,
                        MusicNowPlaying::UserId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_music_now_playing_track")
                            .from(MusicNowPlaying::Table, MusicNowPlaying::TrackId)
                            .to(MusicTrack::Table, MusicTrack::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MusicSubsonicPassword::Table)
                    .col(big_integer(MusicSubsonicPassword::UserId).primary_key())
                    .col(text(MusicSubsonicPassword::Password))
                    .col(timestamp_with_time_zone(MusicSubsonicPassword::CreatedAt))
                    .foreign_key(&mut fk_user(
                        "fk_music_subsonic_password_user",
                        MusicSubsonicPassword::Table,
                        MusicSubsonicPassword::UserId,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            MusicSubsonicPassword::Table.into_iden(),
            MusicNowPlaying::Table.into_iden(),
            MusicPlayQueue::Table.into_iden(),
            MusicPlaylistEntry::Table.into_iden(),
            MusicPlaylist::Table.into_iden(),
            MusicAnnotation::Table.into_iden(),
            MusicTrackGenre::Table.into_iden(),
            MusicTrack::Table.into_iden(),
            MusicAlbum::Table.into_iden(),
            MusicArtist::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
