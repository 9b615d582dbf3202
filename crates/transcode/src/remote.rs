//! The server's side of remote transcoding: sessions opened on a `revenge transcoder` over
//! HTTP, their playlists described locally and their segments fetched (proxied) from it;
//! stopping or idling out a session here deletes it there. Also [`Transcoder`], what playback
//! holds: the local engine or this client, chosen by `transcoding.backend`.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use http::StatusCode;

use crate::service::{API_PREFIX, SECRET_HEADER, from_answer, session_token};
use crate::session_table;
use crate::settings::Backend;
use crate::{LocalEngine, SessionInfo, SessionKey, SessionSpec, TranscodeError, TranscodeSettings};

#[derive(Debug)]
struct RemoteSession {
    key: Option<SessionKey>,
    spec: SessionSpec,
    info: SessionInfo,
    last_used: std::sync::Mutex<Instant>,
}

impl session_table::Tracked for RemoteSession {
    fn key(&self) -> Option<&SessionKey> {
        self.key.as_ref()
    }

    fn touch(&self) {
        RemoteSession::touch(self);
    }

    fn spec(&self) -> &SessionSpec {
        &self.spec
    }

    fn info(&self) -> &SessionInfo {
        &self.info
    }
}

impl RemoteSession {
    fn touch(&self) {
        if let Ok(mut at) = self.last_used.lock() {
            *at = Instant::now();
        }
    }
}

/// A client of a remote transcoder. Cloning shares it.
#[derive(Debug, Clone)]
pub struct RemoteEngine {
    inner: Arc<RemoteInner>,
}

#[derive(Debug)]
struct RemoteInner {
    settings: TranscodeSettings,
    base: String,
    client: reqwest::Client,
    sessions: session_table::Table<RemoteSession>,
    opening: tokio::sync::Mutex<()>,
}

