//! The `app_user` table.

use sea_orm::entity::prelude::*;

/// One account.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "app_user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub username: String,
    /// Lower-cased user name: names are unique regardless of case.
    pub username_key: String,
    pub display_name: String,
    pub password_hash: String,
    /// `admin` or `user`.
    pub role: String,
    pub can_manage_libraries: bool,
    pub can_manage_users: bool,
    pub can_download: bool,
    pub can_transcode: bool,
    pub can_access_adult: bool,
    pub max_rating_level: Option<i32>,
    pub disabled: bool,
    /// A JSON object owned by the clients.
    pub preferences: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The administrator role.
pub const ROLE_ADMIN: &str = "admin";
/// The ordinary role.
pub const ROLE_USER: &str = "user";

impl Model {
    /// Whether the account is an administrator.
    pub fn is_admin(&self) -> bool {
        self.role == ROLE_ADMIN
    }
}
