//! The `media_file` table.

use sea_orm::entity::prelude::*;

/// One file of one library folder.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "media_file")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub library_id: i64,
    pub folder_id: i64,
    pub module: String,
    /// The path below the folder, as raw bytes (names need not be UTF-8).
    pub path_bytes: Vec<u8>,
    /// The same, for people.
    pub rel_path: String,
    pub size: i64,
    pub mtime_ns: i64,
    pub inode: Option<i64>,
    pub device: Option<i64>,
    pub fingerprint: Option<String>,
    /// `item` (belongs to an item), `skipped` (a sample, trailer, …) or `error`.
    pub kind: String,
    pub item_id: Option<i64>,
    /// JSON technical metadata.
    pub info: Option<String>,
    /// Why the file could not be read, if it could not.
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
