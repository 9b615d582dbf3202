//! The `job` table.

use sea_orm::entity::prelude::*;

/// One job.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub queue: String,
    /// JSON.
    pub payload: String,
    /// Higher runs first.
    pub priority: i32,
    /// `queued`, `running`, `succeeded`, `failed`, `cancelled`.
    pub state: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTimeUtc,
    pub unique_key: Option<String>,
    /// The worker holding the lease.
    pub locked_by: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    pub cancel_requested: bool,
    /// Asked for again while running: it is queued again when it ends.
    pub rerun_requested: bool,
    pub last_error: Option<String>,
    pub progress_done: i64,
    pub progress_total: Option<i64>,
    pub progress_message: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
