//! Local HLS sessions: one directory and at most one ffmpeg per session, segments produced on
//! demand (a request far ahead of ffmpeg restarts it at that segment), an idle reaper that
//! kills ffmpeg and deletes the files, and a limit on sessions running at once.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};
use tokio::sync::Mutex;

use crate::TranscodeError;
use crate::command::{Encode, HlsJob, Source, hls_args};
use crate::playlist::{VariantEntry, finished_segments, segment_count};
use crate::session_table;
use crate::settings::TranscodeSettings;

/// A request further ahead than this many segments of what ffmpeg has written restarts ffmpeg
/// there instead of waiting for it to catch up.
const LOOKAHEAD: u64 = 3;
/// How often waits look at ffmpeg's progress.
const POLL: Duration = Duration::from_millis(100);

/// What a session transcodes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SessionSpec {
    /// The input.
    pub source: Source,
    /// Its duration in seconds.
    pub duration_secs: f64,
    /// Source height, to leave out renditions larger than the original.
    pub source_height: Option<u32>,
    /// Source width, for the master playlist's resolutions.
    pub source_width: Option<u32>,
    /// Whether the video may be copied untouched (an "original" rendition is offered).
    pub copy_video: bool,
    /// The audio track, by index among audio tracks.
    pub audio_track: u32,
    /// An image subtitle (absolute stream index) to burn in.
    pub burn_subtitle: Option<u32>,
}

/// One rendition of a session.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rendition {
    /// Its name.
    pub name: String,
    /// How it is made.
    pub encode: Encode,
    /// Its master playlist entry.
    pub entry: VariantEntry,
}

/// Who a session belongs to: user, device and file, so that one player reopening a file gets
/// its session back.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionKey {
    /// The user.
    pub user_id: i64,
    /// The client's device id.
    pub device: String,
    /// The media file.
    pub file_id: i64,
}

/// A session as callers see it (also what a remote transcoder answers).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SessionInfo {
    /// Its id (in URLs).
    pub id: String,
    /// Its renditions, best first.
    pub renditions: Vec<Rendition>,
    /// Its duration in seconds.
    pub duration_secs: f64,
    /// Segment length in seconds.
    pub segment_secs: u32,
}

#[derive(Debug)]
struct Run {
    rendition: String,
    start: u64,
    child: Child,
    playlist: PathBuf,
    log: PathBuf,
    exited: Option<std::process::ExitStatus>,
}

#[derive(Debug, Default)]
struct Produced {
    run: Option<Run>,
    /// Segments known complete, per rendition.
    done: HashMap<String, BTreeSet<u64>>,
}

#[derive(Debug)]
struct Session {
    info: SessionInfo,
    key: Option<SessionKey>,
    spec: SessionSpec,
    dir: PathBuf,
    produced: Mutex<Produced>,
    last_used: std::sync::Mutex<Instant>,
}

impl session_table::Tracked for Session {
    fn key(&self) -> Option<&SessionKey> {
        self.key.as_ref()
    }

    fn touch(&self) {
        Session::touch(self);
    }

    fn spec(&self) -> &SessionSpec {
        &self.spec
    }

    fn info(&self) -> &SessionInfo {
        &self.info
    }
}

impl Session {
    fn touch(&self) {
        if let Ok(mut at) = self.last_used.lock() {
            *at = Instant::now();
        }
    }

    fn idle_for(&self) -> Duration {
        self.last_used
            .lock()
            .map(|at| at.elapsed())
            .unwrap_or_default()
    }
}

/// The local transcoder. Cloning shares it.
#[derive(Debug, Clone)]
pub struct LocalEngine {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    settings: TranscodeSettings,
    sessions: session_table::Table<Session>,
    /// Serialises session creation so that the limit holds under concurrent requests.
    opening: Mutex<()>,
}

impl LocalEngine {
    /// A transcoder with these settings; starts the idle reaper (call inside a tokio runtime).
    pub fn new(settings: TranscodeSettings) -> Self {
        let inner = Arc::new(Inner {
            settings,
            sessions: std::sync::Mutex::new(HashMap::new()),
            opening: Mutex::new(()),
        });
        tokio::spawn(reap(Arc::downgrade(&inner)));
        Self { inner }
    }

    /// The settings.
    pub fn settings(&self) -> &TranscodeSettings {
        &self.inner.settings
    }

    /// How many sessions exist.
    pub fn session_count(&self) -> usize {
        self.inner.sessions.lock().map(|s| s.len()).unwrap_or(0)
    }

    fn get(&self, id: &str) -> Result<Arc<Session>, TranscodeError> {
        session_table::by_id(&self.inner.sessions, id)
    }

