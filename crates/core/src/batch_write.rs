//! Writing a batch of new rows many to a statement instead of a round trip each: ids handed
//! out before the rows are written (so rows pointing at them can be built meanwhile), and the
//! insert that falls back to one row at a time so a bad row costs only itself.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;

use sea_orm::sea_query::ColumnType;
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend,
    DbErr, EntityName, EntityTrait, IdenStatic, Iterable, Statement, TransactionTrait, Value,
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

    /// A block for the same table, holding nothing: for the next transaction, as a block's
    /// SQLite numbering holds only under the write lock of the transaction that drew it.
    #[must_use]
    pub fn renewed(&self) -> Self {
        Self::new(self.table)
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
    Box::pin(insert_all(db, rows))
}

/// Inserts `rows` in one statement. Rows that set the same columns, none of them a database
/// enum, go as one plain `INSERT … VALUES (…), (…)` with their values bound as they are: sea-orm's
/// `insert_many` builds an expression per value and writes the statement from those, which was
/// most of what a scan's writer spent on a batch of tracks. Other rows go through `insert_many`.
pub async fn insert_all<A>(db: &impl ConnectionTrait, rows: &[A]) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Clone + Send + Sync,
{
    insert_refs(db, &rows.iter().collect::<Vec<_>>()).await
}

/// [`insert_all`] of rows held elsewhere (parents with their children, records with their paths).
pub async fn insert_refs<A>(db: &impl ConnectionTrait, rows: &[&A]) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Clone + Send + Sync,
{
    if rows.is_empty() {
        return Ok(());
    }
    match plain_insert(db.get_database_backend(), rows) {
        Some(statement) => db.execute_raw(statement).await.map(|_| ()),
        None => <A::Entity as EntityTrait>::insert_many(rows.iter().map(|row| (*row).clone()))
            .exec_without_returning(db)
            .await
            .map(|_| ()),
    }
}

/// The plain insert of `rows`, or `None` when they do not set the same columns, a column is an
/// enum (PostgreSQL would need a cast) or the backend is neither SQLite nor PostgreSQL.
fn plain_insert<A: ActiveModelTrait>(backend: DbBackend, rows: &[&A]) -> Option<Statement> {
    use std::fmt::Write;

    let first = rows.first()?;
    let all: Vec<_> = <A::Entity as EntityTrait>::Column::iter().collect();
    let (columns, unset): (Vec<_>, Vec<_>) = all.into_iter().partition(|c| !first.is_not_set(*c));
    if columns.is_empty()
        || columns.iter().any(|c| {
            matches!(
                c.def().get_column_type(),
                ColumnType::Enum { .. } | ColumnType::Array(_)
            )
        })
    {
        return None;
    }
    let mut values: Vec<Value> = Vec::with_capacity(rows.len() * columns.len());
    for row in rows {
        if unset.iter().any(|c| !row.is_not_set(*c)) {
            return None;
        }
        for column in &columns {
            match row.get(*column) {
                ActiveValue::Set(value) | ActiveValue::Unchanged(value) => values.push(value),
                ActiveValue::NotSet => return None,
            }
        }
    }
    let table = <A::Entity as EntityName>::table_name(&A::Entity::default());
    let mut sql = String::with_capacity(64 + columns.len() * 24 + values.len() * 6);
    let _ = write!(sql, "INSERT INTO \"{table}\" (");
    for (i, column) in columns.iter().enumerate() {
        let comma = if i == 0 { "" } else { ", " };
        let _ = write!(sql, "{comma}\"{}\"", column.as_str());
    }
    sql.push_str(") VALUES ");
    let mut n = 0usize;
    for r in 0..rows.len() {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns.len() {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            match backend {
                DbBackend::Sqlite => sql.push('?'),
                DbBackend::Postgres => {
                    let _ = write!(sql, "${n}");
                }
                _ => return None,
            }
        }
        sql.push(')');
    }
    Some(Statement::from_sql_and_values(backend, sql, values))
}

/// Bound values SQLite takes in one statement, with room to spare.
const VALUES_PER_STATEMENT: usize = 24_000;

/// Rows of `columns` values each that one insert statement takes: SQLite binds at most 32,766
/// values a statement, and a statement over it fails whole.
#[must_use]
pub fn rows_per_statement(columns: usize) -> usize {
    (VALUES_PER_STATEMENT / columns.max(1)).max(1)
}

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
    let parents: Vec<&P> = units.iter().map(|(parent, _)| parent).collect();
    insert_refs(db, &parents).await?;
    let children: Vec<&C> = units
        .iter()
        .flat_map(|(_, children)| children.iter())
        .collect();
    for chunk in children.chunks(rows_per_statement(child_columns)) {
        insert_refs(db, chunk).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveValue::Set, DbBackend, Value};

    use super::{plain_insert, rows_per_statement};
    use crate::media_file::ActiveModel;

    fn record(id: Option<i64>, size: i64) -> ActiveModel {
        ActiveModel {
            id: id.map_or(sea_orm::ActiveValue::NotSet, Set),
            library_id: Set(7),
            size: Set(size),
            kind: Set("item".to_owned()),
            ..Default::default()
        }
    }

    #[test]
    fn rows_setting_the_same_columns_go_as_one_plain_insert_per_backend() {
        let (a, b) = (record(None, 10), record(None, 20));
        let sqlite = plain_insert(DbBackend::Sqlite, &[&a, &b]).expect("a plain insert");
        assert_eq!(
            sqlite.sql,
            r#"INSERT INTO "media_file" ("library_id", "size", "kind") VALUES (?, ?, ?), (?, ?, ?)"#
        );
        let values = sqlite.values.expect("values").0;
        assert_eq!(
            values,
            vec![
                Value::from(7i64),
                Value::from(10i64),
                Value::from("item"),
                Value::from(7i64),
                Value::from(20i64),
                Value::from("item"),
            ]
        );
        let postgres = plain_insert(DbBackend::Postgres, &[&a, &b]).expect("a plain insert");
        assert!(
            postgres
                .sql
                .ends_with(r#"VALUES ($1, $2, $3), ($4, $5, $6)"#),
            "{}",
            postgres.sql
        );
    }

    #[test]
    fn a_statement_never_holds_more_values_than_sqlite_binds() {
        for columns in [0, 1, 3, 17, 40, 24_000, 100_000] {
            let rows = rows_per_statement(columns);
            assert!(rows >= 1, "{columns} columns");
            assert!(
                rows == 1 || rows * columns <= 32_766,
                "{columns} columns: {rows} rows"
            );
        }
    }

    #[test]
    fn rows_setting_different_columns_are_left_to_insert_many() {
        let (with_id, without) = (record(Some(1), 10), record(None, 20));
        assert!(plain_insert(DbBackend::Sqlite, &[&with_id, &without]).is_none());
        assert!(plain_insert(DbBackend::Sqlite, &[&without, &with_id]).is_none());
        assert!(plain_insert(DbBackend::MySql, &[&without]).is_none());
    }
}
