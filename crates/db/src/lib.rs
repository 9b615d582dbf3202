//! Revenge's database layer: one connection type for SQLite and PostgreSQL, the migration runner
//! that applies the server's and every compiled-in module's frozen migrations, and server-wide
//! settings. The server crate never writes SQL; it calls this crate.

mod columns;
mod connect;
mod error;
mod held;
pub mod migrate;
pub mod settings;
mod statistics;

pub use columns::Columns;
#[cfg(feature = "sqlite")]
pub use connect::open_in_memory;
pub use connect::{Backend, ConnectOptions, Database, compiled_backends, connect};
pub use error::DbError;
pub use held::Held;
pub use migrate::{MigrationSet, MigrationState, MigrationStatus};
pub use sea_orm::DatabaseConnection;
pub use statistics::refresh_statistics;
