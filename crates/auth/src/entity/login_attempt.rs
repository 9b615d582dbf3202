//! The `login_attempt` table: every sign-in, for throttling and the audit trail.

use sea_orm::entity::prelude::*;

/// One attempt.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_attempt")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub username_key: String,
    pub user_id: Option<i64>,
    pub address: Option<String>,
    pub user_agent: Option<String>,
    pub success: bool,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
