//! The `media_file` table — every file the scanner found — and the file list every module's
//! item detail shows. The scanner writes it; modules only read it.

use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, sea_query::Order};
use serde::Serialize;
use utoipa::ToSchema;

use crate::Id;

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
    /// The in-process readers failed and ffprobe has yet to try (a job after the scan).
    pub probe_pending: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A file of an item, as item details show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaFileDto {
    /// The file's id (what streams will be addressed by).
    pub id: Id,
    /// Its path below its library folder.
    pub path: String,
    /// Its size in bytes.
    pub size: i64,
    /// Technical metadata: container, duration, video/audio/subtitle tracks, chapters.
    #[schema(value_type = Object)]
    pub info: Option<serde_json::Value>,
    /// Why the file could not be read, when it could not (it is listed all the same).
    pub error: Option<String>,
}

/// The files of one item of `module`, oldest first.
pub async fn files_of<C: ConnectionTrait>(
    db: &C,
    module: &str,
    item_id: Id,
) -> Result<Vec<MediaFileDto>, DbErr> {
    Ok(Entity::find()
        .filter(Column::Module.eq(module))
        .filter(Column::ItemId.eq(item_id))
        .order_by(Column::Id, Order::Asc)
        .all(db)
        .await?
        .into_iter()
        .map(|f| MediaFileDto {
            id: f.id,
            path: f.rel_path,
            size: f.size,
            info: f.info.and_then(|json| serde_json::from_str(&json).ok()),
            error: f.error,
        })
        .collect())
}

#[derive(sea_orm::DeriveIden)]
enum LibraryFolder {
    Table,
    Id,
    Path,
}

/// Where the files of one item of `module` are on disk, oldest first.
pub async fn absolute_paths_of<C: ConnectionTrait>(
    db: &C,
    module: &str,
    item_id: Id,
) -> Result<Vec<std::path::PathBuf>, DbErr> {
    let files = Entity::find()
        .filter(Column::Module.eq(module))
        .filter(Column::ItemId.eq(item_id))
        .order_by(Column::Id, Order::Asc)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for file in files {
        if let Some(path) = absolute_path(db, &file).await? {
            out.push(path);
        }
    }
    Ok(out)
}

/// Where one file is on disk: its folder's path joined with its raw relative path; `None` when
/// the folder is gone.
pub async fn absolute_path<C: ConnectionTrait>(
    db: &C,
    file: &Model,
) -> Result<Option<std::path::PathBuf>, DbErr> {
    use std::os::unix::ffi::OsStrExt;

    use sea_orm::sea_query::{Expr, ExprTrait, Query};

    let query = Query::select()
        .column(LibraryFolder::Path)
        .from(LibraryFolder::Table)
        .and_where(Expr::col(LibraryFolder::Id).eq(file.folder_id))
        .to_owned();
    let Some(row) = db.query_one(&query).await? else {
        return Ok(None);
    };
    let folder: String = row.try_get("", "path")?;
    let rel = std::ffi::OsStr::from_bytes(&file.path_bytes);
    Ok(Some(std::path::Path::new(&folder).join(rel)))
}
