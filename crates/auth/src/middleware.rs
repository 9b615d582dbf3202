//! The layers that guard routes: `require_auth` for everything but the public routes, and
//! `require_adult` for the adult section, which answers 404 instead of 401/403 so that its
//! existence is never revealed.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderValue, Method, StatusCode, header};
use revenge_core::Problem;

use crate::service::{ClientInfo, Credentials, Principal};
use crate::{AuthError, AuthService};

/// The query parameter carrying a signed media token.
pub const MEDIA_TOKEN_PARAM: &str = "mt";

fn is_read(method: &Method) -> bool {
    method == Method::GET || method == Method::HEAD
}

/// The credentials on a request. Session tokens and API keys are accepted only in headers;
/// a URL may carry only a signed media token, and only for reads.
pub fn credentials(parts: &Parts) -> Option<Credentials> {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        })
        .or_else(|| {
            parts
                .headers
                .get("x-api-key")
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_owned())
        })
        .filter(|t| !t.is_empty());
    if let Some(token) = bearer {
        return Some(Credentials::Bearer(token));
    }
    if !is_read(&parts.method) {
        return None;
    }
    let query = parts.uri.query()?;
    form_urlencoded_pairs(query)
        .find(|(k, _)| k == MEDIA_TOKEN_PARAM)
        .map(|(_, token)| Credentials::Media {
            token,
            path: parts.uri.path().to_owned(),
        })
}

fn form_urlencoded_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        Some((k.to_owned(), v.to_owned()))
    })
}

/// Who is calling, for the login record.
pub fn client_info(parts: &Parts) -> ClientInfo {
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(256).collect::<String>())
    };
    ClientInfo {
        address: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string()),
        user_agent: header("user-agent"),
        device_name: header("x-device-name"),
    }
}

fn unauthorized(error: AuthError) -> Response {
    let mut response = Problem::from(error).into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// Requires valid credentials; puts the [`Principal`] and its `Viewer` into the request.
/// Read-only credentials (read-scoped keys, media tokens) may only GET and HEAD.
pub async fn require_auth(
    State(auth): State<AuthService>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let Some(credentials) = credentials(&parts) else {
        return unauthorized(AuthError::Unauthenticated);
    };
    let principal = match auth.authenticate(&credentials).await {
        Ok(principal) => principal,
        Err(AuthError::Unauthenticated) => return unauthorized(AuthError::Unauthenticated),
        Err(other) => return Problem::from(other).into_response(),
    };
    if !principal.viewer.can_write && !is_read(&parts.method) {
        return Problem::from(AuthError::Forbidden("these credentials are read-only"))
            .into_response();
    }
    parts.extensions.insert(principal.viewer.clone());
    parts.extensions.insert(principal);
    next.run(Request::from_parts(parts, body)).await
}

/// Like [`require_auth`], but every refusal — no credentials, bad credentials, or a user
/// without the adult capability — is a plain 404.
pub async fn require_adult(
    State(auth): State<AuthService>,
    request: Request,
    next: Next,
) -> Response {
    let not_found =
        || Problem::new(StatusCode::NOT_FOUND, "not_found", "not found").into_response();
    let (mut parts, body) = request.into_parts();
    let Some(credentials) = credentials(&parts) else {
        return not_found();
    };
    let Ok(principal) = auth.authenticate(&credentials).await else {
        return not_found();
    };
    if principal.viewer.require_adult().is_err() {
        return not_found();
    }
    if !principal.viewer.can_write && !is_read(&parts.method) {
        return not_found();
    }
    parts.extensions.insert(principal.viewer.clone());
    parts.extensions.insert(principal);
    next.run(Request::from_parts(parts, body)).await
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or_else(|| Problem::from(AuthError::Unauthenticated))
    }
}

/// The caller's address and user agent, for handlers.
#[derive(Debug, Clone)]
pub struct Client(pub ClientInfo);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Client(client_info(parts)))
    }
}
