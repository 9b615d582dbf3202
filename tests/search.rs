//! Search end to end: scanned films are indexed through jobs, found as they are typed (typos
//! forgiven), filtered by the caller's libraries and parental limit (also in totals and facet
//! counts), paged with cursors, removed when their files go, and reconciled on request.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails by panicking, helpers included"
)]

use std::path::Path;
use std::time::Duration;

use reqwest::Method;
use revenge_tests::TestServer;
use serde_json::{Value, json};

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn nfo(title: &str, year: i32, genres: &[&str], mpaa: &str) -> Vec<u8> {
    let genres: String = genres
        .iter()
        .map(|g| format!("<genre>{g}</genre>"))
        .collect();
    format!(
        "<?xml version=\"1.0\"?>\n<movie><title>{title}</title><year>{year}</year>{genres}\
         <mpaa>{mpaa}</mpaa></movie>"
    )
    .into_bytes()
}

fn titles(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["title"].as_str().unwrap_or("?").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn facet(body: &Value, which: &str, value: &str) -> u64 {
    body["facets"][which]
        .as_array()
        .and_then(|list| list.iter().find(|f| f["value"] == value))
        .and_then(|f| f["count"].as_u64())
        .unwrap_or(0)
}

/// Searches as `token` until `done` holds (indexing is eventual), or fails after a deadline.
async fn search_until(
    server: &TestServer,
    token: &str,
    query: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let reply = server
            .get_as(token, &format!("/api/v1/search?{query}"))
            .await;
        assert_eq!(reply.status, 200, "{query}: {:?}", reply.body);
        if done(&reply.body) {
            return reply.body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{query}: never got there: {:?}",
            reply.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn scanned_films_are_searchable_within_each_callers_rights() {
    let env = revenge_tests::TestEnv::new().await;
    let server = env.start().await;
    let films = env.data_dir().join("films");
    let private = env.data_dir().join("private");
    write(&films, "The Matrix (1999)/The Matrix (1999).mkv", b"matrix");
    write(
        &films,
        "The Matrix (1999)/movie.nfo",
        &nfo(
            "The Matrix",
            1999,
            &["Action", "Science Fiction"],
            "Rated R",
        ),
    );
    write(&films, "Alien (1979)/Alien (1979).mkv", b"alien");
    write(
        &films,
        "Alien (1979)/movie.nfo",
        &nfo("Alien", 1979, &["Horror", "Science Fiction"], "Rated R"),
    );
    write(
        &films,
        "Finding Nemo (2003)/Finding Nemo (2003).mkv",
        b"nemo",
    );
    write(
        &films,
        "Finding Nemo (2003)/movie.nfo",
        &nfo("Finding Nemo", 2003, &["Animation"], "Rated G"),
    );
    write(&private, "Aliens (1986)/Aliens (1986).mkv", b"aliens");
    let films_id = server.library_at("movie", "Films", &films).await;
    let private_id = server.library_at("movie", "Private", &private).await;
    server.scan_ok(films_id).await;
    server.scan_ok(private_id).await;

    // Typos forgiven, once the index jobs have run.
    let admin = server.admin.clone();
    let typo = search_until(&server, &admin, "q=matirx", |b| {
        titles(b).contains(&"The Matrix".to_owned())
    })
    .await;
    let hit = &typo["items"][0];
    assert_eq!(hit["type"], "movie");
    assert_eq!(hit["year"], 1999);
    assert_eq!(
        hit["image"],
        format!("movie.{}.poster", hit["item_id"].as_i64().unwrap())
    );

    // As you type, everything the administrator may see.
    let ali = search_until(&server, &admin, "q=ali", |b| b["total"] == 2).await;
    let mut found = titles(&ali);
    found.sort();
    assert_eq!(found, vec!["Alien", "Aliens"]);
    assert_eq!(facet(&ali, "type", "movie"), 2);
    assert_eq!(facet(&ali, "genre", "Horror"), 1);

    // A guest of the family library never sees the private one, not even in counts.
    let (_, guest) = server
        .user("guest", json!({"library_ids": [films_id]}))
        .await;
    let guest_ali = server.get_as(&guest, "/api/v1/search?q=ali").await;
    assert_eq!(titles(&guest_ali.body), vec!["Alien"]);
    assert_eq!(guest_ali.body["total"], 1);
    let all = server.get_as(&guest, "/api/v1/search").await;
    assert_eq!(all.body["total"], 3, "{:?}", all.body);
    assert_eq!(facet(&all.body, "year", "1986"), 0);
    // A child (rated 12 at most) sees the one G-rated film.
    let (_, kid) = server
        .user(
            "kid",
            json!({"library_ids": [films_id, private_id], "max_rating_level": 12}),
        )
        .await;
    let kid_all = server.get_as(&kid, "/api/v1/search").await;
    assert_eq!(
        titles(&kid_all.body),
        vec!["Finding Nemo"],
        "{:?}",
        kid_all.body
    );
    assert_eq!(kid_all.body["total"], 1);
    assert_eq!(facet(&kid_all.body, "genre", "Horror"), 0);

    // Cursor paging.
    let mut seen = Vec::new();
    let mut path = "/api/v1/search?limit=1".to_owned();
    loop {
        let page = server.get(&path).await;
        assert_eq!(page.status, 200, "{:?}", page.body);
        seen.extend(titles(&page.body));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/search?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    seen.sort();
    assert_eq!(seen, vec!["Alien", "Aliens", "Finding Nemo", "The Matrix"]);

    // Bad parameters are problems naming the field.
    let bad = server.get("/api/v1/search?limit=0").await;
    assert_eq!(
        (bad.status, bad.body["field"].as_str()),
        (400, Some("limit"))
    );
    let bad = server.get("/api/v1/search?types=song").await;
    assert_eq!(
        (bad.status, bad.body["field"].as_str()),
        (400, Some("types"))
    );
    let bad = server.get("/api/v1/search?cursor=nonsense!").await;
    assert_eq!(bad.status, 400);

    // A removed file leaves the index too.
    std::fs::remove_dir_all(films.join("Alien (1979)")).unwrap();
    server.scan_ok(films_id).await;
    let after = search_until(&server, &admin, "q=alien", |b| {
        !titles(b).contains(&"Alien".to_owned())
    })
    .await;
    assert_eq!(titles(&after), vec!["Aliens"]);

    // Reconcile and reindex on request, for administrators only.
    let denied = server
        .call(Method::POST, "/api/v1/search/reindex", Some(&guest), None)
        .await;
    assert_eq!(denied.status, 403);
    for action in ["reconcile", "reindex"] {
        let queued = server
            .call(
                Method::POST,
                &format!("/api/v1/search/{action}"),
                Some(&server.admin),
                None,
            )
            .await;
        assert_eq!(queued.status, 202, "{:?}", queued.body);
        let job = server
            .wait_job(queued.body["job_id"].as_i64().unwrap())
            .await;
        assert_eq!(job["state"], "succeeded", "{job:?}");
        let message = job["progress"]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with("3 documents: 0 missing, 0 stale, 0 orphaned"),
            "{action}: {message}"
        );
    }
    server.stop().await;
}

#[cfg(feature = "tvshow")]
#[tokio::test]
async fn series_and_episodes_are_searchable() {
    let env = revenge_tests::TestEnv::new().await;
    let server = env.start().await;
    let shows = env.data_dir().join("shows");
    write(
        &shows,
        "Breaking Bad/Season 01/Breaking Bad S01E01.mkv",
        b"e1",
    );
    write(
        &shows,
        "Breaking Bad/Season 01/Breaking Bad S01E02.mkv",
        b"e2",
    );
    let id = server.library_at("tvshow", "Shows", &shows).await;
    server.scan_ok(id).await;
    let admin = server.admin.clone();
    let found = search_until(&server, &admin, "q=breakin", |b| b["total"] == 3).await;
    assert_eq!(facet(&found, "type", "series"), 1, "{found:?}");
    assert_eq!(facet(&found, "type", "episode"), 2, "{found:?}");
    let series = server.get("/api/v1/search?q=breaking&types=series").await;
    assert_eq!(titles(&series.body), vec!["Breaking Bad"]);
    let episodes = server.get("/api/v1/search?q=breaking&types=episode").await;
    let subtitles: Vec<&str> = episodes.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["subtitle"].as_str())
        .collect();
    assert!(subtitles.contains(&"Breaking Bad S01E01"), "{subtitles:?}");
    server.stop().await;
}
