//! Movies and their genres.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_pk_auto, double_null, integer_null, string, string_null, text, text_null,
    timestamp_with_time_zone,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Movie {
    Table,
    Id,
    LibraryId,
    Title,
    OriginalTitle,
    SortTitle,
    Year,
    Overview,
    Tagline,
    RuntimeMinutes,
    ContentRating,
    RatingLevel,
    CommunityRating,
    TmdbId,
    ImdbId,
    AddedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Library {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum MovieGenre {
    Table,
    MovieId,
    Genre,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Movie::Table)
                    .col(big_pk_auto(Movie::Id))
                    .col(big_integer(Movie::LibraryId))
                    .col(text(Movie::Title))
                    .col(text_null(Movie::OriginalTitle))
                    .col(text(Movie::SortTitle))
                    .col(integer_null(Movie::Year))
                    .col(text_null(Movie::Overview))
                    .col(text_null(Movie::Tagline))
                    .col(integer_null(Movie::RuntimeMinutes))
                    .col(string_null(Movie::ContentRating))
                    .col(integer_null(Movie::RatingLevel))
                    .col(double_null(Movie::CommunityRating))
                    .col(string_null(Movie::TmdbId))
                    .col(string_null(Movie::ImdbId))
                    .col(timestamp_with_time_zone(Movie::AddedAt))
                    .col(timestamp_with_time_zone(Movie::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_movie_library")
                            .from(Movie::Table, Movie::LibraryId)
                            .to(Library::Table, Library::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_movie_sort_title", Movie::SortTitle),
            ("idx_movie_year", Movie::Year),
            ("idx_movie_added_at", Movie::AddedAt),
            ("idx_movie_library", Movie::LibraryId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Movie::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(MovieGenre::Table)
                    .col(big_integer(MovieGenre::MovieId))
                    .col(string(MovieGenre::Genre))
                    .primary_key(
                        Index::create()
                            .col(MovieGenre::MovieId)
                            .col(MovieGenre::Genre),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_movie_genre_movie")
                            .from(MovieGenre::Table, MovieGenre::MovieId)
                            .to(Movie::Table, Movie::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_movie_genre_genre")
                    .table(MovieGenre::Table)
                    .col(MovieGenre::Genre)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MovieGenre::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Movie::Table).to_owned())
            .await
    }
}
