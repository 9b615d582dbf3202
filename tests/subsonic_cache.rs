//! Kept Subsonic answers: a read is answered from the cache until something it shows may have
//! changed — a Subsonic write, a scan — on this instance or on another sharing one Redis; the
//! credentials of a request (new salt every time) do not split the cache, while the caller,
//! their rights and the format do.
//!
//! Sign-ins kept for the protocol end with a rotated Subsonic password or a disabled account,
//! on every instance, at once.
//!
//! The cache is caught in the act by changing the database behind the server's back: only a
//! kept answer still shows the old title.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails by panicking, helpers included"
)]

#[path = "support/music.rs"]
mod music_support;

use music_support::{Library, Sub, setup_with};
use reqwest::Method;
use revenge_cache::CacheSettings;
use revenge_tests::{TestEnv, TestServer, shared_redis};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const LIST: &[(&str, &str)] = &[("type", "alphabeticalByName"), ("size", "50")];

/// The albums of `getAlbumList2` (by name) as (name, starred).
async fn albums(sub: &Sub) -> Vec<(String, bool)> {
    let answer = sub.json("getAlbumList2", LIST).await;
    assert_eq!(answer["status"], "ok", "{answer}");
    answer["albumList2"]["album"]
        .as_array()
        .map(|albums| {
            albums
                .iter()
                .map(|a| {
                    (
                        a["name"].as_str().unwrap_or("?").to_owned(),
                        a.get("starred").is_some(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn has(albums: &[(String, bool)], name: &str) -> bool {
    albums.iter().any(|(n, _)| n == name)
}

/// Renames an album in the database, unknown to any server.
async fn rename_behind_its_back(env: &TestEnv, from: &str, to: &str) {
    let db = env.connect().await;
    let done = db
        .conn
        .execute_unprepared(&format!(
            "UPDATE music_album SET title = '{to}' WHERE title = '{from}'"
        ))
        .await
        .unwrap();
    assert_eq!(done.rows_affected(), 1);
}

/// The scenario, reading on `b` what is written on `a` (the same server, or two sharing Redis).
async fn answers_are_kept_until_something_changes(
    env: &TestEnv,
    a: &TestServer,
    b: &TestServer,
    library: &Library,
) {
    let on_a = Sub::new(a).await;
    let on_b = Sub {
        base: b.server.base_url(),
        ..on_a.clone()
    };
    // Someone without the library, with a Subsonic password (made first: a write through
    // /api/v1/music ends kept answers).
    let (outsider_id, token) = a.user("outsider", json!({})).await;
    let outsider = Sub::rotated(a, b, "outsider", &token).await;
    let first = albums(&on_b).await;
    assert!(has(&first, "First Album"), "{first:?}");
    // The administrator's kept answer never reaches them.
    assert_eq!(albums(&outsider).await, Vec::new());
    let listed = on_b.json("getAlbumList2", LIST).await;
    let id = listed["albumList2"]["album"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "First Album")
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .unwrap();
    // The same question in XML is answered in XML (Sub::xml checks the content type).
    let xml = on_b.xml("getAlbumList2", LIST).await;
    assert!(xml.contains("name=\"First Album\""), "{xml}");

    rename_behind_its_back(env, "First Album", "Renamed Once").await;
    // Kept: a new salt and token is the same question.
    assert_eq!(albums(&on_b).await, first);
    assert_eq!(albums(&on_a).await, first, "the other instance");

    // A Subsonic write on one instance: the next read on the other is fresh.
    let starred = on_a.json("star", &[("albumId", &id)]).await;
    assert_eq!(starred["status"], "ok", "{starred}");
    let after = albums(&on_b).await;
    assert!(
        after.contains(&("Renamed Once".to_owned(), true)),
        "{after:?}"
    );
    assert!(!has(&after, "First Album"), "{after:?}");

    // A scan ends every kept answer, even one that changed nothing.
    rename_behind_its_back(env, "Renamed Once", "Renamed Twice").await;
    assert!(has(&albums(&on_b).await, "Renamed Once"));
    let job = a.scan(library.lib).await;
    assert_eq!(job["state"], "succeeded", "{job}");
    let rescanned: Value = on_b.json("getAlbumList2", LIST).await;
    let names: Vec<&str> = rescanned["albumList2"]["album"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert!(names.contains(&"Renamed Twice"), "{names:?}");

    // Kept sign-ins: a rotated Subsonic password, then a disabled account, are refused by the
    // other instance with the very next request.
    let old = outsider.clone();
    assert_eq!(old.json("ping", &[]).await["status"], "ok");
    let new = Sub::rotated(a, b, "outsider", &token).await;
    let refused = old.json("ping", &[]).await;
    assert_eq!(refused["error"]["code"], 40, "{refused}");
    assert_eq!(new.json("ping", &[]).await["status"], "ok");
    let disabled = a
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{outsider_id}"),
            Some(&a.admin),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(disabled.status, 200, "{:?}", disabled.body);
    let refused = new.json("ping", &[]).await;
    assert_eq!(refused["error"]["code"], 40, "{refused}");
}

/// `cache`, and no scan the test does not ask for: a periodic rescan or a watcher's, finishing
/// mid-test, would rightly end every kept answer.
fn quiet(cache: CacheSettings) -> impl FnOnce(&mut revenge_config::Config) {
    move |config| {
        config.cache = cache;
        config.scan.watch = false;
        config.scan.interval_secs = 0;
    }
}

#[tokio::test]
async fn subsonic_answers_are_kept_until_something_changes() {
    let cache = CacheSettings {
        // Long: only invalidation, never expiry, may make fresh data show.
        list_ttl_secs: 3600,
        item_ttl_secs: 3600,
        ..CacheSettings::default()
    };
    let (env, server, library) = setup_with(quiet(cache)).await;
    answers_are_kept_until_something_changes(&env, &server, &server, &library).await;
    server.stop().await;
}

#[tokio::test]
async fn subsonic_answers_kept_by_one_instance_follow_writes_on_another() {
    let Some(cache) = shared_redis() else { return };
    let (env, a, library) = setup_with(quiet(cache.clone())).await;
    let mut config = env.config();
    quiet(cache)(&mut config);
    let b = TestServer::start_with(config).await;
    assert_eq!(
        b.get("/health/ready").await.body["cache"]["backend"],
        "redis"
    );
    answers_are_kept_until_something_changes(&env, &a, &b, &library).await;
    a.stop().await;
    b.stop().await;
}
