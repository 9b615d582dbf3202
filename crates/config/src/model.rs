//! The shape of the configuration file, with its defaults.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The whole configuration. Every section has defaults, so an empty file is a valid config.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the SQLite database, caches and artwork live. Default: `$XDG_DATA_HOME/revenge`.
    pub data_dir: Option<PathBuf>,
    /// The HTTP listener.
    pub server: ServerConfig,
    /// The database.
    pub database: DatabaseConfig,
    /// Logging.
    pub log: LogConfig,
    /// Sign-in and sessions.
    pub auth: AuthConfig,
    /// The background job queue.
    pub jobs: JobsConfig,
    /// HTTP callbacks on events.
    pub webhooks: Vec<WebhookConfig>,
    /// Commands run on events.
    pub hooks: HooksConfig,
    /// Libraries to create or update at start-up.
    pub libraries: Vec<LibraryConfig>,
    /// Scanning.
    pub scan: ScanConfig,
    /// Run-time switches for compiled-in modules, by module id.
    pub modules: BTreeMap<String, ModuleToggle>,
    /// On-the-fly transcoding (HLS), here or on a remote transcoder.
    pub transcoding: TranscodingConfig,
    /// Progress rules.
    pub playback: PlaybackConfig,
    /// The search engine: embedded (tantivy) or Typesense.
    pub search: SearchConfig,
    /// The cache: in-process, or shared through Redis/Dragonfly.
    pub cache: CacheConfig,
}

/// `server:` — the HTTP listener.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to bind. Loopback by default, so a fresh install is not exposed by accident.
    pub host: String,
    /// Port to bind (0 picks a free one).
    pub port: u16,
    /// How long in-flight requests get to finish on SIGINT/SIGTERM.
    pub shutdown_grace_secs: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            port: 8096,
            shutdown_grace_secs: 10,
        }
    }
}

/// `database:` — SQLite by default, PostgreSQL when `url` says `postgres://`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` or `postgres://USER:PASSWORD@HOST/DB`. Default: `revenge.db` in the data dir.
    pub url: Option<String>,
    /// Most connections in the pool. 4 by default: on SQLite each is a thread with its own
    /// page cache, and more than the two cores of a small server run at once only made its
    /// threads switch more and its caches colder (docs/benchmarks.md, sessions 15 and 16).
    pub max_connections: u32,
    /// Seconds to wait for a connection.
    pub connect_timeout_secs: u64,
    /// SQLite only: how long a writer waits for a lock before failing, in milliseconds.
    pub sqlite_busy_timeout_ms: u64,
    /// SQLite only: how much of the database file, in MiB, connections read through a memory
    /// map instead of copying pages into their own caches (0: none). 256 by default: pages
    /// are then shared with the system's file cache, an uncached search read about 30 pages
    /// a copy and a system call each, and such searches ran 6–17% faster (docs/benchmarks.md,
    /// session 19). A mapped page that the disk fails to read stops the server instead of
    /// failing one query, which is why a database on a network filesystem wants 0.
    pub sqlite_mmap_mib: u64,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: None,
            max_connections: 4,
            connect_timeout_secs: 10,
            sqlite_busy_timeout_ms: 5_000,
            sqlite_mmap_mib: 256,
        }
    }
}

/// `log:` — verbosity and format.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// A tracing filter: `info`, `debug`, `revenge_server=debug,info`, …
    pub level: String,
    /// `text` for people, `json` for log collectors.
    pub format: LogFormat,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: "info".to_owned(),
            format: LogFormat::Text,
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// `auth:` — sign-in, sessions and password hashing.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// A session ends this many hours after its last use.
    pub session_ttl_hours: u64,
    /// Failed sign-ins per account or per address before further attempts get 429.
    pub login_max_failures: u32,
    /// The window, in seconds, failed sign-ins are counted in.
    pub login_window_secs: u64,
    /// How long a signed media URL stays valid, in seconds.
    pub media_token_ttl_secs: u64,
    /// argon2id cost.
    pub argon2: Argon2Config,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            session_ttl_hours: 720,
            login_max_failures: 5,
            login_window_secs: 900,
            media_token_ttl_secs: 4 * 3600,
            argon2: Argon2Config::default(),
        }
    }
}

