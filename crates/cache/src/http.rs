//! Response caching for the read routes of content modules, and the event listener that
//! invalidates it.
//!
//! A `GET` that answers 200 with JSON is kept under `resp:<module>:<generation>:<digest>`, the
//! digest covering the path, the query and the caller's **scope** (administrator or not, granted
//! libraries, parental limit, adult capability): callers with the same scope see the same
//! answers, and no one is ever served what their scope would not show. The module's generation
//! (`module:<id>`) is replaced when one of its items is added, changed or removed, after a scan,
//! and on any write through the module's or the libraries' routes.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, header};
use revenge_core::access::LibraryScope;
use revenge_core::{Event, EventBus, Viewer};
use tokio::sync::broadcast::error::RecvError;

use crate::{AUTH_GENERATION, Cache, digest};

/// The header telling whether a response came from the cache (`hit`) or not (`miss`).
pub const CACHE_HEADER: &str = "x-cache";
/// Responses larger than this are not cached.
const MAX_BODY: usize = 2 * 1024 * 1024;

/// The generation name of a module's responses.
pub fn module_generation(module: &str) -> String {
    format!("module:{module}")
}

/// What the response layer of one module needs.
#[derive(Debug, Clone)]
pub struct ResponseCache {
    /// The cache.
    pub cache: Cache,
    /// The module's id.
    pub module: &'static str,
}

/// The part of a viewer that decides what they see.
pub fn scope_of(viewer: &Viewer) -> String {
    let libraries = match &viewer.libraries {
        LibraryScope::All => "all".to_owned(),
        LibraryScope::Only(ids) => {
            let mut ids = ids.clone();
            ids.sort_unstable();
            ids.dedup();
            ids.iter()
                .map(|id| id.to_string())
                .collect::<Vec<_>>()
                .join(",")
        }
    };
    format!(
        "admin={};libs={libraries};max={:?};adult={}",
        viewer.is_admin, viewer.max_rating_level, viewer.capabilities.adult
    )
}

/// The layer: serves a cached answer to a `GET`, or runs the handler and keeps its answer;
/// replaces the module's generation after a successful write.
pub async fn cache_responses(
    State(state): State<ResponseCache>,
    request: Request,
    next: Next,
) -> Response {
    let generation = module_generation(state.module);
    if request.method() == Method::HEAD {
        return next.run(request).await;
    }
    if request.method() != Method::GET {
        let response = next.run(request).await;
        if response.status().is_success() {
            state.cache.bump(&[&generation]).await;
        }
        return response;
    }
    let Some(scope) = request.extensions().get::<Viewer>().map(scope_of) else {
        return next.run(request).await;
    };
    let Some(current) = state.cache.generation(&generation).await else {
        return next.run(request).await;
    };
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let key = format!(
        "resp:{}:{current}:{}",
        state.module,
        digest(&[&scope, &path_and_query])
    );
    if let Some(body) = state.cache.get(&key).await {
        return json_response(body, "hit");
    }
    // Details (a path ending in an id) live as long as items; lists less.
    let is_detail = request
        .uri()
        .path()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .is_some_and(|last| last.parse::<i64>().is_ok());
    let ttl = if is_detail {
        state.cache.settings().item_ttl()
    } else {
        state.cache.settings().list_ttl()
    };
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    // Answers of one user's own (next-up, random picks) say so; the scope is not enough.
    let private = response
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store") || v.contains("private"));
    if response.status() != StatusCode::OK || !is_json || private {
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read a response");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if body.len() <= MAX_BODY {
        state.cache.set(&key, body.clone(), ttl).await;
    }
    let mut response = Response::from_parts(parts, Body::from(body));
    response
        .headers_mut()
        .insert(CACHE_HEADER, HeaderValue::from_static("miss"));
    response
}

