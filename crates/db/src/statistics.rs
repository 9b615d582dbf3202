//! What SQLite's query planner knows of the tables: refreshed after writes that change them
//! much (a scan), so it picks indexes by what the tables hold.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};

use crate::DbError;

/// Brings the planner's statistics up to date where they are missing or stale: SQLite's
/// `PRAGMA optimize` analyzes, on a bounded sample, each table with an index that has none yet
/// or whose size changed tenfold since, and leaves the rest. Without statistics SQLite guesses,
/// and sorted a library's every album for one page of "albums by artist". PostgreSQL's
/// autovacuum keeps its own statistics; there this does nothing.
pub async fn refresh_statistics(conn: &DatabaseConnection) -> Result<(), DbError> {
    if conn.get_database_backend() == DbBackend::Sqlite {
        conn.execute_unprepared("PRAGMA optimize").await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use sea_orm::ConnectionTrait;

    use super::refresh_statistics;
    use crate::{ConnectOptions, connect};

    async fn analyzed(db: &crate::Database) -> Vec<String> {
        crate::connect::texts(db, "SELECT DISTINCT tbl FROM sqlite_stat1 ORDER BY tbl").await
    }

    #[tokio::test]
    async fn tables_with_indexes_and_rows_get_statistics() {
        let db = connect(&ConnectOptions::new("sqlite::memory:"))
            .await
            .expect("a database");
        for sql in [
            "CREATE TABLE album (id INTEGER PRIMARY KEY, artist INTEGER NOT NULL)",
            "CREATE INDEX album_artist ON album (artist)",
            "CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)",
            "INSERT INTO album (artist) VALUES (1), (1), (2)",
        ] {
            db.conn.execute_unprepared(sql).await.expect(sql);
        }
        refresh_statistics(&db.conn).await.expect("refreshed");
        assert_eq!(analyzed(&db).await, ["album"]);
        // Fresh statistics are left alone: a second call is harmless.
        refresh_statistics(&db.conn).await.expect("refreshed again");
        assert_eq!(analyzed(&db).await, ["album"]);
    }
}
