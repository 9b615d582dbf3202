//! The server starts on an empty data directory and restarts on it without losing anything.

use revenge_db::{MigrationState, migrate};
use revenge_tests::{TestEnv, TestServer};

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

    let server = TestServer::start_with(config.clone()).await;
    let reply = server.get("/api/v1/system/info").await;
    assert_eq!(reply.status, 200);
    let first = reply.body;
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
        let library_id = server.library("movie", "Films").await;
        let db = revenge_server_db(&config).await;
        let movie = revenge_movie::repo::insert_movie(
            &db.conn,
            revenge_movie::repo::NewMovie {
                library_id,
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
    server.stop().await;

    // Same directory: no new setup (the setup token is gone), the administrator still signs in.
    let server = revenge_tests::start(config.clone()).await;
    assert_eq!(server.setup_token(), None, "users survived the restart");
    server.stop().await.unwrap_or_else(|e| panic!("{e}"));
    let server = TestServer::start_with(config.clone()).await;
    let second = server.get("/api/v1/system/info").await.body;
    assert_eq!(second["server_id"], server_id.as_str(), "same installation");
    #[cfg(feature = "movie")]
    {
        let reply = server
            .get(&format!("/api/v1/movie/movies/{movie_id}"))
            .await;
        let movie = reply.body;
        assert_eq!(reply.status, 200, "{movie}");
        assert_eq!(movie["title"], "The Matrix");
        assert_eq!(movie["genres"], serde_json::json!(["Action"]));
    }
    server.stop().await;

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
