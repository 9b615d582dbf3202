//! Sessions and API keys: one's own, or anyone's for an administrator.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use http::StatusCode;
use revenge_core::extract::{ApiJson, ApiPath, ApiQuery};
use revenge_core::{Id, Problem};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::{ApiKeyDto, SessionDto};
use crate::service::{Principal, Scope, Via};
use crate::{AuthError, AuthService};

/// `?user_id=`: whose sessions or keys (administrators only; default: the caller's).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OwnerQuery {
    user_id: Option<Id>,
}

fn owner(principal: &Principal, query: &OwnerQuery) -> Result<Id, AuthError> {
    match query.user_id {
        Some(id) if id != principal.user.id => {
            if principal.viewer.is_admin {
                Ok(id)
            } else {
                Err(AuthError::Forbidden(
                    "only administrators see other users' sessions and keys",
                ))
            }
        }
        _ => Ok(principal.user.id),
    }
}

/// Lists sessions: the caller's own, or (administrators) another user's.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "auth", params(OwnerQuery),
    responses(
        (status = 200, description = "Sessions", body = Vec<SessionDto>),
        (status = 403, description = "Another user's, without being an administrator", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(super) async fn list_sessions(
    State(auth): State<AuthService>,
    principal: Principal,
    ApiQuery(query): ApiQuery<OwnerQuery>,
) -> Result<Json<Vec<SessionDto>>, Problem> {
    let user_id = owner(&principal, &query)?;
    let current = match principal.via {
        Via::Session(id) => Some(id),
        _ => None,
    };
    let sessions = auth.sessions_of(user_id).await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|s| SessionDto::new(s, current))
            .collect(),
    ))
}

/// Revokes a session at once: the caller's own, or anyone's for an administrator.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", tag = "auth",
    params(("id" = Id, Path, description = "The session's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such session of the caller's", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(super) async fn delete_session(
    State(auth): State<AuthService>,
    principal: Principal,
    ApiPath(id): ApiPath<Id>,
) -> Result<StatusCode, Problem> {
    let session = auth.session_for(&principal.viewer, id).await?;
    auth.delete_session(session.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lists API keys: the caller's own, or (administrators) another user's.
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "auth", params(OwnerQuery),
    responses((status = 200, description = "API keys", body = Vec<ApiKeyDto>)))]
pub(super) async fn list_api_keys(
    State(auth): State<AuthService>,
    principal: Principal,
    ApiQuery(query): ApiQuery<OwnerQuery>,
) -> Result<Json<Vec<ApiKeyDto>>, Problem> {
    let user_id = owner(&principal, &query)?;
    let keys = auth.api_keys_of(user_id).await?;
    Ok(Json(keys.into_iter().map(ApiKeyDto::from).collect()))
}

/// `POST /api/v1/api-keys`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiKey {
    name: String,
    /// Any of `read`, `write`, `admin`.
    scopes: Vec<String>,
    /// When it stops working; never when absent.
    expires_at: Option<DateTime<Utc>>,
}

/// A new key, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    /// Send as `Authorization: Bearer <key>` or `X-Api-Key: <key>`. Shown only now.
    key: String,
    #[serde(flatten)]
    info: ApiKeyDto,
}

/// Creates an API key for the caller.
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "auth", request_body = NewApiKey,
    responses(
        (status = 201, description = "The key, shown once", body = CreatedApiKey),
        (status = 400, description = "Invalid field", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(super) async fn create_api_key(
    State(auth): State<AuthService>,
    principal: Principal,
    ApiJson(body): ApiJson<NewApiKey>,
) -> Result<(StatusCode, Json<CreatedApiKey>), Problem> {
    let scopes = body
        .scopes
        .iter()
        .map(|s| Scope::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    // A key cannot carry more than the credentials that create it.
    if scopes.contains(&Scope::Admin) && !principal.viewer.is_admin {
        return Err(AuthError::Forbidden("only administrators hold admin-scoped keys").into());
    }
    let issued = auth
        .create_api_key(&principal.user, &body.name, &scopes, body.expires_at)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedApiKey {
            key: issued.key,
            info: issued.record.into(),
        }),
    ))
}

/// Revokes an API key: the caller's own, or anyone's for an administrator.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "auth",
    params(("id" = Id, Path, description = "The key's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such key of the caller's", body = revenge_core::ProblemDocument, content_type = "application/problem+json"),
    ))]
pub(super) async fn delete_api_key(
    State(auth): State<AuthService>,
    principal: Principal,
    ApiPath(id): ApiPath<Id>,
) -> Result<StatusCode, Problem> {
    auth.delete_api_key(&principal.viewer, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
