//! Opening a database from its URL: SQLite with WAL and a busy timeout, or PostgreSQL.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::DbError;

/// Which engine a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file (or memory).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// The name used in URLs, features and `/api/v1/system/info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// The backend a URL names.
    pub fn from_url(url: &str) -> Result<Self, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            // Only the scheme: the rest may hold a password.
            let scheme = url.split(':').next().unwrap_or_default();
            Err(DbError::UnsupportedUrl(format!("{scheme}:…")))
        }
    }
}

/// Rows a SQLite connection's thread reads ahead of the task taking them: more than the
/// largest page an endpoint reads (500).
#[cfg(feature = "sqlite")]
const ROWS_BUFFERED: usize = 1024;

/// The backends this build can talk to.
pub fn compiled_backends() -> &'static [&'static str] {
    &[
        #[cfg(feature = "sqlite")]
        "sqlite",
        #[cfg(feature = "postgres")]
        "postgres",
    ]
}

/// How to open the database.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// `sqlite://PATH?mode=rwc`, `sqlite::memory:` or `postgres://…`.
    pub url: String,
    /// Most pooled connections.
    pub max_connections: u32,
    /// How long to wait for a connection.
    pub connect_timeout: Duration,
    /// SQLite: how long a writer waits on a lock.
    pub sqlite_busy_timeout: Duration,
    /// SQLite: bytes of the file read through a memory map (0: none).
    pub sqlite_mmap_size: u64,
}

impl ConnectOptions {
    /// Defaults for a URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 4,
            connect_timeout: Duration::from_secs(10),
            sqlite_busy_timeout: Duration::from_secs(5),
            sqlite_mmap_size: 256 << 20,
        }
    }
}

/// An open database and which engine it is.
#[derive(Debug, Clone)]
pub struct Database {
    /// The pooled connection every query goes through.
    pub conn: DatabaseConnection,
    /// The engine behind it.
    pub backend: Backend,
}

impl Database {
    /// Whether the database answers a trivial query (for `/health/ready`).
    pub async fn ping(&self) -> Result<(), DbError> {
        self.conn.execute_unprepared("SELECT 1").await?;
        Ok(())
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(self) -> Result<(), DbError> {
        self.conn.close().await?;
        Ok(())
    }
}

/// Opens the database a URL names.
pub async fn connect(options: &ConnectOptions) -> Result<Database, DbError> {
    let backend = Backend::from_url(&options.url)?;
    if !compiled_backends().contains(&backend.as_str()) {
        return Err(DbError::BackendNotCompiled {
            backend: backend.as_str(),
        });
    }
    let conn = match backend {
        Backend::Sqlite => connect_sqlite(options).await?,
        Backend::Postgres => connect_postgres(options).await?,
    };
    Ok(Database { conn, backend })
}

/// An in-memory SQLite database with the server's migrations and `sets` applied: what crates
/// test their queries against in isolation.
#[cfg(feature = "sqlite")]
pub async fn open_in_memory(sets: Vec<crate::MigrationSet>) -> Result<Database, DbError> {
    let db = connect(&ConnectOptions::new("sqlite::memory:")).await?;
    let mut all = vec![crate::MigrationSet {
        owner: revenge_migrations::server::OWNER,
        migrations: revenge_migrations::server::migrations(),
    }];
    all.extend(sets);
    crate::migrate::up(&db.conn, &all).await?;
    Ok(db)
}

/// Initialises SQLite, which is built not to do it on its own (`SQLITE_OMIT_AUTOINIT` in
/// `.cargo/config.toml`): every way this workspace opens a SQLite database goes through
/// [`connect`], which calls this first. Any number of calls, from any thread, is safe.
#[cfg(feature = "sqlite")]
#[allow(
    unsafe_code,
    reason = "sqlite3_initialize has no safe wrapper; it takes no arguments and is idempotent"
)]
fn initialise_sqlite() -> Result<(), DbError> {
    // SAFETY: sqlite3_initialize takes no pointers and may be called at any time, again and
    // concurrently; the process's `main` may have configured SQLite's allocator before it.
    let answer = unsafe { libsqlite3_sys::sqlite3_initialize() };
    if answer == libsqlite3_sys::SQLITE_OK {
        Ok(())
    } else {
        Err(DbError::SqliteInit { code: answer })
    }
}