/// `auth.argon2:` — password hashing cost (OWASP's recommendation by default).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Argon2Config {
    /// Memory per hash, in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Default for Argon2Config {
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// `jobs:` — the background job queue.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct JobsConfig {
    /// Workers per queue: `default` (scans, clean-ups), `webhooks` (deliveries).
    pub concurrency: BTreeMap<String, usize>,
    /// A running job belongs to its worker this long without a heartbeat (seconds); after
    /// that another worker runs it again.
    pub lease_secs: u64,
    /// How often a running job's lease is renewed and cancellation checked (seconds).
    pub heartbeat_secs: u64,
    /// How often idle workers look for jobs queued by other instances (milliseconds).
    pub poll_interval_ms: u64,
    /// First retry delay (seconds); each further retry waits twice as long.
    pub retry_base_secs: u64,
    /// Longest retry delay (seconds).
    pub retry_max_secs: u64,
    /// Finished jobs are kept this many days.
    pub history_days: u64,
    /// How often finished jobs older than that are purged (seconds).
    pub purge_interval_secs: u64,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            concurrency: BTreeMap::from([("default".to_owned(), 2), ("webhooks".to_owned(), 4)]),
            lease_secs: 60,
            heartbeat_secs: 10,
            poll_interval_ms: 1000,
            retry_base_secs: 10,
            retry_max_secs: 3600,
            history_days: 14,
            purge_interval_secs: 86_400,
        }
    }
}

/// One entry of `webhooks:`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// A unique name (shown in the API, which lists config webhooks read-only).
    pub name: String,
    /// Where to POST.
    pub url: String,
    /// Event types to send (`item.added`, …), or `*` for all.
    pub events: Vec<String>,
    /// Key of the `X-Revenge-Signature` HMAC.
    pub secret: String,
    /// Extra request headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

/// One entry of `libraries:`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LibraryConfig {
    /// Its name; with the module, what identifies it across restarts.
    pub name: String,
    /// The module whose media it holds (`movie`, `tvshow`, …).
    pub module: String,
    /// Absolute paths of its folders.
    pub folders: Vec<String>,
}

/// `scan:` — how libraries are scanned.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ScanConfig {
    /// Every library is rescanned this often (seconds); 0 turns periodic rescans off.
    pub interval_secs: u64,
    /// Watch library folders and scan a library soon after its files change.
    pub watch: bool,
    /// ffprobe, for containers the in-process reader does not handle; found on PATH when unset.
    pub ffprobe: Option<String>,
}

impl Default for ScanConfig {
    fn default() -> Self {
        Self {
            interval_secs: 6 * 3600,
            watch: true,
            ffprobe: None,
        }
    }
}

/// `hooks:` — commands run with the event JSON on stdin.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HooksConfig {
    /// A hook still running after this many seconds is killed.
    pub timeout_secs: u64,
    /// After a library scan completes.
    pub post_scan: Option<Vec<String>>,
    /// When an item is added.
    pub item_added: Option<Vec<String>>,
    /// When an item is removed.
    pub item_removed: Option<Vec<String>>,
    /// After a successful sign-in.
    pub user_login: Option<Vec<String>>,
    /// Before a transcode starts; a non-zero exit refuses the transcode.
    pub pre_transcode: Option<Vec<String>>,
}

impl Default for HooksConfig {
    fn default() -> Self {
        Self {
            timeout_secs: 30,
            post_scan: None,
            item_added: None,
            item_removed: None,
            user_login: None,
            pre_transcode: None,
        }
    }
}

impl HooksConfig {
    /// The configured hooks by name.
    pub fn commands(&self) -> BTreeMap<String, Vec<String>> {
        [
            ("post_scan", &self.post_scan),
            ("item_added", &self.item_added),
            ("item_removed", &self.item_removed),
            ("user_login", &self.user_login),
            ("pre_transcode", &self.pre_transcode),
        ]
        .into_iter()
        .filter_map(|(name, command)| command.clone().map(|c| (name.to_owned(), c)))
        .collect()
    }
}

