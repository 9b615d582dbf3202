//! One pooled connection held for a request's several queries.
//!
//! Every query through the pool takes a connection and gives it back, and sqlx tests each
//! connection it is given back with a round trip to it (on SQLite, to the connection's thread:
//! two thread switches). An uncached Subsonic `search3` reads artists, albums and songs: three
//! takes and three tests, where one of each will do.

#[cfg(any(feature = "sqlite", feature = "postgres"))]
use sea_orm::sqlx::Executor;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
use sea_orm::{ConnAcquireErr, RuntimeErr};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult, Statement,
};

/// A connection of the pool taken once for several queries, given back when dropped. It
/// answers queries like the pool does (`ConnectionTrait`), one at a time; hold it only for
/// the queries of one request, not across other waits.
pub struct Held<'a> {
    db: &'a DatabaseConnection,
    conn: Connection,
}

enum Connection {
    #[cfg(feature = "sqlite")]
    Sqlite(futures_util::lock::Mutex<sea_orm::sqlx::pool::PoolConnection<sea_orm::sqlx::Sqlite>>),
    #[cfg(feature = "postgres")]
    Postgres(
        futures_util::lock::Mutex<sea_orm::sqlx::pool::PoolConnection<sea_orm::sqlx::Postgres>>,
    ),
    /// Any other backend (MySQL, or a build without either driver): every query goes through
    /// `db`'s pool as usual.
    Pool,
}

impl std::fmt::Debug for Held<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Held")
            .field("backend", &self.db.get_database_backend())
            .finish_non_exhaustive()
    }
}

impl<'a> Held<'a> {
    /// Takes a connection from `db`'s pool, waiting as long as any query would.
    pub async fn take(db: &'a DatabaseConnection) -> Result<Self, DbErr> {
        let conn = match db.get_database_backend() {
            // A SQLite or PostgreSQL `DatabaseConnection` is always a pool here: `connect`
            // makes nothing else (no mock or proxy connections are compiled in).
            #[cfg(feature = "sqlite")]
            DbBackend::Sqlite => Connection::Sqlite(futures_util::lock::Mutex::new(
                db.get_sqlite_connection_pool()
                    .acquire()
                    .await
                    .map_err(sqlx_conn_acquire_err)?,
            )),
            #[cfg(feature = "postgres")]
            DbBackend::Postgres => Connection::Postgres(futures_util::lock::Mutex::new(
                db.get_postgres_connection_pool()
                    .acquire()
                    .await
                    .map_err(sqlx_conn_acquire_err)?,
            )),
            _ => Connection::Pool,
        };
        Ok(Self { db, conn })
    }
}

// As SeaORM maps sqlx's errors (its own functions for it are private).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn sqlx_conn_acquire_err(e: sea_orm::sqlx::Error) -> DbErr {
    match e {
        sea_orm::sqlx::Error::PoolTimedOut => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        sea_orm::sqlx::Error::PoolClosed => {
            DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed)
        }
        e => DbErr::Conn(RuntimeErr::SqlxError(e.into())),
    }
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn sqlx_error_to_exec_err(e: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(e.into()))
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn sqlx_error_to_query_err(e: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(e.into()))
}

/// `stmt` as an sqlx query, its values bound as SeaORM binds them.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn query<DB>(stmt: &Statement) -> sea_orm::sqlx::query::Query<'_, DB, sea_query_sqlx::SqlxValues>
where
    DB: sea_orm::sqlx::Database,
    sea_query_sqlx::SqlxValues: sea_orm::sqlx::IntoArguments<DB>,
{
    let values = stmt
        .values
        .clone()
        .unwrap_or(sea_orm::sea_query::Values(Vec::new()));
    sea_orm::sqlx::query_with(
        sea_orm::sqlx::AssertSqlSafe(stmt.sql.as_str()),
        sea_query_sqlx::SqlxValues(values),
    )
}

/// Runs `$body` with `$conn` bound to the held connection (`&mut` of its sqlx connection), or
/// `$pool` on `self.db` when none is held.
macro_rules! on_connection {
    ($self:ident, |$conn:ident| $body:expr, $pool:expr) => {
        match &$self.conn {
            #[cfg(feature = "sqlite")]
            Connection::Sqlite(held) => {
                let mut guard = held.lock().await;
                let $conn = &mut **guard;
                $body
            }
            #[cfg(feature = "postgres")]
            Connection::Postgres(held) => {
                let mut guard = held.lock().await;
                let $conn = &mut **guard;
                $body
            }
            Connection::Pool => $pool,
        }
    };
}

#[async_trait::async_trait]
impl ConnectionTrait for Held<'_> {
    fn get_database_backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        on_connection!(
            self,
            |conn| query(&stmt)
                .execute(conn)
                .await
                .map(ExecResult::from)
                .map_err(sqlx_error_to_exec_err),
            self.db.execute_raw(stmt).await
        )
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        on_connection!(
            self,
            |conn| conn
                .execute(sea_orm::sqlx::AssertSqlSafe(sql.to_owned()))
                .await
                .map(ExecResult::from)
                .map_err(sqlx_error_to_exec_err),
            self.db.execute_unprepared(sql).await
        )
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        on_connection!(
            self,
            |conn| query(&stmt)
                .fetch_optional(conn)
                .await
                .map(|row| row.map(QueryResult::from))
                .map_err(sqlx_error_to_query_err),
            self.db.query_one_raw(stmt).await
        )
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        on_connection!(
            self,
            |conn| query(&stmt)
                .fetch_all(conn)
                .await
                .map(|rows| rows.into_iter().map(QueryResult::from).collect())
                .map_err(sqlx_error_to_query_err),
            self.db.query_all_raw(stmt).await
        )
    }

    fn support_returning(&self) -> bool {
        self.db.support_returning()
    }
}
