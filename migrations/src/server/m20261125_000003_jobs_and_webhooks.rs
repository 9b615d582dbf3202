//! The durable job queue, and webhooks with their delivery log.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, boolean, integer, integer_null, string,
    string_null, text, text_null, timestamp_with_time_zone, timestamp_with_time_zone_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Job {
    Table,
    Id,
    Kind,
    Queue,
    Payload,
    Priority,
    State,
    Attempts,
    MaxAttempts,
    RunAt,
    UniqueKey,
    LockedBy,
    LeaseUntil,
    CancelRequested,
    LastError,
    ProgressDone,
    ProgressTotal,
    ProgressMessage,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum Webhook {
    Table,
    Id,
    Name,
    Source,
    Url,
    Events,
    Secret,
    Headers,
    Enabled,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDelivery {
    Table,
    Id,
    WebhookId,
    EventId,
    EventType,
    Body,
    State,
    Attempts,
    ResponseCode,
    LastError,
    CreatedAt,
    DeliveredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Job::Table)
                    .col(big_pk_auto(Job::Id))
                    .col(string(Job::Kind))
                    .col(string(Job::Queue))
                    .col(text(Job::Payload))
                    .col(integer(Job::Priority))
                    .col(string(Job::State))
                    .col(integer(Job::Attempts))
                    .col(integer(Job::MaxAttempts))
                    .col(timestamp_with_time_zone(Job::RunAt))
                    .col(string_null(Job::UniqueKey))
                    .col(string_null(Job::LockedBy))
                    .col(timestamp_with_time_zone_null(Job::LeaseUntil))
                    .col(boolean(Job::CancelRequested))
                    .col(text_null(Job::LastError))
                    .col(big_integer(Job::ProgressDone))
                    .col(big_integer_null(Job::ProgressTotal))
                    .col(text_null(Job::ProgressMessage))
                    .col(timestamp_with_time_zone(Job::CreatedAt))
                    .col(timestamp_with_time_zone(Job::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Job::FinishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_job_claim")
                    .table(Job::Table)
                    .col(Job::Queue)
                    .col(Job::State)
                    .col(Job::RunAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_job_kind_state")
                    .table(Job::Table)
                    .col(Job::Kind)
                    .col(Job::State)
                    .to_owned(),
            )
            .await?;
        // At most one queued-or-running job per unique key (one scan per library at a time).
        // A partial unique index, written out because the schema builder has no WHERE for
        // indexes; the statement is the same on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_job_unique_active ON job (unique_key) \
                 WHERE unique_key IS NOT NULL AND state IN ('queued', 'running')",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Webhook::Table)
                    .col(big_pk_auto(Webhook::Id))
                    .col(string(Webhook::Name).unique_key())
                    .col(string(Webhook::Source))
                    .col(text(Webhook::Url))
                    .col(text(Webhook::Events))
                    .col(text(Webhook::Secret))
                    .col(text(Webhook::Headers))
                    .col(boolean(Webhook::Enabled))
                    .col(timestamp_with_time_zone(Webhook::CreatedAt))
                    .col(timestamp_with_time_zone(Webhook::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDelivery::Table)
                    .col(big_pk_auto(WebhookDelivery::Id))
                    .col(big_integer(WebhookDelivery::WebhookId))
                    .col(string(WebhookDelivery::EventId))
                    .col(string(WebhookDelivery::EventType))
                    .col(text(WebhookDelivery::Body))
                    .col(string(WebhookDelivery::State))
                    .col(integer(WebhookDelivery::Attempts))
                    .col(integer_null(WebhookDelivery::ResponseCode))
                    .col(text_null(WebhookDelivery::LastError))
                    .col(timestamp_with_time_zone(WebhookDelivery::CreatedAt))
                    .col(timestamp_with_time_zone_null(WebhookDelivery::DeliveredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_delivery_webhook")
                            .from(WebhookDelivery::Table, WebhookDelivery::WebhookId)
                            .to(Webhook::Table, Webhook::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_delivery_webhook")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::WebhookId)
                    .col(WebhookDelivery::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WebhookDelivery::Table.into_iden(),
            Webhook::Table.into_iden(),
            Job::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
