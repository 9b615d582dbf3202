//! `media_file.probe_pending`: a file the in-process header readers could not read waits for
//! ffprobe in a background job after the scan, so that a scan never waits on a process per
//! broken or unusual file. The flag is what that job (and a crash before it ran) works from.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MediaFile {
    Table,
    LibraryId,
    ProbePending,
}

const INDEX: &str = "idx_media_file_probe_pending";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(MediaFile::Table)
                    .add_column(
                        ColumnDef::new(MediaFile::ProbePending)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(MediaFile::Table)
                    .col(MediaFile::LibraryId)
                    .col(MediaFile::ProbePending)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table(MediaFile::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(MediaFile::Table)
                    .drop_column(MediaFile::ProbePending)
                    .to_owned(),
            )
            .await
    }
}
