//! User management: administrators and users with the manage-users capability.

use axum::Json;
use axum::extract::State;
use http::StatusCode;
use revenge_core::extract::{ApiJson, ApiPath};
use revenge_core::{Id, Problem};
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::UserDto;
use crate::service::Principal;
use crate::users::{self, CapabilitySet, NewUser, UserPatch};
use crate::{AuthError, AuthService};

fn require_manage_users(principal: &Principal) -> Result<(), AuthError> {
    if principal.viewer.capabilities.manage_users {
        Ok(())
    } else {
        Err(AuthError::Forbidden(
            "this needs the manage-users capability",
        ))
    }
}

/// Every account.
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses(
        (status = 200, description = "Accounts", body = Vec<UserDto>),
        (status = 403, description = "Not allowed", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(super) async fn list_users(
    State(auth): State<AuthService>,
    principal: Principal,
) -> Result<Json<Vec<UserDto>>, Problem> {
    require_manage_users(&principal)?;
    let mut out = Vec::new();
    for user in users::list(auth.db()).await? {
        let grants = users::grants(auth.db(), user.id).await?;
        out.push(UserDto::new(&user, grants));
    }
    Ok(Json(out))
}

/// `POST /api/v1/users`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    username: String,
    password: String,
    display_name: Option<String>,
    /// `admin` or `user` (default).
    role: Option<String>,
    /// Default: download and transcode.
    capabilities: Option<CapabilitySet>,
    max_rating_level: Option<i32>,
    #[serde(default)]
    library_ids: Vec<Id>,
}

/// Creates an account.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUser,
    responses(
        (status = 201, description = "The account", body = UserDto),
        (status = 400, description = "Invalid field", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "User name taken", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(super) async fn create_user(
    State(auth): State<AuthService>,
    principal: Principal,
    ApiJson(body): ApiJson<CreateUser>,
) -> Result<(StatusCode, Json<UserDto>), Problem> {
    require_manage_users(&principal)?;
    let admin = match body.role.as_deref() {
        None | Some("user") => false,
        Some("admin") => true,
        Some(_) => return Err(AuthError::invalid("role", "must be `admin` or `user`").into()),
    };
    let mut new = NewUser::basic(&body.username, &body.password);
    new.display_name = body.display_name;
    new.admin = admin;
    if let Some(caps) = body.capabilities {
        new.capabilities = caps;
    }
    new.max_rating_level = body.max_rating_level;
    new.library_ids = body.library_ids;
    let elevated = new.admin || new.capabilities.adult || new.capabilities.manage_users;
    if elevated && !principal.viewer.is_admin {
        return Err(AuthError::Forbidden(
            "only an administrator creates administrators or grants adult content or user management",
        )
        .into());
    }
    let user = auth.create_user(&new).await?;
    let grants = users::grants(auth.db(), user.id).await?;
    Ok((StatusCode::CREATED, Json(UserDto::new(&user, grants))))
}

/// One account: one's own, or any for user managers.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = Id, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The account", body = UserDto),
        (status = 404, description = "No such user (or not the caller's to see)", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(super) async fn get_user(
    State(auth): State<AuthService>,
    principal: Principal,
    ApiPath(id): ApiPath<Id>,
) -> Result<Json<UserDto>, Problem> {
    if id != principal.user.id && !principal.viewer.capabilities.manage_users {
        return Err(AuthError::NotFound("user").into());
    }
    let user = users::get(auth.db(), id).await?;
    let grants = users::grants(auth.db(), id).await?;
    Ok(Json(UserDto::new(&user, grants)))
}

/// Changes an account: rights, limits, grants, disabling (sessions stop at once), password.
/// Needs the manage-users capability, even for one's own account (whose display name anyone
/// changes with `PATCH /api/v1/me`).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = UserPatch,
    params(("id" = Id, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The account", body = UserDto),
        (status = 403, description = "Not allowed", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Would leave no administrator", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(super) async fn update_user(
    State(auth): State<AuthService>,
    principal: Principal,
    ApiPath(id): ApiPath<Id>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> Result<Json<UserDto>, Problem> {
    if id == principal.user.id && !principal.viewer.capabilities.manage_users {
        return Err(AuthError::Forbidden(
            "this needs the manage-users capability; change your own display name with PATCH /api/v1/me",
        )
        .into());
    }
    require_manage_users(&principal)?;
    let hash = match &patch.password {
        Some(password) => {
            users::validate_password("password", password)?;
            Some(auth.hash_password(password).await?)
        }
        None => None,
    };
    let user = users::update(auth.db(), &principal.viewer, id, &patch, hash).await?;
    if patch.password.is_some() {
        auth.end_other_sessions(id, None).await?;
    }
    // Rights, limits, grants or the disabled flag may have changed.
    auth.invalidate_user(id).await;
    let grants = users::grants(auth.db(), id).await?;
    Ok(Json(UserDto::new(&user, grants)))
}

/// Deletes an account with its sessions and keys.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = Id, Path, description = "The user's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "The last administrator", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(super) async fn delete_user(
    State(auth): State<AuthService>,
    principal: Principal,
    ApiPath(id): ApiPath<Id>,
) -> Result<StatusCode, Problem> {
    require_manage_users(&principal)?;
    users::delete(auth.db(), &principal.viewer, id).await?;
    auth.invalidate_user(id).await;
    Ok(StatusCode::NO_CONTENT)
}
