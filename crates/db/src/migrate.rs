//! Applies and reverts the frozen migrations of the server and of each compiled-in module.
//!
//! sea-orm-migration's own `Migrator` wants one static list; ours changes with the build, so the
//! runner keeps its own record (`revenge_migration`: owner, name, time, in applying order). Each
//! migration and its record commit in one transaction, so a crash never leaves one without the
//! other. Rows of modules this build lacks are kept and reported, never touched.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Index, Order, Query, Table};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};
use sea_orm_migration::prelude::DeriveIden;
use sea_orm_migration::schema::{big_pk_auto, string, timestamp_with_time_zone};
use sea_orm_migration::{MigrationTrait, SchemaManager};

use crate::DbError;

/// The migrations of one owner: the server or a content module.
pub struct MigrationSet {
    /// `server` or the module's id.
    pub owner: &'static str,
    /// Oldest first.
    pub migrations: Vec<Box<dyn MigrationTrait>>,
}

impl std::fmt::Debug for MigrationSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.migrations.iter().map(|m| m.name()).collect();
        f.debug_struct("MigrationSet")
            .field("owner", &self.owner)
            .field("migrations", &names)
            .finish()
    }
}

/// Where one migration stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationState {
    /// Applied at that time.
    Applied(DateTime<Utc>),
    /// Compiled in, not applied yet.
    Pending,
    /// Applied by a build that had it; this build does not (a module built out).
    NotCompiled(DateTime<Utc>),
}

/// One line of `revenge migrate status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    /// The owner.
    pub owner: String,
    /// The migration's name.
    pub name: String,
    /// Where it stands.
    pub state: MigrationState,
}

#[derive(DeriveIden)]
enum RevengeMigration {
    Table,
    Seq,
    Owner,
    Name,
    AppliedAt,
}

struct Record {
    seq: i64,
    owner: String,
    name: String,
    applied_at: DateTime<Utc>,
}

async fn ensure_table(conn: &DatabaseConnection) -> Result<(), DbError> {
    let manager = SchemaManager::new(conn);
    manager
        .create_table(
            Table::create()
                .table(RevengeMigration::Table)
                .if_not_exists()
                .col(big_pk_auto(RevengeMigration::Seq))
                .col(string(RevengeMigration::Owner))
                .col(string(RevengeMigration::Name))
                .col(timestamp_with_time_zone(RevengeMigration::AppliedAt))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .if_not_exists()
                .name("idx_revenge_migration_owner_name")
                .table(RevengeMigration::Table)
                .col(RevengeMigration::Owner)
                .col(RevengeMigration::Name)
                .unique()
                .to_owned(),
        )
        .await?;
    Ok(())
}

async fn records(conn: &DatabaseConnection) -> Result<Vec<Record>, DbError> {
    ensure_table(conn).await?;
    let query = Query::select()
        .columns([
            RevengeMigration::Seq,
            RevengeMigration::Owner,
            RevengeMigration::Name,
            RevengeMigration::AppliedAt,
        ])
        .from(RevengeMigration::Table)
        .order_by(RevengeMigration::Seq, Order::Asc)
        .to_owned();
    let rows = conn.query_all(&query).await?;
    rows.into_iter()
        .map(|row| {
            Ok(Record {
                seq: row.try_get("", "seq")?,
                owner: row.try_get("", "owner")?,
                name: row.try_get("", "name")?,
                applied_at: row.try_get("", "applied_at")?,
            })
        })
        .collect::<Result<_, DbErr>>()
        .map_err(DbError::from)
}

/// Every compiled-in migration, then every applied one this build lacks.
pub async fn status(
    conn: &DatabaseConnection,
    sets: &[MigrationSet],
) -> Result<Vec<MigrationStatus>, DbError> {
    let records = records(conn).await?;
    let mut out = Vec::new();
    for set in sets {
        for migration in &set.migrations {
            let applied = records
                .iter()
                .find(|r| r.owner == set.owner && r.name == migration.name());
            out.push(MigrationStatus {
                owner: set.owner.to_owned(),
                name: migration.name().to_owned(),
                state: applied.map_or(MigrationState::Pending, |r| {
                    MigrationState::Applied(r.applied_at)
                }),
            });
        }
    }
    for record in records {
        if find(sets, &record.owner, &record.name).is_none() {
            out.push(MigrationStatus {
                owner: record.owner,
                name: record.name,
                state: MigrationState::NotCompiled(record.applied_at),
            });
        }
    }
    Ok(out)
}

