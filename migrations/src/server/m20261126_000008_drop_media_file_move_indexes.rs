//! Drops the indexes on `media_file` (device, inode) and (fingerprint). A scan matches moved
//! files against the folder's records in memory and never looks either up in SQL, while every
//! new file paid for both (the fingerprint's random keys scatter its index across pages).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MediaFile {
    Table,
    Device,
    Inode,
    Fingerprint,
}

const INODE: &str = "idx_media_file_inode";
const FINGERPRINT: &str = "idx_media_file_fingerprint";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [INODE, FINGERPRINT] {
            manager
                .drop_index(Index::drop().name(name).table(MediaFile::Table).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, columns) in [
            (INODE, vec![MediaFile::Device, MediaFile::Inode]),
            (FINGERPRINT, vec![MediaFile::Fingerprint]),
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
}
