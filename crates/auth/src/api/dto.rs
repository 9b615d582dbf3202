//! What the account API sends and takes.

use chrono::{DateTime, Utc};
use revenge_core::Id;
use serde::Serialize;
use utoipa::ToSchema;

use crate::entity::{api_key, session, user};
use crate::users::CapabilitySet;

/// An account as the API shows it (never its password hash).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserDto {
    pub id: Id,
    pub username: String,
    pub display_name: String,
    /// `admin` or `user`.
    pub role: String,
    pub capabilities: CapabilitySet,
    /// Parental limit (an age); `null` for none.
    pub max_rating_level: Option<i32>,
    pub disabled: bool,
    /// Granted libraries (administrators see all, whatever this says).
    pub library_ids: Vec<Id>,
    pub created_at: DateTime<Utc>,
}

impl UserDto {
    /// The view of an account with its grants.
    pub fn new(user: &user::Model, library_ids: Vec<Id>) -> Self {
        Self {
            id: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: user.role.clone(),
            capabilities: CapabilitySet {
                manage_libraries: user.can_manage_libraries,
                manage_users: user.can_manage_users,
                download: user.can_download,
                transcode: user.can_transcode,
                adult: user.can_access_adult,
            },
            max_rating_level: user.max_rating_level,
            disabled: user.disabled,
            library_ids,
            created_at: user.created_at,
        }
    }
}

/// A signed-in device.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionDto {
    pub id: Id,
    pub user_id: Id,
    pub device_name: Option<String>,
    pub user_agent: Option<String>,
    pub address: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Whether this is the session making the request.
    pub current: bool,
}

impl SessionDto {
    pub(crate) fn new(s: session::Model, current: Option<Id>) -> Self {
        Self {
            current: current == Some(s.id),
            id: s.id,
            user_id: s.user_id,
            device_name: s.device_name,
            user_agent: s.user_agent,
            address: s.address,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            expires_at: s.expires_at,
        }
    }
}

/// An API key as listed (the key itself is shown only when created).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiKeyDto {
    pub id: Id,
    pub name: String,
    /// The key's first characters.
    pub prefix: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<api_key::Model> for ApiKeyDto {
    fn from(k: api_key::Model) -> Self {
        Self {
            id: k.id,
            name: k.name,
            prefix: k.key_prefix,
            scopes: k.scopes.split(',').map(str::to_owned).collect(),
            created_at: k.created_at,
            expires_at: k.expires_at,
            last_used_at: k.last_used_at,
        }
    }
}