fn find<'a>(sets: &'a [MigrationSet], owner: &str, name: &str) -> Option<&'a dyn MigrationTrait> {
    sets.iter()
        .filter(|s| s.owner == owner)
        .flat_map(|s| s.migrations.iter())
        .find(|m| m.name() == name)
        .map(|m| &**m)
}

/// Applies every pending migration, set by set in the given order, each set oldest first.
/// Returns `owner/name` of what it applied.
pub async fn up(conn: &DatabaseConnection, sets: &[MigrationSet]) -> Result<Vec<String>, DbError> {
    let records = records(conn).await?;
    let mut applied = Vec::new();
    for set in sets {
        for migration in &set.migrations {
            let done = records
                .iter()
                .any(|r| r.owner == set.owner && r.name == migration.name());
            if done {
                continue;
            }
            run(conn, set.owner, &**migration, Direction::Up).await?;
            tracing::info!(
                owner = set.owner,
                name = migration.name(),
                "applied migration"
            );
            applied.push(format!("{}/{}", set.owner, migration.name()));
        }
    }
    Ok(applied)
}

/// Reverts the `steps` most recently applied migrations, newest first. Refuses (before changing
/// anything) when one of them belongs to a module this build lacks.
pub async fn down(
    conn: &DatabaseConnection,
    sets: &[MigrationSet],
    steps: usize,
) -> Result<Vec<String>, DbError> {
    let mut records = records(conn).await?;
    records.sort_by_key(|r| std::cmp::Reverse(r.seq));
    let targets: Vec<&Record> = records.iter().take(steps).collect();
    for record in &targets {
        if find(sets, &record.owner, &record.name).is_none() {
            return Err(DbError::MigrationNotCompiled {
                owner: record.owner.clone(),
                name: record.name.clone(),
            });
        }
    }
    let mut reverted = Vec::new();
    for record in targets {
        if let Some(migration) = find(sets, &record.owner, &record.name) {
            run(conn, &record.owner, migration, Direction::Down).await?;
            tracing::info!(owner = %record.owner, name = %record.name, "reverted migration");
            reverted.push(format!("{}/{}", record.owner, record.name));
        }
    }
    Ok(reverted)
}

#[derive(Clone, Copy)]
enum Direction {
    Up,
    Down,
}

async fn run(
    conn: &DatabaseConnection,
    owner: &str,
    migration: &dyn MigrationTrait,
    direction: Direction,
) -> Result<(), DbError> {
    let wrap = |source: DbErr| DbError::Migration {
        owner: owner.to_owned(),
        name: migration.name().to_owned(),
        source,
    };
    let txn = conn.begin().await.map_err(wrap)?;
    {
        let manager = SchemaManager::new(&txn);
        match direction {
            Direction::Up => migration.up(&manager).await,
            Direction::Down => migration.down(&manager).await,
        }
        .map_err(wrap)?;
    }
    match direction {
        Direction::Up => {
            let insert = Query::insert()
                .into_table(RevengeMigration::Table)
                .columns([
                    RevengeMigration::Owner,
                    RevengeMigration::Name,
                    RevengeMigration::AppliedAt,
                ])
                .values([owner.into(), migration.name().into(), Utc::now().into()])
                .map_err(|e| wrap(DbErr::Custom(e.to_string())))?
                .to_owned();
            txn.execute(&insert).await.map_err(wrap)?;
        }
        Direction::Down => {
            let delete = Query::delete()
                .from_table(RevengeMigration::Table)
                .and_where(Expr::col(RevengeMigration::Owner).eq(owner))
                .and_where(Expr::col(RevengeMigration::Name).eq(migration.name()))
                .to_owned();
            txn.execute(&delete).await.map_err(wrap)?;
        }
    }
    txn.commit().await.map_err(wrap)
}
