//! Setup, sign-in and sign-out, and the caller's own account.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::{HeaderValue, StatusCode, header};
use revenge_core::Problem;
use revenge_core::extract::ApiJson;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::UserDto;
use crate::middleware::{Client, MEDIA_TOKEN_PARAM};
use crate::service::{Principal, Via};
use crate::users::{self, CapabilitySet, NewUser};
use crate::{AuthError, AuthService};

/// Preferences larger than this are refused.
const MAX_PREFERENCES_BYTES: usize = 64 * 1024;

/// `POST /api/v1/setup`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    /// The token printed in the server log at start-up.
    setup_token: String,
    username: String,
    password: String,
    display_name: Option<String>,
}

/// Creates the first administrator. Answers 409 once one exists.
#[utoipa::path(post, path = "/api/v1/setup", tag = "auth", request_body = SetupRequest,
    responses(
        (status = 201, description = "The administrator", body = UserDto),
        (status = 400, description = "Invalid field", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Wrong setup token", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Setup is complete", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(super) async fn setup(
    State(auth): State<AuthService>,
    ApiJson(body): ApiJson<SetupRequest>,
) -> Result<(StatusCode, Json<UserDto>), Problem> {
    let new = NewUser {
        display_name: body.display_name,
        capabilities: CapabilitySet {
            manage_libraries: true,
            manage_users: true,
            download: true,
            transcode: true,
            adult: false,
        },
        ..NewUser::basic(&body.username, &body.password)
    };
    let user = auth.setup(&body.setup_token, new).await?;
    Ok((StatusCode::CREATED, Json(UserDto::new(&user, Vec::new()))))
}

/// `POST /api/v1/auth/login`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    username: String,
    password: String,
    /// A name for this device, shown in the session list.
    device_name: Option<String>,
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`. Shown only now.
    token: String,
    session_id: i64,
    expires_at: DateTime<Utc>,
    user: UserDto,
}

/// Signs in. After too many failures for the account or from the address: 429 with
/// Retry-After.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = LoginResponse),
        (status = 401, description = "Wrong user name or password", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Account disabled", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(super) async fn login(
    State(auth): State<AuthService>,
    Client(mut client): Client,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Response {
    if let Some(name) = body.device_name {
        client.device_name = Some(name.chars().take(128).collect());
    }
    match auth.login(&body.username, &body.password, &client).await {
        Ok(login) => {
            let grants = users::grants(auth.db(), login.user.id)
                .await
                .unwrap_or_default();
            Json(LoginResponse {
                token: login.token,
                session_id: login.session.id,
                expires_at: login.session.expires_at,
                user: UserDto::new(&login.user, grants),
            })
            .into_response()
        }
        Err(AuthError::Throttled { retry_after_secs }) => {
            let mut response =
                Problem::from(AuthError::Throttled { retry_after_secs }).into_response();
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        Err(other) => Problem::from(other).into_response(),
    }
}

/// Ends the calling session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out")))]
pub(super) async fn logout(
    State(auth): State<AuthService>,
    principal: Principal,
) -> Result<StatusCode, Problem> {
    match principal.via {
        Via::Session(id) => auth.delete_session(id).await?,
        _ => {
            return Err(AuthError::invalid(
                "authorization",
                "only a session signs out; revoke API keys with DELETE /api/v1/api-keys/{id}",
            )
            .into());
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's account.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, description = "The caller", body = UserDto)))]
pub(super) async fn me(
    State(auth): State<AuthService>,
    principal: Principal,
) -> Result<Json<UserDto>, Problem> {
    let grants = users::grants(auth.db(), principal.user.id).await?;
    Ok(Json(UserDto::new(&principal.user, grants)))
}

/// `PATCH /api/v1/me`: what every user may change about their own account. Role,
/// capabilities, limits, grants and the disabled flag are not fields here (sending one is a 400
/// naming it): they belong to `PATCH /api/v1/users/{id}`, which needs the manage-users
/// capability.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MePatch {
    /// Shown name; blank resets it to the user name.
    display_name: Option<String>,
}

/// Changes the caller's own account (its display name).
#[utoipa::path(patch, path = "/api/v1/me", tag = "auth", request_body = MePatch,
    responses(
        (status = 200, description = "The caller", body = UserDto),
        (status = 400, description = "Invalid field, or one only user managers change", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(super) async fn update_me(
    State(auth): State<AuthService>,
    principal: Principal,
    ApiJson(patch): ApiJson<MePatch>,
) -> Result<Json<UserDto>, Problem> {
    let user = match &patch.display_name {
        Some(name) => auth.set_display_name(principal.user.id, name).await?,
        None => principal.user,
    };
    let grants = users::grants(auth.db(), user.id).await?;
    Ok(Json(UserDto::new(&user, grants)))
}

/// `PUT /api/v1/me/password`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// Changes the caller's password; their other sessions end.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "auth", request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, description = "Wrong current password or invalid new one", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(super) async fn change_password(
    State(auth): State<AuthService>,
    principal: Principal,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, Problem> {
    auth.change_password(&principal, &body.current_password, &body.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's preferences (a JSON object owned by the clients).
#[utoipa::path(get, path = "/api/v1/me/preferences", tag = "auth",
    responses((status = 200, description = "Preferences", body = Object)))]
pub(super) async fn get_preferences(principal: Principal) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        principal.user.preferences,
    )
        .into_response()
}

/// Replaces the caller's preferences (a JSON object of at most 64 KiB).
#[utoipa::path(put, path = "/api/v1/me/preferences", tag = "auth", request_body = Object,
    responses(
        (status = 204, description = "Stored"),
        (status = 400, description = "Not a JSON object, or too large", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(super) async fn put_preferences(
    State(auth): State<AuthService>,
    principal: Principal,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<StatusCode, Problem> {
    if !body.is_object() {
        return Err(AuthError::invalid("preferences", "must be a JSON object").into());
    }
    let json = body.to_string();
    if json.len() > MAX_PREFERENCES_BYTES {
        return Err(AuthError::invalid("preferences", "must be at most 64 KiB").into());
    }
    auth.set_preferences(principal.user.id, &json).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/auth/media-token`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaTokenRequest {
    /// The API path a player will GET, e.g. `/api/v1/stream/42`.
    path: String,
}

/// A signed, short-lived URL for a player that cannot send headers.
#[derive(Debug, Serialize, ToSchema)]
pub struct MediaTokenResponse {
    token: String,
    expires_at: DateTime<Utc>,
    /// The path with the token appended.
    url: String,
}

/// Signs a media URL for the caller: valid for GET/HEAD of that path only, read-only, until it
/// expires. Session tokens never go into URLs; these do.
#[utoipa::path(post, path = "/api/v1/auth/media-token", tag = "auth", request_body = MediaTokenRequest,
    responses((status = 200, description = "A signed URL", body = MediaTokenResponse)))]
pub(super) async fn media_token(
    State(auth): State<AuthService>,
    principal: Principal,
    ApiJson(body): ApiJson<MediaTokenRequest>,
) -> Result<Json<MediaTokenResponse>, Problem> {
    if !body.path.starts_with("/api/") || body.path.contains(['?', '#']) || body.path.len() > 1024 {
        return Err(AuthError::invalid("path", "must be an API path without a query").into());
    }
    let (token, expires_at) = auth.media_token(principal.user.id, &body.path)?;
    Ok(Json(MediaTokenResponse {
        url: format!("{}?{MEDIA_TOKEN_PARAM}={token}", body.path),
        token,
        expires_at,
    }))
}