impl RemoteEngine {
    /// A client for `settings.remote`; starts the idle reaper (call inside a tokio runtime).
    pub fn new(settings: TranscodeSettings) -> Result<Self, TranscodeError> {
        let remote = &settings.remote;
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(remote.connect_timeout_secs.max(1)))
            .timeout(Duration::from_secs(remote.request_timeout_secs.max(1)))
            .build()
            .map_err(|e| TranscodeError::Remote(format!("cannot make an HTTP client: {e}")))?;
        let base = remote.url.trim_end_matches('/').to_owned();
        let inner = Arc::new(RemoteInner {
            settings,
            base,
            client,
            sessions: std::sync::Mutex::new(HashMap::new()),
            opening: tokio::sync::Mutex::new(()),
        });
        tokio::spawn(reap(Arc::downgrade(&inner)));
        Ok(Self { inner })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{API_PREFIX}{path}", self.inner.base)
    }

    fn unreachable(&self, e: &reqwest::Error) -> TranscodeError {
        let why = if e.is_timeout() {
            "did not answer in time"
        } else if e.is_connect() {
            "cannot be reached"
        } else {
            "failed"
        };
        TranscodeError::Remote(format!(
            "the transcoder at {} {why} ({})",
            self.inner.base,
            std::error::Error::source(e).map_or_else(|| e.to_string(), ToString::to_string)
        ))
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Vec<u8>, TranscodeError> {
        let response = request
            .header(SECRET_HEADER, &self.inner.settings.remote.secret)
            .send()
            .await
            .map_err(|e| self.unreachable(&e))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| self.unreachable(&e))?;
        if status.is_success() {
            Ok(body.to_vec())
        } else {
            Err(from_answer(&self.inner.base, status, &body))
        }
    }

    fn get(&self, id: &str) -> Result<Arc<RemoteSession>, TranscodeError> {
        session_table::by_id(&self.inner.sessions, id)
    }

    /// As [`LocalEngine::open`], on the transcoder. The spec's source must be a URL the
    /// transcoder can read.
    pub async fn open(
        &self,
        key: Option<SessionKey>,
        spec: SessionSpec,
    ) -> Result<SessionInfo, TranscodeError> {
        let _guard = self.inner.opening.lock().await;
        match session_table::existing(&self.inner.sessions, key.as_ref(), &spec) {
            session_table::Existing::Reuse(info) => return Ok(info),
            session_table::Existing::Replace(id) => self.stop(&id).await,
            session_table::Existing::Nothing => {}
        }
        let body = self
            .send(self.inner.client.post(self.url("/sessions")).json(&spec))
            .await?;
        let info: SessionInfo = serde_json::from_slice(&body).map_err(|e| {
            TranscodeError::Remote(format!(
                "the transcoder at {} answered an unreadable session: {e}",
                self.inner.base
            ))
        })?;
        let session = Arc::new(RemoteSession {
            key,
            spec,
            info: info.clone(),
            last_used: std::sync::Mutex::new(Instant::now()),
        });
        if let Ok(mut sessions) = self.inner.sessions.lock() {
            sessions.insert(info.id.clone(), session);
        }
        Ok(info)
    }

    /// The user a session belongs to.
    pub fn owner(&self, id: &str) -> Result<Option<i64>, TranscodeError> {
        Ok(self.get(id)?.key.as_ref().map(|k| k.user_id))
    }

    /// The session's public description.
    pub fn info(&self, id: &str) -> Result<SessionInfo, TranscodeError> {
        Ok(self.get(id)?.info.clone())
    }

    /// How many sessions this server holds on the transcoder.
    pub fn session_count(&self) -> usize {
        self.inner.sessions.lock().map(|s| s.len()).unwrap_or(0)
    }

    /// Stops a session here and on the transcoder (which kills ffmpeg and deletes the files).
    pub async fn stop(&self, id: &str) {
        let removed = self
            .inner
            .sessions
            .lock()
            .ok()
            .and_then(|mut sessions| sessions.remove(id));
        if removed.is_some() {
            delete(&self.inner, id).await;
        }
    }

    async fn file(&self, id: &str, rendition: &str, file: &str) -> Result<Vec<u8>, TranscodeError> {
        self.get(id)?;
        let url = self.url(&format!("/sessions/{id}/{rendition}/{file}"));
        let result = self.send(self.inner.client.get(url)).await;
        if matches!(result, Err(TranscodeError::SessionNotFound))
            && let Ok(mut sessions) = self.inner.sessions.lock()
        {
            // The transcoder forgot it (restarted, or idled it out): so do we.
            sessions.remove(id);
        }
        result
    }

    /// Where a player fetches a file of a session directly, with `remote.redirect: true`.
    pub fn redirect_url(&self, id: &str, rendition: &str, file: &str) -> Option<String> {
        let remote = &self.inner.settings.remote;
        remote.redirect.then(|| {
            format!(
                "{}?token={}",
                self.url(&format!("/sessions/{id}/{rendition}/{file}")),
                session_token(&remote.secret, id)
            )
        })
    }
}

async fn delete(inner: &RemoteInner, id: &str) {
    let url = format!("{}{API_PREFIX}/sessions/{id}", inner.base);
    let sent = inner
        .client
        .delete(url)
        .header(SECRET_HEADER, &inner.settings.remote.secret)
        .send()
        .await;
    match sent {
        Ok(response)
            if response.status().is_success() || response.status() == StatusCode::NOT_FOUND => {}
        Ok(response) => {
            tracing::warn!(session = id, status = %response.status(), transcoder = %inner.base, "the transcoder refused to stop a session");
        }
        Err(e) => {
            tracing::warn!(session = id, error = %e, transcoder = %inner.base, "cannot stop a session on the transcoder; it will idle out there");
        }
    }
}