/// `modules.<id>:` — run-time switch of one compiled-in module.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ModuleToggle {
    /// Whether the module serves.
    pub enabled: bool,
}

/// `transcoding:` — ffmpeg, HLS sessions, and where they run. A `revenge transcoder` reads the
/// same section.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TranscodingConfig {
    /// The ffmpeg program (a path, or a name looked up on `PATH`).
    pub ffmpeg: PathBuf,
    /// Where sessions keep their segments; the data dir's `cache/transcode` (the system temp
    /// dir's `revenge-transcode` for a transcoder without a data dir) when unset.
    pub temp_dir: Option<PathBuf>,
    /// Transcodes running at once; the next one is refused with 503.
    pub max_concurrent: usize,
    /// A session nobody asked anything of for this long is stopped and its files deleted.
    pub idle_timeout_secs: u64,
    /// Length of one HLS segment. Fixed, so that segment numbers stay stable across restarts.
    pub segment_secs: u32,
    /// How long a request waits for ffmpeg to produce a segment before it fails.
    pub segment_wait_secs: u64,
    /// Hardware acceleration passed through to ffmpeg.
    pub hwaccel: HwAccel,
    /// The renditions offered besides the original-quality copy, largest first.
    pub variants: Vec<VariantConfig>,
    /// Transcode here or on a remote transcoder.
    pub backend: Backend,
    /// The remote transcoder, for `backend: remote`.
    pub remote: RemoteConfig,
}

impl Default for TranscodingConfig {
    fn default() -> Self {
        Self {
            ffmpeg: PathBuf::from("ffmpeg"),
            temp_dir: None,
            max_concurrent: 2,
            idle_timeout_secs: 60,
            segment_secs: 4,
            segment_wait_secs: 30,
            hwaccel: HwAccel::None,
            variants: vec![
                VariantConfig::new("1080p", 1080, 8000),
                VariantConfig::new("720p", 720, 4000),
                VariantConfig::new("480p", 480, 1500),
            ],
            backend: Backend::Local,
            remote: RemoteConfig::default(),
        }
    }
}

impl TranscodingConfig {
    /// Where session directories go.
    pub fn temp_root(&self) -> PathBuf {
        self.temp_dir
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("revenge-transcode"))
    }
}

/// One rendition of the HLS ladder (`transcoding.variants[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantConfig {
    /// Its name, also its URL segment (`720p`).
    pub name: String,
    /// Output height in pixels; the width follows the aspect ratio.
    pub height: u32,
    /// Video bitrate in kbit/s.
    pub video_kbps: u32,
}

impl VariantConfig {
    /// A rendition.
    pub fn new(name: &str, height: u32, video_kbps: u32) -> Self {
        Self {
            name: name.to_owned(),
            height,
            video_kbps,
        }
    }
}

/// Hardware acceleration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HwAccel {
    /// Software (libx264): works everywhere.
    #[default]
    None,
    /// VA-API (Intel, AMD) through `/dev/dri/renderD128`.
    Vaapi,
    /// NVIDIA NVENC.
    Nvenc,
    /// Intel Quick Sync.
    Qsv,
}

/// Where transcodes run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// ffmpeg runs on this machine.
    #[default]
    Local,
    /// A `revenge transcoder` elsewhere does the work.
    Remote,
}

/// `transcoding.remote:` — how to reach a remote transcoder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RemoteConfig {
    /// Its base URL (`http://gpu-box:8097`); required for `backend: remote`.
    pub url: String,
    /// The shared secret both sides are configured with (sent as `X-Transcoder-Secret`).
    pub secret: String,
    /// How the transcoder reaches this server to read sources (`http://media:8096`); the
    /// request's `Host` is used when unset.
    pub callback_url: Option<String>,
    /// Redirect players to the transcoder for segments instead of proxying them.
    pub redirect: bool,
    /// Seconds to wait for a connection to the transcoder.
    pub connect_timeout_secs: u64,
    /// Seconds a request to the transcoder may take in all (a segment included).
    pub request_timeout_secs: u64,
}

impl Default for RemoteConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            secret: String::new(),
            callback_url: None,
            redirect: false,
            connect_timeout_secs: 5,
            request_timeout_secs: 60,
        }
    }
}

