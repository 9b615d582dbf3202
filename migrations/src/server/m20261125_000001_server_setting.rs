//! Server-wide key/value settings (the instance's id, and later settings edited through the API).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ServerSetting {
    Table,
    Key,
    Value,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ServerSetting::Table)
                    .col(string(ServerSetting::Key).primary_key())
                    .col(text(ServerSetting::Value))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ServerSetting::Table).to_owned())
            .await
    }
}
