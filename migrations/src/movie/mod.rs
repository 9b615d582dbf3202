//! Migrations of the movie module.

use sea_orm_migration::MigrationTrait;

mod m20261125_000001_create_movie;
mod m20261125_000002_movie_lookup_index;

/// The owner name under which these migrations are recorded.
pub const OWNER: &str = "movie";

/// The movie module's migrations, oldest first.
pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261125_000001_create_movie::Migration),
        Box::new(m20261125_000002_movie_lookup_index::Migration),
    ]
}
