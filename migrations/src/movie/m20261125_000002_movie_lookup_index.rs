//! An index for the scanner's question "is this film already in this library?" (library, sort
//! title, year); without it SQLite may walk a whole library per new file.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Movie {
    Table,
    LibraryId,
    SortTitle,
    Year,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_movie_library_sort_title_year")
                    .table(Movie::Table)
                    .col(Movie::LibraryId)
                    .col(Movie::SortTitle)
                    .col(Movie::Year)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_movie_library_sort_title_year")
                    .table(Movie::Table)
                    .to_owned(),
            )
            .await
    }
}
