//! Library folders, and every media file found in them: the scanner's record of what is on
//! disk, which module item each file belongs to, and what was read from it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, binary, string, string_null, text, text_null,
    timestamp_with_time_zone,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Library {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum LibraryFolder {
    Table,
    Id,
    LibraryId,
    Path,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MediaFile {
    Table,
    Id,
    LibraryId,
    FolderId,
    Module,
    /// The path below the folder as raw bytes: file names need not be UTF-8.
    PathBytes,
    /// The same path for people (lossy where not UTF-8).
    RelPath,
    Size,
    MtimeNs,
    Inode,
    Device,
    Fingerprint,
    Kind,
    ItemId,
    Info,
    Error,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LibraryFolder::Table)
                    .col(big_pk_auto(LibraryFolder::Id))
                    .col(big_integer(LibraryFolder::LibraryId))
                    .col(text(LibraryFolder::Path))
                    .col(timestamp_with_time_zone(LibraryFolder::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_library_folder_library")
                            .from(LibraryFolder::Table, LibraryFolder::LibraryId)
                            .to(Library::Table, Library::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MediaFile::Table)
                    .col(big_pk_auto(MediaFile::Id))
                    .col(big_integer(MediaFile::LibraryId))
                    .col(big_integer(MediaFile::FolderId))
                    .col(string(MediaFile::Module))
                    .col(binary(MediaFile::PathBytes))
                    .col(text(MediaFile::RelPath))
                    .col(big_integer(MediaFile::Size))
                    .col(big_integer(MediaFile::MtimeNs))
                    .col(big_integer_null(MediaFile::Inode))
                    .col(big_integer_null(MediaFile::Device))
                    .col(string_null(MediaFile::Fingerprint))
                    .col(string(MediaFile::Kind))
                    .col(big_integer_null(MediaFile::ItemId))
                    .col(text_null(MediaFile::Info))
                    .col(text_null(MediaFile::Error))
                    .col(timestamp_with_time_zone(MediaFile::CreatedAt))
                    .col(timestamp_with_time_zone(MediaFile::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_media_file_library")
                            .from(MediaFile::Table, MediaFile::LibraryId)
                            .to(Library::Table, Library::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_media_file_folder")
                            .from(MediaFile::Table, MediaFile::FolderId)
                            .to(LibraryFolder::Table, LibraryFolder::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_media_file_folder_path")
                    .table(MediaFile::Table)
                    .col(MediaFile::FolderId)
                    .col(MediaFile::PathBytes)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("idx_media_file_library", vec![MediaFile::LibraryId]),
            (
                "idx_media_file_inode",
                vec![MediaFile::Device, MediaFile::Inode],
            ),
            ("idx_media_file_fingerprint", vec![MediaFile::Fingerprint]),
            (
                "idx_media_file_item",
                vec![MediaFile::Module, MediaFile::ItemId],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(MediaFile::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MediaFile::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(LibraryFolder::Table).to_owned())
            .await
    }
}