#[cfg(feature = "sqlite")]
async fn connect_sqlite(options: &ConnectOptions) -> Result<DatabaseConnection, DbError> {
    use std::str::FromStr;

    use sea_orm::SqlxSqliteConnector;
    use sea_orm::sqlx::sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
    };

    initialise_sqlite()?;
    let connect_err = |source: sea_orm::sqlx::Error| DbError::Connect {
        backend: "sqlite",
        source: sea_orm::DbErr::Conn(sea_orm::RuntimeErr::Internal(source.to_string())),
    };
    let sqlite = SqliteConnectOptions::from_str(&options.url).map_err(connect_err)?;
    let in_memory = sqlite.get_filename().as_os_str() == ":memory:"
        || options.url.contains(":memory:")
        || options.url.contains("mode=memory");
    let parent = sqlite
        .get_filename()
        .parent()
        .filter(|d| !in_memory && !d.as_os_str().is_empty());
    if let Some(dir) = parent {
        std::fs::create_dir_all(dir).map_err(|source| DbError::CreateDir {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let sqlite = sqlite
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(options.sqlite_busy_timeout)
        // WAL lets readers run while one writer writes; NORMAL sync is durable across app
        // crashes with WAL and much faster than FULL.
        .journal_mode(if in_memory {
            SqliteJournalMode::Memory
        } else {
            SqliteJournalMode::Wal
        })
        .synchronous(SqliteSynchronous::Normal)
        // A multi-row insert inside a transaction keeps a statement journal; in memory it
        // costs no temporary file writes (scans insert hundreds of rows a statement).
        .pragma("temp_store", "memory")
        // Each connection keeps its own page cache, never shrunk while it lives: at SQLite's
        // 2 MiB default, a pool that once read a whole library (a start-up search
        // reconciliation) idled at 2 MiB a connection. The pages come from the system's page
        // cache when missed.
        .pragma("cache_size", "-512")
        // The commit that takes the log past this many pages copies them into the database
        // and syncs both files, in the committing writer's time. At SQLite's 1,000 pages a
        // scan's every other batch paid for it (20 fsyncs, 57 ms, for the bench's 20,000
        // tracks); at 16,384 (64 MiB of log at most) none of its batches did, and one
        // checkpoint when `revenge scan` closed the database took 4 fsyncs, 35 ms.
        .pragma("wal_autocheckpoint", "16384")
        // Reads through a map need neither a system call nor a copy into the small cache
        // above; what is mapped is the system's file cache, shared by every connection.
        .pragma("mmap_size", options.sqlite_mmap_size.to_string())
        // Rows a connection's thread may step ahead of the task reading them. At sqlx's 50,
        // a page of 50 albums filled the channel, and from then on each row taken woke the
        // thread for one more: an uncached `getAlbumList2` took 6.2 thread switches instead
        // of 4.5 and a tenth more CPU time. The channel grows only as far as it is filled.
        .row_buffer_size(ROWS_BUFFERED);
    // Each connection to `:memory:` is its own database, so an in-memory pool has exactly one.
    let max = if in_memory {
        1
    } else {
        options.max_connections
    };
    let pool = SqlitePoolOptions::new()
        .max_connections(max)
        // A connection is a file handle in this process that nothing on a network can
        // break; testing it first would cost a round trip to its worker thread per query.
        .test_before_acquire(false)
        .acquire_timeout(options.connect_timeout)
        .connect_with(sqlite)
        .await
        .map_err(connect_err)?;
    Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}

#[cfg(not(feature = "sqlite"))]
async fn connect_sqlite(_: &ConnectOptions) -> Result<DatabaseConnection, DbError> {
    Err(DbError::BackendNotCompiled { backend: "sqlite" })
}

#[cfg(feature = "postgres")]
async fn connect_postgres(options: &ConnectOptions) -> Result<DatabaseConnection, DbError> {
    let mut opts = sea_orm::ConnectOptions::new(options.url.clone());
    opts.max_connections(options.max_connections)
        .min_connections(1)
        .connect_timeout(options.connect_timeout)
        .acquire_timeout(options.connect_timeout)
        .sqlx_logging(false);
    sea_orm::Database::connect(opts)
        .await
        .map_err(|source| DbError::Connect {
            backend: "postgres",
            source,
        })
}

#[cfg(not(feature = "postgres"))]
async fn connect_postgres(_: &ConnectOptions) -> Result<DatabaseConnection, DbError> {
    Err(DbError::BackendNotCompiled {
        backend: "postgres",
    })
}

/// The first column of every row `sql` answers, as text (for this crate's tests).
#[cfg(test)]
pub(crate) async fn texts(db: &Database, sql: &str) -> Vec<String> {
    use sea_orm::{DbBackend, Statement};
    let rows = db
        .conn
        .query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.iter()
        .map(|row| {
            row.try_get_by_index::<String>(0)
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    use super::{ConnectOptions, connect};

    async fn pragma(db: &super::Database, name: &str) -> String {
        let row = db
            .conn
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                format!("PRAGMA {name}"),
            ))
            .await
            .expect("a pragma query")
            .expect("a row");
        row.try_get_by_index::<i64>(0)
            .map(|n| n.to_string())
            .or_else(|_| row.try_get_by_index::<String>(0))
            .expect("a value")
    }

    #[tokio::test]
    async fn a_sqlite_file_is_opened_with_the_settings_scans_rely_on() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("data/revenge.db").display());
        let db = connect(&ConnectOptions::new(url))
            .await
            .expect("a database");
        assert_eq!(pragma(&db, "journal_mode").await, "wal");
        assert_eq!(pragma(&db, "synchronous").await, "1", "NORMAL");
        assert_eq!(pragma(&db, "foreign_keys").await, "1");
        assert_eq!(pragma(&db, "cache_size").await, "-512");
        assert_eq!(pragma(&db, "wal_autocheckpoint").await, "16384");
        assert_eq!(pragma(&db, "mmap_size").await, (256 << 20).to_string());
        let pool = db.conn.get_sqlite_connection_pool();
        assert!(
            !pool.options().get_test_before_acquire(),
            "no round trip to test a connection before each query"
        );
        // sqlx offers no getter; its options' debug form names the field.
        let options = format!("{:?}", pool.connect_options());
        assert!(
            options.contains(&format!("row_channel_size: {}", super::ROWS_BUFFERED)),
            "{options}"
        );
    }

    #[tokio::test]
    async fn a_sqlite_file_can_be_read_without_a_memory_map() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("revenge.db").display());
        let mut options = ConnectOptions::new(url);
        options.sqlite_mmap_size = 0;
        let db = connect(&options).await.expect("a database");
        assert_eq!(pragma(&db, "mmap_size").await, "0");
    }

    #[tokio::test]
    async fn sqlite_is_built_for_queries_on_many_threads() {
        let db = connect(&ConnectOptions::new("sqlite::memory:"))
            .await
            .expect("a database");
        let options = super::texts(&db, "PRAGMA compile_options").await;
        // Set in `.cargo/config.toml`, which says why.
        assert!(options.iter().any(|o| o == "ENABLE_QPSG"), "{options:?}");
        assert!(
            options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
            "{options:?}"
        );
        assert!(
            !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
            "{options:?}"
        );
        assert!(options.iter().any(|o| o == "OMIT_AUTOINIT"), "{options:?}");
    }
}