    /// The session of `key` if it exists with the same spec, else a new one (an existing one
    /// with another spec — a different audio track, a subtitle to burn — is replaced).
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
        let limit = self.inner.settings.max_concurrent;
        if self.session_count() >= limit {
            return Err(TranscodeError::Busy(limit));
        }
        check_ffmpeg(&self.inner.settings.ffmpeg).await?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let dir = self.inner.settings.temp_root().join(&id);
        tokio::fs::create_dir_all(&dir).await?;
        let info = SessionInfo {
            id: id.clone(),
            renditions: renditions(&self.inner.settings, &spec),
            duration_secs: spec.duration_secs,
            segment_secs: self.inner.settings.segment_secs.max(1),
        };
        let session = Arc::new(Session {
            info: info.clone(),
            key,
            spec,
            dir,
            produced: Mutex::new(Produced::default()),
            last_used: std::sync::Mutex::new(Instant::now()),
        });
        if let Ok(mut sessions) = self.inner.sessions.lock() {
            sessions.insert(id, session);
        }
        Ok(info)
    }

    /// The user a session belongs to (`None` for sessions opened without a key, as a remote
    /// transcoder's are).
    pub fn owner(&self, id: &str) -> Result<Option<i64>, TranscodeError> {
        Ok(self.get(id)?.key.as_ref().map(|k| k.user_id))
    }

    /// The session's public description.
    pub fn info(&self, id: &str) -> Result<SessionInfo, TranscodeError> {
        Ok(self.get(id)?.info.clone())
    }

    /// Stops a session: kills ffmpeg and deletes its files.
    pub async fn stop(&self, id: &str) {
        let session = self
            .inner
            .sessions
            .lock()
            .ok()
            .and_then(|mut sessions| sessions.remove(id));
        if let Some(session) = session {
            end(&session).await;
        }
    }

    /// The init segment of a rendition, once ffmpeg has written it.
    pub async fn init_segment(&self, id: &str, rendition: &str) -> Result<Vec<u8>, TranscodeError> {
        let session = self.get(id)?;
        let path = session.dir.join(rendition).join("init.mp4");
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            let done = session.produced.lock().await.done.contains_key(rendition);
            if done {
                return Ok(tokio::fs::read(&path).await?);
            }
        }
        // The init segment is written with the first media segment of a run.
        let start = session
            .produced
            .lock()
            .await
            .run
            .as_ref()
            .filter(|run| run.rendition == rendition)
            .map_or(0, |run| run.start);
        self.segment_path(&session, rendition, start).await?;
        Ok(tokio::fs::read(&path).await?)
    }

    /// Media segment `n` of a rendition, produced on demand.
    pub async fn segment(
        &self,
        id: &str,
        rendition: &str,
        n: u64,
    ) -> Result<Vec<u8>, TranscodeError> {
        let session = self.get(id)?;
        let path = self.segment_path(&session, rendition, n).await?;
        Ok(tokio::fs::read(&path).await?)
    }

    async fn segment_path(
        &self,
        session: &Arc<Session>,
        rendition: &str,
        n: u64,
    ) -> Result<PathBuf, TranscodeError> {
        let Some(spec) = session.info.renditions.iter().find(|r| r.name == rendition) else {
            return Err(TranscodeError::NotFound(format!("rendition {rendition}")));
        };
        let total = segment_count(session.info.duration_secs, session.info.segment_secs);
        if n >= total {
            return Err(TranscodeError::NotFound(format!("segment {n}")));
        }
        let dir = session.dir.join(rendition);
        let path = dir.join(format!("seg_{n}.m4s"));
        let wait = self.inner.settings.segment_wait_secs;
        let deadline = Instant::now() + Duration::from_secs(wait);
        loop {
            {
                let mut produced = session.produced.lock().await;
                refresh(&mut produced).await?;
                if produced.done.get(rendition).is_some_and(|d| d.contains(&n)) {
                    return Ok(path);
                }
                let restart = match &produced.run {
                    Some(run) if run.rendition == rendition && n >= run.start => {
                        let latest = produced
                            .done
                            .get(rendition)
                            .and_then(|d| d.range(run.start..).next_back().copied())
                            .unwrap_or(run.start);
                        match run.exited {
                            // A finished run wrote everything from its start: a segment it did not
                            // list is one it could not make.
                            Some(_) => true,
                            None => n > latest + LOOKAHEAD,
                        }
                    }
                    _ => true,
                };
                if restart {
                    if let Some(mut old) = produced.run.take() {
                        let _ = old.child.kill().await;
                    }
                    tokio::fs::create_dir_all(&dir).await?;
                    produced.run = Some(spawn(&self.inner.settings, session, spec, &dir, n).await?);
                }
            }
            session.touch();
            if Instant::now() >= deadline {
                return Err(TranscodeError::Timeout {
                    variant: rendition.to_owned(),
                    segment: n,
                    secs: wait,
                });
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// Reads the current run's playlist and exit status; a failed run becomes the error.
async fn refresh(produced: &mut Produced) -> Result<(), TranscodeError> {
    let Some(run) = produced.run.as_mut() else {
        return Ok(());
    };
    if run.exited.is_none() {
        run.exited = run.child.try_wait()?;
    }
    if let Ok(text) = tokio::fs::read_to_string(&run.playlist).await {
        produced
            .done
            .entry(run.rendition.clone())
            .or_default()
            .extend(finished_segments(&text));
    }
    if let Some(status) = run.exited
        && !status.success()
    {
        let log = tokio::fs::read_to_string(&run.log)
            .await
            .unwrap_or_default();
        let cause = log
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map_or_else(|| format!("exit {status}"), str::to_owned);
        produced.run = None;
        return Err(TranscodeError::FfmpegFailed(cause));
    }
    Ok(())
}

async fn spawn(
    settings: &TranscodeSettings,
    session: &Session,
    rendition: &Rendition,
    dir: &std::path::Path,
    start: u64,
) -> Result<Run, TranscodeError> {
    let playlist = dir.join(format!("run_{start}.m3u8"));
    let log = dir.join(format!("run_{start}.log"));
    let job = HlsJob {
        source: &session.spec.source,
        encode: &rendition.encode,
        audio_track: session.spec.audio_track,
        burn_subtitle: session.spec.burn_subtitle,
        start_segment: start,
        segment_secs: session.info.segment_secs,
        hwaccel: settings.hwaccel,
        dir,
        playlist: &playlist,
    };
    let stderr = std::fs::File::create(&log)?;
    tracing::debug!(session = %session.info.id, rendition = %rendition.name, start, "starting ffmpeg");
    let child = Command::new(&settings.ffmpeg)
        .args(hls_args(&job))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(stderr))
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| TranscodeError::FfmpegMissing(e.kind().to_string()))?;
    Ok(Run {
        rendition: rendition.name.clone(),
        start,
        child,
        playlist,
        log,
        exited: None,
    })
}

/// Fails clearly when ffmpeg cannot be run at all, before a session is made.
pub(crate) async fn check_ffmpeg(ffmpeg: &std::path::Path) -> Result<(), TranscodeError> {
    let run = Command::new(ffmpeg)
        .arg("-version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .status();
    match tokio::time::timeout(Duration::from_secs(10), run).await {
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => Err(TranscodeError::FfmpegMissing(format!(
            "`ffmpeg -version` exited with {status}"
        ))),
        Ok(Err(e)) => Err(TranscodeError::FfmpegMissing(e.kind().to_string())),
        Err(_) => Err(TranscodeError::FfmpegMissing(
            "`ffmpeg -version` did not answer".to_owned(),
        )),
    }
}

async fn end(session: &Session) {
    let mut produced = session.produced.lock().await;
    if let Some(mut run) = produced.run.take() {
        let _ = run.child.kill().await;
    }
    if let Err(e) = tokio::fs::remove_dir_all(&session.dir).await
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(session = %session.info.id, error = %e, "cannot delete a session's files");
    }
}

/// Stops idle sessions until the engine is dropped.
async fn reap(inner: Weak<Inner>) {
    loop {
        let Some(engine) = inner.upgrade() else {
            return;
        };
        let idle = Duration::from_secs(engine.settings.idle_timeout_secs.max(1));
        let expired: Vec<Arc<Session>> = match engine.sessions.lock() {
            Ok(mut sessions) => {
                let ids: Vec<String> = sessions
                    .iter()
                    .filter(|(_, s)| s.idle_for() >= idle)
                    .map(|(id, _)| id.clone())
                    .collect();
                ids.iter().filter_map(|id| sessions.remove(id)).collect()
            }
            Err(_) => Vec::new(),
        };
        let tick = (idle / 4).clamp(Duration::from_millis(200), Duration::from_secs(5));
        drop(engine);
        for session in expired {
            tracing::info!(session = %session.info.id, "transcode session idle; stopped");
            end(&session).await;
        }
        tokio::time::sleep(tick).await;
    }
}

/// The renditions of a session: the original copy when allowed, then every configured rendition
/// not larger than the source.
pub fn renditions(settings: &TranscodeSettings, spec: &SessionSpec) -> Vec<Rendition> {
    let mut out = Vec::new();
    let aspect = match (spec.source_width, spec.source_height) {
        (Some(w), Some(h)) if h > 0 => f64::from(w) / f64::from(h),
        _ => 16.0 / 9.0,
    };
    if spec.copy_video && spec.burn_subtitle.is_none() {
        out.push(Rendition {
            name: "original".to_owned(),
            encode: Encode::Copy,
            entry: VariantEntry {
                name: "original".to_owned(),
                bandwidth: 20_000_000,
                resolution: spec.source_width.zip(spec.source_height),
            },
        });
    }
    let fits = |height: u32| spec.source_height.is_none_or(|source| height <= source);
    let mut ladder: Vec<_> = settings
        .variants
        .iter()
        .filter(|v| fits(v.height))
        .collect();
    if ladder.is_empty() {
        // A source smaller than every rendition still gets the smallest one.
        ladder.extend(settings.variants.iter().min_by_key(|v| v.height));
    }
    for variant in ladder {
        // Even widths: H.264 needs them.
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a positive pixel count"
        )]
        let width = ((f64::from(variant.height) * aspect / 2.0).round() as u32) * 2;
        out.push(Rendition {
            name: variant.name.clone(),
            encode: Encode::H264 {
                height: variant.height,
                kbps: variant.video_kbps,
            },
            entry: VariantEntry {
                name: variant.name.clone(),
                bandwidth: u64::from(variant.video_kbps + 160) * 1000,
                resolution: Some((width, variant.height)),
            },
        });
    }
    out
}
