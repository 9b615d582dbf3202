//! Library grants and parental limits hide items from every list and detail, over real HTTP.

use reqwest::Method;
use revenge_tests::{TestEnv, TestServer};
use serde_json::json;

/// Two libraries of `module` with a grant-limited user and a parental-limited user.
struct Household {
    server: TestServer,
    films: i64,
    private: i64,
    /// Granted `films` only.
    guest: String,
    /// Granted both, limited to age 12.
    kid: String,
}

async fn household(env: &TestEnv, module: &str) -> Household {
    let server = env.start().await;
    let films = server.library(module, "Shared").await;
    let private = server.library(module, "Private").await;
    let (_, guest) = server.user("guest", json!({"library_ids": [films]})).await;
    let (_, kid) = server
        .user(
            "kid",
            json!({"library_ids": [films, private], "max_rating_level": 12}),
        )
        .await;
    Household {
        server,
        films,
        private,
        guest,
        kid,
    }
}

#[tokio::test]
async fn libraries_are_listed_per_grant_and_managed_by_capability() {
    let env = TestEnv::new().await;
    let module = revenge_tests::expected_modules()
        .first()
        .copied()
        .unwrap_or("movie");
    if revenge_tests::expected_modules().is_empty() {
        // A build without content modules has no library to make.
        let server = env.start().await;
        let reply = server
            .call(
                Method::POST,
                "/api/v1/libraries",
                Some(&server.admin),
                Some(json!({"module": "movie", "name": "x"})),
            )
            .await;
        assert_eq!(reply.status, 400);
        server.stop().await;
        return;
    }
    let home = household(&env, module).await;
    let server = &home.server;
    let ids = |reply: revenge_tests::Reply| -> Vec<i64> {
        reply
            .body
            .as_array()
            .map(|l| l.iter().filter_map(|l| l["id"].as_i64()).collect())
            .unwrap_or_default()
    };
    assert_eq!(ids(server.get("/api/v1/libraries").await).len(), 2);
    assert_eq!(
        ids(server.get_as(&home.guest, "/api/v1/libraries").await),
        [home.films]
    );
    let hidden = server
        .get_as(&home.guest, &format!("/api/v1/libraries/{}", home.private))
        .await;
    assert_eq!(hidden.status, 404);
    let create = server
        .call(
            Method::POST,
            "/api/v1/libraries",
            Some(&home.guest),
            Some(json!({"module": module, "name": "Mine"})),
        )
        .await;
    assert_eq!(create.status, 403);
    let bad_module = server
        .call(
            Method::POST,
            "/api/v1/libraries",
            Some(&server.admin),
            Some(json!({"module": "qar", "name": "Hidden"})),
        )
        .await;
    assert_eq!(bad_module.status, 400);
    assert_eq!(bad_module.body["field"], "module");
    home.server.stop().await;
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn movies_follow_grants_and_parental_limits() {
    use revenge_movie::repo::{NewMovie, insert_movie};

    let env = TestEnv::new().await;
    let home = household(&env, "movie").await;
    let db = env.connect().await;
    let mut ids = std::collections::HashMap::new();
    for (title, library, rating) in [
        ("Shared PG", home.films, Some("PG")),
        ("Shared R", home.films, Some("R")),
        ("Shared Unrated", home.films, None),
        ("Private PG", home.private, Some("PG")),
    ] {
        let movie = insert_movie(
            &db.conn,
            NewMovie {
                library_id: library,
                title: title.to_owned(),
                content_rating: rating.map(str::to_owned),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        ids.insert(title, movie.id);
    }
    let _ = db.close().await;

    let server = &home.server;
    let titles = |body: &serde_json::Value| -> Vec<String> {
        body["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|m| m["title"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let all = server.get("/api/v1/movie/movies").await.body;
    assert_eq!(all["total"], 4, "{all}");

    let guest = server
        .get_as(&home.guest, "/api/v1/movie/movies")
        .await
        .body;
    assert_eq!(titles(&guest), ["Shared PG", "Shared R", "Shared Unrated"]);
    assert_eq!(guest["total"], 3);

    let kid = server.get_as(&home.kid, "/api/v1/movie/movies").await.body;
    assert_eq!(titles(&kid), ["Private PG", "Shared PG"]);
    assert_eq!(kid["total"], 2, "hidden items are not counted");
    // A one-item page is full even though hidden items sort between visible ones.
    let page = server
        .get_as(&home.kid, "/api/v1/movie/movies?limit=1&offset=1")
        .await
        .body;
    assert_eq!(titles(&page), ["Shared PG"]);

    for (who, token, title, status) in [
        ("guest", &home.guest, "Private PG", 404),
        ("guest", &home.guest, "Shared R", 200),
        ("kid", &home.kid, "Shared R", 404),
        ("kid", &home.kid, "Shared Unrated", 404),
        ("kid", &home.kid, "Private PG", 200),
    ] {
        let reply = server
            .get_as(token, &format!("/api/v1/movie/movies/{}", ids[title]))
            .await;
        assert_eq!(reply.status, status, "{who} → {title}: {:?}", reply.body);
    }
    // Hidden and missing items answer alike.
    let missing = server
        .get_as(&home.kid, "/api/v1/movie/movies/999999")
        .await;
    let hidden = server
        .get_as(
            &home.kid,
            &format!("/api/v1/movie/movies/{}", ids["Shared R"]),
        )
        .await;
    assert_eq!(missing.body["code"], hidden.body["code"]);
    home.server.stop().await;
}

#[cfg(feature = "tvshow")]
#[tokio::test]
async fn series_seasons_and_episodes_follow_grants_and_parental_limits() {
    use revenge_tvshow::repo::{
        NewEpisode, NewSeason, NewSeries, insert_episode, insert_season, insert_series,
    };

    let env = TestEnv::new().await;
    let home = household(&env, "tvshow").await;
    let db = env.connect().await;
    let mut episodes = std::collections::HashMap::new();
    for (title, library, rating) in [
        ("Kids Show", home.films, Some("TV-Y7")),
        ("Crime Show", home.films, Some("TV-MA")),
        ("Private Show", home.private, Some("TV-PG")),
    ] {
        let series = insert_series(
            &db.conn,
            NewSeries {
                library_id: library,
                title: title.to_owned(),
                content_rating: rating.map(str::to_owned),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let season = insert_season(
            &db.conn,
            NewSeason {
                series_id: series.id,
                season_number: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let episode = insert_episode(
            &db.conn,
            NewEpisode {
                series_id: series.id,
                season_id: season.id,
                episode_number: 1,
                title: Some(format!("{title} pilot")),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        episodes.insert(title, (series.id, season.id, episode.id));
    }
    let _ = db.close().await;
    let server = &home.server;

    let recent_titles = |body: &serde_json::Value| -> Vec<String> {
        let mut titles: Vec<String> = body["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|e| e["title"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        titles.sort();
        titles
    };
    let kid_recent = server
        .get_as(&home.kid, "/api/v1/tvshow/episodes/recent")
        .await
        .body;
    assert_eq!(
        recent_titles(&kid_recent),
        ["Kids Show pilot", "Private Show pilot"]
    );
    let guest_recent = server
        .get_as(&home.guest, "/api/v1/tvshow/episodes/recent")
        .await
        .body;
    assert_eq!(
        recent_titles(&guest_recent),
        ["Crime Show pilot", "Kids Show pilot"]
    );
    let kid_series = server.get_as(&home.kid, "/api/v1/tvshow/series").await.body;
    assert_eq!(kid_series["total"], 2);

    let (series, season, episode) = episodes["Crime Show"];
    for path in [
        format!("/api/v1/tvshow/series/{series}"),
        format!("/api/v1/tvshow/series/{series}/seasons"),
        format!("/api/v1/tvshow/seasons/{season}/episodes"),
        format!("/api/v1/tvshow/episodes/{episode}"),
    ] {
        assert_eq!(
            server.get_as(&home.kid, &path).await.status,
            404,
            "kid: {path}"
        );
        assert_eq!(
            server.get_as(&home.guest, &path).await.status,
            200,
            "guest: {path}"
        );
    }
    let (_, _, private_episode) = episodes["Private Show"];
    let path = format!("/api/v1/tvshow/episodes/{private_episode}");
    assert_eq!(server.get_as(&home.guest, &path).await.status, 404);
    home.server.stop().await;
}
