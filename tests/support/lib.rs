//! Test support: a fresh database per test (SQLite file, or a new PostgreSQL database when
//! `TEST_DATABASE_URL` names a server) and the real server started in-process on a free port.

use std::path::PathBuf;

use revenge_config::Config;
use revenge_server::{RunningServer, StartOptions};
use sea_orm::ConnectionTrait;
use tempfile::TempDir;

mod media;
pub use media::{ffmpeg_movie, write};

/// The environment variable naming a PostgreSQL server to run the suite against.
pub const DATABASE_ENV: &str = "TEST_DATABASE_URL";

/// Where one test keeps its data.
#[derive(Debug)]
pub struct TestEnv {
    /// The data directory (deleted when dropped).
    pub dir: TempDir,
    /// The database URL: a SQLite file inside `dir`, or a fresh PostgreSQL database.
    pub database_url: String,
}

impl TestEnv {
    /// A new, empty data directory and database.
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot make a temp dir: {e}"));
        let database_url = match std::env::var(DATABASE_ENV) {
            Ok(url) if !url.is_empty() => fresh_postgres_database(&url).await,
            _ => format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("revenge.db").display()
            ),
        };
        Self { dir, database_url }
    }

    /// Whether this run is against PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// A config for a server on a free loopback port over this environment.
    pub fn config(&self) -> Config {
        let mut config = Config {
            data_dir: Some(self.data_dir()),
            ..Config::default()
        };
        config.server.port = 0;
        config.server.shutdown_grace_secs = 5;
        config.database.url = Some(self.database_url.clone());
        config.database.max_connections = 4;
        // Cheap hashing: the tests sign in often; production cost is the default.
        config.auth.argon2 = revenge_config::Argon2Config {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        };
        config
    }

    /// Starts the server with this environment's config, its administrator signed in.
    pub async fn start(&self) -> TestServer {
        TestServer::start_with(self.config()).await
    }

    /// [`TestEnv::start`] with start options (cache settings, libraries to scan).
    pub async fn start_with_options(&self, options: StartOptions) -> TestServer {
        TestServer::start_with_options(self.config(), options).await
    }

    /// Opens the database directly (as the scanner or a test fixture would).
    pub async fn connect(&self) -> revenge_db::Database {
        revenge_db::connect(&revenge_db::ConnectOptions::new(self.database_url.clone()))
            .await
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", redact(&self.database_url)))
    }
}

/// Starts the real server in-process.
pub async fn start(config: Config) -> RunningServer {
    start_with_options(config, StartOptions::default()).await
}

/// [`start`] with start options.
pub async fn start_with_options(config: Config, options: StartOptions) -> RunningServer {
    revenge_server::start_with(config, options)
        .await
        .unwrap_or_else(|e| panic!("server did not start: {e}"))
}

/// Creates an empty database on the PostgreSQL server at `base_url` and returns its URL. A
/// server that cannot be reached fails the test: the suite never skips a backend it was asked
/// to run on.
async fn fresh_postgres_database(base_url: &str) -> String {
    let admin = revenge_db::connect(&revenge_db::ConnectOptions::new(base_url.to_owned()))
        .await
        .unwrap_or_else(|e| {
            panic!(
                "{DATABASE_ENV} is set but PostgreSQL at {} is unreachable: {e}",
                redact(base_url)
            )
        });
    let name = format!("revenge_t_{}", uuid::Uuid::new_v4().simple());
    admin
        .conn
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
    let _ = admin.close().await;
    let (server, database) = match base_url.rsplit_once('/') {
        Some(parts) => parts,
        None => panic!("{DATABASE_ENV} must end in /DATABASE"),
    };
    let query = database
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    format!("{server}/{name}{query}")
}

fn redact(url: &str) -> String {
    match url.split_once('@') {
        Some((_, host)) => format!("…@{host}"),
        None => url.to_owned(),
    }
}

/// Cache settings on the Redis at 127.0.0.1:6379 (`TEST_REDIS_URL` to change it) under a key
/// prefix of the caller's own, or `None` (skip) when it is unreachable outside CI; under
/// `CI=true` an unreachable Redis fails the test.
pub fn shared_redis() -> Option<revenge_cache::CacheSettings> {
    let url =
        std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let address = url.trim_start_matches("redis://").trim_end_matches('/');
    if std::net::TcpStream::connect(address).is_err() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "Redis at {url} is unreachable under CI"
        );
        eprintln!("Redis at {url} is unreachable: test skipped");
        return None;
    }
    Some(revenge_cache::CacheSettings {
        url: Some(url),
        key_prefix: format!("revenge-test:{}:", uuid::Uuid::new_v4().simple()),
        // Long: only invalidation, never expiry, may make fresh data show.
        list_ttl_secs: 3600,
        item_ttl_secs: 3600,
        session_ttl_secs: 3600,
        ..revenge_cache::CacheSettings::default()
    })
}

/// An HTTP client for talking to a test server.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap_or_else(|e| panic!("cannot build an HTTP client: {e}"))
}

