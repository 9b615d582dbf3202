//! How a music scan writes its tracks, albums and artists: many to a statement, numbered ahead.
//! A track the database refuses costs only itself and is tried again by the next scan, a removed
//! track's id is never handed to a new one (stars and playlists point at ids), and a retagged
//! track moves to its new album and artist, made in the same batch, while the old ones go; the
//! batches of one scan share what they made.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails by panicking, helpers included"
)]

#[path = "support/music.rs"]
mod music_support;

use std::path::Path;

use music_support::tone;
use revenge_tests::{TestEnv, TestServer};
use sea_orm::ConnectionTrait;
use serde_json::Value;

fn mp3(root: &Path, name: &str, title: &str, genre: &str) {
    tagged(
        root,
        &format!("Band/Record/{name}"),
        title,
        ("Band", "Record"),
        genre,
    );
}

/// An MP3 at `rel` below `root` by `artist` on `album`.
fn tagged(root: &Path, rel: &str, title: &str, (artist, album): (&str, &str), genre: &str) {
    tone(
        &root.join(rel),
        &["-c:a", "libmp3lame", "-b:a", "64k"],
        &[
            ("title", title),
            ("artist", artist),
            ("album", album),
            ("genre", genre),
        ],
    );
}

/// What a listing of the music API holds, as (name, count) sorted: `field` names the items,
/// `count` is what each counts.
async fn listing(server: &TestServer, path: &str, field: &str, count: &str) -> Vec<(String, i64)> {
    let reply = server.get(path).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let mut found: Vec<(String, i64)> = reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item[field].as_str().unwrap().to_owned(),
                item[count].as_i64().unwrap(),
            )
        })
        .collect();
    found.sort();
    found
}

/// Checks every album's kept song count and length against its tracks.
async fn album_totals_agree(db: &revenge_db::Database) {
    let wrong = db
        .conn
        .query_all_raw(sea_orm::Statement::from_string(
            db.conn.get_database_backend(),
            "SELECT id FROM music_album WHERE \
             song_count <> (SELECT COUNT(*) FROM music_track WHERE album_id = music_album.id) \
             OR duration_ms <> (SELECT COALESCE(SUM(duration_ms), 0) FROM music_track \
               WHERE album_id = music_album.id)",
        ))
        .await
        .unwrap();
    assert!(
        wrong.is_empty(),
        "{} albums disagree with their tracks",
        wrong.len()
    );
}

/// Every track the administrator sees: title → id.
async fn tracks(server: &TestServer) -> Vec<(String, i64)> {
    listing(server, "/api/v1/music/tracks?limit=100", "title", "id").await
}

fn titles(found: &[(String, i64)]) -> Vec<&str> {
    found.iter().map(|(title, _)| title.as_str()).collect()
}

async fn genre_count(server: &TestServer, genre: &str) -> Value {
    let reply = server.get("/api/v1/music/genres").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == genre)
        .map_or(Value::Null, |g| g["track_count"].clone())
}

