//! Accounts: validation, creation, changes, library grants, and the rule that one enabled
//! administrator always remains.

use chrono::Utc;
use revenge_core::{Capabilities, Id, LibraryScope, Viewer};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AuthError;
use crate::entity::user::{self, ROLE_ADMIN, ROLE_USER};
use crate::entity::user_library;

/// Longest user name, in characters.
pub const MAX_USERNAME: usize = 64;
/// Shortest password, in characters.
pub const MIN_PASSWORD: usize = 8;
/// Longest password, in characters: argon2 hashes anything, but megabyte passwords are a cheap
/// way to burn server CPU.
pub const MAX_PASSWORD: usize = 256;
/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME: usize = 128;

/// Checks a user name: 1–64 letters, digits and `. _ - @`.
pub fn validate_username(name: &str) -> Result<(), AuthError> {
    let count = name.chars().count();
    if count == 0 || count > MAX_USERNAME {
        return Err(AuthError::invalid(
            "username",
            format!("must be 1 to {MAX_USERNAME} characters"),
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return Err(AuthError::invalid(
            "username",
            "may hold only letters, digits and . _ - @",
        ));
    }
    Ok(())
}

/// Checks a new password's length.
pub fn validate_password(field: &'static str, password: &str) -> Result<(), AuthError> {
    let count = password.chars().count();
    if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&count) {
        return Err(AuthError::invalid(
            field,
            format!("must be {MIN_PASSWORD} to {MAX_PASSWORD} characters"),
        ));
    }
    Ok(())
}

fn validate_display_name(name: &str) -> Result<(), AuthError> {
    if name.chars().count() > MAX_DISPLAY_NAME || name.chars().any(char::is_control) {
        return Err(AuthError::invalid(
            "display_name",
            format!("must be at most {MAX_DISPLAY_NAME} printable characters"),
        ));
    }
    Ok(())
}

/// The key user names are unique by.
pub fn username_key(name: &str) -> String {
    name.to_lowercase()
}

/// What a user may do besides seeing, as the API shows and takes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapabilitySet {
    /// Create, change and scan libraries.
    #[serde(default)]
    pub manage_libraries: bool,
    /// Create, change and delete users.
    #[serde(default)]
    pub manage_users: bool,
    /// Download original files.
    #[serde(default)]
    pub download: bool,
    /// Have media transcoded.
    #[serde(default)]
    pub transcode: bool,
    /// See the adult section. Only administrators grant it.
    #[serde(default)]
    pub adult: bool,
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in name.
    pub username: String,
    /// Clear-text password (hashed before it is stored).
    pub password: String,
    /// Shown name; the user name when absent.
    pub display_name: Option<String>,
    /// Administrator?
    pub admin: bool,
    /// Capabilities beyond the role.
    pub capabilities: CapabilitySet,
    /// Parental limit.
    pub max_rating_level: Option<i32>,
    /// Libraries granted (ignored for administrators, who see all).
    pub library_ids: Vec<Id>,
}

impl NewUser {
    /// An ordinary user with default rights: download and transcode, nothing else.
    pub fn basic(username: &str, password: &str) -> Self {
        Self {
            username: username.to_owned(),
            password: password.to_owned(),
            display_name: None,
            admin: false,
            capabilities: CapabilitySet {
                download: true,
                transcode: true,
                ..CapabilitySet::default()
            },
            max_rating_level: None,
            library_ids: Vec::new(),
        }
    }
}

/// Inserts an account whose password is already hashed.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    new: &NewUser,
    password_hash: String,
) -> Result<user::Model, AuthError> {
    validate_username(&new.username)?;
    let display_name = new
        .display_name
        .clone()
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| new.username.clone());
    validate_display_name(&display_name)?;
    let key = username_key(&new.username);
    let taken = user::Entity::find()
        .filter(user::Column::UsernameKey.eq(key.as_str()))
        .count(db)
        .await?
        > 0;
    if taken {
        return Err(AuthError::UsernameTaken(new.username.clone()));
    }
    let now = Utc::now();
    let model = user::ActiveModel {
        username: Set(new.username.clone()),
        username_key: Set(key),
        display_name: Set(display_name),
        password_hash: Set(password_hash),
        role: Set(if new.admin { ROLE_ADMIN } else { ROLE_USER }.to_owned()),
        can_manage_libraries: Set(new.capabilities.manage_libraries),
        can_manage_users: Set(new.capabilities.manage_users),
        can_download: Set(new.capabilities.download),
        can_transcode: Set(new.capabilities.transcode),
        can_access_adult: Set(new.capabilities.adult),
        max_rating_level: Set(new.max_rating_level),
        disabled: Set(false),
        preferences: Set("{}".to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| match e.sql_err() {
        // Two creations racing for one name: the unique index decides.
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            AuthError::UsernameTaken(new.username.clone())
        }
        _ => AuthError::Db(e),
    })?;
    set_grants(db, model.id, &new.library_ids).await?;
    Ok(model)
}

