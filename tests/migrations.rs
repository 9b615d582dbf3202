//! Every migration goes up, down and up again; modules built in later migrate forward; modules
//! built out are reported and never touched.

use revenge_db::{MigrationSet, MigrationState, migrate};
use revenge_server::modules::migration_sets;
use revenge_tests::TestEnv;
use sea_orm::ConnectionTrait;

async fn table_exists(db: &revenge_db::Database, table: &str) -> bool {
    db.conn
        .execute_unprepared(&format!("SELECT 1 FROM {table} WHERE 1 = 0"))
        .await
        .is_ok()
}

fn all_tables() -> Vec<&'static str> {
    let mut tables = vec![
        "server_setting",
        "library",
        "app_user",
        "user_library",
        "user_session",
        "api_key",
        "login_attempt",
        "job",
        "webhook",
        "webhook_delivery",
        "library_folder",
        "media_file",
        "playback_state",
    ];
    if cfg!(feature = "movie") {
        tables.extend(["movie", "movie_genre"]);
    }
    if cfg!(feature = "tvshow") {
        tables.extend([
            "tvshow_series",
            "tvshow_series_genre",
            "tvshow_season",
            "tvshow_episode",
        ]);
    }
    if cfg!(feature = "music") {
        tables.extend([
            "music_artist",
            "music_album",
            "music_track",
            "music_track_genre",
            "music_annotation",
            "music_playlist",
            "music_playlist_entry",
            "music_play_queue",
            "music_now_playing",
            "music_subsonic_password",
        ]);
    }
    tables
}

#[tokio::test]
async fn every_migration_goes_up_down_and_up_again() {
    let env = TestEnv::new().await;
    let db = env.connect().await;
    let sets = migration_sets();
    let total: usize = sets.iter().map(|s| s.migrations.len()).sum();

    let applied = migrate::up(&db.conn, &sets)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(applied.len(), total);
    for table in all_tables() {
        assert!(table_exists(&db, table).await, "{table} after up");
    }
    let again = migrate::up(&db.conn, &sets)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(again.is_empty(), "a second up applies nothing: {again:?}");

    let reverted = migrate::down(&db.conn, &sets, total)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reverted.len(), total);
    // Newest first: the server's own migration, applied first, is reverted last.
    assert!(
        reverted.last().is_some_and(|n| n.starts_with("server/")),
        "{reverted:?}"
    );
    for table in all_tables() {
        assert!(!table_exists(&db, table).await, "{table} after down");
    }
    let status = migrate::status(&db.conn, &sets)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        status.iter().all(|s| s.state == MigrationState::Pending),
        "{status:?}"
    );

    let applied = migrate::up(&db.conn, &sets)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(applied.len(), total);
    for table in all_tables() {
        assert!(table_exists(&db, table).await, "{table} after up again");
    }
    let status = migrate::status(&db.conn, &sets)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        status
            .iter()
            .all(|s| matches!(s.state, MigrationState::Applied(_))),
        "{status:?}"
    );
}

#[tokio::test]
async fn a_module_built_in_later_migrates_forward_and_one_built_out_is_left_alone() {
    let env = TestEnv::new().await;
    let db = env.connect().await;
    let full = migration_sets();
    // An older build: the server's set alone.
    let server_only: Vec<MigrationSet> = migration_sets()
        .into_iter()
        .filter(|s| s.owner == "server")
        .collect();
    migrate::up(&db.conn, &server_only)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    // Building the modules in applies only their migrations.
    let applied = migrate::up(&db.conn, &full)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let module_count: usize = full
        .iter()
        .filter(|s| s.owner != "server")
        .map(|s| s.migrations.len())
        .sum();
    assert_eq!(applied.len(), module_count, "{applied:?}");
    assert!(
        applied.iter().all(|n| !n.starts_with("server/")),
        "{applied:?}"
    );

    // Building them out again: their migrations are reported, and `down` refuses to touch them.
    let status = migrate::status(&db.conn, &server_only)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let orphaned = status
        .iter()
        .filter(|s| matches!(s.state, MigrationState::NotCompiled(_)))
        .count();
    assert_eq!(orphaned, module_count, "{status:?}");
    if module_count > 0 {
        let refused = migrate::down(&db.conn, &server_only, 1).await;
        assert!(
            refused.is_err(),
            "reverting a built-out module's migration must fail"
        );
        for table in all_tables() {
            assert!(table_exists(&db, table).await, "{table} untouched");
        }
    }
}