fn json_response(body: Bytes, cache: &'static str) -> Response {
    let mut response = Response::new(Body::from(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(CACHE_HEADER, HeaderValue::from_static(cache));
    response
}

/// The layer for routes whose writes change what every module shows (libraries): a successful
/// write replaces every module's generation and the sign-in generation (grants name libraries).
pub async fn invalidate_on_write(
    State(state): State<WriteInvalidation>,
    request: Request,
    next: Next,
) -> Response {
    let write = request.method() != Method::GET && request.method() != Method::HEAD;
    let response = next.run(request).await;
    if write && response.status().is_success() {
        state.invalidate_all().await;
    }
    response
}

/// Every module's generation, for [`invalidate_on_write`] and [`listen`].
#[derive(Debug, Clone)]
pub struct WriteInvalidation {
    /// The cache.
    pub cache: Cache,
    /// The ids of the modules whose responses are cached.
    pub modules: Vec<&'static str>,
}

impl WriteInvalidation {
    /// Replaces every module's generation and the sign-in generation.
    pub async fn invalidate_all(&self) {
        self.bump(true).await;
    }

    /// Replaces every module's generation (after a scan).
    pub async fn invalidate_modules(&self) {
        self.bump(false).await;
    }

    async fn bump(&self, sign_ins: bool) {
        let mut names: Vec<String> = self.modules.iter().map(|m| module_generation(m)).collect();
        if sign_ins {
            names.push(AUTH_GENERATION.to_owned());
        }
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        self.cache.bump(&names).await;
    }
}

/// Replaces a module's generation on every item event of it, and every module's after a scan
/// (or when events were missed). Runs until the bus closes.
pub fn listen(events: &EventBus, state: WriteInvalidation) -> tokio::task::JoinHandle<()> {
    let mut receiver = events.subscribe();
    tokio::spawn(async move {
        loop {
            match receiver.recv().await {
                Ok(envelope) => match &envelope.event {
                    Event::ItemAdded(item)
                    | Event::ItemUpdated(item)
                    | Event::ItemRemoved(item) => {
                        state.cache.bump(&[&module_generation(&item.module)]).await;
                    }
                    Event::ScanCompleted { .. } | Event::ScanFailed { .. } => {
                        state.invalidate_modules().await;
                    }
                    _ => {}
                },
                Err(RecvError::Lagged(_)) => state.invalidate_modules().await,
                Err(RecvError::Closed) => return,
            }
        }
    })
}

/// Answers of protocols that modules serve themselves live under `answer:<module>:…` and
/// follow the module's generation, like the layer's entries.
impl revenge_core::AnswerCache for Cache {
    fn generation<'a>(&'a self, module: &'a str) -> revenge_core::AnswerFuture<'a, Option<u64>> {
        Box::pin(async move { Cache::generation(self, &module_generation(module)).await })
    }

    fn get<'a>(&'a self, key: &'a str) -> revenge_core::AnswerFuture<'a, Option<Bytes>> {
        Box::pin(async move { Cache::get(self, &format!("answer:{key}")).await })
    }

    fn put<'a>(&'a self, key: &'a str, answer: Bytes) -> revenge_core::AnswerFuture<'a, ()> {
        Box::pin(async move {
            let ttl = self.settings().list_ttl();
            if answer.len() <= MAX_BODY && !ttl.is_zero() {
                self.set(&format!("answer:{key}"), answer, ttl).await;
            }
        })
    }

    fn invalidate<'a>(&'a self, module: &'a str) -> revenge_core::AnswerFuture<'a, ()> {
        Box::pin(async move { self.bump(&[&module_generation(module)]).await })
    }

    fn account_generations<'a>(
        &'a self,
        user_id: revenge_core::Id,
    ) -> revenge_core::AnswerFuture<'a, Option<Vec<u64>>> {
        Box::pin(async move {
            self.generations(&[&crate::user_generation(user_id), AUTH_GENERATION])
                .await
        })
    }

    fn invalidate_account<'a>(
        &'a self,
        user_id: revenge_core::Id,
    ) -> revenge_core::AnswerFuture<'a, ()> {
        Box::pin(async move { self.bump(&[&crate::user_generation(user_id)]).await })
    }

    fn sign_in_ttl(&self) -> std::time::Duration {
        self.settings().session_ttl()
    }
}
