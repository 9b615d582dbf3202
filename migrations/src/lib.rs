//! Revenge's frozen schema migrations, written by hand and never generated from entities.
//!
//! One set per owner: `server` (always) and one per content module behind that module's Cargo
//! feature, so a module's tables exist only in builds that include the module. A migration that
//! has shipped is never edited; a change is a new migration appended to its owner's list.

pub mod server;

#[cfg(feature = "movie")]
pub mod movie;
#[cfg(feature = "tvshow")]
pub mod tvshow;

pub use sea_orm_migration::MigrationTrait;
#[cfg(feature = "music")]
pub mod music;
