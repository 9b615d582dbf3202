//! Libraries, users and everything sign-in needs: library grants, sessions, API keys and the
//! record of login attempts.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, boolean, integer_null, string, string_null, text,
    text_null, timestamp_with_time_zone, timestamp_with_time_zone_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Library {
    Table,
    Id,
    Module,
    Name,
    CreatedAt,
}

// `user` is reserved in PostgreSQL.
#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
    Username,
    UsernameKey,
    DisplayName,
    PasswordHash,
    Role,
    CanManageLibraries,
    CanManageUsers,
    CanDownload,
    CanTranscode,
    CanAccessAdult,
    MaxRatingLevel,
    Disabled,
    Preferences,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UserLibrary {
    Table,
    UserId,
    LibraryId,
}

#[derive(DeriveIden)]
enum UserSession {
    Table,
    Id,
    UserId,
    TokenHash,
    DeviceName,
    UserAgent,
    Address,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum ApiKey {
    Table,
    Id,
    UserId,
    Name,
    KeyHash,
    KeyPrefix,
    Scopes,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum LoginAttempt {
    Table,
    Id,
    UsernameKey,
    UserId,
    Address,
    UserAgent,
    Success,
    At,
}

fn index(name: &str, table: impl IntoIden, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(Alias::new(*column));
    }
    index.to_owned()
}

fn user_fk(name: &str, table: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, Alias::new("user_id"))
        .to(AppUser::Table, AppUser::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Library::Table)
                    .col(big_pk_auto(Library::Id))
                    .col(string(Library::Module))
                    .col(text(Library::Name))
                    .col(timestamp_with_time_zone(Library::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AppUser::Table)
                    .col(big_pk_auto(AppUser::Id))
                    .col(string(AppUser::Username))
                    .col(string(AppUser::UsernameKey).unique_key())
                    .col(text(AppUser::DisplayName))
                    .col(text(AppUser::PasswordHash))
                    .col(string(AppUser::Role))
                    .col(boolean(AppUser::CanManageLibraries))
                    .col(boolean(AppUser::CanManageUsers))
                    .col(boolean(AppUser::CanDownload))
                    .col(boolean(AppUser::CanTranscode))
                    .col(boolean(AppUser::CanAccessAdult))
                    .col(integer_null(AppUser::MaxRatingLevel))
                    .col(boolean(AppUser::Disabled))
                    .col(text(AppUser::Preferences))
                    .col(timestamp_with_time_zone(AppUser::CreatedAt))
                    .col(timestamp_with_time_zone(AppUser::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserLibrary::Table)
                    .col(big_integer(UserLibrary::UserId))
                    .col(big_integer(UserLibrary::LibraryId))
                    .primary_key(
                        Index::create()
                            .col(UserLibrary::UserId)
                            .col(UserLibrary::LibraryId),
                    )
                    .foreign_key(&mut user_fk("fk_user_library_user", UserLibrary::Table))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_user_library_library")
                            .from(UserLibrary::Table, UserLibrary::LibraryId)
                            .to(Library::Table, Library::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserSession::Table)
                    .col(big_pk_auto(UserSession::Id))
                    .col(big_integer(UserSession::UserId))
                    .col(string(UserSession::TokenHash).unique_key())
                    .col(text_null(UserSession::DeviceName))
                    .col(text_null(UserSession::UserAgent))
                    .col(string_null(UserSession::Address))
                    .col(timestamp_with_time_zone(UserSession::CreatedAt))
                    .col(timestamp_with_time_zone(UserSession::LastSeenAt))
                    .col(timestamp_with_time_zone(UserSession::ExpiresAt))
                    .foreign_key(&mut user_fk("fk_user_session_user", UserSession::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_user_session_user",
                UserSession::Table,
                &["user_id"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiKey::Table)
                    .col(big_pk_auto(ApiKey::Id))
                    .col(big_integer(ApiKey::UserId))
                    .col(text(ApiKey::Name))
                    .col(string(ApiKey::KeyHash).unique_key())
                    .col(string(ApiKey::KeyPrefix))
                    .col(string(ApiKey::Scopes))
                    .col(timestamp_with_time_zone(ApiKey::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiKey::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ApiKey::LastUsedAt))
                    .foreign_key(&mut user_fk("fk_api_key_user", ApiKey::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_api_key_user", ApiKey::Table, &["user_id"]))
            .await?;
        // Login attempts outlive their user (an audit trail), so no foreign key.
        manager
            .create_table(
                Table::create()
                    .table(LoginAttempt::Table)
                    .col(big_pk_auto(LoginAttempt::Id))
                    .col(string(LoginAttempt::UsernameKey))
                    .col(big_integer_null(LoginAttempt::UserId))
                    .col(string_null(LoginAttempt::Address))
                    .col(text_null(LoginAttempt::UserAgent))
                    .col(boolean(LoginAttempt::Success))
                    .col(timestamp_with_time_zone(LoginAttempt::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_login_attempt_username_at",
                LoginAttempt::Table,
                &["username_key", "at"],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_login_attempt_address_at",
                LoginAttempt::Table,
                &["address", "at"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            LoginAttempt::Table.into_iden(),
            ApiKey::Table.into_iden(),
            UserSession::Table.into_iden(),
            UserLibrary::Table.into_iden(),
            AppUser::Table.into_iden(),
            Library::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
