//! Scanning real folders through the server: scan → list → detail, renames keep items,
//! deletions remove them, an unmounted folder removes nothing, an interrupted scan leaves no
//! duplicates, and `serve --library` serves a folder.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails by panicking, helpers included"
)]

use std::path::Path;
use std::time::Duration;

use reqwest::Method;
use revenge_tests::{TestEnv, TestServer, write};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

fn titles(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|m| format!("{} ({})", m["title"].as_str().unwrap_or("?"), m["year"]))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn movies_are_scanned_renamed_removed_and_never_wiped() {
    let env = TestEnv::new().await;
    let media = env.data_dir().join("films");
    write(&media, "Heat (1995)/Heat (1995).mkv", b"heat");
    write(
        &media,
        "The.Matrix.1999.1080p.BluRay.x264-GRP.mkv",
        b"matrix",
    );
    write(&media, "Alien (1979)/Alien (1979) - cd1.mkv", b"alien one");
    write(&media, "Alien (1979)/Alien (1979) - cd2.mkv", b"alien two");
    write(
        &media,
        "Alien (1979)/Trailers/Alien trailer.mkv",
        b"trailer",
    );
    write(&media, "Alien (1979)/notes.txt", b"not media");
    let server = env.start().await;
    let lib = server.library_at("movie", "Media", &media).await;

    let job = server.scan(lib).await;
    assert_eq!(job["state"], "succeeded", "{job}");
    assert!(job["progress"]["done"].as_i64().unwrap_or(0) >= 4, "{job}");
    let list = server.get("/api/v1/movie/movies").await.body;
    assert_eq!(
        titles(&list),
        ["Alien (1979)", "Heat (1995)", "The Matrix (1999)"]
    );
    let heat_id = list["items"][1]["id"].as_i64().unwrap();
    let detail = server.get(&format!("/api/v1/movie/movies/{heat_id}")).await;
    assert_eq!(detail.status, 200);
    assert_eq!(detail.body["title"], "Heat");

    // A rename keeps the item.
    std::fs::rename(media.join("Heat (1995)"), media.join("Heat 1995 renamed")).unwrap();
    assert_eq!(server.scan(lib).await["state"], "succeeded");
    let list = server.get("/api/v1/movie/movies").await.body;
    assert_eq!(list["total"], 3);
    assert_eq!(
        list["items"][1]["id"], heat_id,
        "the renamed film kept its id"
    );

    // A deletion removes it.
    std::fs::remove_dir_all(media.join("Heat 1995 renamed")).unwrap();
    assert_eq!(server.scan(lib).await["state"], "succeeded");
    let list = server.get("/api/v1/movie/movies").await.body;
    assert_eq!(titles(&list), ["Alien (1979)", "The Matrix (1999)"]);

    // The disk goes away: the scan fails and nothing is removed.
    std::fs::remove_dir_all(&media).unwrap();
    let failed = server.scan(lib).await;
    assert_eq!(failed["state"], "failed", "{failed}");
    assert!(
        failed["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("unreachable"),
        "{failed}"
    );
    std::fs::create_dir_all(&media).unwrap();
    let emptied = server.scan(lib).await;
    assert_eq!(
        emptied["state"], "failed",
        "an empty mount point removes nothing: {emptied}"
    );
    assert_eq!(server.get("/api/v1/movie/movies").await.body["total"], 2);
    server.stop().await;
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn nfo_files_fill_in_films_and_broken_ones_fall_back_to_the_name() {
    let env = TestEnv::new().await;
    let media = env.data_dir().join("films");
    write(&media, "The Matrix (1999)/The Matrix (1999).mkv", b"matrix");
    write(
        &media,
        "The Matrix (1999)/movie.nfo",
        "<?xml version=\"1.0\"?>\n<movie><title>The Matrix</title><year>1999</year>\
         <plot>A hacker learns the truth.</plot><genre>Action</genre><genre>Science Fiction</genre>\
         <mpaa>Rated R</mpaa><uniqueid type=\"imdb\">tt0133093</uniqueid>\
         <ratings><rating name=\"imdb\" default=\"true\"><value>8.7</value></rating></ratings></movie>"
            .as_bytes(),
    );
    write(&media, "Heat (1995)/Heat (1995).mkv", b"heat");
    write(
        &media,
        "Heat (1995)/Heat (1995).nfo",
        b"\x00\x01 not xml at all \xff",
    );
    let server = env.start().await;
    let lib = server.library_at("movie", "Media", &media).await;
    assert_eq!(server.scan(lib).await["state"], "succeeded");
    let list = server.get("/api/v1/movie/movies").await.body;
    assert_eq!(titles(&list), ["Heat (1995)", "The Matrix (1999)"]);
    let matrix = server
        .get(&format!("/api/v1/movie/movies/{}", list["items"][1]["id"]))
        .await
        .body;
    assert_eq!(matrix["overview"], "A hacker learns the truth.", "{matrix}");
    assert_eq!(matrix["genres"], json!(["Action", "Science Fiction"]));
    assert_eq!(matrix["content_rating"], "R");
    assert_eq!(matrix["imdb_id"], "tt0133093");
    assert_eq!(matrix["community_rating"], 8.7);
    server.stop().await;
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn an_interrupted_scan_resumes_without_duplicates() {
    let env = TestEnv::new().await;
    let media = env.data_dir().join("films");
    for n in 0..20 {
        write(
            &media,
            &format!("Film {n} (20{n:02})/Film {n} (20{n:02}).mkv"),
            format!("film {n}").as_bytes(),
        );
    }
    let server = env.start().await;
    let lib = server.library_at("movie", "Media", &media).await;
    assert_eq!(server.scan(lib).await["state"], "succeeded");
    // As if the process died after taking files in but before recording them.
    let db = env.connect().await;
    db.conn
        .execute_unprepared("DELETE FROM media_file WHERE rel_path LIKE 'Film 1%'")
        .await
        .unwrap();
    assert_eq!(server.scan(lib).await["state"], "succeeded");
    let list = server.get("/api/v1/movie/movies?limit=100").await.body;
    assert_eq!(list["total"], 20, "no duplicates: {:?}", titles(&list));
    server.stop().await;
}

/// A one-second H.264/AAC Matroska file made with ffmpeg (installed by `.ci/run`).
fn real_video(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=160x120:rate=10",
        ])
        .args([
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440",
            "-t",
            "1",
            "-c:v",
            "libx264",
            "-c:a",
            "aac",
        ])
        .args(["-metadata:s:a:0", "language=eng"])
        .arg(path)
        .status()
        .unwrap_or_else(|e| panic!("ffmpeg is needed for this test (apt-get install ffmpeg): {e}"));
    assert!(status.success(), "ffmpeg failed");
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn containers_the_readers_leave_to_ffprobe_are_filled_in_after_the_scan() {
    let env = TestEnv::new().await;
    let media = env.data_dir().join("films");
    revenge_tests::ffmpeg_movie(&media, "Odd (2003)/Odd (2003).avi", 1);
    real_video(&media.join("Real (2020)/Real (2020).mkv"));
    let server = env.start().await;
    let lib = server.library_at("movie", "Media", &media).await;
    server.scan_ok(lib).await;
    // The scan itself spawned no ffprobe: a job after it did.
    let probe = server.settle_jobs("library.probe").await;
    assert_eq!(probe["state"], "succeeded", "{probe}");
    assert_eq!(probe["progress"]["done"], 1, "only the AVI waited: {probe}");
    let list = server.get("/api/v1/movie/movies").await.body;
    assert_eq!(titles(&list), ["Odd (2003)", "Real (2020)"]);
    let odd = server
        .get(&format!("/api/v1/movie/movies/{}", list["items"][0]["id"]))
        .await
        .body;
    let file = &odd["files"][0];
    assert!(file["error"].is_null(), "{odd}");
    assert_eq!(file["info"]["container"], "avi", "{odd}");
    assert_eq!(file["info"]["video"][0]["codec"], "h264", "{odd}");
    // A rescan with nothing changed queues nothing more.
    server.scan_ok(lib).await;
    let again = server.get("/api/v1/jobs?kind=library.probe").await.body;
    assert_eq!(again["items"].as_array().map(Vec::len), Some(1), "{again}");
    server.stop().await;
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn item_details_list_files_with_streams_and_errors() {
    let env = TestEnv::new().await;
    let media = env.data_dir().join("films");
    real_video(&media.join("Real (2020)/Real (2020).mkv"));
    write(
        &media,
        "Real (2020)/Real (2020).de.forced.srt",
        b"1\n00:00:00,000 --> 00:00:01,000\nHallo\n",
    );
    write(&media, "Broken (2021)/Broken (2021).mkv", b"");
    let server = env.start().await;
    let lib = server.library_at("movie", "Media", &media).await;
    assert_eq!(server.scan(lib).await["state"], "succeeded");
    let list = server.get("/api/v1/movie/movies").await.body;
    assert_eq!(
        titles(&list),
        ["Broken (2021)", "Real (2020)"],
        "a broken file is still listed"
    );
    let broken = server
        .get(&format!("/api/v1/movie/movies/{}", list["items"][0]["id"]))
        .await
        .body;
    let error = broken["files"][0]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("Broken (2021).mkv"),
        "the error names the file: {broken}"
    );
    let real = server
        .get(&format!("/api/v1/movie/movies/{}", list["items"][1]["id"]))
        .await
        .body;
    let info = &real["files"][0]["info"];
    assert_eq!(info["container"], "matroska", "{real}");
    assert_eq!(info["video"][0]["codec"], "h264");
    assert_eq!(info["video"][0]["width"], 160);
    assert_eq!(info["audio"][0]["codec"], "aac");
    assert_eq!(info["audio"][0]["language"], "eng");
    assert!(
        info["duration_secs"]
            .as_f64()
            .is_some_and(|d| (d - 1.0).abs() < 0.2),
        "{info}"
    );
    assert!(real["files"][0]["error"].is_null());
    let sidecar = &info["external_subtitles"][0];
    assert_eq!(sidecar["file"], "Real (2020).de.forced.srt", "{info}");
    assert_eq!(sidecar["language"], "de");
    assert_eq!(sidecar["forced"], true);
    assert_eq!(sidecar["format"], "subrip");
    server.stop().await;
}

#[cfg(feature = "tvshow")]
#[tokio::test]
async fn series_are_scanned_into_seasons_and_episodes() {
    let env = TestEnv::new().await;
    let media = env.data_dir().join("series");
    write(
        &media,
        "Doctor Who (2005)/Season 01/Doctor Who (2005) - S01E01 - Rose.mkv",
        b"1",
    );
    write(
        &media,
        "Doctor Who (2005)/Season 01/Doctor Who (2005) - S01E02 - The End of the World.mkv",
        b"2",
    );
    write(
        &media,
        "Doctor Who (2005)/Specials/Doctor Who (2005) - S00E01 - The Christmas Invasion.mkv",
        b"3",
    );
    write(
        &media,
        "Breaking Bad/Season 2/Breaking.Bad.S02E03.720p.mkv",
        b"4",
    );
    write(
        &media,
        "Doctor Who (2005)/tvshow.nfo",
        b"<tvshow><title>Doctor Who</title><year>2005</year><plot>A time traveller.</plot>\
          <genre>Drama</genre><genre>Science Fiction</genre><status>Continuing</status>\
          <uniqueid type=\"tvdb\">78804</uniqueid></tvshow>",
    );
    write(
        &media,
        "Doctor Who (2005)/Season 01/Doctor Who (2005) - S01E01 - Rose.nfo",
        b"<episodedetails><title>Rose</title><plot>Rose meets the Doctor.</plot>\
          <aired>2005-03-26</aired></episodedetails>",
    );
    let server = env.start().await;
    let lib = server.library_at("tvshow", "Media", &media).await;
    assert_eq!(server.scan(lib).await["state"], "succeeded");
    let series = server.get("/api/v1/tvshow/series").await.body;
    assert_eq!(
        titles(&series),
        ["Breaking Bad (null)", "Doctor Who (2005)"]
    );
    let who = series["items"][1]["id"].as_i64().unwrap();
    let seasons = server
        .get(&format!("/api/v1/tvshow/series/{who}/seasons"))
        .await
        .body;
    let numbers: Vec<i64> = seasons
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["season_number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [0, 1], "specials are season 0");
    let season1 = seasons[1]["id"].as_i64().unwrap();
    let episodes = server
        .get(&format!("/api/v1/tvshow/seasons/{season1}/episodes"))
        .await
        .body;
    let names: Vec<&str> = episodes
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["Rose", "The End of the World"]);
    let rose = episodes[0]["id"].as_i64().unwrap();
    let rose = server
        .get(&format!("/api/v1/tvshow/episodes/{rose}"))
        .await
        .body;
    assert_eq!(rose["overview"], "Rose meets the Doctor.", "{rose}");
    assert_eq!(rose["air_date"], "2005-03-26");
    let show = server
        .get(&format!("/api/v1/tvshow/series/{who}"))
        .await
        .body;
    assert_eq!(show["overview"], "A time traveller.", "{show}");
    assert_eq!(show["genres"], json!(["Drama", "Science Fiction"]));
    assert_eq!(show["status"], "Continuing");
    assert_eq!(show["tvdb_id"], "78804");
    server.stop().await;
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn serve_with_library_serves_a_folder() {
    let env = TestEnv::new().await;
    let media = env.data_dir().join("quick");
    write(&media, "Heat (1995).mkv", b"heat");
    let mut config = env.config();
    // What `revenge serve --library movie:PATH` does before starting.
    config.libraries.push(revenge_config::LibraryConfig {
        name: "quick".to_owned(),
        module: "movie".to_owned(),
        folders: vec![media.display().to_string()],
    });
    let server = TestServer::start_with(config).await;
    for _ in 0..200 {
        if server.get("/api/v1/movie/movies").await.body["total"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let list = server.get("/api/v1/movie/movies").await.body;
    assert_eq!(titles(&list), ["Heat (1995)"]);
    server.stop().await;
}

#[cfg(feature = "movie")]
async fn movie_total(server: &TestServer) -> i64 {
    server.get("/api/v1/movie/movies").await.body["total"]
        .as_i64()
        .unwrap_or(0)
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn the_watcher_picks_up_a_new_file_without_a_scan_request() {
    let env = TestEnv::new().await;
    let media = env.data_dir().join("watched");
    write(&media, "Heat (1995).mkv", b"heat");
    let mut config = env.config();
    config.libraries.push(revenge_config::LibraryConfig {
        name: "watched".to_owned(),
        module: "movie".to_owned(),
        folders: vec![media.display().to_string()],
    });
    let server = TestServer::start_with(config).await;
    for _ in 0..200 {
        if movie_total(&server).await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        movie_total(&server).await,
        1,
        "the new library was scanned at start"
    );
    // Whether or not the first scan is still running, the change is not lost: the watcher
    // waits for it to end.
    write(&media, "Alien (1979).mkv", b"alien");
    let mut seen = 0;
    for _ in 0..300 {
        seen = movie_total(&server).await;
        if seen == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(seen, 2, "the watcher queued a scan for the new file");
    // The start-up scan may have found it first; the watcher's own scan comes after it.
    let alien = media.join("Alien (1979).mkv").display().to_string();
    let mut named = false;
    for _ in 0..300 {
        named = scanned_paths(&server).await.contains(&alien);
        if named {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        named,
        "the watcher's scan named the changed file, not the whole library"
    );

    std::fs::remove_file(media.join("Heat (1995).mkv")).unwrap();
    for _ in 0..300 {
        seen = movie_total(&server).await;
        if seen == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(seen, 1, "the watcher removed the deleted file's film");
    server.stop().await;
}

/// Every path named by the scan jobs the watcher queued.
async fn scanned_paths(server: &TestServer) -> Vec<String> {
    let jobs = server
        .call(
            Method::GET,
            "/api/v1/jobs?kind=library.scan&limit=100",
            Some(&server.admin),
            None,
        )
        .await;
    jobs.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|job| {
            job["payload"]["paths"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|path| path.as_str().map(str::to_owned))
        .collect()
}

#[cfg(all(feature = "movie", feature = "tvshow"))]
fn picture(path: &Path, width: u32, height: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    image::RgbImage::from_pixel(width, height, image::Rgb([30, 60, 90]))
        .save(path)
        .unwrap();
}

#[cfg(all(feature = "movie", feature = "tvshow"))]
async fn fetch_image(
    server: &TestServer,
    token: &str,
    path: &str,
) -> (u16, Option<(u32, u32)>, String) {
    let response = revenge_tests::client()
        .get(format!("{}{path}", server.server.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = response.bytes().await.unwrap();
    let size = image::load_from_memory(&bytes)
        .ok()
        .map(|i| (i.width(), i.height()));
    (status, size, kind)
}

#[cfg(all(feature = "movie", feature = "tvshow"))]
#[tokio::test]
async fn local_artwork_is_served_resized_to_those_who_may_see_it() {
    let env = TestEnv::new().await;
    let films = env.data_dir().join("films");
    write(&films, "Heat (1995)/Heat (1995).mkv", b"heat");
    picture(&films.join("Heat (1995)/poster.jpg"), 400, 600);
    picture(&films.join("Heat (1995)/Heat (1995)-fanart.png"), 640, 360);
    let shows = env.data_dir().join("shows");
    write(&shows, "Show/Season 01/Show - S01E01.mkv", b"e1");
    picture(&shows.join("Show/folder.jpg"), 300, 450);
    picture(
        &shows.join("Show/Season 01/Show - S01E01-thumb.jpg"),
        320,
        180,
    );
    let server = env.start().await;
    let movie_lib = server.library_at("movie", "Media", &films).await;
    let tv_lib = server
        .call(
            Method::POST,
            "/api/v1/libraries",
            Some(&server.admin),
            Some(json!({"module": "tvshow", "name": "Shows", "folders": [shows.display().to_string()]})),
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    assert_eq!(server.scan(movie_lib).await["state"], "succeeded");
    assert_eq!(server.scan(tv_lib).await["state"], "succeeded");
    let heat = server.get("/api/v1/movie/movies").await.body["items"][0]["id"]
        .as_i64()
        .unwrap();
    let show = server.get("/api/v1/tvshow/series").await.body["items"][0]["id"]
        .as_i64()
        .unwrap();
    let episode = server.get("/api/v1/tvshow/episodes/recent").await.body["items"][0]["id"]
        .as_i64()
        .unwrap();

    let admin = server.admin.clone();
    let (status, size, kind) = fetch_image(
        &server,
        &admin,
        &format!("/api/v1/images/movie.{heat}.poster?width=100"),
    )
    .await;
    assert_eq!(
        (status, size, kind.as_str()),
        (200, Some((100, 150)), "image/jpeg")
    );
    let (status, size, _) = fetch_image(
        &server,
        &admin,
        &format!("/api/v1/images/movie.{heat}.poster"),
    )
    .await;
    assert_eq!(
        (status, size),
        (200, Some((400, 600))),
        "the original without a width"
    );
    let (status, size, kind) = fetch_image(
        &server,
        &admin,
        &format!("/api/v1/images/movie.{heat}.backdrop?width=320"),
    )
    .await;
    assert_eq!(
        (status, size, kind.as_str()),
        (200, Some((320, 180)), "image/png")
    );
    let (status, _, _) = fetch_image(
        &server,
        &admin,
        &format!("/api/v1/images/movie.{heat}.logo"),
    )
    .await;
    assert_eq!(status, 404, "no logo");
    let (status, size, _) = fetch_image(
        &server,
        &admin,
        &format!("/api/v1/images/tvshow.{show}.poster?width=150"),
    )
    .await;
    assert_eq!((status, size), (200, Some((150, 225))));
    let (status, size, _) = fetch_image(
        &server,
        &admin,
        &format!("/api/v1/images/tvshow.{episode}.thumb"),
    )
    .await;
    assert_eq!((status, size), (200, Some((320, 180))));
    let (status, _, _) = fetch_image(&server, &admin, "/api/v1/images/movie.1.passwd").await;
    assert_eq!(status, 400, "not an image id");
    let (status, _, _) = fetch_image(&server, &admin, "/api/v1/images/movie.1.../etc/passwd").await;
    assert_eq!(status, 404, "no path reaches the file system");
    let (status, _, _) = fetch_image(
        &server,
        &admin,
        &format!("/api/v1/images/movie.{heat}.poster?width=99999"),
    )
    .await;
    assert_eq!(status, 400);

    // A user without the library sees no pictures of it.
    let (_, guest) = server.user("guest", json!({"library_ids": [tv_lib]})).await;
    let (status, _, _) = fetch_image(
        &server,
        &guest,
        &format!("/api/v1/images/movie.{heat}.poster"),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _, _) = fetch_image(
        &server,
        &guest,
        &format!("/api/v1/images/tvshow.{show}.poster"),
    )
    .await;
    assert_eq!(status, 200);
    server.stop().await;
}

#[test]
fn parse_name_prints_json_lines() {
    let out = revenge_server::cli::parse_names(&[
        "Show/Season 01/Show - S01E02 - Title.mkv".into(),
        "The.Matrix.1999.1080p.BluRay.x264-GRP.mkv".into(),
    ])
    .unwrap();
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["kind"], "episode");
    assert_eq!(lines[0]["season"], 1);
    assert_eq!(lines[0]["episode"], 2);
    assert_eq!(lines[0]["path"], "Show/Season 01/Show - S01E02 - Title.mkv");
    assert_eq!(lines[1]["kind"], "movie");
    assert_eq!(lines[1]["title"], "The Matrix");
    assert_eq!(lines[1]["year"], 1999);
    assert!(
        lines[1].get("season").is_none(),
        "absent fields are omitted"
    );
}

/// Files of one film or episode found in the same batch share the item the first of them made,
/// before any of it is written; a version found later finds it in the database.
#[cfg(all(feature = "movie", feature = "tvshow"))]
#[tokio::test]
async fn versions_found_together_share_one_item() {
    let env = TestEnv::new().await;
    let films = env.data_dir().join("films");
    write(&films, "Heat (1995)/Heat (1995) - 1080p.mkv", b"a");
    write(&films, "Heat (1995)/Heat (1995) - 720p.mkv", b"b");
    write(&films, "Ronin (1998)/Ronin (1998).mkv", b"c");
    let series = env.data_dir().join("series");
    write(&series, "Show/Season 01/Show - S01E01 - 1080p.mkv", b"d");
    write(&series, "Show/Season 01/Show - S01E01 - 720p.mkv", b"e");
    write(&series, "Show/Season 01/Show - S01E02.mkv", b"f");
    let server = env.start().await;
    let movies = server.library_at("movie", "Films", &films).await;
    let shows = server.library_at("tvshow", "Series", &series).await;
    server.scan_ok(movies).await;
    server.scan_ok(shows).await;

    let list = server.get("/api/v1/movie/movies").await.body;
    assert_eq!(titles(&list), ["Heat (1995)", "Ronin (1998)"], "{list}");
    let heat = list["items"][0]["id"].as_i64().unwrap();
    let files = |body: &Value| body["files"].as_array().map_or(0, Vec::len);
    let detail = server
        .get(&format!("/api/v1/movie/movies/{heat}"))
        .await
        .body;
    assert_eq!(files(&detail), 2, "{detail}");

    let shows_list = server.get("/api/v1/tvshow/series").await.body;
    let show = shows_list["items"][0]["id"].as_i64().unwrap();
    let seasons = server
        .get(&format!("/api/v1/tvshow/series/{show}/seasons"))
        .await
        .body;
    let season = seasons[0]["id"].as_i64().unwrap();
    let episodes = server
        .get(&format!("/api/v1/tvshow/seasons/{season}/episodes"))
        .await
        .body;
    let numbers: Vec<i64> = episodes
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["episode_number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 2], "{episodes}");
    let first = episodes[0]["id"].as_i64().unwrap();
    let detail = server
        .get(&format!("/api/v1/tvshow/episodes/{first}"))
        .await
        .body;
    assert_eq!(files(&detail), 2, "{detail}");

    // A later version joins the film in the database.
    write(&films, "Heat (1995)/Heat (1995) - 2160p.mkv", b"g");
    server.scan_ok(movies).await;
    let list = server.get("/api/v1/movie/movies").await.body;
    assert_eq!(list["items"][0]["id"], heat, "{list}");
    let detail = server
        .get(&format!("/api/v1/movie/movies/{heat}"))
        .await
        .body;
    assert_eq!(files(&detail), 3, "{detail}");
    server.stop().await;
}
