//! The one list of content modules this build composes. Each entry is gated by its Cargo
//! feature; nothing else in the server names a module.

use revenge_core::Module;

/// The compiled-in content modules, in display order.
pub fn compiled() -> Vec<Box<dyn Module>> {
    vec![
        #[cfg(feature = "movie")]
        Box::new(revenge_movie::MovieModule),
        #[cfg(feature = "tvshow")]
        Box::new(revenge_tvshow::TvShowModule),
        #[cfg(feature = "music")]
        Box::new(revenge_music::MusicModule),
    ]
}

/// Every migration set this build runs: the server's own first, then each module's.
pub fn migration_sets() -> Vec<revenge_db::MigrationSet> {
    let mut sets = vec![revenge_db::MigrationSet {
        owner: revenge_migrations::server::OWNER,
        migrations: revenge_migrations::server::migrations(),
    }];
    sets.extend(compiled().into_iter().map(|m| revenge_db::MigrationSet {
        owner: m.id(),
        migrations: m.migrations(),
    }));
    sets
}