/// The first administrator every [`TestServer`] has.
pub const ADMIN: (&str, &str) = ("admin", "admin-password-1");

/// A running server with its first administrator signed in.
#[derive(Debug)]
pub struct TestServer {
    /// The server.
    pub server: RunningServer,
    /// The administrator's session token.
    pub admin: String,
}

/// A response: status, headers and the body as JSON (`Null` when it is not JSON).
#[derive(Debug)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body.
    pub body: serde_json::Value,
}

impl TestServer {
    /// Starts a server over `config`; on a fresh database it runs setup first, then signs the
    /// administrator in.
    pub async fn start_with(config: Config) -> Self {
        Self::start_with_options(config, StartOptions::default()).await
    }

    /// [`TestServer::start_with`] with start options.
    pub async fn start_with_options(config: Config, options: StartOptions) -> Self {
        let server = start_with_options(config, options).await;
        if let Some(token) = server.setup_token().map(str::to_owned) {
            let reply = call(
                &server,
                reqwest::Method::POST,
                "/api/v1/setup",
                None,
                Some(serde_json::json!({
                    "setup_token": token, "username": ADMIN.0, "password": ADMIN.1,
                })),
            )
            .await;
            assert_eq!(reply.status, 201, "setup: {:?}", reply.body);
        }
        let admin = login(&server, ADMIN.0, ADMIN.1).await;
        Self { server, admin }
    }

    /// `METHOD path` with a bearer token and a JSON body.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Reply {
        call(&self.server, method, path, token, body).await
    }

    /// GET as the administrator.
    pub async fn get(&self, path: &str) -> Reply {
        self.call(reqwest::Method::GET, path, Some(&self.admin), None)
            .await
    }

    /// GET with a token.
    pub async fn get_as(&self, token: &str, path: &str) -> Reply {
        self.call(reqwest::Method::GET, path, Some(token), None)
            .await
    }

    /// Creates a user as the administrator (extra fields merged into the request) and signs
    /// them in; returns their id and session token.
    pub async fn user(&self, name: &str, extra: serde_json::Value) -> (i64, String) {
        let mut body =
            serde_json::json!({"username": name, "password": format!("{name}-password")});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        let reply = self
            .call(
                reqwest::Method::POST,
                "/api/v1/users",
                Some(&self.admin),
                Some(body),
            )
            .await;
        assert_eq!(reply.status, 201, "create user {name}: {:?}", reply.body);
        let id = reply.body["id"].as_i64().unwrap_or_default();
        let token = login(&self.server, name, &format!("{name}-password")).await;
        (id, token)
    }

    /// Creates a library as the administrator; returns its id.
    pub async fn library(&self, module: &str, name: &str) -> i64 {
        let reply = self
            .call(
                reqwest::Method::POST,
                "/api/v1/libraries",
                Some(&self.admin),
                Some(serde_json::json!({"module": module, "name": name})),
            )
            .await;
        assert_eq!(reply.status, 201, "create library: {:?}", reply.body);
        reply.body["id"].as_i64().unwrap_or_default()
    }

    /// Stops the server.
    pub async fn stop(self) {
        self.server
            .stop()
            .await
            .unwrap_or_else(|e| panic!("server did not stop cleanly: {e}"));
    }
}

/// Signs in and returns the session token.
pub async fn login(server: &RunningServer, username: &str, password: &str) -> String {
    let reply = call(
        server,
        reqwest::Method::POST,
        "/api/v1/auth/login",
        None,
        Some(serde_json::json!({"username": username, "password": password})),
    )
    .await;
    assert_eq!(reply.status, 200, "login {username}: {:?}", reply.body);
    reply.body["token"].as_str().unwrap_or_default().to_owned()
}

/// `METHOD path` against a server, with an optional bearer token and JSON body.
pub async fn call(
    server: &RunningServer,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> Reply {
    let mut request = client().request(method.clone(), format!("{}{path}", server.base_url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap_or_default();
    Reply {
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    }
}

/// GETs `path` without credentials; returns the status and the JSON body.
pub async fn get_json(server: &RunningServer, path: &str) -> (u16, serde_json::Value) {
    let reply = call(server, reqwest::Method::GET, path, None, None).await;
    (reply.status, reply.body)
}

/// The content modules this test build was compiled with, named independently of the server's
/// own composition list so that a mistake there shows up here.
pub fn expected_modules() -> Vec<&'static str> {
    vec![
        #[cfg(feature = "movie")]
        "movie",
        #[cfg(feature = "tvshow")]
        "tvshow",
        #[cfg(feature = "music")]
        "music",
    ]
}

/// A list endpoint of each module, to prove it is mounted.
pub fn list_endpoint(module: &str) -> Option<&'static str> {
    match module {
        "movie" => Some("/api/v1/movie/movies"),
        "tvshow" => Some("/api/v1/tvshow/series"),
        "music" => Some("/api/v1/music/albums"),
        _ => None,
    }
}
