//! Reading a row's columns in the order its query selected them, for rows read by the
//! thousand a second.
//!
//! SeaORM's derived `FromQueryResult` finds each column by name (a hash of the name per column
//! and row) and, for an optional column that is NULL, formats the column's name into an error
//! it then drops: an uncached Subsonic `search3` reads 60 rows holding some 600 NULLs (tags a
//! file lacks, notes a user never made) and spent 8% of its time in that formatting. Here each
//! column is read by position and a NULL is seen before anything is decoded. A column's
//! order is the code's, never the input's: builds with debug assertions (every test) check
//! each column's name, so that a query selecting its columns in another order fails with an
//! error naming both columns instead of filling the wrong fields; release builds skip the
//! check (a third of the reading, 3% of an uncached `search3`'s instructions).

use sea_orm::{DbErr, QueryResult, TryGetable};

/// A cursor over one row's columns, read front to back.
#[derive(Debug)]
pub struct Columns<'r> {
    row: &'r QueryResult,
    prefix: &'r str,
    at: usize,
}

impl<'r> Columns<'r> {
    /// The columns of `row`, the first read next. `prefix` is what each column's name starts
    /// with (the `pre` SeaORM hands `FromQueryResult`; empty for a top-level row).
    pub fn new(row: &'r QueryResult, prefix: &'r str) -> Self {
        Self { row, prefix, at: 0 }
    }

    /// The next column, which must be named `name` and hold a value (not NULL).
    pub fn get<T: TryGetable>(&mut self, name: &str) -> Result<T, DbErr> {
        let at = self.advance(name)?;
        self.row.try_get_by_index(at)
    }

    /// The next column, which must be named `name`; `None` when it is NULL.
    pub fn nullable<T: TryGetable>(&mut self, name: &str) -> Result<Option<T>, DbErr> {
        let at = self.advance(name)?;
        match self.is_null(at, name)? {
            Some(true) => Ok(None),
            Some(false) => self.row.try_get_by_index(at).map(Some),
            None => match self.row.try_get_by_index_nullable(at) {
                Ok(value) => Ok(Some(value)),
                Err(sea_orm::TryGetError::Null(_)) => Ok(None),
                Err(sea_orm::TryGetError::DbErr(e)) => Err(e),
            },
        }
    }

    /// Moves past the next column (after checking its name, with debug assertions); its
    /// position.
    fn advance(&mut self, name: &str) -> Result<usize, DbErr> {
        let at = self.at;
        self.at += 1;
        if !cfg!(debug_assertions) {
            return Ok(at);
        }
        let matches = |actual: &str| actual.strip_prefix(self.prefix) == Some(name);
        match self.name_at(at) {
            Some(actual) if matches(&actual) => Ok(at),
            Some(actual) => Err(DbErr::Type(format!(
                "column {at} of the row is `{actual}` where `{prefix}{name}` was expected",
                prefix = self.prefix
            ))),
            None => Err(DbErr::Type(format!(
                "the row has no column {at} (`{prefix}{name}` was expected)",
                prefix = self.prefix
            ))),
        }
    }

    fn name_at(&self, at: usize) -> Option<std::borrow::Cow<'r, str>> {
        #[cfg(any(feature = "sqlite", feature = "postgres"))]
        use sea_orm::sqlx::{Column, Row};
        #[cfg(feature = "sqlite")]
        if let Some(row) = self.row.try_as_sqlite_row() {
            return row.columns().get(at).map(|c| c.name().into());
        }
        #[cfg(feature = "postgres")]
        if let Some(row) = self.row.try_as_pg_row() {
            return row.columns().get(at).map(|c| c.name().into());
        }
        // No driver of ours made the row (none is compiled in): ask it the slow way.
        self.row.column_names().into_iter().nth(at).map(Into::into)
    }

    /// Whether the column is NULL; `None` when the row's driver cannot say without decoding.
    fn is_null(&self, at: usize, name: &str) -> Result<Option<bool>, DbErr> {
        #[cfg(any(feature = "sqlite", feature = "postgres"))]
        let unreadable = |e: sea_orm::sqlx::Error| {
            DbErr::Type(format!(
                "column {at} (`{prefix}{name}`): {e}",
                prefix = self.prefix
            ))
        };
        #[cfg(feature = "sqlite")]
        if let Some(row) = self.row.try_as_sqlite_row() {
            return null_at(row, at).map(Some).map_err(unreadable);
        }
        #[cfg(feature = "postgres")]
        if let Some(row) = self.row.try_as_pg_row() {
            return null_at(row, at).map(Some).map_err(unreadable);
        }
        let _ = (at, name);
        Ok(None)
    }
}

/// Whether column `at` of a driver's row is NULL, without decoding it.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn null_at<R: sea_orm::sqlx::Row>(row: &R, at: usize) -> Result<bool, sea_orm::sqlx::Error>
where
    usize: sea_orm::sqlx::ColumnIndex<R>,
{
    use sea_orm::sqlx::ValueRef;
    row.try_get_raw(at).map(|value| value.is_null())
}
