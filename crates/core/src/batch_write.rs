//! Writing a batch of new rows many to a statement instead of a round trip each: ids handed
//! out before the rows are written (so rows pointing at them can be built meanwhile), and the
//! insert that falls back to one row at a time so a bad row costs only itself.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;

use sea_orm::{
    ActiveModelTrait, ActiveValue, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, Statement, TransactionTrait,
};

use crate::Id;

/// Ids reserved from PostgreSQL's sequence at a time.
const POSTGRES_BLOCK: i64 = 256;

/// Ids for new rows of one table whose `id` the database numbers itself.
///
/// On PostgreSQL the ids come from the table's own sequence, so they never collide with rows
/// written by anyone else (unused ones leave gaps, as any rolled-back insert does). SQLite has
/// no sequence to draw from: there the block counts on from the highest id ever given out, which
/// is only safe inside a transaction that holds the write lock from its start (`BEGIN
/// IMMEDIATE`, as the scanner's batches are) and writes every id it took before it commits.
#[derive(Debug)]
pub struct IdBlock {
    table: &'static str,
    free: VecDeque<Id>,
    /// SQLite: the next id past the highest one known.
    next: Option<Id>,
}

impl IdBlock {
    /// A block for `table`, whose key column is `id`.
    #[must_use]
    pub fn new(table: &'static str) -> Self {
        Self {
            table,
            free: VecDeque::new(),
            next: None,
        }
    }

    /// The next id to give a new row.
    pub async fn next<C: ConnectionTrait>(&mut self, db: &C) -> Result<Id, DbErr> {
        match db.get_database_backend() {
            DbBackend::Postgres => {
                if self.free.is_empty() {
                    let sql = format!(
                        "SELECT nextval(pg_get_serial_sequence('{}', 'id')) \
                         FROM generate_series(1, {POSTGRES_BLOCK})",
                        self.table
                    );
                    let rows = db
                        .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
                        .await?;
                    for row in rows {
                        self.free.push_back(row.try_get_by_index::<Id>(0)?);
                    }
                }
                self.free
                    .pop_front()
                    .ok_or_else(|| DbErr::Custom(format!("no id left for {}", self.table)))
            }
            DbBackend::Sqlite => {
                let next = match self.next {
                    Some(next) => next,
                    None => {
                        // AUTOINCREMENT never hands out an id twice, even one whose row is gone:
                        // neither must this.
                        let sql = format!(
                            "SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), \
                             COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0))",
                            table = self.table
                        );
                        let row = db
                            .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
                            .await?
                            .ok_or_else(|| {
                                DbErr::Custom(format!("no highest id of {}", self.table))
                            })?;
                        row.try_get_by_index::<Id>(0)? + 1
                    }
                };
                self.next = Some(next + 1);
                Ok(next)
            }
            other => Err(DbErr::Custom(format!(
                "ids cannot be reserved on {other:?}"
            ))),
        }
    }
}

/// What a [`write_batch`] writer returns.
pub type WriteFuture<'a> = Pin<Box<dyn Future<Output = Result<(), DbErr>> + Send + 'a>>;

/// Writes `units` (each a row and whatever goes with it, keyed by the row's id) with `write`,
/// `per_statement` at a time, each call in a savepoint (PostgreSQL aborts a transaction at its
/// first failed statement). When a call fails, its units are written one by one, so a unit the
/// database refuses costs only itself. Returns the refused units' ids, each with why; an `Err`
/// means the transaction itself failed.
pub async fn write_batch<U: Sync>(
    db: &DatabaseTransaction,
    units: &[U],
    per_statement: usize,
    write: for<'a> fn(&'a DatabaseTransaction, &'a [U]) -> WriteFuture<'a>,
    id: fn(&U) -> crate::Id,
) -> Result<Vec<(crate::Id, String)>, DbErr> {
    let mut refused = Vec::new();
    for chunk in units.chunks(per_statement.max(1)) {
        if attempt(db, chunk, write).await?.is_ok() {
            continue;
        }
        for unit in chunk {
            if let Err(e) = attempt(db, std::slice::from_ref(unit), write).await? {
                refused.push((id(unit), e.to_string()));
            }
        }
    }
    Ok(refused)
}

/// A module's `Importer::flush`: takes the rows its batch state `K` gathered (`take`) and
/// writes them with [`write_batch`]; a batch without such a state has nothing to write.
pub async fn flush_batch<K: std::any::Any, U: Send + Sync>(
    db: &DatabaseTransaction,
    batch: &mut crate::ImportBatch,
    take: fn(&mut K) -> Vec<U>,
    per_statement: usize,
    write: for<'a> fn(&'a DatabaseTransaction, &'a [U]) -> WriteFuture<'a>,
    id: fn(&U) -> crate::Id,
) -> Result<Vec<(crate::Id, String)>, String> {
    let Some(state) = batch.downcast_mut::<K>() else {
        return Ok(Vec::new());
    };
    let rows = take(state);
    write_batch(db, &rows, per_statement, write, id)
        .await
        .map_err(|e| e.to_string())
}

/// One call of `write` in a savepoint: the outer error is the transaction's, the inner the
/// write's.
async fn attempt<U: Sync>(
    db: &DatabaseTransaction,
    units: &[U],
    write: for<'a> fn(&'a DatabaseTransaction, &'a [U]) -> WriteFuture<'a>,
) -> Result<Result<(), DbErr>, DbErr> {
    let savepoint = db.begin().await?;
    match write(&savepoint, units).await {
        Ok(()) => savepoint.commit().await.map(Ok),
        Err(e) => {
            savepoint.rollback().await?;
            Ok(Err(e))
        }
    }
}

/// The id a row was numbered with (0 for a row without one, which [`IdBlock`] never makes).
pub fn id_of(id: &ActiveValue<crate::Id>) -> crate::Id {
    match id {
        ActiveValue::Set(id) | ActiveValue::Unchanged(id) => *id,
        ActiveValue::NotSet => 0,
    }
}

/// A [`write_batch`] writer for rows that own nothing else: all of them in one statement.
pub fn insert_rows<'a, A>(db: &'a DatabaseTransaction, rows: &'a [A]) -> WriteFuture<'a>
where
    A: ActiveModelTrait + Clone + Send + Sync + 'static,
{
    Box::pin(async move {
        <A::Entity as EntityTrait>::insert_many(rows.iter().cloned())
            .exec_without_returning(db)
            .await
            .map(|_| ())
    })
}

/// Bound values SQLite takes in one statement, with room to spare.
const VALUES_PER_STATEMENT: usize = 24_000;

/// Inserts rows and the rows that belong to them (a film and its genres): the parents in one
/// statement, the children in as few as SQLite's bound values allow, with `child_columns`
/// values each.
pub async fn insert_with_children<P, C>(
    db: &DatabaseTransaction,
    units: &[(P, Vec<C>)],
    child_columns: usize,
) -> Result<(), DbErr>
where
    P: ActiveModelTrait + Clone + Send + Sync,
    C: ActiveModelTrait + Clone + Send + Sync,
{
    <P::Entity as EntityTrait>::insert_many(units.iter().map(|(parent, _)| parent.clone()))
        .exec_without_returning(db)
        .await?;
    let children: Vec<C> = units
        .iter()
        .flat_map(|(_, children)| children.iter().cloned())
        .collect();
    for chunk in children.chunks((VALUES_PER_STATEMENT / child_columns.max(1)).max(1)) {
        <C::Entity as EntityTrait>::insert_many(chunk.iter().cloned())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