#[tokio::test]
async fn a_refused_track_costs_only_itself_and_ids_are_never_reused() {
    let env = TestEnv::new().await;
    let root = env.data_dir().join("music");
    mp3(&root, "01 - Kept.mp3", "Kept", "Jazz");
    mp3(&root, "02 - Refused.mp3", "Refused", "Jazz");
    mp3(&root, "03 - Other.mp3", "Other", "Blues");
    let server = TestServer::start_with(env.config()).await;

    // The database itself refuses one track, as it would a row breaking a constraint.
    let db = env.connect().await;
    let refuse: &[&str] = if env.is_postgres() {
        &[
            "CREATE FUNCTION refuse_track() RETURNS trigger AS $$ BEGIN \
             IF NEW.title = 'Refused' THEN RAISE EXCEPTION 'refused by the test'; END IF; \
             RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_track BEFORE INSERT ON music_track \
             FOR EACH ROW EXECUTE FUNCTION refuse_track()",
        ]
    } else {
        &["CREATE TRIGGER refuse_track BEFORE INSERT ON music_track \
           WHEN NEW.title = 'Refused' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"]
    };
    for sql in refuse {
        db.conn.execute_unprepared(sql).await.unwrap();
    }

    let lib = server.library_at("music", "Music", &root).await;
    server.scan_ok(lib).await;
    album_totals_agree(&db).await;
    let first = tracks(&server).await;
    assert_eq!(titles(&first), ["Kept", "Other"], "the others are written");
    assert_eq!(genre_count(&server, "Jazz").await, 1, "with their genres");
    assert_eq!(genre_count(&server, "Blues").await, 1);

    // Once the database takes it, the next scan brings the refused track in.
    let drop_sql = if env.is_postgres() {
        "DROP TRIGGER refuse_track ON music_track"
    } else {
        "DROP TRIGGER refuse_track"
    };
    db.conn.execute_unprepared(drop_sql).await.unwrap();
    server.scan_ok(lib).await;
    album_totals_agree(&db).await;
    let second = tracks(&server).await;
    assert_eq!(titles(&second), ["Kept", "Other", "Refused"]);
    assert_eq!(genre_count(&server, "Jazz").await, 2);
    for kept in &first {
        assert!(second.contains(kept), "{kept:?} kept its id: {second:?}");
    }

    // The newest track goes; the next new one gets an id of its own.
    let newest = second.iter().map(|(_, id)| *id).max().unwrap();
    let (gone, _) = second.iter().find(|(_, id)| *id == newest).unwrap();
    let file = std::fs::read_dir(root.join("Band/Record"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains(gone.as_str()))
        .unwrap();
    std::fs::remove_file(file).unwrap();
    server.scan_ok(lib).await;
    album_totals_agree(&db).await;
    assert_eq!(tracks(&server).await.len(), 2);
    mp3(&root, "04 - New.mp3", "New", "Blues");
    server.scan_ok(lib).await;
    album_totals_agree(&db).await;
    let third = tracks(&server).await;
    let (_, new_id) = third.iter().find(|(title, _)| title == "New").unwrap();
    assert!(
        *new_id > newest,
        "track {newest} was removed; the new one got {new_id}"
    );
    assert_eq!(genre_count(&server, "Blues").await, 2);
    db.close().await.unwrap();
    server.stop().await;
}

#[tokio::test]
async fn a_retagged_track_moves_to_a_new_album_made_in_the_same_scan() {
    let env = TestEnv::new().await;
    let root = env.data_dir().join("music");
    tagged(
        &root,
        "Band/Record/01 - Alone.mp3",
        "Alone",
        ("Band", "Record"),
        "Jazz",
    );
    tagged(
        &root,
        "Band/Other/01 - Stay.mp3",
        "Stay",
        ("Band", "Other"),
        "Jazz",
    );
    let server = TestServer::start_with(env.config()).await;
    let db = env.connect().await;
    let lib = server.library_at("music", "Music", &root).await;
    server.scan_ok(lib).await;
    album_totals_agree(&db).await;
    let before = tracks(&server).await;
    assert_eq!(titles(&before), ["Alone", "Stay"]);

    // The file now names an artist and album nobody had, and a new file joins them: both are
    // written by one batch, the retagged track before the batch's new rows are flushed.
    tagged(
        &root,
        "Band/Record/01 - Alone.mp3",
        "Alone",
        ("Newcomer", "Debut"),
        "Jazz",
    );
    tagged(
        &root,
        "Band/Record/02 - Joins.mp3",
        "Joins",
        ("Newcomer", "Debut"),
        "Jazz",
    );
    server.scan_ok(lib).await;
    album_totals_agree(&db).await;

    let after = tracks(&server).await;
    assert_eq!(titles(&after), ["Alone", "Joins", "Stay"]);
    assert!(
        after.contains(&before[0]),
        "the retagged file kept its track: {before:?} → {after:?}"
    );
    assert_eq!(
        listing(
            &server,
            "/api/v1/music/albums?limit=100",
            "title",
            "track_count"
        )
        .await,
        [("Debut".to_owned(), 2), ("Other".to_owned(), 1)],
        "the emptied album is gone and the new one holds both tracks"
    );
    assert_eq!(
        listing(
            &server,
            "/api/v1/music/artists?limit=100",
            "name",
            "album_count"
        )
        .await,
        [("Band".to_owned(), 1), ("Newcomer".to_owned(), 1)]
    );
    db.close().await.unwrap();
    server.stop().await;
}

/// A track retagged onto another album leaves one that keeps its other tracks: both albums'
/// counts and lengths follow.
#[tokio::test]
async fn an_albums_count_and_length_follow_tracks_moving_out_and_in() {
    let env = TestEnv::new().await;
    let root = env.data_dir().join("music");
    mp3(&root, "01 - One.mp3", "One", "Jazz");
    mp3(&root, "02 - Two.mp3", "Two", "Jazz");
    let server = TestServer::start_with(env.config()).await;
    let db = env.connect().await;
    let lib = server.library_at("music", "Music", &root).await;
    server.scan_ok(lib).await;
    album_totals_agree(&db).await;
    let albums = "/api/v1/music/albums?limit=100";
    assert_eq!(
        listing(&server, albums, "title", "track_count").await,
        [("Record".to_owned(), 2)]
    );

    tagged(
        &root,
        "Band/Record/02 - Two.mp3",
        "Two",
        ("Band", "Later"),
        "Jazz",
    );
    server.scan_ok(lib).await;
    album_totals_agree(&db).await;
    assert_eq!(
        listing(&server, albums, "title", "track_count").await,
        [("Later".to_owned(), 1), ("Record".to_owned(), 1)]
    );
    db.close().await.unwrap();
    server.stop().await;
}

/// More files than one scan transaction takes (1,024): the artist and album the first batch
/// made are the ones the next batches use, and a later scan still finds them.
#[tokio::test]
async fn batches_of_one_scan_share_the_artists_and_albums_they_made() {
    const FILES: usize = 1_100;
    let env = TestEnv::new().await;
    let root = env.data_dir().join("music");
    mp3(&root, "0000.mp3", "Same", "Jazz");
    let first = root.join("Band/Record/0000.mp3");
    for n in 1..FILES {
        std::fs::copy(&first, root.join(format!("Band/Record/{n:04}.mp3"))).unwrap();
    }
    let server = TestServer::start_with(env.config()).await;
    let lib = server.library_at("music", "Music", &root).await;
    server.scan_ok(lib).await;
    let albums = "/api/v1/music/albums?limit=100";
    let artists = "/api/v1/music/artists?limit=100";
    assert_eq!(
        listing(&server, albums, "title", "track_count").await,
        [("Record".to_owned(), FILES as i64)]
    );
    assert_eq!(
        listing(&server, artists, "name", "album_count").await,
        [("Band".to_owned(), 1)]
    );

    mp3(&root, "late.mp3", "Late", "Jazz");
    server.scan_ok(lib).await;
    assert_eq!(
        listing(&server, albums, "title", "track_count").await,
        [("Record".to_owned(), FILES as i64 + 1)]
    );
    server.stop().await;
}