/// `playback:` — when an item counts as started and as played.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct PlaybackConfig {
    /// Stopping at or past this percentage of the duration marks the item played.
    pub played_percent: u8,
    /// Below this percentage an item is not "in progress" (not in continue-watching).
    pub resume_min_percent: u8,
}

impl Default for PlaybackConfig {
    fn default() -> Self {
        Self {
            played_percent: 90,
            resume_min_percent: 5,
        }
    }
}

impl Config {
    /// The data directory: the configured one, else `$XDG_DATA_HOME/revenge` (or the platform's
    /// equivalent), else `./revenge-data`.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(|| {
            dirs::data_dir()
                .map(|d| d.join("revenge"))
                .unwrap_or_else(|| PathBuf::from("revenge-data"))
        })
    }

    /// The database URL: the configured one, else a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database.url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir().join("revenge.db").display()
            ),
        }
    }

    /// Whether a module (compiled in or not) is switched on by the config or by default.
    pub fn module_enabled(&self, id: &str) -> bool {
        match self.modules.get(id) {
            Some(toggle) => toggle.enabled,
            None => revenge_core::module::known_module(id).is_some_and(|m| m.enabled_by_default),
        }
    }
}

/// Which engine answers searches (`search.backend`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchBackend {
    /// The tantivy index in `<data_dir>/search` (nothing to install).
    #[default]
    Embedded,
    /// A Typesense server (or cluster); needs the `typesense` build feature.
    Typesense,
}

/// `search.typesense:` — how to reach Typesense.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TypesenseConfig {
    /// Node URLs (`http://127.0.0.1:8108`).
    pub nodes: Vec<String>,
    /// The admin API key.
    pub api_key: String,
    /// Prefix of the collection name (`revenge_` gives `revenge_items`), so several
    /// installations can share one Typesense.
    pub collection_prefix: String,
    /// Per-request timeout, in milliseconds.
    pub timeout_ms: u64,
}

impl Default for TypesenseConfig {
    fn default() -> Self {
        Self {
            nodes: Vec::new(),
            api_key: String::new(),
            collection_prefix: "revenge_".to_owned(),
            timeout_ms: 2000,
        }
    }
}

/// `search:` — the search engine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// `embedded` (default) or `typesense`.
    pub backend: SearchBackend,
    /// Typesense's nodes and key, when `backend: typesense`.
    pub typesense: TypesenseConfig,
    /// With Typesense unreachable, answer from the embedded index (kept up to date alongside)
    /// instead of 503.
    pub fallback_to_embedded: bool,
}

/// `cache:` — without `url` the cache is in-process only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    /// `redis://host:port/db` (Redis, Dragonfly, Valkey): shared by every instance; needs the
    /// `redis` build feature. Absent: in-process only, for a single instance.
    pub url: Option<String>,
    /// Prefix of every key this installation writes, so several can share one Redis.
    pub key_prefix: String,
    /// Seconds a session or API key lookup is reused. Short: sliding session expiry and
    /// `last_used_at` of keys are refreshed when it runs out.
    pub session_ttl_secs: u64,
    /// Seconds an item detail response is reused.
    pub item_ttl_secs: u64,
    /// Seconds a list response is reused.
    pub list_ttl_secs: u64,
    /// Seconds image metadata is reused.
    pub image_ttl_secs: u64,
    /// Bytes the in-process level may hold (keys and values).
    pub max_memory_bytes: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            url: None,
            key_prefix: "revenge:".to_owned(),
            session_ttl_secs: 30,
            item_ttl_secs: 300,
            list_ttl_secs: 60,
            image_ttl_secs: 600,
            max_memory_bytes: 64 * 1024 * 1024,
        }
    }
}

impl CacheConfig {
    /// How long a session or API key lookup is reused.
    pub fn session_ttl(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.session_ttl_secs)
    }

    /// How long an item detail is reused.
    pub fn item_ttl(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.item_ttl_secs)
    }

    /// How long a list is reused.
    pub fn list_ttl(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.list_ttl_secs)
    }

    /// How long image metadata is reused.
    pub fn image_ttl(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.image_ttl_secs)
    }
}