/// Replaces a user's library grants; every id must name a library.
pub async fn set_grants<C: ConnectionTrait>(
    db: &C,
    user_id: Id,
    library_ids: &[Id],
) -> Result<(), AuthError> {
    let mut ids = library_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if !ids.is_empty() {
        let query = Query::select()
            .expr(Expr::col(LibraryIden::Id).count())
            .from(LibraryIden::Table)
            .and_where(Expr::col(LibraryIden::Id).is_in(ids.iter().copied()))
            .to_owned();
        let found: i64 = match db.query_one(&query).await? {
            Some(row) => row.try_get_by_index(0)?,
            None => 0,
        };
        if usize::try_from(found).ok() != Some(ids.len()) {
            return Err(AuthError::invalid(
                "library_ids",
                "names a library that does not exist",
            ));
        }
    }
    user_library::Entity::delete_many()
        .filter(user_library::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    for library_id in ids {
        user_library::ActiveModel {
            user_id: Set(user_id),
            library_id: Set(library_id),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

#[derive(sea_orm::DeriveIden)]
enum LibraryIden {
    #[sea_orm(iden = "library")]
    Table,
    Id,
}

/// The libraries granted to a user.
pub async fn grants<C: ConnectionTrait>(db: &C, user_id: Id) -> Result<Vec<Id>, AuthError> {
    Ok(user_library::Entity::find()
        .filter(user_library::Column::UserId.eq(user_id))
        .order_by_asc(user_library::Column::LibraryId)
        .all(db)
        .await?
        .into_iter()
        .map(|g| g.library_id)
        .collect())
}

/// One account.
pub async fn get<C: ConnectionTrait>(db: &C, id: Id) -> Result<user::Model, AuthError> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AuthError::NotFound("user"))
}

/// The account with this user name (any case).
pub async fn find_by_username<C: ConnectionTrait>(
    db: &C,
    username: &str,
) -> Result<Option<user::Model>, AuthError> {
    Ok(user::Entity::find()
        .filter(user::Column::UsernameKey.eq(username_key(username)))
        .one(db)
        .await?)
}

/// Every account, by user name.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<user::Model>, AuthError> {
    Ok(user::Entity::find()
        .order_by_asc(user::Column::UsernameKey)
        .all(db)
        .await?)
}

/// How many accounts exist.
pub async fn count<C: ConnectionTrait>(db: &C) -> Result<u64, AuthError> {
    Ok(user::Entity::find().count(db).await?)
}

/// How many enabled administrators exist, leaving one out.
pub async fn other_enabled_admins<C: ConnectionTrait>(
    db: &C,
    except: Id,
) -> Result<u64, AuthError> {
    Ok(user::Entity::find()
        .filter(user::Column::Role.eq(ROLE_ADMIN))
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::Id.ne(except))
        .count(db)
        .await?)
}

/// Changes to an account. `None` leaves a field alone.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// Shown name.
    pub display_name: Option<String>,
    /// `admin` or `user` (administrators only).
    pub role: Option<String>,
    /// Capabilities (granting `adult` needs an administrator).
    pub capabilities: Option<CapabilitySet>,
    /// Parental limit; `null` removes it.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub max_rating_level: Option<Option<i32>>,
    /// Disable or enable the account; a disabled account's sessions stop working at once.
    pub disabled: Option<bool>,
    /// Replaces the library grants.
    pub library_ids: Option<Vec<Id>>,
    /// A new password (its sessions end).
    pub password: Option<String>,
}

/// Distinguishes an absent field from an explicit `null`.
mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