/// Stops idle sessions (here and on the transcoder) until the client is dropped.
async fn reap(inner: Weak<RemoteInner>) {
    loop {
        let Some(client) = inner.upgrade() else {
            return;
        };
        let idle = Duration::from_secs(client.settings.idle_timeout_secs.max(1));
        let expired: Vec<String> = match client.sessions.lock() {
            Ok(mut sessions) => {
                let ids: Vec<String> = sessions
                    .iter()
                    .filter(|(_, s)| {
                        s.last_used
                            .lock()
                            .map(|at| at.elapsed() >= idle)
                            .unwrap_or(false)
                    })
                    .map(|(id, _)| id.clone())
                    .collect();
                ids.into_iter()
                    .filter(|id| sessions.remove(id).is_some())
                    .collect()
            }
            Err(_) => Vec::new(),
        };
        for id in &expired {
            tracing::info!(session = %id, "remote transcode session idle; stopped");
            delete(&client, id).await;
        }
        let tick = (idle / 4).clamp(Duration::from_millis(200), Duration::from_secs(5));
        drop(client);
        tokio::time::sleep(tick).await;
    }
}

/// The transcoder playback uses: ffmpeg here, or a remote transcoder. Cloning shares it.
#[derive(Debug, Clone)]
pub enum Transcoder {
    /// ffmpeg on this machine.
    Local(LocalEngine),
    /// A `revenge transcoder` elsewhere.
    Remote(RemoteEngine),
}

impl Transcoder {
    /// The one `settings.backend` names (call inside a tokio runtime).
    pub fn new(settings: TranscodeSettings) -> Result<Self, TranscodeError> {
        Ok(match settings.backend {
            Backend::Local => Self::Local(LocalEngine::new(settings)),
            Backend::Remote => Self::Remote(RemoteEngine::new(settings)?),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &TranscodeSettings {
        match self {
            Self::Local(engine) => engine.settings(),
            Self::Remote(engine) => &engine.inner.settings,
        }
    }

    /// Whether sources must be handed over as URLs (remote) rather than paths.
    pub fn is_remote(&self) -> bool {
        matches!(self, Self::Remote(_))
    }

    /// Opens (or finds) the session of `key`.
    pub async fn open(
        &self,
        key: Option<SessionKey>,
        spec: SessionSpec,
    ) -> Result<SessionInfo, TranscodeError> {
        match self {
            Self::Local(engine) => engine.open(key, spec).await,
            Self::Remote(engine) => engine.open(key, spec).await,
        }
    }

    /// The user a session belongs to.
    pub fn owner(&self, id: &str) -> Result<Option<i64>, TranscodeError> {
        match self {
            Self::Local(engine) => engine.owner(id),
            Self::Remote(engine) => engine.owner(id),
        }
    }

    /// The session's description.
    pub fn info(&self, id: &str) -> Result<SessionInfo, TranscodeError> {
        match self {
            Self::Local(engine) => engine.info(id),
            Self::Remote(engine) => engine.info(id),
        }
    }

    /// How many sessions exist.
    pub fn session_count(&self) -> usize {
        match self {
            Self::Local(engine) => engine.session_count(),
            Self::Remote(engine) => engine.session_count(),
        }
    }

    /// Stops a session.
    pub async fn stop(&self, id: &str) {
        match self {
            Self::Local(engine) => engine.stop(id).await,
            Self::Remote(engine) => engine.stop(id).await,
        }
    }

    /// A rendition's init segment.
    pub async fn init_segment(&self, id: &str, rendition: &str) -> Result<Vec<u8>, TranscodeError> {
        match self {
            Self::Local(engine) => engine.init_segment(id, rendition).await,
            Self::Remote(engine) => engine.file(id, rendition, "init.mp4").await,
        }
    }

    /// Media segment `n` of a rendition.
    pub async fn segment(
        &self,
        id: &str,
        rendition: &str,
        n: u64,
    ) -> Result<Vec<u8>, TranscodeError> {
        match self {
            Self::Local(engine) => engine.segment(id, rendition, n).await,
            Self::Remote(engine) => engine.file(id, rendition, &format!("{n}.m4s")).await,
        }
    }

    /// Where to redirect a player for a session's file (`init.mp4`, `<n>.m4s`), when a remote
    /// transcoder is set up to serve players directly; `None` to serve (proxy) it.
    pub fn redirect_url(&self, id: &str, rendition: &str, file: &str) -> Option<String> {
        match self {
            Self::Local(_) => None,
            Self::Remote(engine) => engine.redirect_url(id, rendition, file),
        }
    }
}
