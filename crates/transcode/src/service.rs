//! The transcoder's side of the remote protocol (`revenge transcoder`): an axum router over the
//! same local session engine the server uses, authenticated by the shared secret. Sources are
//! only ever URLs (signed, expiring, pointing back at the media server): a request naming a
//! file path is refused. The protocol is documented in `docs/transcoder-openapi.yaml`.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hmac::{Hmac, Mac};
use http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::{LocalEngine, SessionSpec, Source, TranscodeError, TranscodeSettings};

/// The request header carrying the shared secret.
pub const SECRET_HEADER: &str = "x-transcoder-secret";
/// Where the protocol's routes live on the transcoder.
pub const API_PREFIX: &str = "/transcoder/v1";

/// A per-session token for players redirected to the transcoder (`remote.redirect: true`):
/// `hex(HMAC-SHA256(secret, session id))`, accepted as `?token=` on that session's segments.
pub fn session_token(secret: &str, session: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this arm is never taken.
        Err(_) => return String::new(),
    };
    mac.update(session.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Compares two secrets in time independent of where they differ (and of their lengths: the
/// digests are compared).
pub fn secrets_match(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
        && !expected.is_empty()
}

#[derive(Clone)]
struct Transcoder {
    engine: LocalEngine,
    secret: String,
}

/// The transcoder's HTTP API over a local engine with these settings (call inside a tokio
/// runtime: the engine's idle reaper starts here). The secret is `settings.remote.secret`.
pub fn transcoder_router(settings: TranscodeSettings) -> Router {
    let secret = settings.remote.secret.clone();
    let state = Transcoder {
        engine: LocalEngine::new(settings),
        secret,
    };
    Router::new()
        .route(&format!("{API_PREFIX}/health"), get(health))
        .route(&format!("{API_PREFIX}/sessions"), post(open))
        .route(
            &format!("{API_PREFIX}/sessions/{{session}}"),
            get(info).delete(stop),
        )
        .route(
            &format!("{API_PREFIX}/sessions/{{session}}/{{rendition}}/{{file}}"),
            get(file),
        )
        .with_state(state)
}

fn problem(error: TranscodeError) -> Response {
    error.into_problem().into_response()
}

fn authorized(state: &Transcoder, headers: &HeaderMap) -> bool {
    let given = headers
        .get(SECRET_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    secrets_match(given, &state.secret)
}

async fn health(State(state): State<Transcoder>, headers: HeaderMap) -> Response {
    if !authorized(&state, &headers) {
        return problem(TranscodeError::Unauthorized);
    }
    Json(serde_json::json!({ "sessions": state.engine.session_count() })).into_response()
}

async fn open(State(state): State<Transcoder>, headers: HeaderMap, body: Bytes) -> Response {
    if !authorized(&state, &headers) {
        return problem(TranscodeError::Unauthorized);
    }
    let spec: SessionSpec = match serde_json::from_slice(&body) {
        Ok(spec) => spec,
        Err(e) => return problem(TranscodeError::Invalid(format!("invalid session: {e}"))),
    };
    match &spec.source {
        Source::Url(url) if url.starts_with("http://") || url.starts_with("https://") => {}
        _ => {
            return problem(TranscodeError::Invalid(
                "the source must be an http(s) URL: a transcoder reads no file paths".to_owned(),
            ));
        }
    }
    match state.engine.open(None, spec).await {
        Ok(info) => (StatusCode::CREATED, Json(info)).into_response(),
        Err(e) => problem(e),
    }
}

async fn info(
    State(state): State<Transcoder>,
    headers: HeaderMap,
    Path(session): Path<String>,
) -> Response {
    if !authorized(&state, &headers) {
        return problem(TranscodeError::Unauthorized);
    }
    match state.engine.info(&session) {
        Ok(info) => Json(info).into_response(),
        Err(e) => problem(e),
    }
}

async fn stop(
    State(state): State<Transcoder>,
    headers: HeaderMap,
    Path(session): Path<String>,
) -> Response {
    if !authorized(&state, &headers) {
        return problem(TranscodeError::Unauthorized);
    }
    state.engine.stop(&session).await;
    StatusCode::NO_CONTENT.into_response()
}

/// `?token=` of a redirected player.
#[derive(Debug, Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

async fn file(
    State(state): State<Transcoder>,
    headers: HeaderMap,
    Path((session, rendition, file)): Path<(String, String, String)>,
    Query(query): Query<TokenQuery>,
) -> Response {
    let token_ok = query
        .token
        .as_deref()
        .is_some_and(|t| secrets_match(t, &session_token(&state.secret, &session)));
    if !token_ok && !authorized(&state, &headers) {
        return problem(TranscodeError::Unauthorized);
    }
    let result = if file == "init.mp4" {
        state
            .engine
            .init_segment(&session, &rendition)
            .await
            .map(|bytes| ("video/mp4", bytes))
    } else {
        match file
            .strip_suffix(".m4s")
            .and_then(|n| n.parse::<u64>().ok())
        {
            Some(n) => state
                .engine
                .segment(&session, &rendition, n)
                .await
                .map(|bytes| ("video/iso.segment", bytes)),
            None => Err(TranscodeError::NotFound(format!("segment {file}"))),
        }
    };
    match result {
        Ok((kind, bytes)) => ([(header::CONTENT_TYPE, kind)], bytes).into_response(),
        Err(e) => problem(e),
    }
}

/// Turns a transcoder's error answer back into an error, naming the transcoder.
pub(crate) fn from_answer(base: &str, status: StatusCode, body: &[u8]) -> TranscodeError {
    let detail = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(200).collect());
    match status {
        StatusCode::NOT_FOUND if detail == TranscodeError::SessionNotFound.to_string() => {
            TranscodeError::SessionNotFound
        }
        StatusCode::NOT_FOUND => TranscodeError::NotFound(detail),
        StatusCode::UNAUTHORIZED => TranscodeError::Remote(format!(
            "the transcoder at {base} refused this server's secret (transcoding.remote.secret)"
        )),
        _ => TranscodeError::Remote(format!(
            "the transcoder at {base} answered {status}: {detail}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole_and_never_match_an_empty_secret() {
        assert!(secrets_match("s3cret", "s3cret"));
        assert!(!secrets_match("s3cre", "s3cret"));
        assert!(!secrets_match("s3cret!", "s3cret"));
        assert!(!secrets_match("", ""), "an unset secret lets nobody in");
    }

    #[test]
    fn session_tokens_bind_secret_and_session() {
        let token = session_token("k", "abc");
        assert_eq!(token.len(), 64);
        assert_ne!(token, session_token("k", "abd"));
        assert_ne!(token, session_token("j", "abc"));
    }

    #[test]
    fn answers_name_the_transcoder() {
        let error = from_answer(
            "http://gpu:8097",
            StatusCode::UNAUTHORIZED,
            br#"{"detail":"wrong transcoder secret"}"#,
        );
        assert!(error.to_string().contains("http://gpu:8097"), "{error}");
        let error = from_answer(
            "http://gpu:8097",
            StatusCode::NOT_FOUND,
            br#"{"detail":"transcode session not found"}"#,
        );
        assert!(matches!(error, TranscodeError::SessionNotFound), "{error}");
    }
}