/// Applies a patch on behalf of `actor`, enforcing who may change what. `password_hash` is the
/// hash of `patch.password`, computed by the caller off the async runtime.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    actor: &Viewer,
    id: Id,
    patch: &UserPatch,
    password_hash: Option<String>,
) -> Result<user::Model, AuthError> {
    let current = get(db, id).await?;
    let mut model = current.clone().into_active_model();
    if let Some(name) = &patch.display_name {
        model.display_name = Set(display_name_for(&current, name)?);
    }
    let demoting = match patch.role.as_deref() {
        None => false,
        Some(role @ (ROLE_ADMIN | ROLE_USER)) => {
            if role != current.role && !actor.is_admin {
                return Err(AuthError::Forbidden("only an administrator changes roles"));
            }
            model.role = Set(role.to_owned());
            current.is_admin() && role == ROLE_USER
        }
        Some(_) => return Err(AuthError::invalid("role", "must be `admin` or `user`")),
    };
    if let Some(caps) = patch.capabilities {
        if caps.adult != current.can_access_adult && !actor.is_admin {
            return Err(AuthError::Forbidden(
                "only an administrator grants adult content",
            ));
        }
        if caps.manage_users != current.can_manage_users && !actor.is_admin {
            return Err(AuthError::Forbidden(
                "only an administrator grants user management",
            ));
        }
        model.can_manage_libraries = Set(caps.manage_libraries);
        model.can_manage_users = Set(caps.manage_users);
        model.can_download = Set(caps.download);
        model.can_transcode = Set(caps.transcode);
        model.can_access_adult = Set(caps.adult);
    }
    if let Some(limit) = patch.max_rating_level {
        model.max_rating_level = Set(limit);
    }
    let disabling = patch.disabled == Some(true) && !current.disabled;
    if let Some(disabled) = patch.disabled {
        model.disabled = Set(disabled);
    }
    let removes_an_admin = (demoting || disabling) && current.is_admin() && !current.disabled;
    if removes_an_admin && other_enabled_admins(db, id).await? == 0 {
        return Err(AuthError::LastAdmin);
    }
    if current.is_admin() && !actor.is_admin {
        return Err(AuthError::Forbidden(
            "only an administrator changes an administrator",
        ));
    }
    if let Some(hash) = password_hash {
        model.password_hash = Set(hash);
    }
    model.updated_at = Set(Utc::now());
    let updated = model.update(db).await?;
    if let Some(ids) = &patch.library_ids {
        set_grants(db, id, ids).await?;
    }
    Ok(updated)
}

/// The display name stored for `name`: validated, and the user name when left blank, so an
/// account always shows something.
fn display_name_for(current: &user::Model, name: &str) -> Result<String, AuthError> {
    validate_display_name(name)?;
    Ok(if name.trim().is_empty() {
        current.username.clone()
    } else {
        name.to_owned()
    })
}

/// Changes only the display name: what every user may do to their own account, with no rights
/// check beyond being that user.
pub async fn rename<C: ConnectionTrait>(
    db: &C,
    id: Id,
    display_name: &str,
) -> Result<user::Model, AuthError> {
    let current = get(db, id).await?;
    let mut model = current.clone().into_active_model();
    model.display_name = Set(display_name_for(&current, display_name)?);
    model.updated_at = Set(Utc::now());
    Ok(model.update(db).await?)
}

/// Deletes an account (its sessions, keys and grants go with it).
pub async fn delete<C: ConnectionTrait>(db: &C, actor: &Viewer, id: Id) -> Result<(), AuthError> {
    let current = get(db, id).await?;
    if current.is_admin() {
        if !actor.is_admin {
            return Err(AuthError::Forbidden(
                "only an administrator deletes an administrator",
            ));
        }
        if !current.disabled && other_enabled_admins(db, id).await? == 0 {
            return Err(AuthError::LastAdmin);
        }
    }
    user::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// What a user's credentials let them see and do. Without `admin_scope` (an API key not scoped
/// `admin`) the administrative rights — administrator, managing users and libraries — are
/// withheld, whatever the account holds.
pub fn viewer_for(
    user: &user::Model,
    grants: Vec<Id>,
    can_write: bool,
    admin_scope: bool,
) -> Viewer {
    let is_admin = user.is_admin() && admin_scope;
    Viewer {
        user_id: user.id,
        is_admin,
        libraries: if user.is_admin() {
            LibraryScope::All
        } else {
            LibraryScope::Only(grants)
        },
        max_rating_level: user.max_rating_level,
        capabilities: Capabilities {
            manage_libraries: admin_scope && (is_admin || user.can_manage_libraries),
            manage_users: admin_scope && (is_admin || user.can_manage_users),
            download: user.is_admin() || user.can_download,
            transcode: user.is_admin() || user.can_transcode,
            adult: user.can_access_adult,
        },
        can_write,
    }
}
