//! Test support: a fresh database per test (SQLite file, or a new PostgreSQL database when
//! `TEST_DATABASE_URL` names a server) and the real server started in-process on a free port.

use std::path::PathBuf;

use revenge_config::Config;
use revenge_server::RunningServer;
use sea_orm::ConnectionTrait;
use tempfile::TempDir;

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
        config
    }

    /// Starts the server with this environment's config.
    pub async fn start(&self) -> RunningServer {
        start(self.config()).await
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
    revenge_server::start(config)
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

/// An HTTP client for talking to a test server.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap_or_else(|e| panic!("cannot build an HTTP client: {e}"))
}

/// GETs `path` and returns the status and the body parsed as JSON (`Null` when it is not).
pub async fn get_json(server: &RunningServer, path: &str) -> (u16, serde_json::Value) {
    let response = client()
        .get(format!("{}{path}", server.base_url()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap_or_default();
    (
        status,
        serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    )
}

/// The content modules this test build was compiled with, named independently of the server's
/// own composition list so that a mistake there shows up here.
pub fn expected_modules() -> Vec<&'static str> {
    vec![
        #[cfg(feature = "movie")]
        "movie",
        #[cfg(feature = "tvshow")]
        "tvshow",
    ]
}

/// A list endpoint of each module, to prove it is mounted.
pub fn list_endpoint(module: &str) -> Option<&'static str> {
    match module {
        "movie" => Some("/api/v1/movie/movies"),
        "tvshow" => Some("/api/v1/tvshow/series"),
        _ => None,
    }
}
