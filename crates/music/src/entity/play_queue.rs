//! The `music_play_queue` table: each user's saved play queue.

use sea_orm::entity::prelude::*;

/// One user's queue.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "music_play_queue")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    /// JSON list of track ids, in order.
    pub track_ids: String,
    pub current_id: Option<i64>,
    pub position_ms: i64,
    pub changed_at: DateTimeUtc,
    /// The client that saved it.
    pub changed_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
