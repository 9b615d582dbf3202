//! The `api_key` table.

use sea_orm::entity::prelude::*;

/// One API key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_key")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// SHA-256 of the key; the key itself is shown once and never stored.
    pub key_hash: String,
    /// The first characters of the key, so people can tell keys apart.
    pub key_prefix: String,
    /// Comma-separated scopes: `read`, `write`, `admin`.
    pub scopes: String,
    pub created_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
