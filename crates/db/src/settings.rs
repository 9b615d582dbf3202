//! Server-wide settings kept in the database (the `server_setting` table).

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use sea_orm_migration::prelude::DeriveIden;

use crate::DbError;

#[derive(DeriveIden)]
enum ServerSetting {
    Table,
    Key,
    Value,
}

/// The key under which the instance id is stored.
const SERVER_ID: &str = "server_id";

/// Reads one setting.
pub async fn get(conn: &DatabaseConnection, key: &str) -> Result<Option<String>, DbError> {
    let query = Query::select()
        .column(ServerSetting::Value)
        .from(ServerSetting::Table)
        .and_where(Expr::col(ServerSetting::Key).eq(key))
        .to_owned();
    match conn.query_one(&query).await? {
        Some(row) => Ok(Some(row.try_get("", "value")?)),
        None => Ok(None),
    }
}

/// Stores a setting unless it is already set; returns the value that is now stored. Two
/// instances starting at once on one database agree on the value.
pub async fn get_or_insert(
    conn: &DatabaseConnection,
    key: &str,
    value: &str,
) -> Result<String, DbError> {
    let insert = Query::insert()
        .into_table(ServerSetting::Table)
        .columns([ServerSetting::Key, ServerSetting::Value])
        .values([key.into(), value.into()])
        .map_err(|e| DbError::Query(sea_orm::DbErr::Custom(e.to_string())))?
        .on_conflict(
            OnConflict::column(ServerSetting::Key)
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    conn.execute(&insert).await?;
    get(conn, key)
        .await?
        .ok_or_else(|| DbError::Query(sea_orm::DbErr::RecordNotFound(key.to_owned())))
}

/// This installation's id: made once, kept for the life of the database (clients use it to tell
/// servers apart).
pub async fn server_id(conn: &DatabaseConnection) -> Result<String, DbError> {
    let fresh = uuid::Uuid::new_v4().simple().to_string();
    get_or_insert(conn, SERVER_ID, &fresh).await
}
