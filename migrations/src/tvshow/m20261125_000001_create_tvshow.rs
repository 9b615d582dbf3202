//! Series, their seasons and episodes, and series genres.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_pk_auto, date_null, double_null, integer, integer_null, string, string_null,
    text, text_null, timestamp_with_time_zone,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TvshowSeries {
    Table,
    Id,
    LibraryId,
    Title,
    OriginalTitle,
    SortTitle,
    Year,
    Overview,
    Status,
    ContentRating,
    RatingLevel,
    CommunityRating,
    TmdbId,
    TvdbId,
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
enum TvshowSeriesGenre {
    Table,
    SeriesId,
    Genre,
}

#[derive(DeriveIden)]
enum TvshowSeason {
    Table,
    Id,
    SeriesId,
    SeasonNumber,
    Title,
    Overview,
    AddedAt,
}

#[derive(DeriveIden)]
enum TvshowEpisode {
    Table,
    Id,
    SeriesId,
    SeasonId,
    EpisodeNumber,
    EpisodeNumberEnd,
    Title,
    Overview,
    AirDate,
    RuntimeMinutes,
    AddedAt,
}

fn cascade_to(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TvshowSeries::Table)
                    .col(big_pk_auto(TvshowSeries::Id))
                    .col(big_integer(TvshowSeries::LibraryId))
                    .col(text(TvshowSeries::Title))
                    .col(text_null(TvshowSeries::OriginalTitle))
                    .col(text(TvshowSeries::SortTitle))
                    .col(integer_null(TvshowSeries::Year))
                    .col(text_null(TvshowSeries::Overview))
                    .col(string_null(TvshowSeries::Status))
                    .col(string_null(TvshowSeries::ContentRating))
                    .col(integer_null(TvshowSeries::RatingLevel))
                    .col(double_null(TvshowSeries::CommunityRating))
                    .col(string_null(TvshowSeries::TmdbId))
                    .col(string_null(TvshowSeries::TvdbId))
                    .col(string_null(TvshowSeries::ImdbId))
                    .col(timestamp_with_time_zone(TvshowSeries::AddedAt))
                    .col(timestamp_with_time_zone(TvshowSeries::UpdatedAt))
                    .foreign_key(&mut cascade_to(
                        "fk_tvshow_series_library",
                        (TvshowSeries::Table, TvshowSeries::LibraryId),
                        (Library::Table, Library::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tvshow_series_sort_title")
                    .table(TvshowSeries::Table)
                    .col(TvshowSeries::SortTitle)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tvshow_series_library")
                    .table(TvshowSeries::Table)
                    .col(TvshowSeries::LibraryId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TvshowSeriesGenre::Table)
                    .col(big_integer(TvshowSeriesGenre::SeriesId))
                    .col(string(TvshowSeriesGenre::Genre))
                    .primary_key(
                        Index::create()
                            .col(TvshowSeriesGenre::SeriesId)
                            .col(TvshowSeriesGenre::Genre),
                    )
                    .foreign_key(&mut cascade_to(
                        "fk_tvshow_series_genre_series",
                        (TvshowSeriesGenre::Table, TvshowSeriesGenre::SeriesId),
                        (TvshowSeries::Table, TvshowSeries::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TvshowSeason::Table)
                    .col(big_pk_auto(TvshowSeason::Id))
                    .col(big_integer(TvshowSeason::SeriesId))
                    .col(integer(TvshowSeason::SeasonNumber))
                    .col(text_null(TvshowSeason::Title))
                    .col(text_null(TvshowSeason::Overview))
                    .col(timestamp_with_time_zone(TvshowSeason::AddedAt))
                    .foreign_key(&mut cascade_to(
                        "fk_tvshow_season_series",
                        (TvshowSeason::Table, TvshowSeason::SeriesId),
                        (TvshowSeries::Table, TvshowSeries::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tvshow_season_series_number")
                    .table(TvshowSeason::Table)
                    .col(TvshowSeason::SeriesId)
                    .col(TvshowSeason::SeasonNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TvshowEpisode::Table)
                    .col(big_pk_auto(TvshowEpisode::Id))
                    .col(big_integer(TvshowEpisode::SeriesId))
                    .col(big_integer(TvshowEpisode::SeasonId))
                    .col(integer(TvshowEpisode::EpisodeNumber))
                    .col(integer_null(TvshowEpisode::EpisodeNumberEnd))
                    .col(text_null(TvshowEpisode::Title))
                    .col(text_null(TvshowEpisode::Overview))
                    .col(date_null(TvshowEpisode::AirDate))
                    .col(integer_null(TvshowEpisode::RuntimeMinutes))
                    .col(timestamp_with_time_zone(TvshowEpisode::AddedAt))
                    .foreign_key(&mut cascade_to(
                        "fk_tvshow_episode_series",
                        (TvshowEpisode::Table, TvshowEpisode::SeriesId),
                        (TvshowSeries::Table, TvshowSeries::Id),
                    ))
                    .foreign_key(&mut cascade_to(
                        "fk_tvshow_episode_season",
                        (TvshowEpisode::Table, TvshowEpisode::SeasonId),
                        (TvshowSeason::Table, TvshowSeason::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "idx_tvshow_episode_season_number",
                [TvshowEpisode::SeasonId, TvshowEpisode::EpisodeNumber],
            ),
            (
                "idx_tvshow_episode_series_added",
                [TvshowEpisode::SeriesId, TvshowEpisode::AddedAt],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(TvshowEpisode::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            TvshowEpisode::Table.into_iden(),
            TvshowSeason::Table.into_iden(),
            TvshowSeriesGenre::Table.into_iden(),
            TvshowSeries::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
