//! Where each user is in each item: resume position, played state, play count and when it was
//! last played — what "continue watching", "next up" and played marks read.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, boolean, integer, string, timestamp_with_time_zone,
    timestamp_with_time_zone_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

// `user` is reserved in PostgreSQL.
#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PlaybackState {
    Table,
    Id,
    UserId,
    Module,
    ItemId,
    PositionMs,
    DurationMs,
    Played,
    PlayCount,
    LastPlayedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PlaybackState::Table)
                    .col(big_pk_auto(PlaybackState::Id))
                    .col(big_integer(PlaybackState::UserId))
                    .col(string(PlaybackState::Module))
                    .col(big_integer(PlaybackState::ItemId))
                    .col(big_integer(PlaybackState::PositionMs).default(0))
                    .col(big_integer_null(PlaybackState::DurationMs))
                    .col(boolean(PlaybackState::Played).default(false))
                    .col(integer(PlaybackState::PlayCount).default(0))
                    .col(timestamp_with_time_zone_null(PlaybackState::LastPlayedAt))
                    .col(timestamp_with_time_zone(PlaybackState::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_playback_state_user")
                            .from(PlaybackState::Table, PlaybackState::UserId)
                            .to(AppUser::Table, AppUser::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_playback_state_user_item")
                    .table(PlaybackState::Table)
                    .col(PlaybackState::UserId)
                    .col(PlaybackState::Module)
                    .col(PlaybackState::ItemId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // "Continue watching" lists a user's items by when they were last played.
        manager
            .create_index(
                Index::create()
                    .name("idx_playback_state_user_last_played")
                    .table(PlaybackState::Table)
                    .col(PlaybackState::UserId)
                    .col(PlaybackState::LastPlayedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PlaybackState::Table).to_owned())
            .await
    }
}
