//! The server starts on an empty data directory and restarts on it without losing anything.

use revenge_db::{MigrationState, migrate};
use revenge_tests::{TestEnv, get_json};

#[tokio::test]
async fn starts_on_an_empty_data_dir_and_restarts_without_loss() {
    let env = TestEnv::new().await;
    // An empty data directory that does not exist yet: the server makes it.
    let mut config = env.config();
    let data_dir = env.data_dir().join("nested").join("data");
    config.data_dir = Some(data_dir.clone());
    if !env.is_postgres() {
        // The default: the SQLite file inside the data directory.
        config.database.url = None;
    }

    let server = revenge_tests::start(config.clone()).await;
    let (status, first) = get_json(&server, "/api/v1/system/info").await;
    assert_eq!(status, 200);
    let server_id = first["server_id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(server_id.len(), 32, "{first}");
    if !env.is_postgres() {
        assert!(
            data_dir.join("revenge.db").is_file(),
            "SQLite file in the data dir"
        );
    }

    #[cfg(feature = "movie")]
    let movie_id = {
        let db = revenge_server_db(&config).await;
        let movie = revenge_movie::repo::insert_movie(
            &db.conn,
            revenge_movie::repo::NewMovie {
                title: "The Matrix".to_owned(),
                year: Some(1999),
                genres: vec!["Action".to_owned()],
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let _ = db.close().await;
        movie.id
    };
    server.stop().await.unwrap_or_else(|e| panic!("{e}"));

    let server = revenge_tests::start(config.clone()).await;
    let (_, second) = get_json(&server, "/api/v1/system/info").await;
    assert_eq!(second["server_id"], server_id.as_str(), "same installation");
    #[cfg(feature = "movie")]
    {
        let (status, movie) = get_json(&server, &format!("/api/v1/movie/movies/{movie_id}")).await;
        assert_eq!(status, 200, "{movie}");
        assert_eq!(movie["title"], "The Matrix");
        assert_eq!(movie["genres"], serde_json::json!(["Action"]));
    }
    server.stop().await.unwrap_or_else(|e| panic!("{e}"));

    let db = revenge_server_db(&config).await;
    let status = migrate::status(&db.conn, &revenge_server::modules::migration_sets())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        status
            .iter()
            .all(|s| matches!(s.state, MigrationState::Applied(_))),
        "{status:?}"
    );
}

async fn revenge_server_db(config: &revenge_config::Config) -> revenge_db::Database {
    revenge_db::connect(&revenge_db::ConnectOptions::new(config.database_url()))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}
