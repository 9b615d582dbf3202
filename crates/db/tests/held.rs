//! A held connection answers several queries on one connection of the pool and gives it back
//! when dropped: on a SQLite file, and on PostgreSQL when `TEST_DATABASE_URL` names one.

#![cfg(any(feature = "sqlite", feature = "postgres"))]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::time::Duration;

use revenge_db::{ConnectOptions, Database, Held, connect};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbErr};

fn probe() -> Alias {
    Alias::new("held_probe")
}

/// On a pool of exactly one connection, so that a held connection is the only one.
async fn holds_one_connection(db: Database) {
    let backend = db.conn.get_database_backend();
    let held = Held::take(&db.conn).await.expect("a connection");
    // A temporary table lives on one connection only: each query below finds it.
    held.execute_unprepared("CREATE TEMPORARY TABLE held_probe (n INTEGER NOT NULL)")
        .await
        .expect("created");
    let insert = Query::insert()
        .into_table(probe())
        .columns([Alias::new("n")])
        .values_panic([1.into()])
        .values_panic([2.into()])
        .values_panic([3.into()])
        .to_owned();
    let inserted = held.execute(&insert).await.expect("inserted");
    assert_eq!(inserted.rows_affected(), 3, "{backend:?}");
    let above = |n: i32| {
        Query::select()
            .column(Alias::new("n"))
            .from(probe())
            .and_where(Expr::col(Alias::new("n")).gt(n))
            .order_by(Alias::new("n"), sea_orm::Order::Asc)
            .to_owned()
    };
    let rows = held.query_all(&above(1)).await.expect("rows");
    let found: Vec<i32> = rows
        .iter()
        .map(|r| r.try_get_by_index::<i32>(0).unwrap())
        .collect();
    assert_eq!(found, vec![2, 3], "{backend:?}: bound values");
    let one = held
        .query_one(&above(2))
        .await
        .expect("a row")
        .expect("one");
    assert_eq!(one.try_get_by_index::<i32>(0).unwrap(), 3, "{backend:?}");
    assert!(held.query_one(&above(3)).await.unwrap().is_none());

    // A bad statement is a query error naming the problem, and the connection still serves.
    let missing = Query::select()
        .column(Alias::new("n"))
        .from(Alias::new("no_such_table"))
        .to_owned();
    match held.query_all(&missing).await {
        Err(DbErr::Query(e)) => assert!(e.to_string().contains("no_such_table"), "{e}"),
        other => panic!("{backend:?}: expected a query error, got {other:?}"),
    }
    assert_eq!(held.query_all(&above(0)).await.unwrap().len(), 3);

    // While held, the pool has no connection to give.
    match db.conn.query_all(&above(0)).await {
        Err(DbErr::ConnectionAcquire(_)) => {}
        other => panic!("{backend:?}: the pool lent a second connection: {other:?}"),
    }
    // Dropped, it is back in the pool, the same connection: the temporary table is there.
    drop(held);
    let again = db
        .conn
        .query_all(&above(0))
        .await
        .expect("the connection came back");
    assert_eq!(again.len(), 3, "{backend:?}");
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn a_held_sqlite_connection_answers_queries_and_comes_back() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("held.db").display());
    let mut options = ConnectOptions::new(url);
    options.max_connections = 1;
    options.connect_timeout = Duration::from_millis(500);
    holds_one_connection(connect(&options).await.expect("a database")).await;
}

/// PostgreSQL: `TEST_DATABASE_URL`, `TEST_POSTGRES_URL` (as `cargo xtask test` reads it), or the
/// local server CI uses. Only a temporary table is
/// made, so the database itself is used as it is.
#[cfg(feature = "postgres")]
#[tokio::test]
async fn a_held_postgres_connection_answers_queries_and_comes_back() {
    let url = std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("TEST_POSTGRES_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let mut options = ConnectOptions::new(url.clone());
    options.max_connections = 1;
    options.connect_timeout = Duration::from_millis(500);
    let db = match connect(&options).await {
        Ok(db) => db,
        Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!(
                "skipped: PostgreSQL at {url} is unreachable ({e}); under CI=true this fails"
            );
            return;
        }
        Err(e) => panic!("PostgreSQL at {url} is unreachable: {e}"),
    };
    holds_one_connection(db).await;
}
