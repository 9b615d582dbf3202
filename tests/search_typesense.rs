//! Search end to end with the server configured for Typesense (`search.backend: typesense`,
//! the test run's Typesense from `TEST_TYPESENSE_URL`/`TEST_TYPESENSE_KEY`, a collection of
//! its own per test): a scanned music library is indexed there through jobs and found through
//! `/api/v1/search` and Subsonic `search3`, typos forgiven. Under `CI=true` a missing Typesense
//! fails the test; elsewhere it says so and returns.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails by panicking, helpers included"
)]

#[path = "support/music.rs"]
mod music_support;

use music_support::{Sub, setup_with};
use revenge_config::SearchBackend;
use revenge_tests::client;
use serde_json::Value;

fn typesense_env() -> Option<(String, String)> {
    match std::env::var("TEST_TYPESENSE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(url) => Some((
            url.trim_end_matches('/').to_owned(),
            std::env::var("TEST_TYPESENSE_KEY").unwrap_or_else(|_| "test-key".to_owned()),
        )),
        None if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but TEST_TYPESENSE_URL is not set: Typesense must run in CI")
        }
        None => {
            eprintln!("skipping: TEST_TYPESENSE_URL is not set (start Typesense as .ci/run does)");
            None
        }
    }
}

/// The collection as Typesense itself describes it.
async fn collection(url: &str, key: &str, name: &str) -> (u16, Value) {
    let response = client()
        .get(format!("{url}/collections/{name}"))
        .header("X-TYPESENSE-API-KEY", key)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn titles(body: &Value, list: &str) -> Vec<String> {
    body[list]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["title"].as_str().unwrap_or("?").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_server_configured_for_typesense_indexes_and_searches_music_there() {
    let Some((url, key)) = typesense_env() else {
        return;
    };
    // A collection of this test's own, so parallel tests and runs never see each other's.
    let prefix = format!("e2e_{}_", uuid::Uuid::new_v4().simple());
    let collection_name = format!("{prefix}items");
    let (_env, server, _library) = {
        let (url, key, prefix) = (url.clone(), key.clone(), prefix.clone());
        setup_with(move |config| {
            config.search.backend = SearchBackend::Typesense;
            config.search.typesense.nodes = vec![url];
            config.search.typesense.api_key = key;
            config.search.typesense.collection_prefix = prefix;
            config.search.typesense.timeout_ms = 10_000;
        })
        .await
    };

    // The documents went to Typesense: 5 album artists, 5 albums, 9 tracks.
    let (status, described) = collection(&url, &key, &collection_name).await;
    assert_eq!(status, 200, "{described}");
    assert_eq!(described["num_documents"], 19, "{described}");

    // The native search, typos forgiven, and facets from Typesense.
    let found = server.get("/api/v1/search?q=gamm").await;
    assert_eq!(found.status, 200, "{:?}", found.body);
    assert_eq!(titles(&found.body, "items"), ["Gamma"], "{:?}", found.body);
    let typo = server.get("/api/v1/search?q=secnd&types=album").await;
    assert_eq!(titles(&typo.body, "items"), ["Second"], "{:?}", typo.body);
    let all = server
        .get("/api/v1/search?types=artist,album,track&limit=1")
        .await;
    assert_eq!(all.body["total"], 19, "{:?}", all.body);
    assert!(all.body["next_cursor"].is_string());

    // Subsonic search3 asks the same engine.
    let sub = Sub::new(&server).await;
    let found = sub.json("search3", &[("query", "Alpga")]).await;
    assert_eq!(
        titles(&found["searchResult3"], "song"),
        ["Alpha"],
        "{found}"
    );
    let found = sub.json("search3", &[("query", "first alb")]).await;
    let albums: Vec<&str> = found["searchResult3"]["album"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(albums, ["First Album"], "{found}");

    server.stop().await;
    let dropped = client()
        .delete(format!("{url}/collections/{collection_name}"))
        .header("X-TYPESENSE-API-KEY", &key)
        .send()
        .await
        .unwrap();
    assert!(
        dropped.status().is_success(),
        "cannot drop {collection_name}"
    );
}
