//! The `playback_state` table — where each user is in each item — as an entity shared by the
//! playback crate (which writes it) and content modules (which read it for "next up") without
//! either depending on the other.

use sea_orm::entity::prelude::*;

/// One user's progress in one item of one module.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "playback_state")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub module: String,
    pub item_id: i64,
    /// Where to resume, in milliseconds (0 once played to the end).
    pub position_ms: i64,
    /// The item's length as last reported, in milliseconds.
    pub duration_ms: Option<i64>,
    /// Watched past the "played" threshold, or marked so.
    pub played: bool,
    pub play_count: i32,
    pub last_played_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
